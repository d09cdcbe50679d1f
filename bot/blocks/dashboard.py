"""The request's parent message in the channel: a dashboard line redrawn on every state change,
so that a channel of requests reads at a glance (id, officer, basis, state, whose move, flags)."""

from __future__ import annotations

from bot import ids
from bot.blocks.form import form_actions
from bot.blocks.home import waiting_words
from bot.blocks.text import MARKING, Message, context, escape, mention, section
from flows.flags import describe_flags
from flows.models import MonitoringRequest
from flows.request_machine import is_collecting
from flows.waiting import basis_words, state_words


def parent_message(request: MonitoringRequest, deciders: tuple[str, ...]) -> Message:
    restarted = (
        f", restarted from {request.restarted_from} with its answers"
        if request.restarted_from
        else ""
    )
    title = (
        f"*{request.request_id}* · monitoring software request by "
        f"{mention(request.officer_id)}{restarted}"
    )
    where = (
        f"*Basis:* {basis_words(request)} · *State:* {state_words(request.state)}"
        f" · {waiting_words(request, deciders, you=False)}"
    )
    flags = describe_flags(request.flags)
    flagged = (
        "\n".join(f":triangular_flag_on_post: {escape(flag)}" for flag in flags)
        if flags
        else "No flags."
    )
    summary = (
        f"Monitoring software request {request.request_id} by {mention(request.officer_id)}"
        f"{restarted}: {state_words(request.state)}"
    )
    extra = [context("The questions and the supervisor's decision follow in this thread.")]
    if is_collecting(request):
        extra = [
            context(
                "The questions and the supervisor's decision follow in this thread. "
                "Quicker with a form? Fill it in here; you can mix the two."
            ),
            form_actions(request),
        ]
    return Message(
        text=f"OFFICIAL-SENSITIVE: {summary}",
        blocks=[
            section(
                f"{MARKING}\n:clipboard: {title}\n{where}\n{flagged}", ids.REQUEST_HEADER_BLOCK
            ),
            *extra,
        ],
    )
