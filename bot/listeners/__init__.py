"""Bolt listeners, one module per Slack surface; each translates a payload into one service call."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import (
    actions,
    commands,
    direct,
    failures,
    form,
    home,
    mentions,
    messages,
    restarts,
    views,
)
from bot.wiring import Wiring


def register_listeners(app: App, wiring: Wiring) -> None:
    commands.register(app, wiring)
    mentions.register(app, wiring)
    # before the thread listener: Bolt runs the first listener that matches a message
    direct.register(app, wiring)
    messages.register(app, wiring)
    actions.register(app, wiring)
    restarts.register(app, wiring)
    form.register(app, wiring)
    views.register(app, wiring)
    home.register(app, wiring)
    failures.register(app, wiring)
