"""Logs carry request ids and Slack ids, never offender references, IMEIs or free text."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import ids
from bot.cli.export import cmd_export
from bot.logs import configure_logging
from bot.scheduler import start_scheduler
from tests.e2e.flow import (
    answer_all,
    answers_for,
    click_card,
    last_view,
    open_approval,
    start,
    submit,
    submit_approval,
)
from tests.e2e.test_after_approval import installation, open_installation, submit_form
from tests.support.running_bot import (
    OFFICER,
    PRIVATE,
    STRANGER,
    SUP1,
    SUP2,
    RunningBot,
    thread_posts,
    with_block,
)


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


#: every library that logs, at DEBUG whatever its own default (restored afterwards)
LIBRARY_LOGGERS = (
    "slack_bolt",
    "slack_sdk",
    "sqlalchemy",
    "sqlalchemy.engine",
    "sqlalchemy.pool",
    "apscheduler",
    "waitress",
    "urllib3",
    "alembic",
    "bot",
    "storage",
    "flows",
)
#: distinctive values, each typed once somewhere in the request's life
SECRETS = {
    "visor_ref": "QZ/8812734",
    "pnc_id": "2017/0456789T",
    "device_imei": "867231045591271",
    "device_make_model": "Zorblax Q7 tokmake",
    "other_users": "Brother Quillon tokothers",
    "necessity": "Grooming risk rising tokneed; monitoring is the least intrusive step left.",
    "rmp_reference": "RMP-TOKRMP-77",
    "notes": "Garden shed tokshed",
    "order_reference": "SHPO/2031/7781",
    "order_court": "Tokcourt Crown Court",
}
#: a second request, for a laptop: it has a serial number where a phone has an IMEI
LAPTOP = {"device_type": "laptop", "device_serial": "SN-QX-99871", "visor_ref": "QZ/5512734"}
REASON = "Ask about the shed tokreason"
REPLY = "The shed is locked tokreply"
COMMENT = "Proportionate tokcomment"
INSTALL_NOTES = "Installed at the station tokinstall"


@pytest.fixture
def every_logger() -> Iterator[io.StringIO]:
    """Everything every logger says, at every level, as the bot writes it (JSON lines)."""
    stream = io.StringIO()
    levels = {name: logging.getLogger(name).level for name in LIBRARY_LOGGERS}
    handler = configure_logging("DEBUG", stream=stream)
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(logging.WARNING)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def test_a_whole_request_through_approval_installation_sweeps_and_export_logs_no_secrets(
    app: RunningBot, every_logger: io.StringIO, tmp_path: Path
) -> None:
    request_id, thread = start(app)
    answer_all(app, thread, answers_for("order", **SECRETS))
    card = submit(app, thread)
    click_card(app, card, ids.APPROVAL_MORE_INFO, user=SUP1)
    app.submit_view(last_view(app), REASON, user=SUP1)
    app.reply(thread, REPLY)
    second = submit(app, thread)
    view = open_approval(app, second, SUP2)
    assert view is not None
    submit_approval(app, view, SUP2, comment=COMMENT)
    notice = with_block(thread_posts(app.slack, thread), ids.INSTALL_ACTIONS_BLOCK)[-1]
    dialog = open_installation(app, notice, request_id, OFFICER)
    submit_form(app, dialog, OFFICER, installation("installed", "2026-11-30", INSTALL_NOTES))
    assert app.request(request_id).state == "installed"
    _laptop_id, laptop_thread = start(app)
    answer_all(app, laptop_thread, answers_for("voluntary", **LAPTOP))
    submit(app, laptop_thread)
    # the scheduler, as `run` starts it (APScheduler's own logging included)
    assert app.bot.sweeper.health.last_success is None
    scheduler = start_scheduler(app.bot.sweeper, 0.1)
    try:
        deadline = time.monotonic() + 20
        while app.bot.sweeper.health.last_success is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.shutdown(wait=True)
    assert app.bot.sweeper.health.last_success is not None, "the scheduler never swept"
    out = tmp_path / "export.jsonl"
    status = cmd_export(
        app.bot.settings.database_url, "jsonl", "DS Smith", "log safety", output=str(out)
    )
    assert status == 0
    exported = out.read_text()
    for value in (SECRETS["device_imei"], LAPTOP["device_serial"], SECRETS["notes"]):
        assert value in exported  # the export has them; the log must not

    output = every_logger.getvalue()
    records = [json.loads(line) for line in output.splitlines()]
    loggers = {r["logger"].split(".")[0] for r in records}
    assert {"slack_bolt", "slack_sdk", "sqlalchemy", "apscheduler", "bot"} <= loggers, loggers
    assert {r["level"] for r in records} >= {"DEBUG", "INFO"}
    # what the log is for: request ids and Slack ids
    assert any(r.get("request_id") == request_id for r in records)
    for slack_id in (OFFICER, SUP1, SUP2, PRIVATE):
        assert slack_id in output, slack_id
    lowered = output.lower()
    typed = [*SECRETS.values(), LAPTOP["device_serial"], LAPTOP["visor_ref"]]
    for value in [*typed, REASON, REPLY, COMMENT, INSTALL_NOTES]:
        assert value.lower() not in lowered, value
        token = next(w for w in value.split() if w.startswith("tok")) if "tok" in value else None
        if token:
            assert token.lower() not in lowered, token
    for digits in ("867231045591271", "0456789", "8812734", "5512734", "99871"):
        assert digits not in output, digits
