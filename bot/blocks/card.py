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
from flows.catalogue import catalogue_for
from flows.conversation import DECLARATION
from flows.fields import Catalogue, stored_date
from flows.i18n import DEFAULT_LANGUAGE, N_, NN_, Translator, translator
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
NECESSITY_TITLE = N_("Why monitoring is necessary and proportionate (officer)")


def card_blocks(
    request: MonitoringRequest,
    catalogue: Catalogue,
    record: Round,
    tz: ZoneInfo,
    t: Translator | None = None,
) -> list[dict[str, Any]]:
    """Everything on the card below its mention line and above its buttons, in `t`'s language."""
    t = t or translator(DEFAULT_LANGUAGE)
    catalogue = worded_in(catalogue, t.language)
    show = _shower(catalogue, record)
    blocks: list[dict[str, Any]] = [
        _flags_block(record, t),
        {
            "type": "section",
            "block_id": ids.APPROVAL_BLOCK,
            "text": {
                "type": "mrkdwn",
                "text": t(
                    "*Request:* {request} from {officer}",
                    request=request.request_id,
                    officer=mention(request.officer_id),
                ),
            },
            "fields": [
                {"type": "mrkdwn", "text": truncate(text, FIELD_LIMIT)}
                for text in key_facts(record, show, t)
            ],
        },
        section(basis_text(record, catalogue, show, t), ids.APPROVAL_BASIS_BLOCK),
    ]
    deadline = deadline_text(record, catalogue.config.notification_counting, t.language)
    if deadline:
        blocks.append(section(deadline, ids.APPROVAL_DEADLINE_BLOCK))
    necessity = record.answers.get("necessity")
    if isinstance(necessity, str) and necessity.strip():
        blocks.extend(long_text_blocks(t(NECESSITY_TITLE), necessity, ids.NECESSITY_BLOCK))
    others = record.answers.get("other_users")
    if isinstance(others, str) and len(escape(others)) > OTHER_USERS_PREVIEW:
        blocks.extend(
            long_text_blocks(t("Other users of the device"), others, ids.OTHER_USERS_BLOCK)
        )
    blocks.append(
        section(
            t(
                "*Officer:* {officer} declared on submitting: {declaration}",
                officer=mention(request.officer_id),
                declaration=escape(t(DECLARATION)),
            ),
            ids.APPROVAL_ATTESTATION_BLOCK,
        )
    )
    wording = record.answers.get("licence_condition")
    if isinstance(wording, str) and len(escape(wording)) > LICENCE_WORDING_PREVIEW:
        blocks.extend(
            long_text_blocks(
                t("Licence condition (full wording)"), wording, ids.LICENCE_WORDING_BLOCK
            )
        )
    notes = record.answers.get("notes")
    if isinstance(notes, str) and notes.strip():
        blocks.extend(long_text_blocks(t("Officer's notes"), notes, ids.NOTES_BLOCK))
    blocks.extend(resubmission_blocks(request, catalogue, record, tz, t))
    return blocks


def worded_in(catalogue: Catalogue, language: str) -> Catalogue:
    """The same questions worded in `language` (labels, choice labels, dates): a card in Welsh
    shows the answers and the branch's labels in Welsh; what is stored is the same in each."""
    if catalogue.language == language:
        return catalogue
    return catalogue_for(catalogue.config, language)


def _shower(catalogue: Catalogue, record: Round) -> Any:
    def show(key: str) -> str:
        if key not in catalogue or key not in record.answers:
            return "—"
        return shown(catalogue.get(key), record.answers[key])

    return show


def _flags_block(record: Round, t: Translator) -> dict[str, Any]:
    lines = flag_lines(record.flags, t)
    body = t("*Flags*") + "\n" + "\n".join(lines) if lines else t("*Flags:* none.")
    return section(body, ids.APPROVAL_FLAGS_BLOCK)


def key_facts(record: Round, show: Any, t: Translator | None = None) -> list[str]:
    t = t or translator(DEFAULT_LANGUAGE)
    answers = record.answers
    imeis = answers.get("device_imei") or []
    device = t(
        "{type}, {make_model} ({os})",
        type=show("device_type"),
        make_model=show("device_make_model"),
        os=show("device_os"),
    )
    if imeis:
        device += t(", IMEI {imeis}", imeis=", ".join(mask_imei(i, t.language) for i in imeis))
    elif answers.get("device_serial"):
        device += t(", serial {serial}", serial=show("device_serial"))  # masked like an IMEI
    facts = [t("*ViSOR ref:* {ref}", ref=show("visor_ref"))]
    if answers.get("pnc_id"):
        facts.append(t("*PNC:* {pnc}", pnc=show("pnc_id")))
    risk = t("*Risk assessment:* {date}", date=show("risk_assessment_date"))
    if answers.get("rmp_reference"):
        risk += t("; RMP {rmp}", rmp=show("rmp_reference"))
    facts += [
        t(
            "*MAPPA:* {category}; {level}",
            category=show("mappa_category"),
            level=show("mappa_level"),
        ),
        t("*RoSH:* {level}", level=show("rosh_level")),
        risk,
        t("*Device:* {device}", device=device),
        t("*Owner:* {owner}", owner=show("device_ownership")) + _other_users(answers, t),
    ]
    if "date_acquired" in answers:
        facts.append(
            t(
                "*Acquired / notified:* {acquired} / {notified}",
                acquired=show("date_acquired"),
                notified=show("date_notified"),
            )
        )
    facts.append(
        t(
            "*Software:* {software}, proposed install {date}",
            software=show("monitoring_software"),
            date=show("proposed_install_date"),
        )
    )
    return facts


def _other_users(answers: dict[str, Any], t: Translator) -> str:
    others = answers.get("other_users")
    if not isinstance(others, str):
        return ""
    informed = answers.get("other_users_informed")
    if informed is True:
        told = t("told of monitoring")
    elif informed is False:
        told = t("NOT told of monitoring")
    else:
        told = t("not yet asked if told")
    return "\n" + t(
        "*Other users:* {others} ({told})",
        others=escape_within(others, OTHER_USERS_PREVIEW),
        told=told,
    )


def basis_text(record: Round, catalogue: Catalogue, show: Any, t: Translator | None = None) -> str:
    t = t or translator(DEFAULT_LANGUAGE)
    facts = [f"{escape(label)}: {value}" for label, value in basis_facts(record.answers, catalogue)]
    basis = t("*Basis:* {basis}", basis=show("legal_basis"))
    return basis + ("\n• " + "\n• ".join(facts) if facts else "")


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
    text = t("*Notification deadline:* {deadline}.", deadline=escape(duty.describe(t.language)))
    notified = stored_date(record.answers, "date_notified")
    if notified is not None:
        late = (notified - duty.deadline).days
        verdict = t.nplural(DAYS_LATE, late) if late > 0 else t("in time")
        text += "\n" + t(
            "Notified {date}: {verdict}.", date=format_date(notified, t.language), verdict=verdict
        )
    return text


def resubmission_blocks(
    request: MonitoringRequest,
    catalogue: Catalogue,
    record: Round,
    tz: ZoneInfo,
    t: Translator | None = None,
) -> list[dict[str, Any]]:
    """For round 2 on: why it came back, what the officer said, and what changed."""
    t = t or translator(DEFAULT_LANGUAGE)
    if record.number <= 1:
        return []
    previous = round_of(request, record.number - 1)
    blocks: list[dict[str, Any]] = []
    asked = t("*Resubmitted (round {round}).*", round=record.number)
    if previous.outcome == Stage.info_requested and previous.decided_by:
        asked += " " + t(
            "More information was requested by {decider} at {when}.",
            decider=mention(previous.decided_by),
            when=when(previous.decided_at, tz, t),
        )
        reason = previous.reason or ""
        inline = asked + "\n" + t("_Asked for:_ {reason}", reason=escape(reason))
        if len(inline) <= SECTION_LIMIT:
            blocks.append(section(inline, ids.APPROVAL_HISTORY_BLOCK))
        else:
            blocks.append(section(asked, ids.APPROVAL_HISTORY_BLOCK))
            blocks.extend(long_text_blocks(t("Asked for"), reason, ids.APPROVAL_ASKED_BLOCK))
    else:
        blocks.append(section(asked, ids.APPROVAL_HISTORY_BLOCK))
    replies = [str(r.get("text", "")) for r in previous.replies]
    if replies:
        blocks.extend(
            long_text_blocks(
                t("Officer's replies"), "\n\n".join(replies), ids.APPROVAL_REPLIES_BLOCK
            )
        )
    blocks.extend(_change_blocks(catalogue, previous, record, t))
    return blocks


def _change_blocks(
    catalogue: Catalogue, before: Round, after: Round, t: Translator
) -> list[dict[str, Any]]:
    def value(key: str, answered: bool, raw: Any) -> str:
        if not answered:
            return t("(not asked)")
        if key not in catalogue:
            return escape_within(str(raw), CHANGE_PREVIEW)
        field = catalogue.get(key)
        if field.masked:
            return shown(field, raw)  # never the whole IMEI or serial number
        return escape_within(field.display(raw), CHANGE_PREVIEW)

    found = changes(before, after)
    title = t("*Changed since round {round}:*", round=before.number)
    if not found:
        return [section(title + " " + t("no answers changed."), f"{ids.APPROVAL_CHANGES_BLOCK}:0")]
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


def when(at: datetime | None, tz: ZoneInfo, t: Translator | None = None) -> str:
    """A moment in the force's zone, e.g. "14:02 on 1 June 2026"."""
    t = t or translator(DEFAULT_LANGUAGE)
    if at is None:
        return t("unknown time")
    local = at.astimezone(tz)
    return t("{time} on {date}", time=f"{local:%H:%M}", date=format_date(local.date(), t.language))
