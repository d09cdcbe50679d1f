"""Button clicks: answers, the summary's submit/edit/cancel, approval, installation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App

from bot import ids
from bot.blocks.approval import approve_modal, reason_modal
from bot.blocks.dialogs import refused_dialog
from bot.blocks.installation import installation_modal, review_modal
from bot.responder import Asker, Result
from bot.services import Refused
from bot.wiring import Wiring
from flows.i18n import N_, translator
from flows.models import MonitoringRequest

DIALOG_FAILED = N_(
    "Slack didn't open the dialog (it can expire if Slack is slow to pass on the click). "
    "Nothing was recorded: click the button again."
)

#: builds a dialog for a request, given the channel and thread it was opened from and the
#: language of the person who opens it
RecordDialog = Callable[[MonitoringRequest, str, str, str], dict[str, Any]]

#: a use case on the request a click belongs to: (request id, user, delivery key) -> result
Step = Callable[[str, str, str], Result]


def clicked(body: dict[str, Any]) -> tuple[Asker, str]:
    """Who clicked and where, and the click's delivery key, from a block_actions payload."""
    action = body["actions"][0]
    container = body.get("container") or {}
    message = body.get("message") or {}
    thread_ts = container.get("thread_ts") or message.get("thread_ts")
    user = body["user"]["id"]
    delivery = f"action:{container.get('message_ts')}:{action.get('action_ts')}:{user}:{action['action_id']}"
    return Asker(user, (body.get("channel") or {}).get("id"), thread_ts), delivery


def card_ts(body: dict[str, Any]) -> str | None:
    """The ts of the message clicked: the card a decision is made on, and then updates."""
    container = body.get("container") or {}
    return container.get("message_ts") or (body.get("message") or {}).get("ts")


def card_round(body: dict[str, Any]) -> int | None:
    """The approval round the clicked card shows (its `card_round:<n>` block); None for a card
    drawn before cards carried their round."""
    for block in (body.get("message") or {}).get("blocks") or []:
        match = ids.CARD_ROUND_PATTERN.match(str(block.get("block_id") or ""))
        if match is not None:
            return int(match["round"])
    return None


def register(app: App, wiring: Wiring) -> None:
    service, responder = wiring.service, wiring.responder

    def dialog_failed(asker: Asker) -> None:
        responder.tell(asker, translator(responder.language_for(asker.user))(DIALOG_FAILED))

    def for_thread_request(body: dict[str, Any], step: Step) -> None:
        """Clicks on conversation messages name their request by the thread they are in."""
        asker, delivery = clicked(body)
        if asker.channel is None or asker.thread_ts is None:
            return
        request = service.find_in_thread(asker.channel, asker.thread_ts)
        if request is not None:
            responder.respond(step(str(request.request_id), asker.user, delivery), asker)

    @app.action(ids.ANSWER_ACTION_PATTERN)
    def answer_button(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        match = ids.ANSWER_ACTION_PATTERN.match(action["action_id"])
        if match is not None:
            key, value = match["key"], match["value"]
            for_thread_request(body, lambda rid, user, d: service.choose(rid, user, key, value, d))

    @app.action(ids.REQUEST_SUBMIT)
    def submit(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        for_thread_request(body, service.submit)

    @app.action(ids.REQUEST_CANCEL)
    def cancel(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        for_thread_request(body, service.cancel)

    @app.action(ids.REQUEST_EDIT)
    def edit(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        field_key = (action.get("selected_option") or {}).get("value") or action.get("value") or ""
        if field_key:
            for_thread_request(body, lambda rid, user, d: service.edit(rid, user, field_key, d))

    @app.action(ids.APPROVAL_APPROVE)
    def approve(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        asker, _ = clicked(body)
        checked = service.may_decide(
            str(action.get("value") or ""),
            asker.user,
            card_ts(body),
            "approve",
            card_round(body),
        )
        if isinstance(checked, Refused):
            responder.respond(checked, asker)
            return
        view = approve_modal(
            checked,
            service.default_review_date(),
            card_ts(body) or "",
            asker.channel or "",
            asker.thread_ts or "",
            service.approvals_needed(checked),
            card_round(body),
            responder.language_for(asker.user),
        )
        if wiring.messenger.open_view(body["trigger_id"], view) is None:
            dialog_failed(asker)

    def ask_reason(decision: str, body: dict[str, Any], action: dict[str, Any]) -> None:
        """Slack's trigger expires 3 seconds after the click: the dialog opens first, and only
        then is the user checked (which may ask Slack and the database). A refused user sees the
        dialog replaced by the reason (and told in the thread); a submission is checked again
        when it is decided."""
        asker, _ = clicked(body)
        view = reason_modal(
            str(action.get("value") or ""),
            decision,
            card_ts(body) or "",
            asker.channel or "",
            asker.thread_ts or "",
            card_round(body),
            responder.language_for(asker.user),
        )
        view_id = wiring.messenger.open_view(body["trigger_id"], view)
        if view_id is None:
            dialog_failed(asker)
            return
        checked = service.may_decide(
            str(action.get("value") or ""),
            asker.user,
            card_ts(body),
            card_round=card_round(body),
        )
        if isinstance(checked, Refused):
            said = responder.refusal_text(checked, asker.user)
            language = wiring.languages.language_for(asker.user)
            wiring.messenger.update_view(view_id, refused_dialog(said, language))
            responder.tell(asker, said)  # in the thread too, where refusals are always told

    @app.action(ids.APPROVAL_REJECT)
    def reject(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        ask_reason("reject", body, action)

    @app.action(ids.APPROVAL_MORE_INFO)
    def more_info(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        ask_reason("request_info", body, action)

    def open_record(body: dict[str, Any], action: dict[str, Any], dialog: RecordDialog) -> None:
        """The installation or review dialog, for the officer or a decider only."""
        asker, _ = clicked(body)
        checked = service.may_record(str(action.get("value") or ""), asker.user)
        if isinstance(checked, Refused):
            responder.respond(checked, asker)
            return
        language = responder.language_for(asker.user)
        view = dialog(checked, asker.channel or "", asker.thread_ts or "", language)
        if wiring.messenger.open_view(body["trigger_id"], view) is None:
            dialog_failed(asker)

    @app.action(ids.INSTALLATION_CONFIRM)
    def record_installation(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        open_record(
            body, action, lambda r, c, t, lang: installation_modal(r, service.today(), c, t, lang)
        )

    @app.action(ids.REVIEW_CONFIRM)
    def record_review(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        open_record(
            body,
            action,
            lambda r, c, t, lang: review_modal(r, service.default_review_date(), c, t, lang),
        )
