"""What the bot says in a direct message: how and where to start, and links to the officer's
own open requests. A DM is not a request channel, so it never shows offender data: request ids,
their stage and a link to the thread, nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from bot import ids
from bot.blocks.text import Message, context, marking, section
from flows.i18n import DEFAULT_LANGUAGE, N_, Translator, translator
from flows.request_machine import Stage

STAGES: dict[str, str] = {
    Stage.collecting: N_("being filled in"),
    Stage.confirming: N_("at its summary, waiting for you to submit"),
    Stage.awaiting_approval: N_("waiting for a supervisor"),
    Stage.info_requested: N_("a supervisor asked you for more information"),
    Stage.approved: N_("approved: mark it installed once it is"),
}
#: a DM lists this many open requests at most (a section holds 3000 characters)
LISTED = 20


@dataclass(frozen=True)
class OpenRequest:
    request_id: str
    state: str
    #: the thread's permalink; None when Slack would not give one
    link: str | None


def guidance(
    command: str,
    bot_user_id: str | None,
    requests: list[OpenRequest],
    language: str = DEFAULT_LANGUAGE,
) -> Message:
    """The answer to a direct message, in the language of the person who wrote it."""
    t = translator(language)
    mention = f"<@{bot_user_id}>" if bot_user_id else t("the bot")
    how = (
        marking(t)
        + "\n"
        + t(
            "*Monitoring software requests are made in your unit's private channel, not here.* In "
            "that channel, type `{command}` or mention {mention}: I open a thread there and ask the "
            "questions one at a time (or you can fill in a form). Do not send offender details in "
            "this conversation.",
            command=command,
            mention=mention,
        )
    )
    blocks = [section(how, ids.DM_GUIDANCE_BLOCK)]
    if requests:
        lines = [_line(r, t) for r in requests[:LISTED]]
        if len(requests) > LISTED:
            more = len(requests) - LISTED
            lines.append(t("…and {n} more: see the Home tab.", n=more))
        title = t("*Your open requests*")
        blocks.append(section(title + "\n" + "\n".join(lines), ids.DM_OPEN_BLOCK))
    else:
        blocks.append(section(t("You have no open requests."), ids.DM_OPEN_BLOCK))
    blocks.append(
        context(t("`{command} help` in the channel explains the commands.", command=command))
    )
    return Message(text=t("How to make a monitoring software request"), blocks=blocks)


def _line(request: OpenRequest, t: Translator) -> str:
    stage = t(STAGES[request.state]) if request.state in STAGES else t("open")
    name = f"<{request.link}|{request.request_id}>" if request.link else request.request_id
    return f"• *{name}*: {stage}"
