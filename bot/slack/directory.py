"""Who may start and decide requests, resolved from Slack user ids and user groups."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient

from bot.services import Roles
from bot.slack.messenger import SEND_ERRORS

log = logging.getLogger(__name__)


class GroupMembers:
    """Members of Slack user groups, cached briefly so a membership change takes effect soon."""

    def __init__(
        self,
        client: WebClient,
        ttl_seconds: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.ttl = ttl_seconds
        self.monotonic = monotonic
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def members(self, group_id: str) -> frozenset[str]:
        with self._lock:
            cached = self._cache.get(group_id)
            if cached and self.monotonic() - cached[0] < self.ttl:
                return cached[1]
        try:
            response = self.client.usergroups_users_list(usergroup=group_id)
            users = frozenset(response.get("users") or [])
        except SEND_ERRORS as error:
            # Fail closed: nobody in an unreadable group may decide, but a stale list still counts.
            log.warning(
                "user group lookup failed",
                extra={"channel": group_id, "error": type(error).__name__},
            )
            return cached[1] if cached else frozenset()
        with self._lock:
            self._cache[group_id] = (self.monotonic(), users)
        return users


class Roster:
    """A list of Slack ids as configured: users (U…/W…) and user groups (S…)."""

    def __init__(
        self, users: tuple[str, ...], groups: tuple[str, ...], members: GroupMembers
    ) -> None:
        self.users = frozenset(users)
        self.groups = groups
        self.group_members = members

    @property
    def ids(self) -> tuple[str, ...]:
        return (*sorted(self.users), *self.groups)

    def __contains__(self, user_id: object) -> bool:
        if user_id in self.users:
            return True
        return any(user_id in self.group_members.members(group) for group in self.groups)

    def __bool__(self) -> bool:
        return bool(self.users or self.groups)


class SlackAuthority:
    """Implements bot.services.Authority from configured rosters."""

    def __init__(
        self, supervisors: Roster, officers: Roster | None, escalation: Roster | None
    ) -> None:
        self.supervisors = supervisors
        self.officers = officers
        self.escalation = escalation

    def can_start(self, user_id: str) -> bool:
        return not self.officers or user_id in self.officers

    def roles(self, user_id: str) -> Roles:
        return Roles(
            supervisor=user_id in self.supervisors,
            escalation_approver=bool(self.escalation and user_id in self.escalation),
        )


class ChannelPolicy:
    """Requests live only in private channels, and only the configured ones when set."""

    def __init__(self, client: WebClient, allowed: tuple[str, ...]) -> None:
        self.client = client
        self.allowed = frozenset(allowed)

    def refusal(self, channel_id: str) -> str | None:
        """Why a request cannot be started here, or None when it can."""
        if channel_id.startswith("D"):
            return "Monitoring requests can't be made in a direct message. Use your unit's private channel."
        if self.allowed and channel_id not in self.allowed:
            return "Monitoring requests aren't taken in this channel. Use your unit's private request channel."
        try:
            channel = self.client.conversations_info(channel=channel_id).get("channel") or {}
        except SEND_ERRORS:
            # With only groups:read, Slack refuses to describe public channels, DMs and private
            # channels the bot is not in: none of them is a place for a request.
            # (and when Slack cannot be reached, no request can be started safely either)
            return "Use your unit's private channel, and make sure I have been invited to it."
        if channel.get("is_im") or channel.get("is_mpim"):
            return "Monitoring requests can't be made in a direct message. Use your unit's private channel."
        if not channel.get("is_private"):
            return "This channel is public. Monitoring requests are OFFICIAL-SENSITIVE: use your unit's private channel."
        return None
