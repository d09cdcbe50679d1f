"""The injection matrix (issue 10, "the standing suite"): Slack control syntax typed into every
free-text answer, every reason, the approval comment, the installation and review notes and the
officer's reply to a request for more information reaches Slack inert, escaped exactly once, and
is exported exactly as typed.

Typed thread replies arrive as Slack delivers them (`&`, `<`, `>` as entities); dialog inputs
arrive raw, as Slack sends `plain_text_input` values. Slack's mrkdwn has no escape for `*`, `_`,
`~` or a backtick: those must arrive unaltered (they may format, never ping or link)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from bot import ids
from bot.blocks.text import escape
from storage.export import ExportRequest, export_requests
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
from tests.e2e.test_after_approval import (
    click,
    installation,
    open_installation,
    review,
    review_falls_due,
    submit_form,
)
from tests.support.running_bot import (
    OFFICER,
    SUP1,
    SUP2,
    RunningBot,
    thread_posts,
    with_block,
)

#: what an attacker (or a careless paste) might type; each fits the shortest field (60 chars)
PAYLOADS = {
    "mentions": "<!channel> <!here> <@U0VICTIM> <!subteam^S0VICT>",
    "links_and_entities": "<http://x|y> <mailto:a@b|z> a&b<c>d &amp; &lt;e&gt;",
    "mrkdwn": "> q *b* _i_ ~s~ `c` ```d``` <#C0GENERAL> <!everyone>",
}
#: live Slack syntax none of which the bot itself ever writes
LIVE = (
    "<!channel",
    "<!here",
    "<!everyone",
    "<@U0VICTIM",
    "<!subteam^S0VICT",
    "<http://x",
    "<mailto",
    "<#C0GENERAL",
)

#: the free-text questions of each basis (device_os is parsed, so it is left out)
COMMON_TEXT = ("device_make_model", "other_users", "necessity", "rmp_reference", "notes")
BASIS_TEXT = {
    "order": ("order_reference", "order_court"),
    "licence": ("licence_condition", "probation_practitioner"),
    "voluntary": ("consent_witness", "consent_reference"),
}


def typed(payload: str, n: int) -> str:
    """The payload, told apart per field (and long enough for the 20-character minimums)."""
    return f"{payload} {n:02d}"


def strings(value: Any, kind: str | None = None) -> Iterator[tuple[str, str]]:
    """(text, "mrkdwn" | "plain") for every string Slack shows of a call's arguments."""
    if isinstance(value, dict):
        own = value.get("type") if value.get("type") in ("mrkdwn", "plain_text") else None
        for key, item in value.items():
            if key in ("text", "title") and isinstance(item, str):
                yield item, "plain" if (own or kind) == "plain_text" else "mrkdwn"
            elif key in ("initial_value", "placeholder") and isinstance(item, str):
                yield item, "plain"
            else:
                yield from strings(item, own or kind)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item, kind)


def shown(app: RunningBot) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for call in app.slack.calls():
        found += list(strings(call.args))
    return found


def assert_inert(app: RunningBot, values: list[str]) -> None:
    texts = shown(app)
    for text, kind in texts:
        for live in LIVE:
            assert kind == "plain" or live not in text, (live, text)
    mrkdwn = "\n".join(t for t, k in texts if k == "mrkdwn")
    plain = "\n".join(t for t, k in texts if k == "plain")
    for value in values:
        assert escape(value) in mrkdwn, f"{value!r} never reached Slack escaped once"
        assert escape(escape(value)) not in mrkdwn, f"{value!r} was escaped twice"
        if escape(value) != value:
            assert escape(value) not in plain, f"{value!r} escaped in plain text"


def exported(app: RunningBot, request_id: str) -> dict[str, Any]:
    out = io.StringIO()
    export_requests(app.bot.database, out, ExportRequest("jsonl", "DS Smith", "injection test"))
    records = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    [record] = [r for r in records if r.get("id") == request_id]
    return dict(record)


def all_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in all_strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in all_strings(item)]
    return []


@pytest.mark.parametrize("basis", sorted(BASIS_TEXT))
@pytest.mark.parametrize("payload", sorted(PAYLOADS))
def test_typed_slack_syntax_is_inert_everywhere_and_exported_as_typed(
    app: RunningBot, basis: str, payload: str
) -> None:
    text = PAYLOADS[payload]
    keys = COMMON_TEXT + BASIS_TEXT[basis]
    answers = {key: typed(text, n) for n, key in enumerate(keys)}
    request_id, thread = start(app)
    answer_all(app, thread, answers_for(basis, device_ownership="shared", **answers))
    stored = app.request(request_id).answers
    assert {k: stored[k] for k in keys} == answers  # decoded once: stored as typed

    card = submit(app, thread)
    more_info, reply = typed(text, 20), typed(text, 21)
    click_card(app, card, ids.APPROVAL_MORE_INFO, user=SUP1)
    app.submit_view(last_view(app), more_info, user=SUP1)
    app.reply(thread, reply)
    second = submit(app, thread)

    comment = typed(text, 22)
    view = open_approval(app, second, SUP2)
    assert view is not None
    submit_approval(app, view, SUP2, comment=comment)
    assert app.request(request_id).state == "approved"

    notice = with_block(thread_posts(app.slack, thread), ids.INSTALL_ACTIONS_BLOCK)[-1]
    notes = typed(text, 23)
    dialog = open_installation(app, notice, request_id, OFFICER)
    submit_form(app, dialog, OFFICER, installation("installed", "2026-11-30", notes))
    assert app.request(request_id).state == "installed"

    due = review_falls_due(app, thread)
    click(app, due, ids.REVIEW_CONFIRM, request_id, SUP1)
    review_notes = typed(text, 24)
    submit_form(app, last_view(app), SUP1, review("continue", "2027-05-31", review_notes))
    assert str(app.request(request_id).review_date) == "2027-05-31"

    # what Slack was sent: inert, escaped once; the fields, reason, reply and comment are shown
    assert_inert(app, [*answers.values(), more_info, reply, comment, notes])
    for call in app.slack.calls("chat.postMessage") + app.slack.calls("chat.update"):
        assert "link_names" not in call.args and call.args.get("parse") != "full"

    # the export: exactly what was typed, wherever it is kept
    record = exported(app, request_id)
    assert {k: record["fields"][k] for k in keys} == answers
    assert record["decision_comment"] == comment
    kept = all_strings(record)
    for value in (more_info, reply, notes, review_notes):
        assert value in kept, f"{value!r} is not exported as typed"
    assert not [s for s in kept if escape(text) in s and escape(text) != text]


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
def test_a_rejection_reason_is_inert_and_exported_as_typed(app: RunningBot, payload: str) -> None:
    reason = typed(PAYLOADS[payload], 30)
    request_id, thread = start(app)
    answer_all(app, thread, answers_for("order"))
    card = submit(app, thread)
    click_card(app, card, ids.APPROVAL_REJECT, user=SUP1)
    app.submit_view(last_view(app), reason, user=SUP1)
    assert app.request(request_id).state == "rejected"
    assert_inert(app, [reason])
    record = exported(app, request_id)
    assert record["decision_reason"] == reason
