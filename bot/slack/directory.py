"""Who may start and decide requests, resolved from Slack user ids and user groups."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot.services import Roles
from bot.slack.cache import FRESH_SECONDS, MAX_AGE_SECONDS, BoundedAgeCache, DirectoryUnavailable
from bot.slack.messenger import SEND_ERRORS
from flows.errors import Words
from flows.i18n import N_, Translator
from flows.models import MonitoringRequest

log = logging.getLogger(__name__)


class GroupMembers:
    """Members of Slack user groups: asked again after a minute, so a membership change takes
    effect soon; an older list is trusted for at most ten minutes while Slack cannot be asked,
    then nobody in the group may decide (fail closed) and the user is told why."""

    def __init__(
        self,
        client: WebClient,
        fresh_seconds: float = FRESH_SECONDS,
        max_age_seconds: float = MAX_AGE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.cache: BoundedAgeCache[str, frozenset[str]] = BoundedAgeCache(
            self._ask,
            N_("who is in the supervisors' user group"),
            fresh_seconds,
            max_age_seconds,
            monotonic,
        )

    def _ask(self, group_id: str) -> frozenset[str]:
        try:
            response = self.client.usergroups_users_list(usergroup=group_id)
        except SEND_ERRORS as error:
            log.warning(
                "user group lookup failed",
                extra={"channel": group_id, "error": type(error).__name__},
            )
            raise
        return frozenset(response.get("users") or [])

    def forget(self, group_id: str) -> None:
        """Ask Slack afresh next time (tests; a subteam_members_changed event could call it)."""
        self.cache.forget(group_id)

    def members(self, group_id: str) -> frozenset[str]:
        """The group's members; DirectoryUnavailable when Slack has not said for too long.
        A definite refusal from Slack (no such group, missing scope) means nobody is in it."""
        try:
            return self.cache.get(group_id)
        except SEND_ERRORS:
            return frozenset()


class Roster:
    """A list of Slack ids as configured: users (U…/W…) and user groups (S…)."""

    def __init__(
        self, users: tuple[str, ...], groups: tuple[str, ...], members: GroupMembers
    ) -> None:
        self.users = frozenset(users)
        self.groups = groups
        self.group_members = members

    def members(self) -> frozenset[str]:
        """Every user on the roster now: named users and the groups' current members."""
        found = set(self.users)
        for group in self.groups:
            found |= self.group_members.members(group)
        return frozenset(found)

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

    def deciders(self, request: MonitoringRequest) -> frozenset[str]:
        found = self.supervisors.members()
        if self.escalation and "escalate" in request.nudges:
            found |= self.escalation.members()
        return found - {request.officer_id}


#: conversations.info flags of a channel that members of another organisation can (or soon will)
#: read: Slack Connect, or shared with other workspaces of an Enterprise Grid
SHARED_FLAGS = ("is_ext_shared", "is_shared", "is_org_shared", "is_pending_ext_shared")


def dm_refusal(t: Translator) -> str:
    return t(
        "Monitoring requests can't be made in a direct message. Use your unit's private channel."
    )


def shared_refusal(t: Translator) -> str:
    return t(
        "This channel is shared with another organisation (Slack Connect), so people outside the "
        "force could read it. Monitoring requests are OFFICIAL-SENSITIVE: use your unit's own "
        "private channel."
    )


def not_allowed_refusal(t: Translator) -> str:
    return t(
        "Monitoring requests aren't taken in this channel. Use your unit's private request channel."
    )


def unseen_refusal(t: Translator) -> str:
    """Slack would not describe the channel (public, a DM, or private without the bot)."""
    return t("Use your unit's private channel, and make sure I have been invited to it.")


def public_refusal(t: Translator) -> str:
    return t(
        "This channel is public. Monitoring requests are OFFICIAL-SENSITIVE: use your unit's "
        "private channel."
    )


def is_shared(channel: dict[str, Any]) -> bool:
    return any(channel.get(flag) for flag in SHARED_FLAGS)


class ChannelPolicy:
    """Requests live only in private channels not shared outside the force, and only the
    configured ones when set. Channel info is cached like user groups (bounded age)."""

    def __init__(
        self,
        client: WebClient,
        allowed: tuple[str, ...],
        fresh_seconds: float = FRESH_SECONDS,
        max_age_seconds: float = MAX_AGE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.allowed = frozenset(allowed)
        self.info: BoundedAgeCache[str, dict[str, Any]] = BoundedAgeCache(
            self._ask, N_("this channel"), fresh_seconds, max_age_seconds, monotonic
        )

    def _ask(self, channel_id: str) -> dict[str, Any]:
        return dict(self.client.conversations_info(channel=channel_id).get("channel") or {})

    def refusal(self, channel_id: str) -> Words | None:
        """Why a request cannot be started here (drawn in the reader's language), or None when
        it can."""
        if channel_id.startswith("D"):
            return dm_refusal
        if self.allowed and channel_id not in self.allowed:
            return not_allowed_refusal
        try:
            channel = self.info.get(channel_id)
        except DirectoryUnavailable as error:
            return error.shown
        except SEND_ERRORS:
            # With only groups:read, Slack refuses to describe public channels, DMs and private
            # channels the bot is not in: none of them is a place for a request.
            return unseen_refusal
        if channel.get("is_im") or channel.get("is_mpim"):
            return dm_refusal
        if not channel.get("is_private"):
            return public_refusal
        if is_shared(channel):
            return shared_refusal
        return None

    def forget(self, channel_id: str) -> None:
        """Ask Slack afresh next time (tests; a channel_shared event could call it too)."""
        self.info.forget(channel_id)

    def now_shared(self, channel_id: str) -> bool:
        """Checked again before the bot posts about a request: a channel can become shared after
        the request started. Only what Slack said counts: when it cannot be asked, the post is
        tried (and kept in the outbox if Slack will not take it)."""
        try:
            return is_shared(self.info.get(channel_id))
        except (DirectoryUnavailable, *SEND_ERRORS):
            return False
