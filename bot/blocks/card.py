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
from flows.conversation import DECLARATION
from flows.fields import Catalogue, stored_date
from flows.i18n import DEFAULT_LANGUAGE, NN_, translator
from flows.models import MonitoringRequest
from flows.notification import BEGINNING_WITH, notification_duty
from flows.parsers import format_date
from flows.request_machine import Stage
from flows.rounds import Round, changes, round_of

LICENCE_WORDING_PREVIEW = 300
OTHER_USERS_PREVIEW = 150
#: Block Kit: at most 10 fields in a section, each at most 2000 characters
FIELD_LIMIT = 2000
#: how much of an old or new answer the list of changes quotes (the card has the new one whole)
CHANGE_PREVIEW = 200
DAYS_LATE = NN_("{n} day late", "{n} days late")
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
    deadline = deadline_text(record, catalogue.config.notification_counting)
    if deadline:
        blocks.append(section(deadline, ids.APPROVAL_DEADLINE_BLOCK))
    necessity = record.answers.get("necessity")
    if isinstance(necessity, str) and necessity.strip():
        blocks.extend(long_text_blocks(NECESSITY_TITLE, necessity, ids.NECESSITY_BLOCK))
    others = record.answers.get("other_users")
    if isinstance(others, str) and len(escape(others)) > OTHER_USERS_PREVIEW:
        blocks.extend(long_text_blocks("Other users of the device", others, ids.OTHER_USERS_BLOCK))
    blocks.append(
        section(
            f"*Officer:* {mention(request.officer_id)} declared on submitting: "
            f"{escape(DECLARATION)}",
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
        return shown(catalogue.get(key), record.answers[key])

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
        device += f", serial {show('device_serial')}"  # masked like an IMEI
    facts = [f"*ViSOR ref:* {show('visor_ref')}"]
    if answers.get("pnc_id"):
        facts.append(f"*PNC:* {show('pnc_id')}")
    facts += [
        f"*MAPPA:* {show('mappa_category')}; {show('mappa_level')}",
        f"*RoSH:* {show('rosh_level')}",
        f"*Risk assessment:* {show('risk_assessment_date')}"
        + (f"; RMP {show('rmp_reference')}" if answers.get("rmp_reference") else ""),
        f"*Device:* {device}",
        f"*Owner:* {show('device_ownership')}" + _other_users(answers),
    ]
    if "date_acquired" in answers:
        facts.append(f"*Acquired / notified:* {show('date_acquired')} / {show('date_notified')}")
    facts.append(
        f"*Software:* {show('monitoring_software')}, proposed install "
        f"{show('proposed_install_date')}"
    )
    return facts


def _other_users(answers: dict[str, Any]) -> str:
    others = answers.get("other_users")
    if not isinstance(others, str):
        return ""
    informed = answers.get("other_users_informed")
    if informed is True:
        told = "told of monitoring"
    elif informed is False:
        told = "NOT told of monitoring"
    else:
        told = "not yet asked if told"
    return f"\n*Other users:* {escape_within(others, OTHER_USERS_PREVIEW)} ({told})"


def basis_text(record: Round, catalogue: Catalogue, show: Any) -> str:
    facts = [f"{escape(label)}: {value}" for label, value in basis_facts(record.answers, catalogue)]
    return f"*Basis:* {show('legal_basis')}" + ("\n• " + "\n• ".join(facts) if facts else "")


def basis_facts(answers: dict[str, Any], catalogue: Catalogue) -> list[tuple[str, str]]:
    """The chosen basis's own answers as (label, escaped value), from its branch fields in
    asking order, so a new branch question reaches the card without a second edit. Long
    wording is cut to a preview (the card shows it in full below)."""
    facts: list[tuple[str, str]] = []
    for field in catalogue.branch_fields(str(answers.get("legal_basis", ""))):
        if field.key not in answers:
            continue
        value = answers[field.key]
        if field.multiline and isinstance(value, str):
            facts.append((field.label, escape_within(value, LICENCE_WORDING_PREVIEW)))
        else:
            facts.append((field.label, shown(field, value)))
    return facts


def deadline_text(
    record: Round, counting: str = BEGINNING_WITH, language: str = DEFAULT_LANGUAGE
) -> str | None:
    """A court order's deadline to notify police of the device, the rule in words, and whether
    the person notified in time."""
    duty = notification_duty(record.answers, counting)
    if duty is None:
        return None
    t = translator(language)
    text = t("*Notification deadline:* {deadline}.", deadline=escape(str(duty)))
    notified = stored_date(record.answers, "date_notified")
    if notified is not None:
        late = (notified - duty.deadline).days
        verdict = t.nplural(DAYS_LATE, late) if late > 0 else t("in time")
        text += "\n" + t("Notified {date}: {verdict}.", date=format_date(notified), verdict=verdict)
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
    if previous.outcome == Stage.info_requested and previous.decided_by:
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
        if field.masked:
            return shown(field, raw)  # never the whole IMEI or serial number
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
