"""End-to-end fixtures: a Slack Web API double and the real bot over HTTP, on SQLite and (when
configured) PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.databases import NO_PG, fresh_postgres_schema, postgres_base_url
from tests.support.running_bot import RunningBot, prepare_workspace, running_bot
from tests.support.slack_double import SlackDouble


@pytest.fixture
def slack() -> Iterator[SlackDouble]:
    with SlackDouble() as double:
        prepare_workspace(double)
        yield double
        # Whatever a test did, the bot never sent Slack something it would refuse, nor pinged a
        # whole channel.
        assert double.rejected() == [], [c.summary() for c in double.rejected()]
        assert double.mentions_everyone() == []


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/e2e.db"
        return
    base = postgres_base_url()
    if base is None:
        pytest.skip(NO_PG)
    with fresh_postgres_schema(base) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/e2e.db"


@pytest.fixture
def pg_url() -> Iterator[str]:
    base = postgres_base_url()
    if base is None:
        pytest.skip(NO_PG)
    with fresh_postgres_schema(base) as url:
        yield url


@pytest.fixture
def app(slack: SlackDouble, sqlite_url: str) -> Iterator[RunningBot]:
    with running_bot(slack, sqlite_url) as bot:
        yield bot
