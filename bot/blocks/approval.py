"""The approval card, its decision, the reason dialog and what follows approval."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import ids
from bot.blocks.bilingual import in_languages, texts
from bot.blocks.card import card_blocks, when
from bot.blocks.conversation import flag_lines
from bot.blocks.dialogs import long_text_input, modal
from bot.blocks.text import (
    SECTION_LIMIT,
    Message,
    button,
    escape,
    long_text_blocks,
    marking,
    mention,
    mention_any,
    section,
)
from flows.fields import Catalogue
from flows.i18n import DEFAULT_LANGUAGE, N_, Translator, joined, translator
from flows.models import MonitoringRequest
from flows.parsers import format_date
from flows.request_machine import Stage
from flows.rounds import Round, round_of

OUTCOME_TEXT = {
    Stage.approved: N_(":white_check_mark: *Approved*"),
    Stage.rejected: N_(":x: *Rejected*"),
    Stage.info_requested: N_(":speech_balloon: *More information requested*"),
    Stage.withdrawn: N_(":leftwards_arrow_with_hook: *Withdrawn by the officer*"),
    Stage.expired: N_(":hourglass: *Expired*"),
    "superseded": N_(":recycle: *Superseded by a resubmission below*"),
}
#: an outcome in the fallback text ("MR-000001: approved"); the stored outcome stays the key
OUTCOME_WORDS = {
    Stage.approved: N_("approved"),
    Stage.rejected: N_("rejected"),
    Stage.info_requested: N_("more information requested"),
    Stage.withdrawn: N_("withdrawn"),
    Stage.expired: N_("expired"),
    "superseded": N_("superseded"),
}
UTC_ZONE = ZoneInfo("UTC")
Languages = Sequence[str]
ONE: Languages = (DEFAULT_LANGUAGE,)


def outcome_words(outcome: str, t: Translator) -> str:
    return t(OUTCOME_WORDS[outcome]) if outcome in OUTCOME_WORDS else outcome.replace("_", " ")


def clock_time(at: datetime | None, tz: ZoneInfo, t: Translator | None = None) -> str:
    """The time of day in the force's zone, e.g. "14:02"."""
    t = t or translator(DEFAULT_LANGUAGE)
    return f"{at.astimezone(tz):%H:%M}" if at else t("an earlier time")


def with_reason(
    body: str, reason: str, block_id: str, t: Translator | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """The reason after `body` in the same section if it fits there once escaped; otherwise in
    full in sections of its own (`<block_id>:<n>`), never cut off."""
    t = t or translator(DEFAULT_LANGUAGE)
    inline = body + "\n" + t("_Reason:_ {reason}", reason=escape(reason))
    if len(inline) <= SECTION_LIMIT:
        return inline, []
    return body + "\n" + t("_Reason: in full below._"), long_text_blocks(
        t("Reason"), reason, block_id
    )


def _card(
    t: Translator,
    request: MonitoringRequest,
    catalogue: Catalogue,
    record: Round,
    tz: ZoneInfo,
    top: str,
    progress: dict[str, Any] | None = None,
    with_round: bool = True,
) -> list[dict[str, Any]]:
    """One language's card; the round block (its id is how a click is judged) only in the
    first language's, since a message's block ids are unique."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "block_id": ids.APPROVAL_TITLE_BLOCK,
            "text": {
                "type": "plain_text",
                "text": t("Monitoring request {request}", request=request.request_id),
            },
        },
        section(f"{marking(t)}\n{top}", ids.APPROVAL_HEADER_BLOCK),
        *card_blocks(request, catalogue, record, tz, t),
    ]
    if progress is not None:
        blocks.insert(3, progress)
    if with_round:
        blocks.append(round_block(request, record, t))
    return blocks


def _first(t: Translator, languages: Languages) -> bool:
    return t.language == (languages[0] if languages else DEFAULT_LANGUAGE)


def approval_card(
    request: MonitoringRequest,
    catalogue: Catalogue,
    deciders: tuple[str, ...],
    with_buttons: bool = True,
    record: Round | None = None,
    tz: ZoneInfo = UTC_ZONE,
    needed: int = 1,
    languages: Languages = ONE,
) -> Message:
    """The card of one approval round (default: the current one), drawn from that round's
    record so that it never changes under the decider. `needed`: approvals the force's rules
    want (two: the card says so, and how many it has). In each thread language in turn."""
    chosen = record or round_of(request)
    asker = who_asked(request, chosen) if deciders else None
    who = " ".join([*(mention_any(d) for d in deciders), *([mention(asker)] if asker else [])])

    def render(t: Translator) -> list[dict[str, Any]]:
        top = t(
            ":bell: {who} approval needed for *{request}*",
            who=who,
            request=request.request_id,
        )
        progress = progress_block(chosen, needed, t) if with_buttons and needed > 1 else None
        return _card(
            t, request, catalogue, chosen, tz, top, progress, with_round=_first(t, languages)
        )

    blocks = in_languages(languages, render)
    if with_buttons:
        blocks.append(approval_buttons(request, languages))
    text = texts(
        languages,
        lambda t: t(
            "Approval needed: monitoring software request {request}", request=request.request_id
        ),
    )
    return Message(text=f"{text} {who}".strip(), blocks=blocks)


def round_block(
    request: MonitoringRequest, record: Round, t: Translator | None = None
) -> dict[str, Any]:
    """Which approval round this card shows (`card_round:<n>`): a click is judged by it."""
    t = t or translator(DEFAULT_LANGUAGE)
    return {
        "type": "context",
        "block_id": ids.CARD_ROUND_BLOCK.format(round=record.number),
        "elements": [
            {
                "type": "mrkdwn",
                "text": t(
                    "{request} · approval round {round}",
                    request=request.request_id,
                    round=record.number,
                ),
            }
        ],
    }


def who_asked(request: MonitoringRequest, record: Round) -> str | None:
    """On a resubmission, the decider who asked for more information: they are told it is back."""
    if record.number <= 1:
        return None
    previous = round_of(request, record.number - 1)
    return previous.decided_by if previous.outcome == Stage.info_requested else None


def progress_block(record: Round, needed: int, t: Translator | None = None) -> dict[str, Any]:
    """How far a two-person approval has got: "approved 1 of 2 (by @x)"."""
    t = t or translator(DEFAULT_LANGUAGE)
    given = len(record.approvals)
    text = t(
        ":busts_in_silhouette: *Needs {needed} approvals from different deciders.*", needed=needed
    )
    if given:
        names = ", ".join(_for(str(a["by"]), a.get("on_behalf_of"), t) for a in record.approvals)
        text += " " + t(
            "Approved {given} of {needed} (by {names}).", given=given, needed=needed, names=names
        )
    else:
        text += " " + t("Approved 0 of {needed} so far.", needed=needed)
    return section(text, ids.APPROVAL_PROGRESS_BLOCK)


def partly_approved_notice(
    request: MonitoringRequest,
    record: Round,
    needed: int,
    deciders: tuple[str, ...],
    languages: Languages = ONE,
) -> Message:
    who = " ".join(mention_any(d) for d in deciders)
    given = len(record.approvals)

    def render(t: Translator) -> list[dict[str, Any]]:
        names = ", ".join(_for(str(a["by"]), a.get("on_behalf_of"), t) for a in record.approvals)
        body = t(
            ":busts_in_silhouette: {request} approved {given} of {needed} (by {names}). "
            "{who} a second, different decider must approve it on the card.",
            request=request.request_id,
            given=given,
            needed=needed,
            names=names,
            who=who,
        )
        return [section(body, ids.DECISION_NOTICE_BLOCK)]

    return Message(
        text=texts(
            languages,
            lambda t: t(
                "{request}: approved {given} of {needed}",
                request=request.request_id,
                given=given,
                needed=needed,
            ),
        ),
        blocks=in_languages(languages, render),
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
    reason: str | Callable[[Translator], str] | None,
    tz: ZoneInfo,
    record: Round | None = None,
    languages: Languages = ONE,
) -> Message:
    """The approval card after the fact: no buttons, and who decided, when and why. `reason`:
    what the decider typed, or the bot's own words drawn in each language."""
    chosen = record or round_of(request)
    return Message(
        text=texts(
            languages,
            lambda t: t(
                "{request}: {outcome}",
                request=request.request_id,
                outcome=outcome_words(outcome, t),
            ),
        ),
        blocks=in_languages(
            languages,
            lambda t: _decided(
                t, request, catalogue, outcome, by, at, reason, tz, chosen, _first(t, languages)
            ),
        ),
    )


def _decided(
    t: Translator,
    request: MonitoringRequest,
    catalogue: Catalogue,
    outcome: str,
    by: str | None,
    at: datetime | None,
    reason: str | Callable[[Translator], str] | None,
    tz: ZoneInfo,
    record: Round,
    with_round: bool = True,
) -> list[dict[str, Any]]:
    top = t("Monitoring software request *{request}*", request=request.request_id)
    blocks = _card(t, request, catalogue, record, tz, top, with_round=with_round)
    line = t(OUTCOME_TEXT[outcome]) if outcome in OUTCOME_TEXT else outcome
    if by:
        line += " " + t("by {who}", who=deciders_text(record, outcome, by, t))
    line += " " + t("at {when}", when=when(at, tz, t))
    if outcome == Stage.approved and request.review_date:
        line += "\n" + t("_Review by:_ {date}", date=format_date(request.review_date, t.language))
    reason_blocks: list[dict[str, Any]] = []
    said = reason(t) if callable(reason) else reason
    if said:
        line, reason_blocks = with_reason(line, said, ids.DECISION_REASON_BLOCK, t)
    blocks.append(section(line, ids.DECISION_BLOCK))
    blocks.extend(reason_blocks)
    if outcome == Stage.approved:
        blocks.extend(approval_comment_blocks(record, request.decision_comment, t))
    return blocks


def superseded_card(
    request: MonitoringRequest,
    catalogue: Catalogue,
    record: Round,
    tz: ZoneInfo,
    languages: Languages = ONE,
) -> Message:
    """A superseded round's card exactly as it stood (facts and decision from that round's
    record), with a note pointing to the resubmission."""

    def render(t: Translator) -> list[dict[str, Any]]:
        if record.outcome:
            blocks = _decided(
                t,
                request,
                catalogue,
                record.outcome,
                record.decided_by,
                record.decided_at,
                record.reason,
                tz,
                record,
                _first(t, languages),
            )
        else:
            top = t(
                ":bell: {who} approval needed for *{request}*", who="", request=request.request_id
            )
            blocks = _card(t, request, catalogue, record, tz, top, with_round=_first(t, languages))
        note = t(
            "{superseded}: round {round} is the one to decide.",
            superseded=t(OUTCOME_TEXT["superseded"]),
            round=record.number + 1,
        )
        blocks.append(section(note, ids.SUPERSEDED_BLOCK))
        return blocks

    return Message(
        text=texts(
            languages,
            lambda t: t(
                "{request}: {outcome}",
                request=request.request_id,
                outcome=outcome_words("superseded", t),
            ),
        ),
        blocks=in_languages(languages, render),
    )


def deciders_text(record: Round, outcome: str, by: str, t: Translator | None = None) -> str:
    """Who decided: both approvers of a two-person approval, and for whom a delegate acted."""
    t = t or translator(DEFAULT_LANGUAGE)
    if outcome == Stage.approved and len(record.approvals) > 1:
        names = [_for(str(a["by"]), a.get("on_behalf_of"), t) for a in record.approvals]
        text = names[0]
        for name in names[1:]:
            text = t("{first} and {second}", first=text, second=name)
        return text
    on_behalf = (
        record.on_behalf_of if record.outcome == outcome and record.decided_by == by else None
    )
    return _for(by, on_behalf, t)


def _for(by: str, on_behalf_of: str | None, t: Translator | None = None) -> str:
    t = t or translator(DEFAULT_LANGUAGE)
    if not on_behalf_of:
        return mention(by)
    return t("{who} on behalf of {whom}", who=mention(by), whom=mention(on_behalf_of))


def approval_comment_blocks(
    record: Round, request_comment: str | None = None, t: Translator | None = None
) -> list[dict[str, Any]]:
    """Each approver's comment, escaped and whole (split over sections if it must be)."""
    t = t or translator(DEFAULT_LANGUAGE)
    blocks: list[dict[str, Any]] = []
    with_comment = [a for a in record.approvals if a.get("comment")]
    if not record.approvals and request_comment:
        with_comment = [{"by": "", "comment": request_comment}]
    for n, given in enumerate(with_comment):
        title = (
            t("Approver's comment")
            if len(record.approvals) < 2
            else t("Comment from {who}", who=mention(str(given["by"])))
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
    language: str = DEFAULT_LANGUAGE,
) -> dict[str, Any]:
    """Approve, after seeing the flags again; an optional comment and the review date. Where
    two approvals are needed, it says which this one is. In the decider's language."""
    t = translator(language)
    record = round_of(request)
    flags = flag_lines(record.flags, t)
    intro = (
        marking(t)
        + "\n"
        + t(
            "Approve monitoring software for *{request}*? "
            "Your approval, comment and review date are recorded.",
            request=request.request_id,
        )
        + "\n\n"
        + ("\n".join(flags) if flags else t("No flags."))
    )
    if needed > 1:
        intro += "\n\n" + t(
            ":busts_in_silhouette: It needs {needed} approvals from different deciders: "
            "yours is {number} of {needed}.",
            needed=needed,
            number=len(record.approvals) + 1,
        )
    blocks = [
        section(intro, ids.APPROVE_INTRO_BLOCK),
        long_text_input(
            ids.COMMENT_BLOCK, ids.COMMENT_ACTION, t("Comment (optional)"), optional=True
        ),
        {
            "type": "input",
            "block_id": ids.REVIEW_DATE_BLOCK,
            "label": {"type": "plain_text", "text": t("Review the installation by")},
            "hint": {
                "type": "plain_text",
                "text": t("The officer and supervisors are reminded in the thread on this date."),
            },
            "element": {
                "type": "datepicker",
                "action_id": ids.REVIEW_DATE_ACTION,
                "initial_date": review_default.isoformat(),
            },
        },
    ]
    metadata = _opened_from(request.request_id, card_ts, card_round, channel, thread_ts)
    return modal(
        t("Approve request"), blocks, t("Go back"), t("Approve"), ids.APPROVE_VIEW, metadata
    )


def _opened_from(
    request_id: str | None,
    card_ts: str,
    card_round: int | None,
    channel: str,
    thread_ts: str,
    **more: str,
) -> dict[str, Any]:
    """A decision dialog's metadata: the request, the card it was opened from and the round
    that card shows (as a string: view_metadata keeps only strings), and its thread."""
    return {
        "id": request_id,
        **more,
        "card": card_ts,
        "round": "" if card_round is None else str(card_round),
        "channel": channel,
        "thread": thread_ts,
    }


#: what the officer is told in the thread of each decision
NOTICES: dict[str, str] = {
    Stage.approved: N_(
        "{officer} {request} was approved by {decider}. You may install the software; press "
        "*Record installation* once it is done (or if it could not be)."
    ),
    Stage.rejected: N_("{officer} {request} was rejected by {decider}."),
    Stage.info_requested: N_(
        "{officer} {decider} needs more information on {request}. Reply in this thread, "
        "`edit &lt;question&gt;` to change an answer, then `submit`."
    ),
}


def decision_notice(
    request: MonitoringRequest,
    outcome: str,
    by: str,
    reason: str | None,
    languages: Languages = ONE,
) -> Message:
    """Told to the officer in the thread."""

    def render(t: Translator) -> list[dict[str, Any]]:
        body = t(
            NOTICES[outcome],
            officer=mention(request.officer_id),
            request=request.request_id,
            decider=mention(by),
        )
        if outcome == Stage.approved and request.review_date:
            body += " " + t("Review by {date}.", date=format_date(request.review_date, t.language))
        reason_blocks: list[dict[str, Any]] = []
        if reason:
            body, reason_blocks = with_reason(body, reason, ids.NOTICE_REASON_BLOCK, t)
        return [section(body, ids.DECISION_NOTICE_BLOCK), *reason_blocks]

    blocks = in_languages(languages, render)
    if outcome == Stage.approved:
        blocks.append(install_actions(request, languages))
    plain = texts(
        languages,
        lambda t: t(
            "{request}: {outcome}", request=request.request_id, outcome=outcome_words(outcome, t)
        ),
    )
    return Message(text=plain, blocks=blocks)


def install_actions(request: MonitoringRequest, languages: Languages = ONE) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": ids.INSTALL_ACTIONS_BLOCK,
        "elements": [
            button(
                joined(languages, lambda t: t("Record installation")),
                ids.INSTALLATION_CONFIRM,
                str(request.request_id),
                "primary",
            )
        ],
    }


def installed_notice(
    request: MonitoringRequest, by: str, tz: ZoneInfo, languages: Languages = ONE
) -> Message:
    def render(t: Translator) -> list[dict[str, Any]]:
        text = t(
            ":white_check_mark: {request} marked as installed by {who} at {when}.",
            request=request.request_id,
            who=mention(by),
            when=when(request.installed_at, tz, t),
        )
        return [section(text, ids.INSTALLED_BLOCK)]

    return Message(
        text=texts(languages, lambda t: t("{request} installed", request=request.request_id)),
        blocks=in_languages(languages, render),
    )


def reason_modal(
    request_id: str,
    decision: str,
    card_ts: str,
    channel: str,
    thread_ts: str,
    card_round: int | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> dict[str, Any]:
    t = translator(language)
    rejecting = decision == "reject"
    title = t("Reject request") if rejecting else t.pgettext("title", "Request more info")
    label = t("Why is it rejected?") if rejecting else t("What does the officer need to provide?")
    intro = (
        marking(t)
        + "\n"
        + t("*{request}*: the reason is recorded and shown to the officer.", request=request_id)
    )
    blocks = [
        section(intro, ids.REASON_INTRO_BLOCK),
        long_text_input(ids.REASON_BLOCK, ids.REASON_ACTION, label),
    ]
    metadata = _opened_from(request_id, card_ts, card_round, channel, thread_ts, decision=decision)
    return modal(title, blocks, t("Cancel"), t("Send"), ids.REASON_VIEW, metadata)


def closed_notice_text(
    request: MonitoringRequest,
    mrkdwn: str | Callable[[Translator], str],
    languages: Languages = ONE,
) -> Message:
    """A closing line built by us (mentions allowed); never pass user text here unescaped.
    `mrkdwn`: the line, or a function drawing it in a language (for each thread language)."""
    draw = mrkdwn if callable(mrkdwn) else (lambda t: mrkdwn)
    return Message(
        text=texts(languages, lambda t: t("{request} closed", request=request.request_id)),
        blocks=in_languages(languages, lambda t: [section(draw(t), ids.CLOSED_BLOCK)]),
    )
