"""End-to-end fixtures: a Slack Web API double and the real bot over HTTP, on SQLite and (when
configured) PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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


@pytest.fixture
def app(slack: SlackDouble, db_url: str) -> Iterator[RunningBot]:
    """The bot on SQLite, and on PostgreSQL too when a test server is configured."""
    with running_bot(slack, db_url) as bot:
        yield bot
