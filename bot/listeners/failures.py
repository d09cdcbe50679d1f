"""Bolt's global error handler. Slack was acknowledged before the work began, so it will not
send the input again: when saving failed, the person who sent it is told, privately, to send it
again. Every change is one transaction, so a failed one left nothing half-written."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond
from sqlalchemy.exc import SQLAlchemyError

from bot.responder import Asker
from bot.wiring import Wiring
from flows.i18n import DEFAULT_LANGUAGE, N_, translator
from flows.ports import ConcurrentUpdate, ConnectionLost

log = logging.getLogger(__name__)

NOT_SAVED = N_(
    "I couldn't save that: the database didn't answer. Nothing was recorded, so please send it "
    "again in a minute."
)
FAILED = N_(
    "Something went wrong on my side and that was not acted on. Please try again; if it keeps "
    "happening, tell your IT team."
)


def register(app: App, wiring: Wiring) -> None:
    @app.error
    def on_error(error: Exception, body: dict[str, Any], respond: Respond) -> None:
        # Payloads hold offender data: log the kind of failure only.
        log.error("listener failed", extra={"error": type(error).__name__}, exc_info=error)
        said = (
            NOT_SAVED
            if isinstance(error, SQLAlchemyError | ConcurrentUpdate | ConnectionLost)
            else FAILED
        )
        try:
            if body.get("command") and body.get("response_url"):
                text = _in_language_of(wiring, body.get("user_id"), said)
                respond(text=text, response_type="ephemeral")
                return
            asker = who_sent(body)
            if asker is not None:
                wiring.responder.tell(asker, _in_language_of(wiring, asker.user, said))
        except Exception as telling:  # never fail in the error handler itself
            log.warning("could not tell the user", extra={"error": type(telling).__name__})


def _in_language_of(wiring: Wiring, user: Any, msgid: str) -> str:
    """In the reader's language, if that can be found out now (the database may be what
    failed): else the default."""
    try:
        language = wiring.responder.language_for(user if isinstance(user, str) else None)
    except Exception:
        language = DEFAULT_LANGUAGE
    return translator(language)(msgid)


def who_sent(body: dict[str, Any]) -> Asker | None:
    """Who sent the input that failed, and where they will see a private reply."""
    event = body.get("event")
    if isinstance(event, dict):
        user, channel = event.get("user"), event.get("channel")
        if isinstance(user, str) and isinstance(channel, str) and not event.get("bot_id"):
            return Asker(user, channel, event.get("thread_ts"))
        return None
    user = (body.get("user") or {}).get("id") if isinstance(body.get("user"), dict) else None
    if not isinstance(user, str):
        return None
    if body.get("type") == "view_submission":
        view = body.get("view") or {}
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            return None
        if isinstance(meta, dict) and isinstance(meta.get("channel"), str):
            return Asker(user, meta["channel"], meta.get("thread") or None)
        return None
    channel = (
        (body.get("channel") or {}).get("id") if isinstance(body.get("channel"), dict) else None
    )
    container = body.get("container") if isinstance(body.get("container"), dict) else {}
    return Asker(user, channel, (container or {}).get("thread_ts"))
