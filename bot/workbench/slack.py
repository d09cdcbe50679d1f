"""The demo's in-process Slack Web API, keeping what a person would see in the Slack client: the
ephemerals shown to each person, each person's stack of open modals and their App Home.

What the bot sent is kept as Slack would show it (block ids filled in where the bot left them
out, as Slack does); the page reads it from here and never composes a message of its own.
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bot.demo.workspace import APP_ID, BOT_ID, TEAM_ID, DemoSlack, SlackError, Workspace

Json = dict[str, Any]

#: the Web API "method" that answers a response_url (Bolt's `respond`), for one person
RESPOND_METHOD = "workbench.respond"


@dataclass
class Ephemeral:
    """A message only `user` sees, where it was shown (a thread when `thread_ts`)."""

    user: str
    channel: str
    ts: str
    text: str
    blocks: list[Json] = field(default_factory=list)
    thread_ts: str | None = None


class WorkbenchSlack(DemoSlack):
    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace)
        self.ephemerals: list[Ephemeral] = []
        #: user -> their open modals, the one shown last
        self.modals: dict[str, list[Json]] = {}
        #: user -> their published Home tab
        self.homes: dict[str, Json] = {}
        #: trigger id -> the person whose command or click issued it
        self._triggers: dict[str, str] = {}
        #: goes up with every change a person could see, so that the page redraws only then
        self.version = 0

    # -- for the workbench -----------------------------------------------------------------------

    def issue_trigger(self, user: str) -> str:
        """A new trigger id for something `user` did (a modal opened with it opens for them)."""
        from bot.demo.payloads import new_trigger

        trigger = new_trigger()
        with self._lock:
            self._triggers[trigger] = user
        return trigger

    def response_url(self, user: str, channel: str) -> str:
        """Where Bolt's `respond` reaches: what it says is shown to `user` only."""
        return f"{self.url}{RESPOND_METHOD}?{urlencode({'user': user, 'channel': channel})}"

    def add_person_message(
        self, user: str, channel: str, text: str, thread_ts: str | None = None
    ) -> Json:
        """What a person typed, kept in the channel as Slack keeps it; the stored message."""
        with self._lock:
            channel = self._known_channel(channel)
            ts = self._next_ts()
            message: Json = {"type": "message", "user": user, "ts": ts, "text": text}
            if thread_ts:
                message["thread_ts"] = thread_ts
            self.messages[(channel, ts)] = message
            self.version += 1
            return copy.deepcopy(message)

    def touch(self) -> None:
        """Something changed that the page should redraw (an error shown in a modal)."""
        with self._lock:
            self.version += 1

    def message(self, channel: str, ts: str) -> Json | None:
        with self._lock:
            found = self.messages.get((channel, ts))
            return copy.deepcopy(found) if found else None

    def top_modal(self, user: str) -> Json | None:
        with self._lock:
            stack = self.modals.get(user) or []
            return copy.deepcopy(stack[-1]) if stack else None

    def home(self, user: str) -> Json | None:
        with self._lock:
            found = self.homes.get(user)
            return copy.deepcopy(found) if found else None

    def close_modal(self, user: str, view_id: str, *, all_of_them: bool = False) -> None:
        with self._lock:
            stack = self.modals.get(user) or []
            if all_of_them:
                stack.clear()
            elif stack and stack[-1].get("id") == view_id:
                stack.pop()
            self.version += 1

    def replace_modal(self, user: str, view_id: str, view: Json) -> None:
        """response_action ``update``: the modal `view_id` becomes `view`, keeping its id."""
        with self._lock:
            for index, shown in enumerate(self.modals.get(user) or []):
                if shown.get("id") == view_id:
                    self.modals[user][index] = self._stored_view(view, shown)
            self.version += 1

    def push_modal(self, user: str, view: Json) -> None:
        """response_action ``push``."""
        with self._lock:
            self.modals.setdefault(user, []).append(self._stored_view(view))
            self.version += 1

    def keep_state(self, user: str, view_id: str, values: Json) -> None:
        """What the person has typed or picked in an open view so far (Slack keeps it too)."""
        with self._lock:
            for view in [*(self.modals.get(user) or []), self.homes.get(user) or {}]:
                if view.get("id") == view_id:
                    view["state"] = {"values": copy.deepcopy(values)}

    def snapshot(self) -> tuple[int, list[Json], list[Ephemeral]]:
        """The version, the channel's messages (oldest first) and every ephemeral."""
        with self._lock:
            messages = [copy.deepcopy(m) for _, m in sorted(self.messages.items())]
            return self.version, messages, list(self.ephemerals)

    # -- the Web API methods, as Slack shows their effect ----------------------------------------

    def answer(self, method: str, args: Json) -> Json:
        found = super().answer(method, args)
        with self._lock:
            self.version += 1
        return found

    def _chat_postMessage(self, args: Json) -> Json:
        return super()._chat_postMessage({**args, "blocks": _with_ids(args.get("blocks"))})

    def _chat_update(self, args: Json) -> Json:
        if "blocks" in args:
            args = {**args, "blocks": _with_ids(args.get("blocks"))}
        return super()._chat_update(args)

    def _chat_postEphemeral(self, args: Json) -> Json:
        answer = super()._chat_postEphemeral(args)
        user = str(args.get("user") or "")
        if user not in self.workspace.people:
            raise SlackError("user_not_in_channel")
        self.ephemerals.append(
            Ephemeral(
                user=user,
                channel=str(args["channel"]),
                ts=str(answer["message_ts"]),
                text=str(args.get("text") or ""),
                blocks=_with_ids(args.get("blocks")),
                thread_ts=str(args["thread_ts"]) if args.get("thread_ts") else None,
            )
        )
        return answer

    def _workbench_respond(self, args: Json) -> Json:
        """A response_url answered: ephemeral unless the bot asked for ``in_channel``."""
        channel, user = str(args.get("channel")), str(args.get("user"))
        if args.get("response_type") == "in_channel":
            self._chat_postMessage({**args, "channel": channel})
        else:
            ts = self._next_ts()
            text = str(args.get("text") or "")
            blocks = _with_ids(args.get("blocks"))
            self.ephemerals.append(Ephemeral(user, channel, ts, text, blocks))
        return {"ok": True}

    def _views_open(self, args: Json) -> Json:
        user = self._trigger_user(args)
        view = self._stored_view(_view_argument(args))
        self.modals[user] = [view]
        return {"ok": True, "view": copy.deepcopy(view)}

    def _views_push(self, args: Json) -> Json:
        user = self._trigger_user(args)
        if not self.modals.get(user):
            raise SlackError("invalid_arguments")
        view = self._stored_view(_view_argument(args))
        self.modals[user].append(view)
        return {"ok": True, "view": copy.deepcopy(view)}

    def _views_update(self, args: Json) -> Json:
        view = _view_argument(args)
        wanted = args.get("view_id") or args.get("external_id")
        for stack in [*self.modals.values(), *([h] for h in self.homes.values())]:
            for index, shown in enumerate(stack):
                if wanted in (shown.get("id"), shown.get("external_id")):
                    stack[index] = self._stored_view(view, shown)
                    return {"ok": True, "view": copy.deepcopy(stack[index])}
        raise SlackError("not_found")

    def _views_publish(self, args: Json) -> Json:
        user = str(args.get("user_id") or "")
        if user not in self.workspace.people:
            raise SlackError("user_not_found")
        view = self._stored_view(_view_argument(args), self.homes.get(user))
        self.homes[user] = view
        return {"ok": True, "view": copy.deepcopy(view)}

    # -- helpers ---------------------------------------------------------------------------------

    def _trigger_user(self, args: Json) -> str:
        user = self._triggers.pop(str(args.get("trigger_id") or ""), None)
        if user is None:
            raise SlackError("invalid_trigger_id")
        return user

    def _stored_view(self, view: Json, before: Json | None = None) -> Json:
        """`view` as Slack keeps it: ids, a fresh hash, its block ids, the state kept so far."""
        view_id = (before or {}).get("id") or f"V0WB{next(self._views):04d}"
        kept = (before or {}).get("state") or {"values": {}}
        return {
            **copy.deepcopy(view),
            "blocks": _with_ids(view.get("blocks")),
            "id": view_id,
            "root_view_id": (before or {}).get("root_view_id") or view_id,
            "team_id": TEAM_ID,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "hash": secrets.token_hex(8),
            "state": copy.deepcopy(kept),
        }


def _view_argument(args: Json) -> Json:
    view = args.get("view")
    if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
        raise SlackError("invalid_arguments")
    return view


def _with_ids(blocks: Any) -> list[Json]:
    """Slack gives each block without a block_id one of its own, and each element an action_id."""
    if not isinstance(blocks, list):
        return []
    given = copy.deepcopy(blocks)
    for block in given:
        if isinstance(block, dict):
            block.setdefault("block_id", secrets.token_urlsafe(4))
            elements = list(block.get("elements") or [])
            for extra in ("accessory", "element"):
                if isinstance(block.get(extra), dict):
                    elements.append(block[extra])
            for element in elements:
                if isinstance(element, dict) and element.get("type") not in _NOT_INTERACTIVE:
                    element.setdefault("action_id", secrets.token_urlsafe(4))
    return given


#: elements of context blocks and the like, which carry no action id
_NOT_INTERACTIVE = {"mrkdwn", "plain_text", "image", "rich_text_section"}
