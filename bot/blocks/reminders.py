"""What the scheduler says in a request's thread. Reminders carry no offender data: only the
request id, mentions, the question being waited for, how long a decision has waited, the flags
in words and a link to the card."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import ids
from bot.blocks.approval import install_actions
from bot.blocks.conversation import question_blocks, restart_actions
from bot.blocks.text import Message, escape, mention, mention_any, section
from flows.flags import describe_flags
from flows.models import MonitoringRequest
from flows.outputs import Question


def _notice(fallback: str, body: str, block_id: str) -> Message:
    return Message(text=fallback, blocks=[section(body, block_id)])


def mentions(ids: tuple[str, ...]) -> str:
    return " ".join(mention_any(i) for i in ids)


def idle_reminder(request: MonitoringRequest, question: Question | None) -> Message:
    officer = mention(request.officer_id)
    fallback = f"Reminder: {request.request_id} is waiting for your answer"
    if question is None:
        body = f":wave: {officer} {request.request_id} is waiting for you: see the last message in this thread."
        return _notice(fallback, body, ids.REMINDER_BLOCK)
    _, blocks = question_blocks(
        question, reminder=f":wave: {officer} this request is waiting for your answer."
    )
    return Message(text=fallback, blocks=blocks)


def abandoned(request: MonitoringRequest) -> Message:
    body = (
        f"{mention(request.officer_id)} {request.request_id} was closed because it had no answer "
        "for too long. If it is still needed, restart it: your answers are kept."
    )
    message = _notice(f"{request.request_id} closed: no answer", body, ids.ABANDONED_BLOCK)
    message.blocks.append(restart_actions(request))
    return message


def waited(delta: timedelta) -> str:
    """How long, in words: "2 days 3 hours", "4 hours", "45 minutes"."""
    minutes = max(0, int(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)

    def unit(n: int, word: str) -> str:
        return f"{n} {word}{'s' if n != 1 else ''}"

    if days:
        return unit(days, "day") + (f" {unit(hours, 'hour')}" if hours else "")
    if hours:
        return unit(hours, "hour")
    return unit(minutes, "minute")


def _waiting(request: MonitoringRequest, now: datetime, link: str | None) -> str:
    """How long it has waited, its flags in words, and the way to its card."""
    since = request.submitted_at or now
    card = f"<{link}|the approval card>" if link else "the approval card above"
    flags = [escape(text) for text in describe_flags(request.flags)]
    flagged = f" Flags: {' '.join(flags)}" if flags else " No flags."
    return f"It has waited {waited(now - since)} for a decision.{flagged} Decide on {card}."


def approval_reminder(
    request: MonitoringRequest,
    supervisors: tuple[str, ...],
    now: datetime | None = None,
    link: str | None = None,
) -> Message:
    now = now or request.submitted_at or datetime.now(UTC)
    body = (
        f":hourglass_flowing_sand: {mentions(supervisors)} {request.request_id} is still waiting "
        f"for a decision. {_waiting(request, now, link)}"
    )
    return _notice(f"Reminder: {request.request_id} awaits a decision", body, ids.REMINDER_BLOCK)


def escalated(
    request: MonitoringRequest,
    approvers: tuple[str, ...],
    now: datetime | None = None,
    link: str | None = None,
) -> Message:
    now = now or request.submitted_at or datetime.now(UTC)
    body = (
        f":rotating_light: Escalated: {mentions(approvers)} {request.request_id} has waited too "
        f"long for a decision, and you may decide it. {_waiting(request, now, link)}"
    )
    return _notice(f"Escalated: {request.request_id}", body, ids.ESCALATION_BLOCK)


def expired(request: MonitoringRequest, reason: str, deciders: tuple[str, ...] = ()) -> Message:
    told = " ".join([mention(request.officer_id), *(mention_any(d) for d in deciders)])
    body = (
        f"{told} {request.request_id} expired: {reason}. "
        "If it is still needed, restart it: your answers are kept."
    )
    message = _notice(f"{request.request_id} expired", body, ids.EXPIRED_BLOCK)
    message.blocks.append(restart_actions(request))
    return message


def lapsed(request: MonitoringRequest, reason: str, deciders: tuple[str, ...] = ()) -> Message:
    told = " ".join([mention(request.officer_id), *(mention_any(d) for d in deciders)])
    body = f"{told} {request.request_id} has lapsed: {reason}. Do not install on this basis."
    message = _notice(f"{request.request_id} lapsed", body, ids.LAPSED_BLOCK)
    message.blocks.append(restart_actions(request))
    return message


def install_reminder(request: MonitoringRequest) -> Message:
    body = (
        f":wrench: {mention(request.officer_id)} has the software for {request.request_id} been "
        "installed? Press *Record installation* to say what happened."
    )
    message = _notice(f"Has {request.request_id} been installed?", body, ids.INSTALL_REMINDER_BLOCK)
    message.blocks.append(install_actions(request))
    return message
