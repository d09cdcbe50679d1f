"""Driving a whole request through the running bot, as an officer and supervisors would."""

from __future__ import annotations

import json
import re
import threading
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import ids
from bot.demo.answers import answers_for as scripted_answers
from tests.support import signing
from tests.support.running_bot import (
    MONDAY_10AM,
    OFFICER,
    PRIVATE,
    SECRET,
    SUP1,
    RunningBot,
    block_ids,
    current_question,
    posts,
    thread_posts,
    ts_of,
    with_block,
)
from tests.support.slack_double import SlackCall

#: the running bot's day (its clock stands at Monday 30 November 2026, 10:00)
TODAY = MONDAY_10AM.date()
#: the default configuration's time zone, in which the bot's rules count days
LONDON = ZoneInfo("Europe/London")


#: a clean request's dates, as days after the bot's day (before it if negative): for TODAY they
#: are the dates in the comments, and a test on the real clock gets dates as valid on its day
DATE_OFFSETS = {
    "risk_assessment_date": -182,  # 2026-06-01
    "date_acquired": -10,  # 2026-11-20
    "date_notified": -5,  # 2026-11-25
    "order_date": -578,  # 2025-05-01
    "licence_expiry": 212,  # 2027-06-30
    "probation_request_date": -1,  # 2026-11-29
    "consent_date": -3,  # 2026-11-27
    "proposed_install_date": 2,  # 2026-12-02
}


def dates_around(today: date) -> dict[str, date]:
    return {key: today + timedelta(days=days) for key, days in DATE_OFFSETS.items()}


def typed_around(today: date) -> dict[str, str]:
    """What these requests type otherwise than the demo's (bot/demo/answers.py): the reference in
    lower case and the dates as officers type them, the same person and device whatever the
    basis, and an order that is flagged: no clause allowing monitoring software, and the device
    notified five days after it was got (the order allows three)."""
    day = dates_around(today)
    assessed = day["risk_assessment_date"]
    return {
        "visor_ref": "nom/1234567",
        "risk_assessment_date": f"{assessed.day} {assessed:%b %Y}",  # 1 Jun 2026
        "date_acquired": f"{day['date_acquired']:%d/%m/%Y}",  # 20/11/2026
        **{key: str(day[key]) for key in ("date_notified", "order_date", "licence_expiry")},
        "order_monitoring_clause": "no",
        "consent_date": str(day["consent_date"]),
    }


#: what the requests of tests on the running bot's clock type (typed_around)
TYPED = typed_around(TODAY)


def answers_for(basis: str, **overrides: str) -> dict[str, str]:
    """What the officer types for a request on `basis`, by field key (`overrides` instead)."""
    return answers_around(TODAY, basis, **overrides)


def answers_around(today: date, basis: str, **overrides: str) -> dict[str, str]:
    """answers_for, with dates around `today`: for a bot not on the running bot's clock."""
    answers = scripted_answers(basis, today, subject="order")
    answers |= {key: typed for key, typed in typed_around(today).items() if key in answers}
    return {**answers, **overrides}


def real_today() -> date:
    """The day of a bot on the real clock (SystemClock), in the force's time zone (the
    default configuration's), as its rules count days."""
    return datetime.now(LONDON).date()


def today_of(app: RunningBot) -> date:
    """The running bot's day, on whichever clock it runs."""
    return app.clock.now().astimezone(LONDON).date()


def start(app: RunningBot, user: str = OFFICER) -> tuple[str, str]:
    """Run the slash command; the request id and its thread."""
    before = len(posts(app.slack))
    result = app.command(user=user)
    assert result.status == 200
    parent = [c for c in posts(app.slack)[before:] if not c.args.get("thread_ts")]
    assert len(parent) == 1, "the request's parent message was not posted"
    match = re.search(r"MR-\d+", parent[0].args["text"])
    assert match, parent[0].args["text"]
    return match.group(0), ts_of(parent[0])


def answer_all(
    app: RunningBot, thread_ts: str, answers: dict[str, str], user: str = OFFICER
) -> SlackCall:
    """Answer each question the bot asks until it shows the summary; returns the summary post."""
    for _ in range(60):
        summaries = with_block(thread_posts(app.slack, thread_ts), ids.SUMMARY_BLOCK)
        last = thread_posts(app.slack, thread_ts)[-1]
        if summaries and summaries[-1] is last:
            return last
        key = current_question(app.slack, thread_ts)
        app.reply(thread_ts, answers[key], user=user)
    raise AssertionError("the conversation never reached the summary")


def submit(app: RunningBot, thread_ts: str) -> SlackCall:
    """Type `submit`; returns the approval card post."""
    app.reply(thread_ts, "submit")
    cards = with_block(thread_posts(app.slack, thread_ts), ids.APPROVAL_BLOCK)
    assert cards, "no approval card was posted"
    return cards[-1]


def submitted(
    app: RunningBot, basis: str = "order", **overrides: str
) -> tuple[str, str, SlackCall]:
    """A request answered for `basis` and submitted: (request id, thread, approval card)."""
    request_id, thread = start(app)
    answer_all(app, thread, answers_around(today_of(app), basis, **overrides))
    return request_id, thread, submit(app, thread)


def approval_submission(
    request_id: str,
    card: SlackCall,
    user: str,
    comment: str | None = None,
    review_date: str | None = None,
) -> signing.SignedRequest:
    """A supervisor's signed submission of the Approve dialog opened from `card` (the review
    date by default review_date_around(TODAY): 1 March 2027)."""
    review_date = review_date or review_date_around(TODAY)
    meta = {
        "id": request_id,
        "card": ts_of(card),
        "channel": PRIVATE,
        "thread": card.args["thread_ts"],
    }
    return signing.view_submission(
        SECRET,
        callback_id=ids.APPROVE_VIEW,
        values=approve_values(comment, review_date),
        private_metadata=json.dumps(meta),
        user_id=user,
    )


def review_date_around(today: date) -> str:
    """A review date the Approve dialog takes: thirteen weeks after `today`."""
    return str(today + timedelta(days=91))


def approve_values(comment: str | None, review_date: str | None) -> dict[str, dict[str, Any]]:
    return {
        ids.COMMENT_BLOCK: {ids.COMMENT_ACTION: comment},
        ids.REVIEW_DATE_BLOCK: {
            ids.REVIEW_DATE_ACTION: {"type": "datepicker", "selected_date": review_date}
        },
    }


def submit_approval(
    app: RunningBot,
    view: dict[str, Any],
    user: str,
    comment: str | None = None,
    review_date: str | None = None,
) -> signing.HttpResult:
    """Submit an opened Approve dialog; the review date defaults to the one it proposed."""
    if review_date is None:
        picker = next(b for b in view["blocks"] if b.get("block_id") == ids.REVIEW_DATE_BLOCK)
        review_date = picker["element"]["initial_date"]
    return submit_view(app, view, approve_values(comment, review_date), user)


def submit_view(
    app: RunningBot,
    view: dict[str, Any],
    values: dict[str, dict[str, Any]],
    user: str,
    **options: Any,
) -> signing.HttpResult:
    """Submit an opened dialog filled in with `values` (block id → action id → value);
    `options`: more of the submission (signing.view_submission), e.g. its `view_id`."""
    return app.send(
        signing.view_submission(
            SECRET,
            callback_id=view["callback_id"],
            values=values,
            private_metadata=view.get("private_metadata", ""),
            user_id=user,
            **options,
        )
    )


def send_at_once(deliveries: list[tuple[RunningBot, signing.SignedRequest]]) -> None:
    """Send each request to its replica at the same moment, then wait for all handlers."""
    senders = [
        threading.Thread(target=app.send, args=(request, False)) for app, request in deliveries
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    for app, _ in deliveries:
        app.settle()


def click_card(
    app: RunningBot, card: SlackCall, action_id: str, user: str = SUP1, **options: Any
) -> None:
    """Click a button on the card. Approve opens a dialog: when it does, it is submitted as
    proposed (use `open_approval` to fill it in)."""
    request_id = approval_value(card)
    opened = len(app.slack.calls("views.open"))
    options.setdefault("message", clicked_message(app, card))
    app.click(
        action_id,
        request_id,
        user=user,
        message_ts=ts_of(card),
        thread_ts=card.args["thread_ts"],
        **options,
    )
    if action_id == ids.APPROVAL_APPROVE and len(app.slack.calls("views.open")) > opened:
        submit_approval(app, last_view(app), user)


def open_approval(app: RunningBot, card: SlackCall, user: str) -> dict[str, Any] | None:
    """Click Approve and return the dialog it opened (None: refused, no dialog)."""
    opened = len(app.slack.calls("views.open"))
    app.click(
        ids.APPROVAL_APPROVE,
        approval_value(card),
        user=user,
        message_ts=ts_of(card),
        thread_ts=card.args["thread_ts"],
        message=clicked_message(app, card),
    )
    return last_view(app) if len(app.slack.calls("views.open")) > opened else None


def clicked_message(app: RunningBot, card: SlackCall) -> dict[str, Any]:
    """The card as Slack holds it now, as a click on it carries it (`message`)."""
    stored = app.slack.message(card.args["channel"], ts_of(card))
    if stored is not None:
        return dict(stored)
    return {"type": "message", "ts": ts_of(card), "blocks": card.args.get("blocks") or []}


def approval_value(card: SlackCall) -> str:
    actions = next(
        b for b in card.args["blocks"] if b.get("block_id") == ids.APPROVAL_ACTIONS_BLOCK
    )
    values = {e["action_id"]: e["value"] for e in actions["elements"]}
    assert set(values) == {ids.APPROVAL_APPROVE, ids.APPROVAL_REJECT, ids.APPROVAL_MORE_INFO}
    assert len(set(values.values())) == 1
    return next(iter(values.values()))


def last_view(app: RunningBot) -> dict[str, Any]:
    opened = app.slack.calls("views.open")
    assert opened, "no dialog was opened"
    return dict(opened[-1].args["view"])


def ephemerals(app: RunningBot, user: str) -> list[str]:
    return [
        c.args["text"] for c in app.slack.calls("chat.postEphemeral") if c.args.get("user") == user
    ]


def responses(app: RunningBot) -> list[dict[str, Any]]:
    return [c.args for c in app.slack.calls("response_url")]


def card_updates(app: RunningBot, card: SlackCall) -> list[SlackCall]:
    return [c for c in app.slack.calls("chat.update") if c.args.get("ts") == ts_of(card) and c.ok]


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(view["private_metadata"]))


def open_home(app: RunningBot, user: str) -> dict[str, Any]:
    before = len(app.slack.calls("views.publish"))
    event = {
        "type": "app_home_opened",
        "user": user,
        "channel": "D0HOME",
        "tab": "home",
        "event_ts": signing.new_ts(),
    }
    app.send(signing.event_callback(SECRET, event))
    published = app.slack.calls("views.publish")[before:]
    assert [c.args["user_id"] for c in published] == [user]
    return published_view(published[-1])


def published_view(call: SlackCall) -> dict[str, Any]:
    assert call.ok, call.summary()
    assert call.response is not None
    return dict(call.response["view"])


__all__ = ["block_ids"]


# -- the form ---------------------------------------------------------------------------------


def form_dates_around(today: date) -> dict[str, str]:
    """A clean request's dates as the form takes them (ISO)."""
    return {key: str(day) for key, day in dates_around(today).items()}


#: a clean request's answers as the form takes them: option values, ISO dates, "" for empty
FORM_DATES = form_dates_around(TODAY)


def form_answers_for(basis: str, **overrides: str) -> dict[str, str]:
    return form_answers_around(TODAY, basis, **overrides)


def form_answers_around(today: date, basis: str, **overrides: str) -> dict[str, str]:
    typed = {**answers_around(today, basis), **form_dates_around(today)}
    typed = {k: ("" if v == "skip" else v) for k, v in typed.items()}
    return {**typed, **overrides}


def open_form(app: RunningBot, request_id: str, thread_ts: str, user: str = OFFICER) -> Any:
    """Click *Fill in a form* on the request's first message; the modal Slack was asked to open
    (None when no modal opened)."""
    before = len(app.slack.calls("views.open"))
    app.click(ids.REQUEST_FORM, request_id, user=user, message_ts=thread_ts, thread_ts=None)
    opened = [c for c in app.slack.calls("views.open")[before:] if c.ok]
    if not opened:
        return None
    assert opened[-1].response is not None
    return {**opened[-1].args["view"], "id": opened[-1].response["view"]["id"]}


def choose_basis(
    app: RunningBot, view: dict[str, Any], basis: str, user: str = OFFICER
) -> dict[str, Any]:
    """Pick the basis on the basis page (its select dispatches at once): the page as redrawn
    with that branch's questions."""
    stored = app.slack.view(view["id"])
    assert stored is not None, "the modal is not open"
    before = len(app.slack.calls("views.update"))
    app.send(
        signing.block_actions(
            SECRET,
            action_id="value",
            block_id=ids.form_block("legal_basis"),
            action_type="static_select",
            value=basis,
            user_id=user,
            view={**stored, "private_metadata": view["private_metadata"]},
        )
    )
    [redrawn] = [c for c in app.slack.calls("views.update")[before:] if c.ok]
    return {**redrawn.args["view"], "id": view["id"]}


def form_state(view: dict[str, Any], answers: dict[str, str]) -> dict[str, dict[str, Any]]:
    """What Slack sends back for a page filled in with `answers` (by field key)."""
    state: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        key = block["block_id"].removeprefix(ids.FORM_BLOCK_PREFIX)
        element = block["element"]
        text = answers.get(key, "")
        if element["type"] == "static_select":
            option = next((o for o in element["options"] if o["value"] == text), None)
            entry: dict[str, Any] = {"type": "static_select", "selected_option": option}
        elif element["type"] == "datepicker":
            entry = {"type": "datepicker", "selected_date": text or None}
        else:
            entry = {"type": "plain_text_input", "value": text or None}
        state[block["block_id"]] = {element["action_id"]: entry}
    return state


def submit_page(
    app: RunningBot, view: dict[str, Any], answers: dict[str, str], user: str = OFFICER
) -> dict[str, Any]:
    """Submit one page; the bot's answer (`response_action` update/errors), {} when closed."""
    values = form_state(view, answers)
    result = submit_view(app, view, values, user, blocks=view["blocks"], view_id=view.get("id"))
    assert result.status == 200
    return dict(json.loads(result.body)) if result.body.strip() else {}


def fill_form(
    app: RunningBot, view: dict[str, Any], answers: dict[str, str], user: str = OFFICER
) -> int:
    """Submit every page until the form closes; how many pages were submitted."""
    for pages in range(1, 13):
        if "legal_basis" in form_inputs(view) and answers.get("legal_basis"):
            view = choose_basis(app, view, answers["legal_basis"], user)
        response = submit_page(app, view, answers, user)
        assert response.get("response_action") != "errors", response
        if response.get("response_action") != "update":
            return pages
        view = {**response["view"], "id": view.get("id")}
    raise AssertionError("the form never closed")


def form_inputs(view: dict[str, Any]) -> list[str]:
    """The field keys of a page's inputs, in order."""
    return [
        str(b["block_id"]).removeprefix(ids.FORM_BLOCK_PREFIX)
        for b in view["blocks"]
        if b["type"] == "input"
    ]
