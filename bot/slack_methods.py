"""The Slack Web API methods the bot calls: the manifest's bot scopes are derived from this list.

A test (tests/unit/test_manifest.py) checks that manifest.yml grants a scope for each of these and
no scope that none of them (or an event or the slash command) needs, and that no code under bot/
calls a Web API method missing from here, nor lists one it never calls. Add a method here
when you start calling it, and remove it when you stop.
"""

from __future__ import annotations

METHODS_CALLED: frozenset[str] = frozenset(
    {
        "auth.test",  # doctor
        "chat.getPermalink",
        "chat.postEphemeral",
        "chat.postMessage",
        "chat.update",
        "conversations.history",  # the outbox: was a post made before a crash? (by its key)
        "conversations.info",
        "conversations.replies",  # the same, in a request's thread
        "usergroups.users.list",
        "users.info",  # doctor: is each supervisor an active person
        "views.open",
        "views.publish",
        "views.update",
    }
)
