"""The decision dialogs: Approve (comment, review date), and the reason for Reject and Request
more info."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import Ack, App

from bot import ids
from bot.listeners.payloads import view_metadata
from bot.responder import Asker, Result
from bot.services import Refused
from bot.wiring import Wiring
from flows.approval import Decision
from flows.i18n import N_, translator
from flows.installation import RecordRefused

EMPTY_REASON = N_("Give a reason: the officer needs to know why, and it is recorded.")


def register(app: App, wiring: Wiring) -> None:
    @app.view(ids.REASON_VIEW)
    def reason_given(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        value = (
            view["state"]["values"]
            .get(ids.REASON_BLOCK, {})
            .get(ids.REASON_ACTION, {})
            .get("value")
        )
        reason = (value or "").strip()
        if not reason:
            t = translator(wiring.responder.language_for(body["user"]["id"]))
            ack(response_action="errors", errors={ids.REASON_BLOCK: t(EMPTY_REASON)})
            return
        ack()
        meta = view_metadata(view)
        user = body["user"]["id"]
        decision: Decision = "reject" if meta.get("decision") == "reject" else "request_info"
        result = wiring.service.decide(
            str(meta.get("id")),
            decision,
            user,
            reason,
            meta.get("card") or None,
            f"view:{view['id']}",
            card_round=_round(meta),
        )
        asker = Asker(user, meta.get("channel") or None, meta.get("thread") or None)
        wiring.responder.respond(result, asker)

    @app.view(ids.APPROVE_VIEW)
    def approval_given(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        comment = values.get(ids.COMMENT_BLOCK, {}).get(ids.COMMENT_ACTION, {}).get("value")
        chosen = values.get(ids.REVIEW_DATE_BLOCK, {}).get(ids.REVIEW_DATE_ACTION, {})
        review = _date(chosen.get("selected_date"))
        problem = wiring.service.review_date_problem(review)
        if problem:
            ack(response_action="errors", errors={ids.REVIEW_DATE_BLOCK: problem})
            return
        ack()
        meta = view_metadata(view)
        user = body["user"]["id"]
        result = wiring.service.decide(
            str(meta.get("id")),
            "approve",
            user,
            None,
            meta.get("card") or None,
            f"view:{view['id']}",
            comment=comment,
            review_date=review,
            card_round=_round(meta),
        )
        asker = Asker(user, meta.get("channel") or None, meta.get("thread") or None)
        wiring.responder.respond(result, asker)

    def recorded(
        ack: Ack,
        body: dict[str, Any],
        view: dict[str, Any],
        record: Callable[[str, str, str], Result],
        blocks: tuple[str, str],
        outcome: str,
    ) -> None:
        """Record an installation or review; a record that does not hold together is refused
        in the dialog, on the outcome (none chosen) or the date block. Each `record` adds what
        was submitted to the delivery key, so a redelivery is still one record but a corrected
        submission of the same dialog is not mistaken for the refused one."""
        meta = view_metadata(view)
        user = body["user"]["id"]
        result = record(str(meta.get("id")), user, f"view:{view['id']}")
        if isinstance(result, Refused) and isinstance(result.error, RecordRefused):
            ack(response_action="errors", errors={blocks[0 if not outcome else 1]: result.message})
            return
        ack()
        asker = Asker(user, meta.get("channel") or None, meta.get("thread") or None)
        wiring.responder.respond(result, asker)

    @app.view(ids.INSTALLATION_VIEW)
    def installation_recorded(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        outcome = _choice(values, ids.INSTALL_OUTCOME_BLOCK, ids.INSTALL_OUTCOME_ACTION)
        on = _date(_picked(values, ids.INSTALL_DATE_BLOCK, ids.INSTALL_DATE_ACTION))
        notes = _text(values, ids.INSTALL_NOTES_BLOCK, ids.INSTALL_NOTES_ACTION)

        def record(request_id: str, user: str, delivery: str) -> Result:
            return wiring.service.record_installation(
                request_id, user, outcome, on, notes, f"{delivery}:{outcome}:{on}"
            )

        blocks = (ids.INSTALL_OUTCOME_BLOCK, ids.INSTALL_DATE_BLOCK)
        recorded(ack, body, view, record, blocks, outcome)

    @app.view(ids.REVIEW_VIEW)
    def review_recorded(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        outcome = _choice(values, ids.REVIEW_OUTCOME_BLOCK, ids.REVIEW_OUTCOME_ACTION)
        next_review = _date(_picked(values, ids.REVIEW_NEXT_BLOCK, ids.REVIEW_NEXT_ACTION))
        notes = _text(values, ids.REVIEW_NOTES_BLOCK, ids.REVIEW_NOTES_ACTION)

        def record(request_id: str, user: str, delivery: str) -> Result:
            return wiring.service.record_review(
                request_id, user, outcome, next_review, notes, f"{delivery}:{outcome}:{next_review}"
            )

        recorded(
            ack, body, view, record, (ids.REVIEW_OUTCOME_BLOCK, ids.REVIEW_NEXT_BLOCK), outcome
        )


def _round(meta: dict[str, Any]) -> int | None:
    """The round of the card the dialog was opened from (None: a dialog from before cards
    carried their round)."""
    value = meta.get("round")  # written as a string: view_metadata keeps only strings
    if isinstance(value, str) and value.isdigit() and len(value) <= 6:
        return int(value)
    return None


def _choice(values: dict[str, Any], block: str, action: str) -> str:
    selected = values.get(block, {}).get(action, {}).get("selected_option") or {}
    return str(selected.get("value") or "")


def _picked(values: dict[str, Any], block: str, action: str) -> Any:
    return values.get(block, {}).get(action, {}).get("selected_date")


def _text(values: dict[str, Any], block: str, action: str) -> str | None:
    value = values.get(block, {}).get(action, {}).get("value")
    return value if isinstance(value, str) else None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
