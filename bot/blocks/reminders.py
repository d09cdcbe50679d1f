"""What the scheduler says in a request's thread. Reminders carry no offender data: only the
request id, mentions, the question being waited for, how long a decision has waited, the flags
in words and a link to the card. In each thread language in turn."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot import ids
from bot.blocks.approval import install_actions
from bot.blocks.bilingual import in_languages, texts
from bot.blocks.conversation import question_blocks, restart_actions
from bot.blocks.text import Message, escape, mention, mention_any, section
from flows.flags import describe_flags
from flows.i18n import DEFAULT_LANGUAGE, N_, NN_, Translator, translator
from flows.models import MonitoringRequest
from flows.outputs import Question

Languages = Sequence[str]
ONE: Languages = (DEFAULT_LANGUAGE,)
DAYS = NN_("{n} day", "{n} days")
HOURS = NN_("{n} hour", "{n} hours")
MINUTES = NN_("{n} minute", "{n} minutes")


def _notice(
    languages: Languages,
    fallback: Callable[[Translator], str],
    body: Callable[[Translator], str],
    block_id: str,
) -> Message:
    return Message(
        text=texts(languages, fallback),
        blocks=in_languages(languages, lambda t: [section(body(t), block_id)]),
    )


def mentions(ids: tuple[str, ...]) -> str:
    return " ".join(mention_any(i) for i in ids)


def idle_reminder(
    request: MonitoringRequest, question: Question | None, languages: Languages = ONE
) -> Message:
    officer = mention(request.officer_id)

    def fallback(t: Translator) -> str:
        return t("Reminder: {request} is waiting for your answer", request=request.request_id)

    if question is None:
        return _notice(
            languages,
            fallback,
            lambda t: t(
                ":wave: {officer} {request} is waiting for you: see the last message in this "
                "thread.",
                officer=officer,
                request=request.request_id,
            ),
            ids.REMINDER_BLOCK,
        )
    # the question is asked once, in the conversation's own words
    t = translator(languages[0] if languages else DEFAULT_LANGUAGE)
    _, blocks = question_blocks(
        question,
        reminder=t(":wave: {officer} this request is waiting for your answer.", officer=officer),
    )
    return Message(text=texts(languages, fallback), blocks=blocks)


def abandoned(request: MonitoringRequest, languages: Languages = ONE) -> Message:
    message = _notice(
        languages,
        lambda t: t("{request} closed: no answer", request=request.request_id),
        lambda t: t(
            "{officer} {request} was closed because it had no answer for too long. If it is "
            "still needed, restart it: your answers are kept.",
            officer=mention(request.officer_id),
            request=request.request_id,
        ),
        ids.ABANDONED_BLOCK,
    )
    message.blocks.append(restart_actions(request, languages))
    return message


def waited(delta: timedelta, t: Translator | None = None) -> str:
    """How long, in words: "2 days 3 hours", "4 hours", "45 minutes"."""
    t = t or translator(DEFAULT_LANGUAGE)
    minutes = max(0, int(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        shown = t.nplural(DAYS, days)
        return shown + (" " + t.nplural(HOURS, hours) if hours else "")
    if hours:
        return t.nplural(HOURS, hours)
    return t.nplural(MINUTES, minutes)


def _waiting(request: MonitoringRequest, now: datetime, link: str | None, t: Translator) -> str:
    """How long it has waited, its flags in words, and the way to its card."""
    since = request.submitted_at or now
    card = t("<{link}|the approval card>", link=link) if link else t("the approval card above")
    flags = [escape(text) for text in describe_flags(request.flags, t.language)]
    flagged = " " + (t("Flags: {flags}", flags=" ".join(flags)) if flags else t("No flags."))
    return (
        t("It has waited {waited} for a decision.", waited=waited(now - since, t))
        + flagged
        + " "
        + t("Decide on {card}.", card=card)
    )


Reason = str | Callable[[Translator], str]


class DecisionNotice(Protocol):
    """A reminder or an escalation naming the deciders, with how long the request has waited
    (since it was submitted, to `now`) and a `link` to its card."""

    def __call__(
        self,
        request: MonitoringRequest,
        deciders: tuple[str, ...],
        now: datetime | None = None,
        link: str | None = None,
        languages: Languages = ONE,
    ) -> Message: ...


class ClosingNotice(Protocol):
    """An expiry or a lapse, told to the officer and the deciders, with the Restart button;
    `reason`: why, in words (or drawn in each language)."""

    def __call__(
        self,
        request: MonitoringRequest,
        reason: Reason,
        deciders: tuple[str, ...] = (),
        languages: Languages = ONE,
    ) -> Message: ...


def _awaiting_decision(fallback: str, body: str, block_id: str) -> DecisionNotice:
    """A decision notice: `fallback` (with `{request}`) and `body` (with `{who}`, `{request}`
    and `{waiting}`) are msgids."""

    def build(
        request: MonitoringRequest,
        deciders: tuple[str, ...],
        now: datetime | None = None,
        link: str | None = None,
        languages: Languages = ONE,
    ) -> Message:
        at = now or request.submitted_at or datetime.now(UTC)
        return _notice(
            languages,
            lambda t: t(fallback, request=request.request_id),
            lambda t: t(
                body,
                who=mentions(deciders),
                request=request.request_id,
                waiting=_waiting(request, at, link, t),
            ),
            block_id,
        )

    return build


#: to the supervisors
approval_reminder = _awaiting_decision(
    N_("Reminder: {request} awaits a decision"),
    N_(":hourglass_flowing_sand: {who} {request} is still waiting for a decision. {waiting}"),
    ids.REMINDER_BLOCK,
)
#: to the approvers it is escalated to
escalated = _awaiting_decision(
    N_("Escalated: {request}"),
    N_(
        ":rotating_light: Escalated: {who} {request} has waited too long for a decision, "
        "and you may decide it. {waiting}"
    ),
    ids.ESCALATION_BLOCK,
)


def _told(request: MonitoringRequest, deciders: tuple[str, ...]) -> str:
    return " ".join([mention(request.officer_id), *(mention_any(d) for d in deciders)])


def _closed(fallback: str, body: str, block_id: str) -> ClosingNotice:
    """A closing notice: `fallback` (with `{request}`) and `body` (with `{told}`, `{request}`
    and `{reason}`) are msgids."""

    def build(
        request: MonitoringRequest,
        reason: Reason,
        deciders: tuple[str, ...] = (),
        languages: Languages = ONE,
    ) -> Message:
        why = reason if callable(reason) else (lambda t: reason)
        message = _notice(
            languages,
            lambda t: t(fallback, request=request.request_id),
            lambda t: t(
                body, told=_told(request, deciders), request=request.request_id, reason=why(t)
            ),
            block_id,
        )
        message.blocks.append(restart_actions(request, languages))
        return message

    return build


expired = _closed(
    N_("{request} expired"),
    N_(
        "{told} {request} expired: {reason}. If it is still needed, restart it: your answers "
        "are kept."
    ),
    ids.EXPIRED_BLOCK,
)
lapsed = _closed(
    N_("{request} lapsed"),
    N_("{told} {request} has lapsed: {reason}. Do not install on this basis."),
    ids.LAPSED_BLOCK,
)


def install_reminder(request: MonitoringRequest, languages: Languages = ONE) -> Message:
    message = _notice(
        languages,
        lambda t: t("Has {request} been installed?", request=request.request_id),
        lambda t: t(
            ":wrench: {officer} has the software for {request} been installed? Press *Record "
            "installation* to say what happened.",
            officer=mention(request.officer_id),
            request=request.request_id,
        ),
        ids.INSTALL_REMINDER_BLOCK,
    )
    message.blocks.append(install_actions(request, languages))
    return message
