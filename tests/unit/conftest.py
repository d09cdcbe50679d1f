"""Fixtures for the pure domain tests: a clock that only moves when told, the default config."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.catalogue import build_catalogue
from flows.clock import FixedClock
from flows.config import FlowConfig
from flows.conversation import Conversation
from flows.fields import Catalogue

#: Monday 30 November 2026, 10:00 in London (GMT, so the same as UTC)
T0 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def config() -> FlowConfig:
    return FlowConfig()


@pytest.fixture
def catalogue(config: FlowConfig) -> Catalogue:
    return build_catalogue(config)


@pytest.fixture
def conversation(catalogue: Catalogue, config: FlowConfig, clock: FixedClock) -> Conversation:
    return Conversation(catalogue, config, clock)
