"""What the scheduler says in a request's thread. Reminders carry no offender data: only the
request id, mentions and the question being waited for."""

from __future__ import annotations

from bot import ids
from bot.blocks.approval import install_actions
from bot.blocks.conversation import question_blocks, restart_actions
from bot.blocks.text import Message, mention, mention_any, section
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


def approval_reminder(request: MonitoringRequest, supervisors: tuple[str, ...]) -> Message:
    body = (
        f":hourglass_flowing_sand: {mentions(supervisors)} {request.request_id} is still waiting "
        "for a decision (see the approval card above)."
    )
    return _notice(f"Reminder: {request.request_id} awaits a decision", body, ids.REMINDER_BLOCK)


def escalated(request: MonitoringRequest, approvers: tuple[str, ...]) -> Message:
    body = (
        f":rotating_light: Escalated: {mentions(approvers)} {request.request_id} has waited too "
        "long for a decision. You may decide it on the card above."
    )
    return _notice(f"Escalated: {request.request_id}", body, ids.ESCALATION_BLOCK)


def expired(request: MonitoringRequest, reason: str) -> Message:
    body = (
        f"{mention(request.officer_id)} {request.request_id} expired: {reason}. "
        "If it is still needed, restart it: your answers are kept."
    )
    message = _notice(f"{request.request_id} expired", body, ids.EXPIRED_BLOCK)
    message.blocks.append(restart_actions(request))
    return message


def lapsed(request: MonitoringRequest, reason: str) -> Message:
    body = (
        f"{mention(request.officer_id)} {request.request_id} has lapsed: {reason}. "
        "Do not install on this basis."
    )
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
