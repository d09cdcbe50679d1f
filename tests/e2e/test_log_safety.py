"""Logs carry request ids and Slack ids, never offender references, IMEIs or free text."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot import ids
from bot.logs import configure_logging
from tests.e2e.flow import answer_all, answers_for, click_card, start, submit
from tests.support.running_bot import STRANGER, SUP1, RunningBot


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = configure_logging("DEBUG", stream=stream)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(logging.WARNING)


def test_a_whole_request_logged_at_debug_level_leaks_no_offender_data(
    app: RunningBot, log_stream: io.StringIO
) -> None:
    answers = answers_for("order", notes="Lives with partner; see RMP section 4")
    request_id, thread = start(app)
    answer_all(app, thread, answers)
    card = submit(app, thread)
    click_card(app, card, ids.APPROVAL_APPROVE, user=STRANGER)
    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    output = log_stream.getvalue()
    records = [json.loads(line) for line in output.splitlines()]
    assert records, "nothing was logged"
    assert any(r.get("request_id") == request_id for r in records)
    for secret in (
        "NOM/1234567",
        "490154203237518",
        "SHPO/2025/0042",
        "Leeds Crown Court",
        "Lives with partner",
        "Samsung",
    ):
        assert secret not in output, secret
