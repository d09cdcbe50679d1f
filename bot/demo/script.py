"""One request of each basis through the real bot, told as a transcript.

The real Bolt app from ``bot.app.create_bot`` and a real database take signed requests through
``App.dispatch``, exactly as the HTTP adapter hands them over; the Web API is ``DemoSlack``, in
this process. What the people do is scripted; everything the bot says is its own.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from itertools import groupby
from typing import Any

from slack_bolt.request import BoltRequest

from bot import ids
from bot.app import Bot, create_bot
from bot.demo import payloads
from bot.demo.answers import answers_for
from bot.demo.transcript import message_lines, readable
from bot.demo.workspace import Call, DemoSlack, Workspace
from bot.listener_pool import CountingListenerPool
from bot.settings import load_settings

Json = dict[str, Any]
Say = Callable[[str], None]

CHANNEL = "G0DEMOUNIT"
OFFICER = "U0DEMOPC"
SERGEANT = "U0DEMOSGT"
SUPERVISORS = "S0DEMOSUPS"
PEOPLE = {OFFICER: "PC Alex Morgan", SERGEANT: "DS Sam Patel"}
#: how mentions read in the transcript
NAMES = {**PEOPLE, SUPERVISORS: "supervisors"}
COMMAND = "/monitoring-request"


class DemoError(Exception):
    """The script could not go on: what the bot did differs from what it expects."""


class ListenerPool(CountingListenerPool):
    """Bolt's listener threads, counted so that each step waits for the bot to finish."""

    def __init__(self) -> None:
        super().__init__(max_workers=4, thread_name_prefix="demo-listener")

    def wait_idle(self, timeout: float = 30.0) -> None:
        if not self.became_idle(timeout):
            raise DemoError(f"the bot was still busy after {timeout:.0f}s")
        if self.errors:
            raise DemoError(f"a listener failed: {self.errors[0]!r}")


#: the scripted requests: basis, how it is introduced, and the supervisor's decision
SCRIPT = (
    ("order", "a court order (SHPO)", "approve"),
    ("licence", "a licence condition set by Probation", "approve"),
    ("voluntary", "the person's informed, voluntary consent", "reject"),
)
REJECT_REASON = "Consent was not witnessed: take it again with a witness and resubmit."


class Demo:
    def __init__(self, slack: DemoSlack, database_url: str, say: Say) -> None:
        self.slack = slack
        self.secret = secrets.token_hex(16)
        self.say = say
        env = {
            "SLACK_BOT_TOKEN": "xoxb-demo",
            "SLACK_SIGNING_SECRET": self.secret,
            "SLACK_API_URL": slack.url,
            "DATABASE_URL": database_url,
            "MOSOVO_SUPERVISORS": SUPERVISORS,
            "MOSOVO_REQUEST_CHANNELS": CHANNEL,
            "MOSOVO_WORKING_HOURS": "always",
            "MOSOVO_METRICS_ADDRESS": "off",
        }
        self.pool = ListenerPool()
        self.bot: Bot = create_bot(load_settings(env), listener_executor=self.pool)
        self.bot.database.upgrade()
        self._seen = 0
        self._ts = 0

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.bot.database.dispose()

    # -- acting as a person ----------------------------------------------------------------------

    def send(self, request: BoltRequest) -> str:
        """Hand a signed request to Bolt as the HTTP adapter does; the acknowledgement's body."""
        response = self.bot.app.dispatch(request)
        if response.status != 200:
            raise DemoError(f"the bot answered {response.status}: {response.body[:200]}")
        self.pool.wait_idle()
        self.show_new_calls()
        return response.body

    def act(self, who: str, what: str) -> None:
        self.say(f"\n{PEOPLE[who]} {what}")

    def type(self, who: str, thread_ts: str, text: str) -> None:
        self.act(who, f"types: {text}")
        self._ts += 1
        ts = f"{float(thread_ts) + self._ts:.6f}"
        self.send(payloads.thread_reply(self.secret, who, CHANNEL, thread_ts, text, ts))

    def click(self, who: str, message: Json, action_id: str, label: str) -> None:
        value = _button_value(message, action_id)
        self.act(who, f"clicks [{label}]")
        self.send(payloads.button_click(self.secret, who, CHANNEL, message, action_id, value))

    def submit(self, who: str, view: Json, values: Json, said: str) -> str:
        self.act(who, said)
        return self.send(payloads.view_submission(self.secret, who, view, values))

    # -- what the bot said -----------------------------------------------------------------------

    def show_new_calls(self) -> None:
        calls = self.slack.calls[self._seen :]
        self._seen = len(self.slack.calls)
        for call in calls:
            heading = self._heading(call)
            if heading is None:
                continue
            shown = call.args.get("view") if call.method.startswith("views.") else call.args
            lines = message_lines(shown or {}, NAMES)
            if call.method == "chat.update" and _answered(call.args):
                # a question answered: the tick is the news, not the question again
                ticks = [line for line in lines if line.startswith(":white_check_mark:")]
                self.say(f"  bot ticks the question: {' '.join(ticks) or lines[-1]}")
                continue
            self.say(f"  bot {heading}:")
            for line in lines:
                self.say(f"    | {line}" if line else "    |")

    def _heading(self, call: Call) -> str | None:
        if not call.answer.get("ok"):
            raise DemoError(f"Slack refused {call.method}: {call.answer.get('error')}")
        if call.method == "chat.postMessage":
            return "replies in the thread" if call.args.get("thread_ts") else "posts in the channel"
        if call.method == "chat.update":
            return "updates its message"
        if call.method == "chat.postEphemeral":
            return f"shows {PEOPLE.get(call.args.get('user', ''), 'someone')} only"
        if call.method == "views.open":
            title = (call.args.get("view") or {}).get("title", {}).get("text", "")
            return f"opens the dialog {title!r}"
        return None

    def posts(self, thread_ts: str | None = None) -> list[Json]:
        """The bot's messages as they stand now, oldest first (the thread's when given)."""
        messages = [m for (_, ts), m in sorted(self.slack.messages.items())]
        if thread_ts is None:
            return messages
        return [m for m in messages if m.get("thread_ts") == thread_ts]

    def last_view(self) -> Json:
        opened = [c for c in self.slack.calls if c.method == "views.open"]
        if not opened:
            raise DemoError("no dialog was opened")
        return dict(opened[-1].answer["view"])

    # -- one request -----------------------------------------------------------------------------

    def request(self, basis: str, about: str, decision: str) -> str:
        self.say(f"\n=== A request on {about} (basis: {basis}) ===")
        before = len(self.posts())
        self.act(OFFICER, f"runs {COMMAND} in #mosovo-unit")
        self.send(payloads.slash_command(self.secret, COMMAND, OFFICER, CHANNEL))
        parents = [m for m in self.posts()[before:] if not m.get("thread_ts")]
        if len(parents) != 1:
            raise DemoError("the request's first message was not posted")
        thread = str(parents[0]["ts"])
        answers = answers_for(basis, datetime.now(self.bot.settings.timezone).date())
        self.answer_all(thread, answers)
        self.type(OFFICER, thread, "submit")
        card = _last_with(self.posts(thread), ids.APPROVAL_BLOCK)
        request_id = _button_value(card, ids.APPROVAL_APPROVE)
        if decision == "approve":
            self.approve(card)
        else:
            self.reject(card)
        self.show_record(request_id)
        return request_id

    def answer_all(self, thread: str, answers: dict[str, str]) -> None:
        asked: list[str] = []
        while True:
            posted = self.posts(thread)
            if posted and _has_block(posted[-1], ids.SUMMARY_BLOCK):
                return
            key = _current_question(posted)
            if asked[-2:] == [key, key] or len(asked) > 80:
                raise DemoError(f"the bot keeps asking {key!r}")
            if key not in answers:
                raise DemoError(f"the script has no answer for {key!r}")
            asked.append(key)
            self.type(OFFICER, thread, answers[key])

    def approve(self, card: Json) -> None:
        self.click(SERGEANT, card, ids.APPROVAL_APPROVE, "Approve")
        view = self.last_view()
        review = next(b for b in view["blocks"] if b.get("block_id") == ids.REVIEW_DATE_BLOCK)
        proposed = review["element"].get("initial_date")
        values = {
            ids.COMMENT_BLOCK: {
                ids.COMMENT_ACTION: {"type": "plain_text_input", "value": "Proportionate."}
            },
            ids.REVIEW_DATE_BLOCK: {
                ids.REVIEW_DATE_ACTION: {"type": "datepicker", "selected_date": proposed}
            },
        }
        said = f'approves: comment "Proportionate.", review on {proposed}'
        self._refused_unless_empty(self.submit(SERGEANT, view, values, said))

    def reject(self, card: Json) -> None:
        self.click(SERGEANT, card, ids.APPROVAL_REJECT, "Reject")
        view = self.last_view()
        values = {"reason": {"reason": {"type": "plain_text_input", "value": REJECT_REASON}}}
        said = f'rejects: "{REJECT_REASON}"'
        self._refused_unless_empty(self.submit(SERGEANT, view, values, said))

    def _refused_unless_empty(self, body: str) -> None:
        if body.strip():
            raise DemoError(f"the dialog was refused: {body[:300]}")

    def show_record(self, request_id: str) -> None:
        request = self.bot.wiring.service.get(request_id)
        if request is None:
            raise DemoError(f"{request_id} was not stored")
        with self.bot.database.reader() as uow:
            trail = uow.audit.history(request_id)
        self.say(f"\n--- The stored record of {request_id} ---")
        self.say(f"  state: {request.state}    decision: {request.decision}")
        decider = PEOPLE.get(request.decided_by or "", request.decided_by)
        self.say(f"  decided by: {decider}    review date: {request.review_date}")
        if request.decision_reason:
            self.say(f"  reason: {request.decision_reason}")
        self.say("  answers:")
        for key, value in request.answers.items():
            self.say(f"    {key}: {_shown(key, value)}")
        self.say("  audit trail (oldest first):")
        for (action, actor), events in groupby(trail, key=lambda e: (e.action, e.actor)):
            times = [e.at for e in events]
            count = f" x{len(times)}" if len(times) > 1 else ""
            who = PEOPLE.get(actor, actor)
            self.say(f"    {times[0]:%Y-%m-%d %H:%M:%S}  {action}{count} by {who}")


#: shown by their last four characters only, as the bot shows them in Slack
_MASKED = ("device_imei", "device_serial")


def _shown(key: str, value: Any) -> str:
    if value is None:
        return "(skipped)"
    if key in _MASKED:
        items = value if isinstance(value, list) else [value]
        return ", ".join(f"ending {str(item)[-4:]}" for item in items)
    return str(value)


def _answered(message: Json) -> bool:
    prefix = ids.ANSWERED_BLOCK.format(key="")
    return any(str(b.get("block_id", "")).startswith(prefix) for b in message.get("blocks") or [])


def _has_block(message: Json, block_id: str) -> bool:
    return any(b.get("block_id") == block_id for b in message.get("blocks") or [])


def _last_with(messages: list[Json], block_id: str) -> Json:
    found = [m for m in messages if _has_block(m, block_id)]
    if not found:
        raise DemoError(f"the bot posted no {block_id!r} message")
    return found[-1]


def _current_question(messages: list[Json]) -> str:
    """The field key of the last question asked in `messages`."""
    prefix = ids.QUESTION_BLOCK.format(key="")
    for message in reversed(messages):
        for block in reversed(message.get("blocks") or []):
            if str(block.get("block_id", "")).startswith(prefix):
                return str(block["block_id"]).removeprefix(prefix)
    raise DemoError("the bot asked no question")


def _button_value(message: Json, action_id: str) -> str:
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                return str(element.get("value", ""))
    raise DemoError(f"no {action_id!r} button on the message")


def run_demo(database_url: str, say: Say = print) -> list[str]:
    """Play the script; the ids of the requests it made."""
    workspace = Workspace(CHANNEL, "mosovo-unit", dict(PEOPLE), {SUPERVISORS: [SERGEANT]})
    with DemoSlack(workspace) as slack:
        demo = Demo(slack, database_url, say)
        try:
            say("mosovo-bot demo: the real bot and database, and a Slack Web API served on")
            say(f"127.0.0.1 by this process. {PEOPLE[OFFICER]} asks; {PEOPLE[SERGEANT]} decides.")
            return [demo.request(*step) for step in SCRIPT]
        finally:
            demo.close()


__all__ = ["DemoError", "readable", "run_demo"]
