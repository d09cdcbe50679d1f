"""Starting a request in a channel, however it was asked for: the slash command, a mention of
the bot, or a restart. The same checks and the same refusals every time."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.metrics import METRICS
from bot.services import Reply
from bot.wiring import Wiring
from flows.i18n import N_, Translator, translator
from flows.models import MonitoringRequest

log = logging.getLogger(__name__)

#: says something to the one officer who asked, privately
Tell = Callable[[str], None]

NOT_AN_OFFICER = N_(
    "You're not on the list of officers who can make monitoring requests. Ask your supervisor."
)
THREAD_REFUSED = N_(
    "Slack didn't accept the request thread, so nothing was started. Try again shortly."
)


def refusal_to_start(wiring: Wiring, user: str, channel: str) -> str | None:
    """Why `user` may not start a request in `channel`, or None when they may."""
    refusal = wiring.channels.refusal(channel)
    if refusal is None and not wiring.authority.can_start(user):
        refusal = not_an_officer
    if refusal is None:
        return None
    log.info("start refused", extra={"user": user, "channel": channel})
    # the reader's language is looked up only now that there is something to tell them
    return refusal(translator(wiring.responder.language_for(user)))


def not_an_officer(t: Translator) -> str:
    return t(NOT_AN_OFFICER)


def start_request(
    wiring: Wiring, user: str, channel: str, tell: Tell, delivery: str | None = None
) -> None:
    refusal = refusal_to_start(wiring, user, channel)
    if refusal:
        tell(refusal)
        return
    reply = wiring.service.open_request(user, channel, delivery)
    if reply is not None:
        open_thread(wiring, reply, tell)


def open_thread(wiring: Wiring, reply: Reply, tell: Tell) -> MonitoringRequest | None:
    """Post a new request's parent message and carry on in its thread, as recorded in the
    outbox with the request (after a crash the scheduler posts them, in that order); a request
    whose thread Slack would not take is closed at once, never left dangling."""
    METRICS.requests_opened.inc()
    request = reply.request
    opened = wiring.responder.opened(reply)
    if opened.thread_refused:
        wiring.service.could_not_post(str(request.request_id))
        tell(translator(wiring.responder.language_for(request.officer_id))(THREAD_REFUSED))
        return None
    request.thread_ts = request.thread_ts or opened.thread
    return request
