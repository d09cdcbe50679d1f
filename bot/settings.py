"""The bot's configuration: the only module that reads the environment (and an optional ``.env``).

Nothing is read at import time. Call :func:`load_settings` (or :meth:`Settings.from_env`) once in
the composition root; a missing or malformed setting raises :class:`SettingsError`, whose message
is one line naming the setting, safe to print at start-up (it never contains a secret).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, ClassVar, Self
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.durations import WorkingHours, format_duration, parse_duration
from flows.calendar import BANK_HOLIDAY_REGIONS
from flows.config import DEFAULT_SOFTWARE, DEFAULT_VISOR_PATTERN, FlowConfig, SoftwareOption
from flows.i18n import DEFAULT_LANGUAGE, LANGUAGES, Language, language_of, parse_languages
from flows.notification import BEGINNING_WITH, COUNTING_RULES
from flows.retention import DEFAULT_RETENTION
from flows.review import ReviewPeriod
from flows.second_approval import SecondApproval
from storage.timeouts import PostgresTimeouts

DEFAULT_COMMAND = "/monitoring-request"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_TIMEZONE = "Europe/London"
DEFAULT_WORKING_HOURS = "Mon-Fri 08:00-18:00"
#: Prometheus metrics listen here, never beside /slack/events: loopback unless configured
DEFAULT_METRICS_ADDRESS = "127.0.0.1:9464"

_PRINCIPALS_HINT = "comma-separated Slack user ids (U…) or user-group ids (S…)"
_CHANNELS_HINT = "comma-separated Slack channel ids (C… or G…)"


class SettingsError(Exception):
    """The configuration is missing or malformed; ``str()`` is one line naming the setting."""

    def __init__(self, problems: list[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        first, *rest = problems
        if rest:
            others = ", ".join(_setting_name(problem) for problem in rest)
            first = f"{first} (also check: {others})"
        super().__init__(first)


@dataclass(frozen=True)
class SlackPrincipals:
    """Slack user ids (``U…``/``W…``) and user-group ids (``S…``), in the order configured."""

    users: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.users and not self.groups


# --- parsers used by the fields below: each raises ValueError worded to follow the setting name


_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_GROUP_ID = re.compile(r"^S[A-Z0-9]{2,20}$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,20}$")
_SOFTWARE_VALUE = re.compile(r"^[A-Za-z0-9_-]{1,50}$")
_COMMAND = re.compile(r"^/[^\s/]{1,31}$")
_DATABASE_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _items(value: str) -> list[str]:
    """Comma-separated items, blanks dropped, duplicates dropped (first kept)."""
    seen: dict[str, None] = {}
    for item in value.split(","):
        if item.strip():
            seen.setdefault(item.strip(), None)
    return list(seen)


def _principals(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    users: list[str] = []
    groups: list[str] = []
    for item in _items(value):
        if _USER_ID.match(item):
            users.append(item)
        elif _GROUP_ID.match(item):
            groups.append(item)
        else:
            raise ValueError(
                f"has {item!r}, which is not a Slack user id (U…/W…) or user-group id (S…)"
            )
    return SlackPrincipals(tuple(users), tuple(groups))


def _channels(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    channels = _items(value)
    for item in channels:
        if not _CHANNEL_ID.match(item):
            raise ValueError(f"has {item!r}, which is not a Slack channel id (C… or G…)")
    return tuple(channels)


def _software(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    options: list[SoftwareOption] = []
    for item in value.split(","):
        if not item.strip():
            continue
        raw_value, _, raw_label = item.partition(":")
        option_value, label = raw_value.strip(), (raw_label.strip() or raw_value.strip())
        if not _SOFTWARE_VALUE.match(option_value):
            raise ValueError(
                f"has {item.strip()!r}: each item is value:Label, the value 1-50 letters, digits, "
                "'-' or '_' (e.g. esafe:eSafe)"
            )
        if len(label) > 75:
            raise ValueError(f"has a label longer than 75 characters for {option_value!r}")
        if any(option.value == option_value for option in options):
            raise ValueError(f"lists {option_value!r} twice")
        options.append(SoftwareOption(option_value, label))
    if not options:
        raise ValueError("needs at least one product, e.g. esafe:eSafe")
    return tuple(options)


def _duration(longest: timedelta) -> Callable[[Any], Any]:
    """A duration up to `longest`: anything longer would overflow the dates it is added to, or
    is a typo nobody meant (every timer is a matter of days)."""

    def parse(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            duration = parse_duration(value)
        except ValueError as error:
            raise ValueError(f"is not a valid duration: {error}") from None
        if duration > longest:
            raise ValueError(
                f"is {value.strip()!r}, longer than the most it may be ({format_duration(longest)})"
            )
        return duration

    return parse


def _review_period(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return ReviewPeriod.parse(value)
    except ValueError as error:
        raise ValueError(f"is not valid: {error}") from None


def _channel(value: Any) -> Any:
    if isinstance(value, str) and not _CHANNEL_ID.match(value.strip()):
        raise ValueError(f"must be a Slack channel id (C… or G…), got {value!r}")
    return value.strip() if isinstance(value, str) else value


def _second_approval(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return SecondApproval.parse(value)
    except ValueError as error:
        raise ValueError(f"is not valid: {error}") from None


def _working_hours(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return WorkingHours.parse(value)
    except ValueError as error:
        raise ValueError(f"is not valid: {error}") from None


def _timezone(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"is not a known time zone: {value!r} (use an IANA name like Europe/London)"
        ) from None


def _visor_pattern(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        re.compile(value)
    except re.error as error:
        raise ValueError(f"is not a valid regular expression: {error}") from None
    return value


def _command(value: Any) -> Any:
    if isinstance(value, str) and not _COMMAND.match(value.strip()):
        raise ValueError(f"must be a slash command like {DEFAULT_COMMAND}, got {value!r}")
    return value.strip() if isinstance(value, str) else value


def _api_url(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"must be an http(s) URL like {DEFAULT_SLACK_API_URL}, got {url!r}")
    return url if url.endswith("/") else url + "/"


def _database_url(value: Any) -> Any:
    # never echo the value: it may hold a password
    if isinstance(value, str) and not _DATABASE_URL.match(value.strip()):
        raise ValueError(
            "must be a database URL such as sqlite:///mosovo.db or "
            "postgresql+psycopg://user:password@host/db"
        )
    return value.strip() if isinstance(value, str) else value


def _listen_address(value: Any) -> Any:
    """``host:port`` (``[::1]:9464`` for IPv6), or ``off``."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.lower() == "off":
        return None
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"must be host:port like {DEFAULT_METRICS_ADDRESS} or off, got {value!r}")
    return (host, int(port))


def _log_level(value: Any) -> Any:
    if isinstance(value, str):
        if value.strip().upper() not in _LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(_LOG_LEVELS)}, got {value!r}")
        return value.strip().upper()
    return value


def _language(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip().lower()
    if text not in LANGUAGES:
        raise ValueError(f"must be en (English) or cy (Welsh), got {value!r}")
    return language_of(text)


def _thread_languages(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if any(item.strip().lower() not in (*LANGUAGES, "") for item in value.split(",")):
        raise ValueError(f"must be en, cy or en,cy (both, one after the other), got {value!r}")
    try:
        return parse_languages(value)
    except ValueError as error:
        raise ValueError(f"is not valid: {error}") from None


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        # case, `-` and `_` do not matter: "Beginning-With", "england_and_wales"
        by_spelling = {choice.replace("-", "_"): choice for choice in choices}
        text = value.strip().lower().replace("-", "_")
        if text not in by_spelling:
            raise ValueError(f"must be one of {', '.join(choices)}, got {value!r}")
        return by_spelling[text]

    return parse


def _whole_number(low: int, high: int) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = value.strip()
        if not text.isdigit() or not low <= int(text) <= high:
            raise ValueError(f"must be a whole number from {low} to {high}, got {value!r}")
        return int(text)

    return parse


def _token(prefix: str, kind: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        # never echo the value: it is a secret
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(raw, str) and not raw.strip().startswith(prefix):
            raise ValueError(f"must be {kind} starting with {prefix}")
        return raw.strip() if isinstance(raw, str) else value

    return check


Principals = Annotated[SlackPrincipals, BeforeValidator(_principals)]
#: the longest any timer may be: a year
LONGEST_TIMER = timedelta(days=365)
#: the longest gap between scheduler sweeps: reminders would be that late
LONGEST_INTERVAL = timedelta(hours=1)
Duration = Annotated[timedelta, BeforeValidator(_duration(LONGEST_TIMER))]
#: retention is counted in years: a century at most, and never under 30 days, which would erase
#: what was only just closed
LONGEST_RETENTION = timedelta(days=36_525)
SHORTEST_RETENTION = timedelta(days=30)


def _retention(value: Any) -> Any:
    parsed = _duration(LONGEST_RETENTION)(value)
    if isinstance(parsed, timedelta) and parsed < SHORTEST_RETENTION:
        raise ValueError(
            f"is {format_duration(parsed)}, shorter than the least it may be "
            f"({format_duration(SHORTEST_RETENTION)}); the default is "
            f"{format_duration(DEFAULT_RETENTION)}, six years"
        )
    return parsed


Retention = Annotated[timedelta, BeforeValidator(_retention)]
Interval = Annotated[timedelta, BeforeValidator(_duration(LONGEST_INTERVAL))]
#: the longest the bot may be told to wait for PostgreSQL
LONGEST_DATABASE_WAIT = timedelta(minutes=10)
DatabaseWait = Annotated[timedelta, BeforeValidator(_duration(LONGEST_DATABASE_WAIT))]

#: set while :func:`load_settings` builds settings from an explicit mapping (no environment)
_explicit_mapping: ContextVar[bool] = ContextVar("_explicit_mapping", default=False)


class Settings(BaseSettings):
    """Every setting, parsed into the type the code uses; field aliases are the variable names."""

    model_config = SettingsConfigDict(
        case_sensitive=True,
        extra="ignore",
        frozen=True,
        env_ignore_empty=True,
        enable_decoding=False,  # values are plain text, parsed by the validators below
        arbitrary_types_allowed=True,
    )

    slack_bot_token: Annotated[SecretStr, BeforeValidator(_token("xoxb-", "a bot token"))] = Field(
        alias="SLACK_BOT_TOKEN",
        description="the bot token (xoxb-…) from the Slack app's OAuth & Permissions page",
    )
    slack_signing_secret: SecretStr | None = Field(
        None,
        alias="SLACK_SIGNING_SECRET",
        description="the signing secret from the Slack app's Basic Information page",
    )
    slack_app_token: Annotated[
        SecretStr | None, BeforeValidator(_token("xapp-", "an app-level token"))
    ] = Field(None, alias="SLACK_APP_TOKEN", description="an app-level token (xapp-…)")
    slack_api_url: Annotated[str, BeforeValidator(_api_url)] = Field(
        DEFAULT_SLACK_API_URL, alias="SLACK_API_URL", description="the Slack Web API base URL"
    )
    database_url: Annotated[str, BeforeValidator(_database_url)] = Field(
        "sqlite:///mosovo.db", alias="DATABASE_URL", repr=False, description="a database URL"
    )
    migration_database_url: Annotated[str | None, BeforeValidator(_database_url)] = Field(
        None,
        alias="MOSOVO_MIGRATION_DATABASE_URL",
        repr=False,
        description="the schema owner's database URL (migrations, retention)",
    )

    db_connect_timeout: DatabaseWait = Field(
        timedelta(seconds=10), alias="MOSOVO_DB_CONNECT_TIMEOUT"
    )
    db_statement_timeout: DatabaseWait = Field(
        timedelta(seconds=30), alias="MOSOVO_DB_STATEMENT_TIMEOUT"
    )
    db_lock_timeout: DatabaseWait = Field(timedelta(seconds=10), alias="MOSOVO_DB_LOCK_TIMEOUT")

    supervisors: Principals = Field(alias="MOSOVO_SUPERVISORS", description=_PRINCIPALS_HINT)
    officers: Principals = Field(
        SlackPrincipals(), alias="MOSOVO_OFFICERS", description=_PRINCIPALS_HINT
    )
    request_channels: Annotated[tuple[str, ...], BeforeValidator(_channels)] = Field(
        (), alias="MOSOVO_REQUEST_CHANNELS", description=_CHANNELS_HINT
    )
    command: Annotated[str, BeforeValidator(_command)] = Field(
        DEFAULT_COMMAND, alias="MOSOVO_COMMAND", description="the slash command"
    )
    timezone: Annotated[ZoneInfo, BeforeValidator(_timezone)] = Field(
        ZoneInfo(DEFAULT_TIMEZONE), alias="MOSOVO_TIMEZONE", description="an IANA time zone"
    )
    visor_pattern: Annotated[str, BeforeValidator(_visor_pattern)] = Field(
        DEFAULT_VISOR_PATTERN, alias="MOSOVO_VISOR_PATTERN", description="a regular expression"
    )
    software: Annotated[tuple[SoftwareOption, ...], BeforeValidator(_software)] = Field(
        DEFAULT_SOFTWARE, alias="MOSOVO_SOFTWARE", description="comma-separated value:Label items"
    )
    risk_stale_months: Annotated[int, BeforeValidator(_whole_number(1, 120))] = Field(
        12, alias="MOSOVO_RISK_STALE_MONTHS", description="months"
    )
    notification_counting: Annotated[str, BeforeValidator(_one_of(COUNTING_RULES))] = Field(
        BEGINNING_WITH,
        alias="MOSOVO_NOTIFICATION_COUNTING",
        description="beginning_with or after",
    )

    idle_reminder: Duration = Field(timedelta(minutes=30), alias="MOSOVO_IDLE_REMINDER")
    idle_expiry: Duration = Field(timedelta(hours=24), alias="MOSOVO_IDLE_EXPIRY")
    approval_reminder: Duration = Field(timedelta(hours=4), alias="MOSOVO_APPROVAL_REMINDER")
    approval_escalation: Duration = Field(timedelta(hours=24), alias="MOSOVO_APPROVAL_ESCALATION")
    approval_expiry: Duration = Field(timedelta(days=7), alias="MOSOVO_APPROVAL_EXPIRY")
    install_reminder: Duration = Field(timedelta(days=2), alias="MOSOVO_INSTALL_REMINDER")
    second_approval: Annotated[SecondApproval, BeforeValidator(_second_approval)] = Field(
        SecondApproval(),
        alias="MOSOVO_SECOND_APPROVAL",
        description="e.g. rosh:very_high,flag:no_monitoring_clause,basis:voluntary",
    )
    review_after: Annotated[ReviewPeriod, BeforeValidator(_review_period)] = Field(
        ReviewPeriod(months=3), alias="MOSOVO_REVIEW_AFTER", description="e.g. 3 months"
    )
    scheduler_interval: Interval = Field(timedelta(seconds=30), alias="MOSOVO_SCHEDULER_INTERVAL")
    working_hours: Annotated[WorkingHours, BeforeValidator(_working_hours)] = Field(
        WorkingHours.parse(DEFAULT_WORKING_HOURS), alias="MOSOVO_WORKING_HOURS"
    )
    bank_holidays: Annotated[str, BeforeValidator(_one_of(tuple(BANK_HOLIDAY_REGIONS)))] = Field(
        "england-and-wales",
        alias="MOSOVO_BANK_HOLIDAYS",
        description="england-and-wales, scotland, northern-ireland or none",
    )
    escalation_approvers: Principals = Field(
        SlackPrincipals(), alias="MOSOVO_ESCALATION_APPROVERS", description=_PRINCIPALS_HINT
    )
    outbox_max_attempts: Annotated[int, BeforeValidator(_whole_number(1, 100))] = Field(
        8, alias="MOSOVO_OUTBOX_MAX_ATTEMPTS"
    )

    default_language: Annotated[Language, BeforeValidator(_language)] = Field(
        DEFAULT_LANGUAGE,
        alias="MOSOVO_DEFAULT_LANGUAGE",
        description="en or cy: a person's language until they choose one (or Slack says)",
    )
    thread_languages_setting: Annotated[
        tuple[Language, ...] | None, BeforeValidator(_thread_languages)
    ] = Field(
        None,
        alias="MOSOVO_THREAD_LANGUAGES",
        description="en, cy or en,cy: the language(s) of messages many people read in a thread",
    )

    retention: Retention = Field(DEFAULT_RETENTION, alias="MOSOVO_RETENTION")
    audit_key_file: Path | None = Field(
        None, alias="MOSOVO_AUDIT_KEY_FILE", description="the Ed25519 key that signs checkpoints"
    )
    audit_checkpoint_file: Path | None = Field(
        None,
        alias="MOSOVO_AUDIT_CHECKPOINT_FILE",
        description="an append-only file outside the database",
    )
    audit_checkpoint_channel: Annotated[str | None, BeforeValidator(_channel)] = Field(
        None, alias="MOSOVO_AUDIT_CHECKPOINT_CHANNEL", description="a Slack channel id (C… or G…)"
    )
    audit_checkpoint_interval: Duration = Field(
        timedelta(hours=1), alias="MOSOVO_AUDIT_CHECKPOINT_INTERVAL"
    )

    port: Annotated[int, BeforeValidator(_whole_number(1, 65535))] = Field(3000, alias="PORT")
    socket_mode_silence: Interval = Field(timedelta(minutes=1), alias="MOSOVO_SOCKET_MODE_SILENCE")
    metrics_address: Annotated[tuple[str, int] | None, BeforeValidator(_listen_address)] = Field(
        ("127.0.0.1", 9464), alias="MOSOVO_METRICS_ADDRESS", description="host:port or off"
    )
    log_level: Annotated[str, BeforeValidator(_log_level)] = Field("INFO", alias="MOSOVO_LOG_LEVEL")

    #: timers that must be shorter than another one, or they would never fire
    _SHORTER_THAN: ClassVar[tuple[tuple[str, str], ...]] = (
        ("idle_reminder", "idle_expiry"),
        ("approval_reminder", "approval_expiry"),
        ("approval_escalation", "approval_expiry"),
    )

    @model_validator(mode="after")
    def _check_combinations(self) -> Self:
        if self.slack_app_token is None and self.slack_signing_secret is None:
            raise ValueError(
                "SLACK_SIGNING_SECRET is required in HTTP mode (no SLACK_APP_TOKEN set): the "
                "signing secret from the Slack app's Basic Information page"
            )
        if self.supervisors.is_empty:
            raise ValueError(f"MOSOVO_SUPERVISORS is required: {_PRINCIPALS_HINT}")
        sinks = self.audit_checkpoint_file or self.audit_checkpoint_channel
        if sinks and self.audit_key_file is None:
            raise ValueError(
                "MOSOVO_AUDIT_KEY_FILE is required to write audit checkpoints: make one with "
                "`mosovo-bot audit keygen --output FILE`"
            )
        for shorter, longer in self._SHORTER_THAN:
            short_value, long_value = getattr(self, shorter), getattr(self, longer)
            if short_value >= long_value:
                raise ValueError(
                    f"{_alias(shorter)} ({format_duration(short_value)}) must be shorter than "
                    f"{_alias(longer)} ({format_duration(long_value)})"
                )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        if _explicit_mapping.get():
            return (init_settings,)
        return (init_settings, env_settings, dotenv_settings)

    @classmethod
    def from_env(cls, env_file: str | Path | None = ".env") -> Settings:
        """Read the process environment, then ``env_file`` if it exists (the environment wins)."""
        with _as_settings_error():
            return cls(_env_file=env_file)  # type: ignore[call-arg]

    @property
    def socket_mode(self) -> bool:
        """Socket Mode when an app-level token is set; HTTP mode otherwise."""
        return self.slack_app_token is not None

    @property
    def redacted_database_url(self) -> str:
        """``database_url`` with any password masked, for logs and start-up messages."""
        return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", self.database_url)

    @property
    def thread_languages(self) -> tuple[Language, ...]:
        """The languages of thread messages, in order: MOSOVO_THREAD_LANGUAGES, else the
        default language alone."""
        return self.thread_languages_setting or (self.default_language,)

    def postgres_timeouts(self) -> PostgresTimeouts:
        return PostgresTimeouts(
            connect_seconds=max(1, int(self.db_connect_timeout.total_seconds())),
            statement_ms=int(self.db_statement_timeout.total_seconds() * 1000),
            lock_ms=int(self.db_lock_timeout.total_seconds() * 1000),
        )

    def flow_config(self) -> FlowConfig:
        """What the question flows need from the configuration."""
        return FlowConfig(
            visor_pattern=self.visor_pattern,
            timezone=self.timezone,
            risk_assessment_stale_months=self.risk_stale_months,
            software=self.software,
            notification_counting=self.notification_counting,
        )


def load_settings(
    env: Mapping[str, str] | None = None, *, env_file: str | Path | None = ".env"
) -> Settings:
    """Settings from ``env`` only when given (tests), else from the environment and ``env_file``."""
    if env is None:
        return Settings.from_env(env_file)
    values = {key: value for key, value in env.items() if value.strip()}
    token = _explicit_mapping.set(True)
    try:
        with _as_settings_error():
            return Settings.model_validate(values)
    finally:
        _explicit_mapping.reset(token)


@contextmanager
def _as_settings_error() -> Iterator[None]:
    try:
        yield
    except ValidationError as error:
        problems = [_describe(detail) for detail in error.errors(include_input=False)]
        # `from None`: the ValidationError's context would otherwise carry the raw input
        raise SettingsError(problems) from None


def _describe(detail: Any) -> str:
    location = detail.get("loc") or ()
    name = str(location[0]) if location else ""
    kind = detail.get("type")
    if kind == "missing":
        return f"{name} is required: {_hint(name)}"
    cause = (detail.get("ctx") or {}).get("error")
    if kind == "value_error" and cause is not None:
        message = str(cause)
        return f"{name} {message}" if name else message
    return f"{name} is invalid: {detail.get('msg', 'unexpected value')}"


def _hint(alias: str) -> str:
    for field in Settings.model_fields.values():
        if field.alias == alias:
            return field.description or "see the README"
    return "see the README"


def _alias(field_name: str) -> str:
    return Settings.model_fields[field_name].alias or field_name


def _setting_name(problem: str) -> str:
    return problem.split(" ", 1)[0]


class DatabaseSettings(BaseSettings):
    """Just the database, for operators' commands that must not need Slack tokens."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: Annotated[str, BeforeValidator(_database_url)] = Field(
        "sqlite:///mosovo.db", alias="DATABASE_URL"
    )
    migration_database_url: Annotated[str | None, BeforeValidator(_database_url)] = Field(
        None, alias="MOSOVO_MIGRATION_DATABASE_URL"
    )


def database_settings_from_env(env_file: str | Path | None = ".env") -> DatabaseSettings:
    with _as_settings_error():
        return DatabaseSettings(_env_file=env_file)  # type: ignore[call-arg]


def database_url_from_env(env_file: str | Path | None = ".env") -> str:
    with _as_settings_error():
        return DatabaseSettings(_env_file=env_file).database_url  # type: ignore[call-arg]


class RetentionSettings(DatabaseSettings):
    """What `mosovo-bot retention` reads (no Slack tokens needed)."""

    retention: Retention = Field(DEFAULT_RETENTION, alias="MOSOVO_RETENTION")


def retention_settings_from_env(env_file: str | Path | None = ".env") -> RetentionSettings:
    with _as_settings_error():
        return RetentionSettings(_env_file=env_file)  # type: ignore[call-arg]


class TimezoneSettings(BaseSettings):
    """Just the force's time zone, for reports whose days are the force's days."""

    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", populate_by_name=True, arbitrary_types_allowed=True
    )

    timezone: Annotated[ZoneInfo, BeforeValidator(_timezone)] = Field(
        ZoneInfo(DEFAULT_TIMEZONE), alias="MOSOVO_TIMEZONE"
    )


def timezone_from_env(env_file: str | Path | None = ".env") -> ZoneInfo:
    with _as_settings_error():
        return TimezoneSettings(_env_file=env_file).timezone  # type: ignore[call-arg]


class AuditSettings(BaseSettings):
    """What the audit commands read (no Slack tokens needed): the key and the checkpoint file."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    audit_key_file: Path | None = Field(None, alias="MOSOVO_AUDIT_KEY_FILE")
    audit_checkpoint_file: Path | None = Field(None, alias="MOSOVO_AUDIT_CHECKPOINT_FILE")


def audit_settings_from_env(env_file: str | Path | None = ".env") -> AuditSettings:
    with _as_settings_error():
        return AuditSettings(_env_file=env_file)  # type: ignore[call-arg]


class _SlackPresence(BaseSettings):
    """Only whether any Slack setting is given at all, in the environment or ``.env``."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    slack_bot_token: str = Field("", alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str = Field("", alias="SLACK_SIGNING_SECRET")
    slack_app_token: str = Field("", alias="SLACK_APP_TOKEN")


#: the settings whose absence means "no Slack workspace here" (`make run` starts the workbench)
SLACK_SETTINGS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")


def slack_settings_given(env_file: str | Path | None = ".env") -> bool:
    """True when any of SLACK_SETTINGS is set (not blank): then `run` serves Slack, and says
    which setting is still missing if one is."""
    found = _SlackPresence(_env_file=env_file)  # type: ignore[call-arg]
    given = (found.slack_bot_token, found.slack_signing_secret, found.slack_app_token)
    return any(value.strip() for value in given)
