"""The workbench page's own words, all here: the frame around what the bot says (which comes from
the bot and is never written by the workbench), the people's parts and what Slack itself would
say (a required field left empty). The page receives them with each state it draws."""

from __future__ import annotations

UI: dict[str, str] = {
    "title": "mosovo-bot workbench",
    "subtitle": "The real bot and database; Slack is played by this process. Nothing leaves this machine.",
    "act_as": "Act as",
    "channel_tab": "Channel",
    "home_tab": "Home",
    "app_badge": "APP",
    "only_you": "Only visible to you",
    "reply": "Reply",
    "replies": "replies",
    "send": "Send",
    "message_placeholder": "Message #{channel} (type {command} to start a request)",
    "reply_placeholder": "Reply in the thread…",
    "cancel": "Cancel",
    "close": "Close",
    "submit": "Submit",
    "choose": "Choose an option",
    "no_home": "Nothing published on the Home tab yet.",
    "required": "Please complete this required field.",
    "failed": "Something went wrong; see the workbench's log.",
    "not_a_command": "{command} is not a command here (try {ours}).",
    "empty_channel": "No messages yet.",
}

#: each person's part, by Person.role
ROLES: dict[str, str] = {
    "officer": "officer",
    "supervisor": "supervisor",
    "second_supervisor": "second supervisor",
    "stranger": "not in the unit (may not ask or decide)",
}
