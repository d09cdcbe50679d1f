"""Acknowledging Slack before a listener thread is free.

For a command or a click, Bolt answers Slack's HTTP request only once the listener, running in
Bolt's listener pool, has called `ack()` (the request thread polls for it every 10 ms). When every
listener thread is busy with the database or Slack, the acknowledgement waits in that queue,
though there is nothing for it to wait for: every button of ours is acknowledged with nothing,
first thing, and so is every slash command but `help` (whose answer is its text). Those are
acknowledged here instead, on the request thread, as soon as the request is verified; the
listener's own `ack()` then does nothing more.

Nothing else changes: the listener still runs, a failure still reaches the global error handler
(bot/listeners/failures.py), which tells the person who sent it, privately, that it was not
saved, as it did when the listener had acknowledged first thing itself. A view submission is not
acknowledged here: its answer (errors, the next page) depends on what the listener makes of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack


def acknowledge_clicks(body: dict[str, Any], ack: Ack, next: Callable[[], None]) -> None:
    """Bolt global middleware: a button or menu (`block_actions`) is acknowledged at once."""
    if body.get("type") == "block_actions":
        ack()
    next()


def acknowledge_unless(
    answered: Callable[[dict[str, Any]], bool],
) -> Callable[..., None]:
    """A slash command's listener middleware: acknowledged at once, unless `answered(command)`
    says the listener's acknowledgement carries the answer itself."""

    def acknowledge_command(command: dict[str, Any], ack: Ack, next: Callable[[], None]) -> None:
        if not answered(command):
            ack()
        next()

    return acknowledge_command
