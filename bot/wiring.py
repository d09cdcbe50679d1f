"""The parts listeners need, assembled once by the composition root (bot.app)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.home import HomePublisher
from bot.home_service import HomeService
from bot.languages import Languages
from bot.presenter import ThreadPresenter
from bot.responder import Responder
from bot.services import RequestService
from bot.slack.directory import ChannelPolicy, SlackAuthority
from bot.slack.messenger import Messenger
from flows.fields import Catalogue


@dataclass
class Wiring:
    service: RequestService
    responder: Responder
    presenter: ThreadPresenter
    messenger: Messenger
    channels: ChannelPolicy
    authority: SlackAuthority
    catalogue: Catalogue
    tz: ZoneInfo
    command: str
    home: HomePublisher
    homes: HomeService
    #: the configured supervisors (users and groups), as mentions name them
    deciders: tuple[str, ...]
    #: each person's language (language_for) and the thread's (thread_languages)
    languages: Languages
