"""The workbench page's own words, all here: the frame around what the bot says (which comes from
the bot and is never written by the workbench), the people's parts, what Slack itself would say
(a required field left empty) and what the workbench refuses. The page receives them with each
state it draws, in the language of the person it is acting as (their language in the bot: set
on the page, with `/monitoring-request language`, or in App Home).

The values are msgids of the `workbench` catalogue (flows/locale/workbench.cfg, docs/i18n.md);
`{channel}`, `{command}` and `{ours}` are filled in by the page."""

from __future__ import annotations

from flows.i18n import LANGUAGE_NAMES, N_, NN_, translator

UI: dict[str, str] = {
    "title": N_("mosovo-bot workbench"),
    "subtitle": N_(
        "The real bot and database; Slack is played by this process. Nothing leaves this machine."
    ),
    "act_as": N_("Act as"),
    "language": N_("Language"),
    "channel_tab": N_("Channel"),
    "home_tab": N_("Home"),
    "app_badge": N_("APP"),
    "only_you": N_("Only visible to you"),
    "reply": N_("Reply"),
    "thread": N_("Thread"),
    "send": N_("Send"),
    "message_placeholder": N_("Message #{channel} (type {command} to start a request)"),
    "reply_placeholder": N_("Reply in the thread…"),
    "cancel": N_("Cancel"),
    "close": N_("Close"),
    "submit": N_("Submit"),
    "choose": N_("Choose an option"),
    "no_home": N_("Nothing published on the Home tab yet."),
    "required": N_("Please complete this required field."),
    "failed": N_("Something went wrong; see the workbench's log."),
    "not_a_command": N_("{command} is not a command here (try {ours})."),
    "empty_channel": N_("No messages yet."),
}

#: under a message with replies: how many (the page shows the count it is given)
REPLIES = NN_("{n} reply", "{n} replies")

#: each person's part, by Person.role
ROLES: dict[str, str] = {
    "officer": N_("officer"),
    "supervisor": N_("supervisor"),
    "second_supervisor": N_("second supervisor"),
    "stranger": N_("not in the unit (may not ask or decide)"),
}

#: what the workbench refuses (WorkbenchError), shown on the page
EMPTY_MESSAGE = N_("An empty message cannot be sent.")
NO_SUCH_THREAD = N_("That thread is not in the channel.")
NO_SUCH_PERSON = N_("There is no such person in the workbench.")
NO_SUCH_MESSAGE = N_("That message is no longer in the channel.")
NO_SUCH_DIALOG = N_("That dialog is no longer open.")
NO_SUCH_ELEMENT = N_("That button or field is no longer there.")
NO_SUCH_OPTION = N_("That is not one of the options.")
CANNOT_USE = N_("The workbench cannot use that kind of element.")
NO_SUCH_ACTION = N_("The workbench cannot do that.")
NO_SUCH_LANGUAGE = N_("The bot does not speak that language.")
MISSING = N_("{key} is missing.")
NOT_AN_OBJECT = N_("{key} must be an object.")
BOT_ANSWERED = N_("The bot answered {status}.")


def ui(language: str) -> dict[str, str]:
    """The page's words in `language`."""
    t = translator(language)
    return {key: t(msgid) for key, msgid in UI.items()}


def replies(language: str, n: int) -> str:
    """How many replies a message has, in `language` ("3 replies", "3 ateb")."""
    return translator(language).nplural(REPLIES, n)


def roles(language: str) -> dict[str, str]:
    """Each part's name in `language`."""
    t = translator(language)
    return {key: t(msgid) for key, msgid in ROLES.items()}


def languages() -> list[dict[str, str]]:
    """The page's language switch: each language the bot speaks, by its own name."""
    return [{"code": code, "name": name} for code, name in LANGUAGE_NAMES.items()]
