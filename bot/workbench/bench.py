"""The workbench's people acting on the real bot, and what each of them sees.

Everything a person does becomes the signed request Slack would send (``bot.demo.payloads``),
handed to the real Bolt app from ``bot.app.create_bot`` as its HTTP adapter would; the bot
answers through ``WorkbenchSlack`` (the Web API, in this process) and the real database. What a
person sees (``view_for``) is what the bot posted, updated, showed them only or opened for them.
"""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from slack_bolt.request import BoltRequest

from bot.app import Bot, create_bot
from bot.demo import payloads
from bot.demo.workspace import BOT_USER_ID, Workspace
from bot.listener_pool import CountingListenerPool
from bot.settings import load_settings
from bot.workbench import words
from bot.workbench.slack import WorkbenchSlack
from flows.i18n import DEFAULT_LANGUAGE, LANGUAGES, translator

log = logging.getLogger(__name__)

Json = dict[str, Any]

CHANNEL = "G0WBUNIT"
CHANNEL_NAME = "mosovo-unit"
SUPERVISORS = "S0WBSUPS"
SUPERVISORS_HANDLE = "supervisors"
COMMAND = "/monitoring-request"
BOT_NAME = "mosovo-bot"
#: a request at this risk needs a second approval, so that the second supervisor has a part
SECOND_APPROVAL = "rosh:very_high"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    #: the key of their part in ``words.ROLES``
    role: str


PEOPLE = (
    Person("U0WBOFFICER", "PC Alex Morgan", "officer"),
    Person("U0WBSUPER1", "DS Sam Patel", "supervisor"),
    Person("U0WBSUPER2", "DI Jo Rahman", "second_supervisor"),
    Person("U0WBSTRANGER", "Chris Doe", "stranger"),
)
PERSON = {p.id: p for p in PEOPLE}


class WorkbenchError(Exception):
    """What a person asked cannot be done (an unknown person, message or element): a msgid of
    bot.workbench.words and its values, shown in the reader's language (`shown`)."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message.format(**values) if values else message)
        self.message = message
        self.values = values

    def shown(self, language: str) -> str:
        return translator(language)(self.message, **self.values)


def workspace() -> Workspace:
    supervisors = [p.id for p in PEOPLE if p.role.endswith("supervisor")]
    return Workspace(
        CHANNEL, CHANNEL_NAME, {p.id: p.name for p in PEOPLE}, {SUPERVISORS: supervisors}
    )


def bot_environment(slack_url: str, secret: str, database_url: str) -> dict[str, str]:
    """The bot's settings: this workspace's channel, officers and supervisors."""
    officer = next(p.id for p in PEOPLE if p.role == "officer")
    return {
        "SLACK_BOT_TOKEN": "xoxb-workbench",
        "SLACK_SIGNING_SECRET": secret,
        "SLACK_API_URL": slack_url,
        "DATABASE_URL": database_url,
        "MOSOVO_SUPERVISORS": SUPERVISORS,
        "MOSOVO_OFFICERS": f"{officer},{SUPERVISORS}",
        "MOSOVO_REQUEST_CHANNELS": CHANNEL,
        "MOSOVO_COMMAND": COMMAND,
        "MOSOVO_SECOND_APPROVAL": SECOND_APPROVAL,
        "MOSOVO_WORKING_HOURS": "always",
        "MOSOVO_METRICS_ADDRESS": "off",
    }


class Workbench:
    """One unit's channel, its four people and the real bot. Use as a context manager."""

    def __init__(self, database_url: str) -> None:
        self.slack = WorkbenchSlack(workspace())
        self.database_url = database_url
        self.secret = secrets.token_hex(16)
        self.pool = CountingListenerPool(max_workers=4, thread_name_prefix="workbench-listener")
        self.bot: Bot | None = None
        #: one person acts at a time, as the page's requests arrive
        self._acting = threading.Lock()
        #: view id -> the errors the bot gave for its blocks (response_action errors)
        self._errors: dict[str, dict[str, str]] = {}
        self._failures_seen = 0

    def __enter__(self) -> Workbench:
        self.slack.__enter__()
        env = bot_environment(self.slack.url, self.secret, self.database_url)
        self.bot = create_bot(load_settings(env, env_file=None), listener_executor=self.pool)
        self.bot.database.upgrade()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.pool.shutdown(wait=True)
        if self.bot is not None:
            self.bot.database.dispose()
        self.slack.__exit__()

    @property
    def real_bot(self) -> Bot:
        assert self.bot is not None, "use the workbench as a context manager"
        return self.bot

    # -- what a person does ----------------------------------------------------------------------

    def command(self, user: str, text: str = "") -> None:
        """`user` runs the slash command in the channel."""
        person = self._person(user)
        trigger = self.slack.issue_trigger(person.id)
        request = payloads.slash_command(
            self.secret,
            COMMAND,
            person.id,
            CHANNEL,
            text,
            response_url=self.slack.response_url(person.id, CHANNEL),
            trigger_id=trigger,
        )
        with self._acting:
            answer = self._dispatch(request)
        said = _json_body(answer)
        if said.get("text"):  # an acknowledgement with words is shown to the person only
            self.slack.answer("workbench.respond", {**said, "user": person.id, "channel": CHANNEL})

    def say(self, user: str, text: str, thread_ts: str | None = None) -> None:
        """`user` types `text` in the channel or, with `thread_ts`, in that thread."""
        person = self._person(user)
        text = text.strip()
        if not text:
            raise WorkbenchError(words.EMPTY_MESSAGE)
        if thread_ts is not None and self.slack.message(CHANNEL, thread_ts) is None:
            raise WorkbenchError(words.NO_SUCH_THREAD)
        mention = f"@{BOT_NAME}"
        to_bot = thread_ts is None and text.lower().startswith(mention)
        typed = text[len(mention) :].strip() if to_bot else text
        shown = f"<@{BOT_USER_ID}> {_entities(typed)}" if to_bot else _entities(text)
        stored = self.slack.add_person_message(person.id, CHANNEL, shown, thread_ts)
        request = payloads.channel_message(
            self.secret, person.id, CHANNEL, typed, stored["ts"], thread_ts, mention_bot=to_bot
        )
        with self._acting:
            self._dispatch(request)

    def act(self, user: str, where: Json, block_id: str, action_id: str, picked: Any) -> None:
        """`user` uses an element: a button (`picked` ignored), a select or radio button (the
        option's value), a date picker (the date). `where` is ``{"message_ts": …}`` or
        ``{"view_id": …}``; its ``values`` are the surface's inputs as the page holds them."""
        person = self._person(user)
        view = self._surface_view(person.id, where)
        message = None if view is not None else self._message(str(where.get("message_ts")))
        blocks = (view or message or {}).get("blocks") or []
        element = _element(blocks, block_id, action_id)
        action = {**_action_of(element, picked), "block_id": block_id}
        values = slack_values(blocks, where.get("values") or {}, (view or {}).get("state"))
        if view is not None:
            self.slack.keep_state(person.id, str(view["id"]), values)
            view = self._surface_view(person.id, where)
        trigger = self.slack.issue_trigger(person.id)
        request = payloads.block_action(
            self.secret,
            person.id,
            action,
            message=message,
            channel=CHANNEL if message is not None else None,
            view=view,
            values=values,
            trigger_id=trigger,
            response_url=self.slack.response_url(person.id, CHANNEL),
        )
        with self._acting:
            self._dispatch(request)

    def submit(self, user: str, view_id: str, page_values: Json) -> None:
        """`user` presses the modal's submit button."""
        person = self._person(user)
        view = self._modal(person.id, view_id)
        blocks = view.get("blocks") or []
        values = slack_values(blocks, page_values, view.get("state"))
        missing = _required_missing(blocks, values)
        if missing:  # Slack itself refuses these before the app hears of them
            required = words.ui(self.language_of(person.id))["required"]
            self._errors[view_id] = dict.fromkeys(missing, required)
            self.slack.touch()
            return
        self.slack.keep_state(person.id, view_id, values)
        trigger = self.slack.issue_trigger(person.id)
        request = payloads.view_submission(
            self.secret, person.id, self._modal(person.id, view_id), values, trigger
        )
        with self._acting:
            answer = _json_body(self._dispatch(request))
        self._errors.pop(view_id, None)
        action = answer.get("response_action")
        if action == "errors":
            self._errors[view_id] = {
                str(k): str(v) for k, v in (answer.get("errors") or {}).items()
            }
            self.slack.touch()
        elif action == "update" and isinstance(answer.get("view"), dict):
            self.slack.replace_modal(person.id, view_id, answer["view"])
        elif action == "push" and isinstance(answer.get("view"), dict):
            self.slack.push_modal(person.id, answer["view"])
        else:
            self.slack.close_modal(person.id, view_id, all_of_them=action == "clear")

    def close(self, user: str, view_id: str, page_values: Json | None = None) -> None:
        """`user` closes the modal (Cancel or ×); the bot hears of it if the modal asked."""
        person = self._person(user)
        view = self._modal(person.id, view_id)
        self.slack.close_modal(person.id, view_id)
        self._errors.pop(view_id, None)
        if view.get("notify_on_close"):
            values = slack_values(view.get("blocks") or [], page_values or {}, view.get("state"))
            request = payloads.view_closed(self.secret, person.id, view, values)
            with self._acting:
                self._dispatch(request)

    def set_language(self, user: str, language: str) -> None:
        """`user` picks a language on the page: as if they ran `/monitoring-request language
        <code>` (stored and audited by the bot, which answers them in it)."""
        if language not in LANGUAGES:
            raise WorkbenchError(words.NO_SUCH_LANGUAGE)
        self.command(user, f"language {language}")

    def open_home(self, user: str) -> None:
        """`user` opens the app's Home tab."""
        person = self._person(user)
        with self._acting:
            self._dispatch(payloads.app_home_opened(self.secret, person.id))

    # -- what a person sees ----------------------------------------------------------------------

    def view_for(self, user: str) -> Json:
        """The channel with its threads as `user` sees it, their modal and Home, and the names;
        the page's own words in their language."""
        person = self._person(user)
        language = self.language_of(person.id)
        version, messages, ephemerals = self.slack.snapshot()
        mine = [
            {
                "ts": e.ts,
                "user": BOT_USER_ID,
                "text": e.text,
                "blocks": e.blocks,
                "thread_ts": e.thread_ts,
                "ephemeral": True,
            }
            for e in ephemerals
            if e.user == person.id and e.channel == CHANNEL
        ]
        everything = sorted([*messages, *mine], key=lambda m: float(m["ts"]))
        parents = [m for m in everything if not m.get("thread_ts") or m["thread_ts"] == m["ts"]]
        for parent in parents:
            parent["replies"] = [
                m
                for m in everything
                if m.get("thread_ts") == parent["ts"] and m["ts"] != parent["ts"]
            ]
            parent["replies_label"] = words.replies(language, len(parent["replies"]))
        modal = self.slack.top_modal(person.id)
        return {
            "version": version,
            "me": person.id,
            "people": [p.__dict__ for p in PEOPLE],
            "names": self.names(),
            "bot": {"id": BOT_USER_ID, "name": BOT_NAME},
            "channel": {"id": CHANNEL, "name": CHANNEL_NAME},
            "command": COMMAND,
            "messages": parents,
            "modal": modal,
            "modal_errors": self._errors.get(str((modal or {}).get("id")), {}),
            "home": self.slack.home(person.id),
            "language": language,
            "languages": words.languages(),
            "words": words.ui(language),
            "roles": words.roles(language),
        }

    def language_of(self, user: str | None) -> str:
        """The language the bot speaks to `user` in (anyone else: the default), which the page
        speaks too."""
        if user not in PERSON:
            return DEFAULT_LANGUAGE
        return self.real_bot.wiring.languages.language_for(str(user))

    def names(self) -> dict[str, str]:
        """How mentions read: people by name, the supervisors' group by its handle."""
        return {
            **{p.id: p.name for p in PEOPLE},
            BOT_USER_ID: BOT_NAME,
            SUPERVISORS: SUPERVISORS_HANDLE,
        }

    # -- helpers ---------------------------------------------------------------------------------

    def _dispatch(self, request: BoltRequest) -> str:
        """Hand a signed request to Bolt as the HTTP adapter does; wait for the bot to finish."""
        response = self.real_bot.app.dispatch(request)
        if not self.pool.became_idle(60.0):
            log.warning("the bot was still busy after 60s")
        for error in self.pool.errors[self._failures_seen :]:
            log.warning("a listener failed", extra={"error": type(error).__name__})
        self._failures_seen = len(self.pool.errors)
        if response.status != 200:
            raise WorkbenchError(words.BOT_ANSWERED, status=str(response.status))
        return response.body

    def _person(self, user: str) -> Person:
        person = PERSON.get(user)
        if person is None:
            raise WorkbenchError(words.NO_SUCH_PERSON)
        return person

    def _message(self, ts: str) -> Json:
        message = self.slack.message(CHANNEL, ts)
        if message is None:
            raise WorkbenchError(words.NO_SUCH_MESSAGE)
        return message

    def _modal(self, user: str, view_id: str) -> Json:
        view = self.slack.top_modal(user)
        if view is None or view.get("id") != view_id:
            raise WorkbenchError(words.NO_SUCH_DIALOG)
        return view

    def _surface_view(self, user: str, where: Json) -> Json | None:
        view_id = where.get("view_id")
        if not view_id:
            return None
        home = self.slack.home(user)
        if home is not None and home.get("id") == view_id:
            return home
        return self._modal(user, str(view_id))


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _json_body(body: str) -> Json:
    import json

    if not body or not body.strip().startswith("{"):
        return {}
    try:
        found = json.loads(body)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _elements(block: Json) -> list[Json]:
    found = [e for e in block.get("elements") or [] if isinstance(e, dict)]
    for extra in ("accessory", "element"):
        if isinstance(block.get(extra), dict):
            found.append(block[extra])
    return found


def _element(blocks: list[Json], block_id: str, action_id: str) -> Json:
    for block in blocks:
        if block.get("block_id") == block_id:
            for element in _elements(block):
                if element.get("action_id") == action_id:
                    return element
    raise WorkbenchError(words.NO_SUCH_ELEMENT)


def _option(element: Json, value: Any) -> Json | None:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    for option in options:
        if option.get("value") == value:
            return dict(option)
    return None


def _action_of(element: Json, picked: Any) -> Json:
    """The ``actions[0]`` Slack sends for `element` used with `picked`."""
    kind = element.get("type")
    action: Json = {"type": kind, "action_id": element["action_id"]}
    if kind == "button":
        action["text"] = element.get("text")
        if "value" in element:
            action["value"] = element["value"]
        if element.get("style"):
            action["style"] = element["style"]
    elif kind in ("static_select", "radio_buttons", "overflow"):
        option = _option(element, picked)
        if option is None:
            raise WorkbenchError(words.NO_SUCH_OPTION)
        action["selected_option"] = option
    elif kind == "datepicker":
        action["selected_date"] = str(picked) if picked else None
        if element.get("initial_date"):
            action["initial_date"] = element["initial_date"]
    elif kind == "plain_text_input":
        action["value"] = str(picked or "")
    else:
        raise WorkbenchError(words.CANNOT_USE)
    return action


#: what each stateful element keeps, and how the page's value becomes Slack's
_STATEFUL = ("plain_text_input", "static_select", "radio_buttons", "datepicker", "checkboxes")


def slack_values(blocks: list[Json], page: Json, kept: Json | None = None) -> Json:
    """``view.state.values`` as Slack sends it, from what the page holds (block id -> action id
    -> the typed text, the picked option's value or the date) or, failing that, what Slack kept
    from earlier or the element's initial value."""
    earlier = (kept or {}).get("values") or {}
    values: Json = {}
    for block in blocks:
        block_id = str(block.get("block_id"))
        for element in _elements(block):
            kind, action_id = element.get("type"), element.get("action_id")
            if kind not in _STATEFUL or not action_id:
                continue
            given = (page.get(block_id) or {}).get(action_id, _MISSING)
            state = values.setdefault(block_id, {})
            if given is _MISSING:
                before = (earlier.get(block_id) or {}).get(action_id)
                state[action_id] = before if before is not None else _initial(element)
                continue
            state[action_id] = _state_of(element, given)
    return values


_MISSING = object()


def _initial(element: Json) -> Json:
    kind = element["type"]
    if kind == "plain_text_input":
        return {"type": kind, "value": element.get("initial_value")}
    if kind in ("static_select", "radio_buttons"):
        return {"type": kind, "selected_option": element.get("initial_option")}
    if kind == "datepicker":
        return {"type": kind, "selected_date": element.get("initial_date")}
    return {"type": kind, "selected_options": element.get("initial_options") or []}


def _state_of(element: Json, given: Any) -> Json:
    kind = element["type"]
    if kind == "plain_text_input":
        text = "" if given is None else str(given)
        limit = element.get("max_length")
        if isinstance(limit, int):
            text = text[:limit]
        return {"type": kind, "value": text or None}
    if kind in ("static_select", "radio_buttons"):
        return {"type": kind, "selected_option": _option(element, given) if given else None}
    if kind == "datepicker":
        return {"type": kind, "selected_date": str(given) if given else None}
    picked = [_option(element, v) for v in (given or [])]
    return {"type": kind, "selected_options": [o for o in picked if o]}


def _required_missing(blocks: list[Json], values: Json) -> list[str]:
    """The input blocks, not optional, left empty: Slack shows its own error on each."""
    missing = []
    for block in blocks:
        if block.get("type") != "input" or block.get("optional"):
            continue
        element = block.get("element") or {}
        state = (values.get(str(block.get("block_id"))) or {}).get(element.get("action_id"), {})
        if not any(state.get(k) for k in ("value", "selected_option", "selected_date")) and not (
            state.get("selected_options")
        ):
            missing.append(str(block.get("block_id")))
    return missing
