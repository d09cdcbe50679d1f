"""The content of an approval card: what a supervisor decides from, most telling first.

A header; the flags in words with their facts; the key facts as two-column fields; the basis
and, for a court order, the notification deadline with its counting rule; the officer's
necessity statement; and for a resubmission, who asked for more and why, the officer's replies
and what changed since the last round. Drawn from one round's record (flows.rounds).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import ids
from bot.blocks.conversation import flag_lines
from bot.blocks.text import (
    SECTION_LIMIT,
    escape,
    escape_within,
    long_text_blocks,
    mask_imei,
    mention,
    section,
    shown,
    truncate,
)
from flows.fields import Catalogue, FieldKind, stored_date
from flows.flags import notification_deadline
from flows.models import MonitoringRequest
from flows.parsers import format_date
from flows.rounds import Round, changes, round_of

BASIS_FACTS = {
    "order": (
        "order_type",
        "order_reference",
        "order_court",
        "order_date",
        "order_expiry",
        "order_notify_days",
        "order_monitoring_clause",
    ),
    "licence": ("licence_expiry", "probation_practitioner", "probation_request_date"),
    "voluntary": ("consent_obtained", "consent_date", "consent_reference"),
}
LICENCE_WORDING_PREVIEW = 300
#: Block Kit: at most 10 fields in a section, each at most 2000 characters
FIELD_LIMIT = 2000
#: how much of an old or new answer the list of changes quotes (the card has the new one whole)
CHANGE_PREVIEW = 200
NECESSITY_TITLE = "Why monitoring is necessary and proportionate (officer)"


def card_blocks(
    request: MonitoringRequest, catalogue: Catalogue, record: Round, tz: ZoneInfo
) -> list[dict[str, Any]]:
    """Everything on the card below its mention line and above its buttons."""
    show = _shower(catalogue, record)
    blocks: list[dict[str, Any]] = [
        _flags_block(record),
        {
            "type": "section",
            "block_id": ids.APPROVAL_BLOCK,
            "text": {
                "type": "mrkdwn",
                "text": f"*Request:* {request.request_id} from {mention(request.officer_id)}",
            },
            "fields": [
                {"type": "mrkdwn", "text": truncate(text, FIELD_LIMIT)}
                for text in key_facts(record, show)
            ],
        },
        section(basis_text(record, catalogue, show), ids.APPROVAL_BASIS_BLOCK),
    ]
    deadline = deadline_text(record)
    if deadline:
        blocks.append(section(deadline, ids.APPROVAL_DEADLINE_BLOCK))
    necessity = record.answers.get("necessity")
    if isinstance(necessity, str) and necessity.strip():
        blocks.extend(long_text_blocks(NECESSITY_TITLE, necessity, ids.NECESSITY_BLOCK))
    attests = "yes" if record.answers.get("information_reviewed") is True else "NO"
    blocks.append(
        section(
            f"*Officer:* {mention(request.officer_id)}, attests they hold all relevant "
            f"information: {attests}",
            ids.APPROVAL_ATTESTATION_BLOCK,
        )
    )
    wording = record.answers.get("licence_condition")
    if isinstance(wording, str) and len(escape(wording)) > LICENCE_WORDING_PREVIEW:
        blocks.extend(
            long_text_blocks("Licence condition (full wording)", wording, ids.LICENCE_WORDING_BLOCK)
        )
    notes = record.answers.get("notes")
    if isinstance(notes, str) and notes.strip():
        blocks.extend(long_text_blocks("Officer's notes", notes, ids.NOTES_BLOCK))
    blocks.extend(resubmission_blocks(request, catalogue, record, tz))
    return blocks


def _shower(catalogue: Catalogue, record: Round) -> Any:
    def show(key: str) -> str:
        if key not in catalogue or key not in record.answers:
            return "—"
        return escape(catalogue.get(key).display(record.answers[key]))

    return show


def _flags_block(record: Round) -> dict[str, Any]:
    lines = flag_lines(record.flags)
    body = "*Flags*\n" + "\n".join(lines) if lines else "*Flags:* none."
    return section(body, ids.APPROVAL_FLAGS_BLOCK)


def key_facts(record: Round, show: Any) -> list[str]:
    answers = record.answers
    imeis = answers.get("device_imei") or []
    device = f"{show('device_type')}, {show('device_make_model')} ({show('device_os')})"
    if imeis:
        device += f", IMEI {', '.join(mask_imei(i) for i in imeis)}"
    elif answers.get("device_serial"):
        device += f", serial {show('device_serial')}"
    facts = [f"*ViSOR ref:* {show('visor_ref')}"]
    if answers.get("pnc_id"):
        facts.append(f"*PNC:* {show('pnc_id')}")
    facts += [
        f"*MAPPA:* {show('mappa_category')}; {show('mappa_level')}",
        f"*RoSH:* {show('rosh_level')}",
        f"*Risk assessment:* {show('risk_assessment_date')}",
        f"*Device:* {device}",
        f"*Owner:* {show('device_ownership')}",
        f"*Acquired / notified:* {show('date_acquired')} / {show('date_notified')}",
        f"*Software:* {show('monitoring_software')}, proposed install "
        f"{show('proposed_install_date')}",
    ]
    return facts


def basis_text(record: Round, catalogue: Catalogue, show: Any) -> str:
    basis_key = str(record.answers.get("legal_basis", ""))
    facts = [
        f"{escape(catalogue.get(k).label)}: {show(k)}"
        for k in BASIS_FACTS.get(basis_key, ())
        if k in catalogue
    ]
    wording = record.answers.get("licence_condition")
    if isinstance(wording, str):
        facts.insert(0, f"Condition: {escape_within(wording, LICENCE_WORDING_PREVIEW)}")
    return f"*Basis:* {show('legal_basis')}" + ("\n• " + "\n• ".join(facts) if facts else "")


def deadline_text(record: Round) -> str | None:
    """A court order's deadline to notify police of the device, and how it was counted."""
    answers = record.answers
    acquired = stored_date(answers, "date_acquired")
    notified = stored_date(answers, "date_notified")
    days = answers.get("order_notify_days")
    if answers.get("legal_basis") != "order" or acquired is None or type(days) is not int:
        return None
    deadline = notification_deadline(acquired, days)
    text = (
        f"*Notification deadline:* {format_date(deadline)}. The order allows {days} day(s), "
        f"counting the day the device was acquired ({format_date(acquired)}) as day 1."
    )
    if notified is not None:
        late = (notified - deadline).days
        verdict = f"{late} day(s) late" if late > 0 else "in time"
        text += f"\nNotified {format_date(notified)}: {verdict}."
    return text


def resubmission_blocks(
    request: MonitoringRequest, catalogue: Catalogue, record: Round, tz: ZoneInfo
) -> list[dict[str, Any]]:
    """For round 2 on: why it came back, what the officer said, and what changed."""
    if record.number <= 1:
        return []
    previous = round_of(request, record.number - 1)
    blocks: list[dict[str, Any]] = []
    asked = f"*Resubmitted (round {record.number}).*"
    if previous.outcome == "info_requested" and previous.decided_by:
        asked += (
            f" More information was requested by {mention(previous.decided_by)} "
            f"at {when(previous.decided_at, tz)}."
        )
        reason = previous.reason or ""
        inline = f"{asked}\n_Asked for:_ {escape(reason)}"
        if len(inline) <= SECTION_LIMIT:
            blocks.append(section(inline, ids.APPROVAL_HISTORY_BLOCK))
        else:
            blocks.append(section(asked, ids.APPROVAL_HISTORY_BLOCK))
            blocks.extend(long_text_blocks("Asked for", reason, ids.APPROVAL_ASKED_BLOCK))
    else:
        blocks.append(section(asked, ids.APPROVAL_HISTORY_BLOCK))
    replies = [str(r.get("text", "")) for r in previous.replies]
    if replies:
        blocks.extend(
            long_text_blocks("Officer's replies", "\n\n".join(replies), ids.APPROVAL_REPLIES_BLOCK)
        )
    blocks.extend(_change_blocks(catalogue, previous, record))
    return blocks


def _change_blocks(catalogue: Catalogue, before: Round, after: Round) -> list[dict[str, Any]]:
    def value(key: str, answered: bool, raw: Any) -> str:
        if not answered:
            return "(not asked)"
        if key not in catalogue:
            return escape_within(str(raw), CHANGE_PREVIEW)
        field = catalogue.get(key)
        if field.kind == FieldKind.IMEI:
            return shown(field, raw)  # masked: never the whole IMEI
        return escape_within(field.display(raw), CHANGE_PREVIEW)

    found = changes(before, after)
    title = f"*Changed since round {before.number}:*"
    if not found:
        return [section(f"{title} no answers changed.", f"{ids.APPROVAL_CHANGES_BLOCK}:0")]
    lines = []
    for change in found:
        label = escape(catalogue.get(change.key).label) if change.key in catalogue else change.key
        old = value(change.key, change.was_answered, change.before)
        new = value(change.key, change.is_answered, change.after)
        lines.append(f"• {label}: {old} → {new}")
    sections: list[str] = [title]
    for line in lines:
        if len(sections[-1]) + 1 + len(line) > SECTION_LIMIT:
            sections.append(line)
        else:
            sections[-1] += "\n" + line
    return [section(text, f"{ids.APPROVAL_CHANGES_BLOCK}:{n}") for n, text in enumerate(sections)]


def when(at: datetime | None, tz: ZoneInfo) -> str:
    """A moment in the force's zone, e.g. "14:02 on 1 June 2026"."""
    if at is None:
        return "unknown time"
    local = at.astimezone(tz)
    return f"{local:%H:%M} on {format_date(local.date())}"
