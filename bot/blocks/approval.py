"""The approval card, its decision, the reason dialog and what follows approval."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import ids
from bot.blocks.card import card_blocks, when
from bot.blocks.conversation import flag_lines
from bot.blocks.text import (
    MARKING,
    SECTION_LIMIT,
    Message,
    button,
    escape,
    long_text_blocks,
    mention,
    mention_any,
    section,
)
from flows.fields import Catalogue
from flows.i18n import DEFAULT_LANGUAGE, N_, joined
from flows.models import MonitoringRequest
from flows.parsers import format_date
from flows.request_machine import Stage
from flows.rounds import Round, round_of

OUTCOME_TEXT: dict[str, str] = {
    Stage.approved: ":white_check_mark: *Approved*",
    Stage.rejected: ":x: *Rejected*",
    Stage.info_requested: ":speech_balloon: *More information requested*",
    Stage.withdrawn: ":leftwards_arrow_with_hook: *Withdrawn by the officer*",
    Stage.expired: ":hourglass: *Expired*",
    "superseded": ":recycle: *Superseded by a resubmission below*",
}
UTC_ZONE = ZoneInfo("UTC")


def clock_time(at: datetime | None, tz: ZoneInfo) -> str:
    """The time of day in the force's zone, e.g. "14:02"."""
    return f"{at.astimezone(tz):%H:%M}" if at else "an earlier time"


def with_reason(body: str, reason: str, block_id: str) -> tuple[str, list[dict[str, Any]]]:
    """The reason after `body` in the same section if it fits there once escaped; otherwise in
    full in sections of its own (`<block_id>:<n>`), never cut off."""
    inline = f"{body}\n_Reason:_ {escape(reason)}"
    if len(inline) <= SECTION_LIMIT:
        return inline, []
    return f"{body}\n_Reason: in full below._", long_text_blocks("Reason", reason, block_id)


def approval_card(
    request: MonitoringRequest,
    catalogue: Catalogue,
    deciders: tuple[str, ...],
    with_buttons: bool = True,
    record: Round | None = None,
    tz: ZoneInfo = UTC_ZONE,
    needed: int = 1,
) -> Message:
    """The card of one approval round (default: the current one), drawn from that round's
    record so that it never changes under the decider. `needed`: approvals the force's rules
    want (two: the card says so, and how many it has)."""
    record = record or round_of(request)
    text = f"Approval needed: monitoring software request {request.request_id}"
    asker = who_asked(request, record) if deciders else None
    who = " ".join([*(mention_any(d) for d in deciders), *([mention(asker)] if asker else [])])
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "block_id": ids.APPROVAL_TITLE_BLOCK,
            "text": {"type": "plain_text", "text": f"Monitoring request {request.request_id}"},
        },
        section(
            f"{MARKING}\n:bell: {who} approval needed for *{request.request_id}*",
            ids.APPROVAL_HEADER_BLOCK,
        ),
        *card_blocks(request, catalogue, record, tz),
    ]
    if with_buttons and needed > 1:
        blocks.insert(3, progress_block(record, needed))
    blocks.append(round_block(request, record))
    if with_buttons:
        blocks.append(approval_buttons(request))
    return Message(text=f"{text} {who}".strip(), blocks=blocks)


def round_block(request: MonitoringRequest, record: Round) -> dict[str, Any]:
    """Which approval round this card shows (`card_round:<n>`): a click is judged by it."""
    return {
        "type": "context",
        "block_id": ids.CARD_ROUND_BLOCK.format(round=record.number),
        "elements": [
            {
                "type": "mrkdwn",
                "text": f"{request.request_id} · approval round {record.number}",
            }
        ],
    }


def who_asked(request: MonitoringRequest, record: Round) -> str | None:
    """On a resubmission, the decider who asked for more information: they are told it is back."""
    if record.number <= 1:
        return None
    previous = round_of(request, record.number - 1)
    return previous.decided_by if previous.outcome == Stage.info_requested else None


def progress_block(record: Round, needed: int) -> dict[str, Any]:
    """How far a two-person approval has got: "approved 1 of 2 (by @x)"."""
    given = len(record.approvals)
    text = f":busts_in_silhouette: *Needs {needed} approvals from different deciders.*"
    if given:
        names = ", ".join(_for(str(a["by"]), a.get("on_behalf_of")) for a in record.approvals)
        text += f" Approved {given} of {needed} (by {names})."
    else:
        text += f" Approved 0 of {needed} so far."
    return section(text, ids.APPROVAL_PROGRESS_BLOCK)


def partly_approved_notice(
    request: MonitoringRequest, record: Round, needed: int, deciders: tuple[str, ...]
) -> Message:
    who = " ".join(mention_any(d) for d in deciders)
    names = ", ".join(_for(str(a["by"]), a.get("on_behalf_of")) for a in record.approvals)
    body = (
        f":busts_in_silhouette: {request.request_id} approved {len(record.approvals)} of "
        f"{needed} (by {names}). {who} a second, different decider must approve it on the card."
    )
    return Message(
        text=f"{request.request_id}: approved {len(record.approvals)} of {needed}",
        blocks=[section(body, ids.DECISION_NOTICE_BLOCK)],
    )


def approval_buttons(
    request: MonitoringRequest, languages: Sequence[str] = (DEFAULT_LANGUAGE,)
) -> dict[str, Any]:
    """The card's decisions; in two thread languages each button carries both."""
    value = str(request.request_id)

    def label(msgid: str) -> str:
        return joined(languages, lambda t: t(msgid))

    # no confirm dialog: Approve opens a modal (approve_modal) that is the confirmation
    approve = button(label(N_("Approve")), ids.APPROVAL_APPROVE, value, "primary")
    return {
        "type": "actions",
        "block_id": ids.APPROVAL_ACTIONS_BLOCK,
        "elements": [
            approve,
            button(label(N_("Reject")), ids.APPROVAL_REJECT, value, "danger"),
            button(label(N_("Request more info")), ids.APPROVAL_MORE_INFO, value),
        ],
    }


def decided_card(
    request: MonitoringRequest,
    catalogue: Catalogue,
    outcome: str,
    by: str | None,
    at: datetime | None,
    reason: str | None,
    tz: ZoneInfo,
    record: Round | None = None,
) -> Message:
    """The approval card after the fact: no buttons, and who decided, when and why."""
    card = approval_card(request, catalogue, (), with_buttons=False, record=record, tz=tz)
    card.blocks[1] = section(
        f"{MARKING}\nMonitoring software request *{request.request_id}*", ids.APPROVAL_HEADER_BLOCK
    )
    record = record or round_of(request)
    line = OUTCOME_TEXT.get(outcome, outcome)
    if by:
        line += f" by {deciders_text(record, outcome, by)}"
    line += f" at {when(at, tz)}"
    if outcome == Stage.approved and request.review_date:
        line += f"\n_Review by:_ {format_date(request.review_date)}"
    reason_blocks: list[dict[str, Any]] = []
    if reason:
        line, reason_blocks = with_reason(line, reason, ids.DECISION_REASON_BLOCK)
    card.blocks.append(section(line, ids.DECISION_BLOCK))
    card.blocks.extend(reason_blocks)
    if outcome == Stage.approved:
        card.blocks.extend(approval_comment_blocks(record, request.decision_comment))
    return Message(text=f"{request.request_id}: {outcome.replace('_', ' ')}", blocks=card.blocks)


def superseded_card(
    request: MonitoringRequest, catalogue: Catalogue, record: Round, tz: ZoneInfo
) -> Message:
    """A superseded round's card exactly as it stood (facts and decision from that round's
    record), with a note pointing to the resubmission."""
    if record.outcome:
        card = decided_card(
            request,
            catalogue,
            record.outcome,
            record.decided_by,
            record.decided_at,
            record.reason,
            tz,
            record,
        )
    else:
        card = approval_card(request, catalogue, (), with_buttons=False, record=record, tz=tz)
    note = f"{OUTCOME_TEXT['superseded']}: round {record.number + 1} is the one to decide."
    card.blocks.append(section(note, ids.SUPERSEDED_BLOCK))
    return Message(text=f"{request.request_id}: superseded", blocks=card.blocks)


def deciders_text(record: Round, outcome: str, by: str) -> str:
    """Who decided: both approvers of a two-person approval, and for whom a delegate acted."""
    if outcome == Stage.approved and len(record.approvals) > 1:
        return " and ".join(_for(str(a["by"]), a.get("on_behalf_of")) for a in record.approvals)
    on_behalf = (
        record.on_behalf_of if record.outcome == outcome and record.decided_by == by else None
    )
    return _for(by, on_behalf)


def _for(by: str, on_behalf_of: str | None) -> str:
    return mention(by) + (f" on behalf of {mention(on_behalf_of)}" if on_behalf_of else "")


def approval_comment_blocks(
    record: Round, request_comment: str | None = None
) -> list[dict[str, Any]]:
    """Each approver's comment, escaped and whole (split over sections if it must be)."""
    blocks: list[dict[str, Any]] = []
    with_comment = [a for a in record.approvals if a.get("comment")]
    if not record.approvals and request_comment:
        with_comment = [{"by": "", "comment": request_comment}]
    for n, given in enumerate(with_comment):
        title = (
            "Approver's comment"
            if len(record.approvals) < 2
            else (f"Comment from {mention(str(given['by']))}")
        )
        block_id = ids.DECISION_COMMENT_BLOCK if n == 0 else f"{ids.DECISION_COMMENT_BLOCK}_{n + 1}"
        blocks.extend(long_text_blocks(title, str(given["comment"]), block_id))
    return blocks


def approve_modal(
    request: MonitoringRequest,
    review_default: date,
    card_ts: str,
    channel: str,
    thread_ts: str,
    needed: int = 1,
    card_round: int | None = None,
) -> dict[str, Any]:
    """Approve, after seeing the flags again; an optional comment and the review date. Where
    two approvals are needed, it says which this one is."""
    record = round_of(request)
    flags = flag_lines(record.flags)
    intro = (
        f"{MARKING}\nApprove monitoring software for *{request.request_id}*? "
        "Your approval, comment and review date are recorded.\n\n"
        + ("\n".join(flags) if flags else "No flags.")
    )
    if needed > 1:
        intro += (
            f"\n\n:busts_in_silhouette: It needs {needed} approvals from different deciders: "
            f"yours is {len(record.approvals) + 1} of {needed}."
        )
    metadata = {
        "id": request.request_id,
        "card": card_ts,
        "round": "" if card_round is None else str(card_round),
        "channel": channel,
        "thread": thread_ts,
    }
    return {
        "type": "modal",
        "callback_id": ids.APPROVE_VIEW,
        "private_metadata": json.dumps(metadata),
        "title": {"type": "plain_text", "text": "Approve request"},
        "submit": {"type": "plain_text", "text": "Approve"},
        "close": {"type": "plain_text", "text": "Go back"},
        "blocks": [
            section(intro, ids.APPROVE_INTRO_BLOCK),
            {
                "type": "input",
                "block_id": ids.COMMENT_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "Comment (optional)"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": ids.COMMENT_ACTION,
                    "multiline": True,
                    "max_length": 2000,
                },
            },
            {
                "type": "input",
                "block_id": ids.REVIEW_DATE_BLOCK,
                "label": {"type": "plain_text", "text": "Review the installation by"},
                "hint": {
                    "type": "plain_text",
                    "text": "The officer and supervisors are reminded in the thread on this date.",
                },
                "element": {
                    "type": "datepicker",
                    "action_id": ids.REVIEW_DATE_ACTION,
                    "initial_date": review_default.isoformat(),
                },
            },
        ],
    }


def decision_notice(
    request: MonitoringRequest, outcome: str, by: str, reason: str | None
) -> Message:
    """Told to the officer in the thread."""
    officer = mention(request.officer_id)
    texts: dict[str, str] = {
        Stage.approved: f"{officer} {request.request_id} was approved by {mention(by)}. "
        "You may install the software; press *Record installation* once it is done (or if it could not be).",
        Stage.rejected: f"{officer} {request.request_id} was rejected by {mention(by)}.",
        Stage.info_requested: f"{officer} {mention(by)} needs more information on {request.request_id}. "
        "Reply in this thread, `edit &lt;question&gt;` to change an answer, then `submit`.",
    }
    body = texts[outcome]
    if outcome == Stage.approved and request.review_date:
        body += f" Review by {format_date(request.review_date)}."
    reason_blocks: list[dict[str, Any]] = []
    if reason:
        body, reason_blocks = with_reason(body, reason, ids.NOTICE_REASON_BLOCK)
    blocks = [section(body, ids.DECISION_NOTICE_BLOCK), *reason_blocks]
    if outcome == Stage.approved:
        blocks.append(install_actions(request))
    plain = f"{request.request_id}: {outcome.replace('_', ' ')}"
    return Message(text=plain, blocks=blocks)


def install_actions(request: MonitoringRequest) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": ids.INSTALL_ACTIONS_BLOCK,
        "elements": [
            button(
                "Record installation", ids.INSTALLATION_CONFIRM, str(request.request_id), "primary"
            )
        ],
    }


def installed_notice(request: MonitoringRequest, by: str, tz: ZoneInfo) -> Message:
    text = f":white_check_mark: {request.request_id} marked as installed by {mention(by)} at {when(request.installed_at, tz)}."
    return Message(
        text=f"{request.request_id} installed", blocks=[section(text, ids.INSTALLED_BLOCK)]
    )


def reason_modal(
    request_id: str,
    decision: str,
    card_ts: str,
    channel: str,
    thread_ts: str,
    card_round: int | None = None,
) -> dict[str, Any]:
    title = "Reject request" if decision == "reject" else "Request more info"
    label = (
        "Why is it rejected?" if decision == "reject" else "What does the officer need to provide?"
    )
    metadata = {
        "id": request_id,
        "decision": decision,
        "card": card_ts,
        "round": "" if card_round is None else str(card_round),
        "channel": channel,
        "thread": thread_ts,
    }
    return {
        "type": "modal",
        "callback_id": ids.REASON_VIEW,
        "private_metadata": json.dumps(metadata),
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(
                f"{MARKING}\n*{request_id}*: the reason is recorded and shown to the officer.",
                ids.REASON_INTRO_BLOCK,
            ),
            {
                "type": "input",
                "block_id": ids.REASON_BLOCK,
                "label": {"type": "plain_text", "text": label},
                "element": {
                    "type": "plain_text_input",
                    "action_id": ids.REASON_ACTION,
                    "multiline": True,
                    "max_length": 2000,
                },
            },
        ],
    }


def closed_notice_text(request: MonitoringRequest, mrkdwn: str) -> Message:
    """A closing line built by us (mentions allowed); never pass user text here unescaped."""
    return Message(text=f"{request.request_id} closed", blocks=[section(mrkdwn, ids.CLOSED_BLOCK)])
