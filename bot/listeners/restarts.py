"""Clicks that spare the officer retyping: restarting a closed request with its answers, and
reusing an earlier request's answers about the same person."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot import ids
from bot.blocks.conversation import prefill_answered, restarted_message
from bot.listeners.actions import clicked
from bot.services import Reply
from bot.slack.outbox_delivery import THREAD_LINK, Recorder
from bot.starting import open_thread, refusal_to_start
from bot.wiring import Wiring
from flows.models import MonitoringRequest
from flows.ports import OutboxMessage


def register(app: App, wiring: Wiring) -> None:
    service, responder, messenger = wiring.service, wiring.responder, wiring.messenger
    clock = service.clock

    @app.action(ids.REQUEST_RESTART)
    def restart(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        asker, delivery = clicked(body)
        if asker.channel is None:
            return

        def tell(said: str) -> None:
            messenger.ephemeral(str(asker.channel), asker.user, said, asker.thread_ts)

        # the same checks as starting afresh: the channel may have changed since
        refusal = refusal_to_start(wiring, asker.user, asker.channel)
        if refusal:
            tell(refusal)
            return
        closing_ts = (body.get("container") or {}).get("message_ts")
        blocks = (body.get("message") or {}).get("blocks") or []
        languages = wiring.languages.thread_languages()
        channel = asker.channel

        def closing(new: MonitoringRequest) -> list[OutboxMessage]:
            """The closed request's message says where it went on: recorded with the restart,
            sent once the new thread is posted (and its link known)."""
            if not closing_ts:
                return []
            out = Recorder(clock, awaits_thread=True)
            said = restarted_message(blocks, str(new.request_id), THREAD_LINK, languages)
            out.update(channel, closing_ts, said, new.request_id, "restarted")
            return out.messages

        result = service.restart(str(action.get("value") or ""), asker.user, delivery, closing)
        if not isinstance(result, Reply):
            responder.respond(result, asker)
            return
        open_thread(wiring, result, tell)

    def reuse(body: dict[str, Any], action: dict[str, Any], accept: bool) -> None:
        asker, delivery = clicked(body)
        if asker.channel is None or asker.thread_ts is None:
            return
        request = service.find_in_thread(asker.channel, asker.thread_ts)
        if request is None:
            return
        source = str(action.get("value") or "")
        offer_ts = (body.get("container") or {}).get("message_ts")
        blocks = (body.get("message") or {}).get("blocks") or []
        language = wiring.languages.language_for(request.officer_id)  # it may ask Slack
        channel = asker.channel

        def answered(request: MonitoringRequest) -> list[OutboxMessage]:
            """The offer says what was chosen, recorded with the choice."""
            if not offer_ts:
                return []
            out = Recorder(clock)
            said = prefill_answered(blocks, accept, language)
            out.update(channel, offer_ts, said, request.request_id, "prefill_offer")
            return out.messages

        result = service.prefill(
            str(request.request_id), asker.user, source, accept, delivery, answered
        )
        responder.respond(result, asker)

    @app.action(ids.PREFILL_ACCEPT)
    def prefill_accept(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        reuse(body, action, accept=True)

    @app.action(ids.PREFILL_DECLINE)
    def prefill_decline(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        reuse(body, action, accept=False)
