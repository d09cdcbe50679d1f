"""Checks of a deployment, for `mosovo-bot doctor`: each says pass, warn or fail, and what to do.

The checks read the settings, the database and Slack, and change nothing. They run in order and
a check that cannot run because an earlier one failed (no settings, no database) is not run at
all, so every row is a finding, never a consequence of another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.settings import Settings, SettingsError, SlackPrincipals, database_url_from_env
from bot.slack.directory import SHARED_FLAGS
from bot.slack.messenger import SEND_ERRORS, error_code

#: manifest.yml beside the source tree, else in the working directory (a container's /app)
MANIFEST_PLACES = (Path(__file__).resolve().parents[1] / "manifest.yml", Path("manifest.yml"))
#: Slack refuses a signed request more than five minutes old (or early): a clock this far off
#: makes every request fail; a smaller drift is a warning.
CLOCK_FAIL_SECONDS = 300
CLOCK_WARN_SECONDS = 30


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Check:
    """One row of the report: what was checked, the result, what was found, what to do."""

    name: str
    status: Status
    finding: str
    action: str = ""


def passed(name: str, finding: str) -> Check:
    return Check(name, Status.PASS, finding)


def warned(name: str, finding: str, action: str) -> Check:
    return Check(name, Status.WARN, finding, action)


def failed(name: str, finding: str, action: str) -> Check:
    return Check(name, Status.FAIL, finding, action)


@dataclass
class SlackAnswer:
    """What one Web API call said: the body, or Slack's error code, and the response headers."""

    body: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


def ask(call: Callable[[], SlackResponse]) -> SlackAnswer:
    """Make one Web API call; an error answer or a network failure comes back as `error`."""
    try:
        response = call()
    except SlackApiError as error:
        return SlackAnswer(
            dict(error.response.data) if isinstance(error.response.data, dict) else {},
            error_code(error),
            dict(error.response.headers or {}),
        )
    except SEND_ERRORS as error:
        return SlackAnswer(error=error_code(error))
    body = response.data if isinstance(response.data, dict) else {}
    return SlackAnswer(body, None, dict(response.headers or {}))


def diagnose(
    load_settings: Callable[[], Settings],
    client_for: Callable[[Settings], WebClient],
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    manifest_places: Iterable[Path] = MANIFEST_PLACES,
) -> list[Check]:
    """Every check, in the order an operator would fix them."""
    checks: list[Check] = []
    try:
        settings: Settings | None = load_settings()
        mode = "Socket Mode" if settings and settings.socket_mode else "HTTP mode"
        checks.append(passed("settings", f"all settings are valid ({mode})"))
    except SettingsError as error:
        settings = None
        checks.append(failed("settings", str(error), "fix that setting in the environment or .env"))
    checks.extend(database_checks(settings))
    if settings is None:
        return checks
    client = client_for(settings)
    identity = ask(lambda: client.auth_test())
    checks.append(auth_check(identity))
    if identity.error is not None:
        return checks
    if settings.slack_app_token is not None:
        checks.append(app_token_check(settings))
    checks.append(scopes_check(identity, manifest_places))
    checks.extend(channel_checks(client, settings.request_channels))
    rosters = {
        "supervisors": ("MOSOVO_SUPERVISORS", settings.supervisors),
        "escalation approvers": ("MOSOVO_ESCALATION_APPROVERS", settings.escalation_approvers),
        "officers": ("MOSOVO_OFFICERS", settings.officers),
    }
    for name, (setting, principals) in rosters.items():
        if not principals.is_empty:
            checks.append(roster_check(client, name, setting, principals))
    checks.append(clock_check(identity, now()))
    checks.append(timezone_check(settings, now()))
    return checks


# -- database -----------------------------------------------------------------------------


def database_checks(settings: Settings | None) -> Iterator[Check]:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from storage.audit import verify_chain
    from storage.db import current_revision, head_revision, normalise_url
    from storage.unit_of_work import Database

    try:
        url = settings.database_url if settings else database_url_from_env()
    except SettingsError as error:
        yield failed("database", str(error), "fix DATABASE_URL")
        return
    shown = make_url(normalise_url(url)).render_as_string(hide_password=True)
    try:
        database = Database(url)
    except (ValueError, SQLAlchemyError) as error:
        yield failed("database", f"{shown}: {error}", "fix DATABASE_URL")
        return
    try:
        try:
            revision = current_revision(database.engine)
        except SQLAlchemyError as error:
            detail = getattr(error, "orig", None) or type(error).__name__
            yield failed(
                "database",
                f"{shown} does not answer: {detail}",
                "start the database, or fix DATABASE_URL and the network between the bot and it",
            )
            return
        head = head_revision()
        if revision != head:
            yield failed(
                "database",
                f"{shown} is at migration {revision or 'none'}, the code needs {head}",
                "run `mosovo-bot db upgrade` (after a backup; docs/deploy.md, Upgrades)",
            )
            return
        yield passed("database", f"{shown} answers, migrations at head ({head})")
        with database.read_session_factory() as session:
            result = verify_chain(session)
        if result.ok:
            yield passed(
                "audit chain", f"{result.count} events intact, head {result.head_hash[:16]}…"
            )
        else:
            yield failed(
                "audit chain",
                f"broken at event {result.first_bad_id}: {result.reason}",
                "change nothing; compare with your last kept head or checkpoint and restore "
                "from backup as docs/deploy.md says",
            )
            return
        if settings is not None:
            yield checkpoint_check(settings, session_factory=database.read_session_factory)
    finally:
        database.dispose()


def checkpoint_check(settings: Settings, session_factory: Callable[[], Any]) -> Check:
    """Signed checkpoints are on, the key is usable, and the file's newest one is recent and
    still matches the log."""
    from storage.checkpoints import (
        CheckpointError,
        load_private_key,
        read_checkpoint_file,
        verify_checkpoints,
    )

    name = "audit checkpoints"
    if settings.audit_key_file is None:
        return warned(
            name,
            "off: nothing outside the database vouches for the log's length",
            "make a key (`mosovo-bot audit keygen`), set MOSOVO_AUDIT_KEY_FILE and "
            "MOSOVO_AUDIT_CHECKPOINT_FILE or MOSOVO_AUDIT_CHECKPOINT_CHANNEL",
        )
    try:
        key = load_private_key(settings.audit_key_file)
        sink = settings.audit_checkpoint_file
        checkpoints = read_checkpoint_file(sink) if sink and sink.exists() else []
    except CheckpointError as error:
        return failed(name, str(error), "fix MOSOVO_AUDIT_KEY_FILE or the checkpoint file")
    if settings.audit_checkpoint_file is None:
        channel = settings.audit_checkpoint_channel
        return passed(name, f"signed and posted to {channel} (verify from a copy of the posts)")
    if not checkpoints:
        return warned(
            name,
            f"{settings.audit_checkpoint_file} holds no checkpoint yet",
            "wait for the scheduler, or run `mosovo-bot audit checkpoint`",
        )
    with session_factory() as session:
        report = verify_checkpoints(session, checkpoints, key.public_key())
    if not report.ok:
        return failed(
            name,
            report.problem or "a checkpoint does not match the log",
            "change nothing; the log was truncated, rolled back or rewritten: restore from "
            "backup and investigate",
        )
    newest = max(c.at for c in checkpoints)
    age = datetime.now(UTC) - newest
    if age > settings.audit_checkpoint_interval * 3:
        return warned(
            name,
            f"{report.checked} verified, but the newest is from {newest:%Y-%m-%d %H:%M} UTC",
            "check that the scheduler runs (`run` without --no-scheduler) and can write the file",
        )
    return passed(name, f"{report.checked} verified, the newest from {newest:%Y-%m-%d %H:%M} UTC")


# -- Slack --------------------------------------------------------------------------------


def auth_check(identity: SlackAnswer) -> Check:
    if identity.error is not None:
        action = {
            "invalid_auth": "SLACK_BOT_TOKEN is wrong or revoked: copy the bot token again",
            "not_authed": "set SLACK_BOT_TOKEN",
            "account_inactive": "the app was uninstalled: reinstall it and copy the new token",
            "token_revoked": "the token was revoked: reinstall the app and copy the new token",
        }.get(identity.error, "check SLACK_API_URL and that this host can reach Slack")
        return failed("auth.test", f"Slack refused the token: {identity.error}", action)
    body = identity.body
    return passed(
        "auth.test",
        f"bot {body.get('user_id')} ({body.get('user')}) in workspace {body.get('team_id')} "
        f"({body.get('team')})",
    )


def app_token_check(settings: Settings) -> Check:
    """Socket Mode: Slack hands this app-level token a connection URL (it is not connected to,
    and the ticket expires unused)."""
    assert settings.slack_app_token is not None
    token = settings.slack_app_token.get_secret_value()
    client = WebClient(base_url=settings.slack_api_url, timeout=10)
    answer = ask(lambda: client.apps_connections_open(app_token=token))
    name = "app token"
    if answer.error is None:
        return passed(name, "Slack opens Socket Mode connections for SLACK_APP_TOKEN")
    action = {
        "invalid_auth": "SLACK_APP_TOKEN is wrong or revoked: make a new app-level token "
        "with connections:write (Basic Information, App-Level Tokens)",
        "not_allowed_token_type": "SLACK_APP_TOKEN must be the app-level token (xapp-…)",
        "missing_scope": "give the app-level token the connections:write scope",
    }.get(answer.error, "turn Socket Mode on in the app's settings, or check SLACK_API_URL")
    return failed(name, f"Slack refused the app-level token: {answer.error}", action)


def manifest_scopes(places: Iterable[Path]) -> tuple[Path, frozenset[str]] | None:
    for place in places:
        if place.is_file():
            loaded = yaml.safe_load(place.read_text(encoding="utf-8")) or {}
            scopes = loaded.get("oauth_config", {}).get("scopes", {}).get("bot", [])
            return place, frozenset(scopes)
    return None


def scopes_check(identity: SlackAnswer, manifest_places: Iterable[Path]) -> Check:
    name = "token scopes"
    found = manifest_scopes(manifest_places)
    if found is None:
        return warned(
            name, "manifest.yml not found, so the scopes were not compared", "run from /app"
        )
    _, wanted = found
    header = identity.header("x-oauth-scopes")
    if header is None:
        return warned(
            name,
            "Slack did not say which scopes the token has (no x-oauth-scopes header)",
            "check the app's OAuth & Permissions page against manifest.yml by hand",
        )
    granted = frozenset(s.strip() for s in header.split(",") if s.strip())
    missing, extra = sorted(wanted - granted), sorted(granted - wanted)
    if missing:
        return failed(
            name,
            f"the token lacks {', '.join(missing)}",
            "add the scopes from manifest.yml to the app and reinstall it to the workspace",
        )
    if extra:
        return warned(
            name,
            f"the token also has {', '.join(extra)}, which the bot does not need",
            "remove them from the app's OAuth & Permissions page and reinstall (least privilege)",
        )
    return passed(name, f"exactly manifest.yml's {len(wanted)} bot scopes")


def channel_checks(client: WebClient, channels: tuple[str, ...]) -> Iterator[Check]:
    if not channels:
        yield warned(
            "request channels",
            "MOSOVO_REQUEST_CHANNELS is not set: any private channel the bot is invited to "
            "takes requests",
            "set MOSOVO_REQUEST_CHANNELS to the unit's private channel ids",
        )
        return
    for channel_id in channels:
        yield channel_check(client, channel_id)


def channel_check(client: WebClient, channel_id: str) -> Check:
    name = f"channel {channel_id}"
    answer = ask(lambda: client.conversations_info(channel=channel_id))
    if answer.error is not None:
        if answer.error == "channel_not_found":
            return failed(
                name,
                "not found, or private and the bot is not in it",
                "check the id in MOSOVO_REQUEST_CHANNELS, then /invite the bot to the channel",
            )
        if answer.error == "missing_scope" and not str(answer.body.get("needed")).startswith(
            "groups:"
        ):
            # the bot may only read private channels: Slack wants another scope for this one
            return failed(
                name,
                f"is not a private channel (Slack wants {answer.body.get('needed')} to read it)",
                "use a private channel: requests are OFFICIAL-SENSITIVE",
            )
        return failed(name, f"Slack said {answer.error}", "check the id and the bot's scopes")
    channel = answer.body.get("channel") or {}
    label = f"#{channel.get('name', channel_id)}"
    if not channel.get("is_private") or channel.get("is_im") or channel.get("is_mpim"):
        return failed(
            name,
            f"{label} is not a private channel",
            "use a private channel: requests are OFFICIAL-SENSITIVE",
        )
    shared = [flag for flag in SHARED_FLAGS if channel.get(flag)]
    if shared:
        return failed(
            name,
            f"{label} is shared outside the force ({', '.join(shared)})",
            "stop sharing it (Slack Connect) or use another private channel",
        )
    if channel.get("is_archived"):
        return failed(name, f"{label} is archived", "unarchive it or remove it from the setting")
    if channel.get("is_member") is False:
        return failed(name, f"{label}: the bot is not in it", f"/invite the bot to {label}")
    return passed(name, f"{label} is private, not shared, and the bot is in it")


def client_users_info(client: WebClient, user_id: str) -> SlackResponse:
    return client.users_info(user=user_id)


def client_group_members(client: WebClient, group_id: str) -> SlackResponse:
    return client.usergroups_users_list(usergroup=group_id)


def roster_check(client: WebClient, name: str, setting: str, principals: SlackPrincipals) -> Check:
    """Each user id is an active person; each user group has at least one member."""
    problems: list[str] = []
    people: set[str] = set()
    for user_id in principals.users:
        answer = ask(partial(client_users_info, client, user_id))
        user = answer.body.get("user") or {}
        if answer.error is not None:
            problems.append(f"{user_id}: {answer.error}")
        elif user.get("deleted"):
            problems.append(f"{user_id} is deactivated")
        elif user.get("is_bot"):
            problems.append(f"{user_id} is a bot")
        else:
            people.add(user_id)
    for group_id in principals.groups:
        answer = ask(partial(client_group_members, client, group_id))
        members = answer.body.get("users") or []
        if answer.error is not None:
            problems.append(f"{group_id}: {answer.error}")
        elif not members:
            problems.append(f"user group {group_id} has no members")
        else:
            people.update(members)
    entries = len(principals.users) + len(principals.groups)
    if problems:
        return failed(
            name,
            "; ".join(problems),
            f"fix {setting}: each entry must be an active user or a user group with members",
        )
    return passed(name, f"{entries} entries resolve to {len(people)} people")


# -- time ---------------------------------------------------------------------------------


def clock_check(identity: SlackAnswer, now: datetime) -> Check:
    name = "clock"
    date = identity.header("date")
    if date is None:
        return warned(
            name, "Slack's answer had no Date header", "check the host's NTP synchronisation"
        )
    slack_now = parsedate_to_datetime(date)
    drift = (now - slack_now).total_seconds()
    finding = f"this host is {abs(drift):.0f}s {'ahead of' if drift > 0 else 'behind'} Slack"
    if abs(drift) > CLOCK_FAIL_SECONDS:
        return failed(
            name,
            f"{finding}: Slack's signed requests will be refused",
            "synchronise the clock (NTP)",
        )
    if abs(drift) > CLOCK_WARN_SECONDS:
        return warned(name, finding, "synchronise the clock (NTP)")
    return passed(name, f"within {CLOCK_WARN_SECONDS}s of Slack's")


def timezone_check(settings: Settings, now: datetime) -> Check:
    local = now.astimezone(settings.timezone)
    return passed(
        "time zone",
        f"{settings.timezone.key}: it is {local:%a %d %b %Y %H:%M} {local.tzname()} there",
    )


def worst(checks: Iterable[Check]) -> Status:
    statuses = {check.status for check in checks}
    for status in (Status.FAIL, Status.WARN):
        if status in statuses:
            return status
    return Status.PASS
