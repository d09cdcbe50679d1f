from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.durations import WorkingHours
from bot.settings import Settings, SettingsError, SlackPrincipals, load_settings
from flows.config import FlowConfig, SoftwareOption
from flows.review import ReviewPeriod

BOT_TOKEN = "xoxb-1111-2222-sEcReTbOtToKeN"
APP_TOKEN = "xapp-1-A111-3333-sEcReTaPpToKeN"
SIGNING_SECRET = "sEcReTsIgNiNg0123456789abcdef"

SOCKET = {
    "SLACK_BOT_TOKEN": BOT_TOKEN,
    "SLACK_APP_TOKEN": APP_TOKEN,
    "MOSOVO_SUPERVISORS": "U0SUPER01,S0GROUP01",
}
HTTP = {
    "SLACK_BOT_TOKEN": BOT_TOKEN,
    "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    "MOSOVO_SUPERVISORS": "U0SUPER01",
}


def load(**overrides: str) -> Settings:
    return load_settings({**SOCKET, **overrides})


def error_for(base: dict[str, str] | None = None, /, **overrides: str) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings({**(SOCKET if base is None else base), **overrides})
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_defaults() -> None:
    settings = load()
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite:///mosovo.db"
    assert settings.officers == SlackPrincipals()
    assert settings.request_channels == ()
    assert settings.command == "/monitoring-request"
    assert settings.timezone == ZoneInfo("Europe/London")
    assert settings.visor_pattern == r"^[A-Z0-9][A-Z0-9/-]{3,19}$"
    assert settings.software == (
        SoftwareOption("esafe", "eSafe"),
        SoftwareOption("other", "Other approved product"),
    )
    assert settings.risk_stale_months == 12
    assert settings.notification_counting == "beginning_with"
    assert settings.flow_config().notification_counting == "beginning_with"
    assert settings.idle_reminder == timedelta(minutes=30)
    assert settings.idle_expiry == timedelta(hours=24)
    assert settings.approval_reminder == timedelta(hours=4)
    assert settings.approval_escalation == timedelta(hours=24)
    assert settings.approval_expiry == timedelta(days=7)
    assert settings.install_reminder == timedelta(days=2)
    assert settings.scheduler_interval == timedelta(seconds=30)
    assert settings.working_hours == WorkingHours.parse("Mon-Fri 08:00-18:00")
    assert settings.bank_holidays == "england-and-wales"
    assert settings.escalation_approvers.is_empty
    assert settings.outbox_max_attempts == 8
    assert settings.port == 3000
    assert settings.log_level == "INFO"


def test_every_setting_is_read_and_parsed() -> None:
    settings = load(
        SLACK_API_URL="https://slack-gov.com/api",
        DATABASE_URL="postgresql+psycopg://bot:pw@db/mosovo",
        MOSOVO_OFFICERS="U0OFFICER1, W0OFFICER2 ,S0OFFICERS",
        MOSOVO_REQUEST_CHANNELS="G0PRIVATE1,C0PRIVATE2",
        MOSOVO_COMMAND="/mosovo",
        MOSOVO_TIMEZONE="Europe/Belfast",
        MOSOVO_VISOR_PATTERN=r"^\d{6}$",
        MOSOVO_SOFTWARE="esafe:eSafe,covenant:Covenant Eyes,custom",
        MOSOVO_RISK_STALE_MONTHS="6",
        MOSOVO_NOTIFICATION_COUNTING="After",
        MOSOVO_IDLE_REMINDER="90s",
        MOSOVO_IDLE_EXPIRY="1d12h",
        MOSOVO_APPROVAL_REMINDER="2h",
        MOSOVO_APPROVAL_ESCALATION="8h",
        MOSOVO_APPROVAL_EXPIRY="3d",
        MOSOVO_INSTALL_REMINDER="1d",
        MOSOVO_REVIEW_AFTER="6 months",
        MOSOVO_SECOND_APPROVAL="rosh:very_high,basis:voluntary",
        MOSOVO_SCHEDULER_INTERVAL="5s",
        MOSOVO_WORKING_HOURS="always",
        MOSOVO_BANK_HOLIDAYS="Scotland",
        MOSOVO_ESCALATION_APPROVERS="S0HEADS01,U0HEAD0001",
        MOSOVO_OUTBOX_MAX_ATTEMPTS="3",
        PORT="8080",
        MOSOVO_LOG_LEVEL="debug",
    )
    assert settings.slack_api_url == "https://slack-gov.com/api/"
    assert settings.database_url == "postgresql+psycopg://bot:pw@db/mosovo"
    assert settings.supervisors == SlackPrincipals(users=("U0SUPER01",), groups=("S0GROUP01",))
    assert settings.officers == SlackPrincipals(("U0OFFICER1", "W0OFFICER2"), ("S0OFFICERS",))
    assert settings.request_channels == ("G0PRIVATE1", "C0PRIVATE2")
    assert settings.command == "/mosovo"
    assert settings.timezone == ZoneInfo("Europe/Belfast")
    assert settings.visor_pattern == r"^\d{6}$"
    assert settings.software == (
        SoftwareOption("esafe", "eSafe"),
        SoftwareOption("covenant", "Covenant Eyes"),
        SoftwareOption("custom", "custom"),
    )
    assert settings.risk_stale_months == 6
    assert settings.review_after == ReviewPeriod(months=6)
    assert settings.notification_counting == "after"
    assert settings.flow_config().notification_counting == "after"
    assert [str(c) for c in settings.second_approval.conditions] == [
        "rosh:very_high",
        "basis:voluntary",
    ]
    assert settings.idle_reminder == timedelta(seconds=90)
    assert settings.idle_expiry == timedelta(days=1, hours=12)
    assert settings.approval_reminder == timedelta(hours=2)
    assert settings.approval_escalation == timedelta(hours=8)
    assert settings.approval_expiry == timedelta(days=3)
    assert settings.install_reminder == timedelta(days=1)
    assert settings.scheduler_interval == timedelta(seconds=5)
    assert settings.working_hours.is_always
    assert settings.bank_holidays == "scotland"
    assert settings.escalation_approvers == SlackPrincipals(("U0HEAD0001",), ("S0HEADS01",))
    assert settings.outbox_max_attempts == 3
    assert settings.port == 8080
    assert settings.log_level == "DEBUG"


def test_socket_mode_follows_the_app_token() -> None:
    assert load_settings(SOCKET).socket_mode
    assert not load_settings(HTTP).socket_mode


def test_signing_secret_is_required_in_http_mode_only() -> None:
    assert load_settings(SOCKET).slack_signing_secret is None
    message = error_for({"SLACK_BOT_TOKEN": BOT_TOKEN, "MOSOVO_SUPERVISORS": "U0SUPER01"})
    assert message.startswith("SLACK_SIGNING_SECRET is required in HTTP mode")


def test_missing_supervisors_is_one_clear_line() -> None:
    base = {k: v for k, v in SOCKET.items() if k != "MOSOVO_SUPERVISORS"}
    assert error_for(base) == (
        "MOSOVO_SUPERVISORS is required: comma-separated Slack user ids (U…) or user-group ids (S…)"
    )


@pytest.mark.parametrize("blank", ["", "  ", ", ,"])
def test_blank_supervisors_count_as_missing(blank: str) -> None:
    assert error_for(MOSOVO_SUPERVISORS=blank).startswith("MOSOVO_SUPERVISORS is required:")


def test_missing_bot_token_names_it() -> None:
    base = {k: v for k, v in SOCKET.items() if k != "SLACK_BOT_TOKEN"}
    assert error_for(base).startswith("SLACK_BOT_TOKEN is required: the bot token (xoxb-…)")


def test_several_problems_still_make_one_line_naming_the_others() -> None:
    message = error_for({}, PORT="http")
    assert message.startswith("SLACK_BOT_TOKEN is required:")
    assert "(also check: " in message
    assert "MOSOVO_SUPERVISORS" in message
    assert "PORT" in message


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "must be a bot token starting with xoxb-"),
        (
            "SLACK_APP_TOKEN",
            "xoxb-not-an-app-token",
            "must be an app-level token starting with xapp-",
        ),
        (
            "SLACK_API_URL",
            "ftp://slack.com/api/",
            "must be an http(s) URL like https://slack.com/api/, got 'ftp://slack.com/api/'",
        ),
        ("SLACK_API_URL", "slack.com/api", "must be an http(s) URL"),
        ("DATABASE_URL", "mosovo.db", "must be a database URL such as sqlite:///mosovo.db"),
        (
            "MOSOVO_SUPERVISORS",
            "U0SUPER01,@alice",
            "has '@alice', which is not a Slack user id (U…/W…) or user-group id (S…)",
        ),
        ("MOSOVO_SUPERVISORS", "C0CHANNEL1", "has 'C0CHANNEL1'"),
        ("MOSOVO_SUPERVISORS", "u0super01", "has 'u0super01'"),
        ("MOSOVO_OFFICERS", "U0OK00001,bob", "has 'bob'"),
        ("MOSOVO_ESCALATION_APPROVERS", "T0TEAM0001", "has 'T0TEAM0001'"),
        (
            "MOSOVO_REQUEST_CHANNELS",
            "C0OK00001,D0DM000001",
            "has 'D0DM000001', which is not a Slack channel id (C… or G…)",
        ),
        ("MOSOVO_REQUEST_CHANNELS", "#mosovo", "has '#mosovo'"),
        (
            "MOSOVO_COMMAND",
            "monitoring-request",
            "must be a slash command like /monitoring-request",
        ),
        ("MOSOVO_COMMAND", "/two words", "must be a slash command"),
        ("MOSOVO_TIMEZONE", "Europe/Londn", "is not a known time zone: 'Europe/Londn'"),
        ("MOSOVO_TIMEZONE", "../etc/passwd", "is not a known time zone"),
        ("MOSOVO_VISOR_PATTERN", "^[A-Z", "is not a valid regular expression"),
        ("MOSOVO_SOFTWARE", "esafe:eSafe,esafe:Again", "lists 'esafe' twice"),
        ("MOSOVO_SOFTWARE", "e safe:eSafe", "has 'e safe:eSafe': each item is value:Label"),
        ("MOSOVO_SOFTWARE", ":eSafe", "has ':eSafe'"),
        ("MOSOVO_SOFTWARE", ",", "needs at least one product"),
        ("MOSOVO_SOFTWARE", "x:" + "L" * 76, "has a label longer than 75 characters"),
        (
            "MOSOVO_RISK_STALE_MONTHS",
            "twelve",
            "must be a whole number from 1 to 120, got 'twelve'",
        ),
        ("MOSOVO_RISK_STALE_MONTHS", "0", "must be a whole number from 1 to 120"),
        (
            "MOSOVO_NOTIFICATION_COUNTING",
            "within",
            "must be one of beginning_with, after, got 'within'",
        ),
        ("MOSOVO_IDLE_REMINDER", "30", "is not a valid duration: '30' has no unit"),
        ("MOSOVO_IDLE_EXPIRY", "1 day", "is not a valid duration"),
        (
            "MOSOVO_APPROVAL_REMINDER",
            "0m",
            "is not a valid duration: '0m' must be longer than zero",
        ),
        ("MOSOVO_APPROVAL_ESCALATION", "4x", "is not a valid duration"),
        ("MOSOVO_APPROVAL_EXPIRY", "7days", "is not a valid duration"),
        ("MOSOVO_INSTALL_REMINDER", "-2d", "is not a valid duration"),
        ("MOSOVO_SCHEDULER_INTERVAL", "30", "is not a valid duration"),
        ("MOSOVO_REVIEW_AFTER", "3", "is not valid: '3' is not a review period"),
        ("MOSOVO_SECOND_APPROVAL", "rosh:extreme", "is not valid: 'rosh:extreme' names an unknown"),
        ("MOSOVO_WORKING_HOURS", "9 to 5", "is not valid: '9 to 5' is not working hours"),
        (
            "MOSOVO_BANK_HOLIDAYS",
            "wales",
            "must be one of england-and-wales, scotland, northern-ireland, none, got 'wales'",
        ),
        ("MOSOVO_WORKING_HOURS", "Mon-Fri 18:00-08:00", "is not valid"),
        ("MOSOVO_OUTBOX_MAX_ATTEMPTS", "0", "must be a whole number from 1 to 100, got '0'"),
        ("PORT", "70000", "must be a whole number from 1 to 65535, got '70000'"),
        ("PORT", "-1", "must be a whole number"),
        ("MOSOVO_LOG_LEVEL", "verbose", "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ],
)
def test_a_malformed_setting_is_one_line_naming_it(name: str, value: str, expected: str) -> None:
    assert error_for(**{name: value}).startswith(f"{name} {expected}")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"MOSOVO_IDLE_REMINDER": "2d"},
            "MOSOVO_IDLE_REMINDER (2d) must be shorter than MOSOVO_IDLE_EXPIRY (1d)",
        ),
        (
            {"MOSOVO_APPROVAL_REMINDER": "7d"},
            "MOSOVO_APPROVAL_REMINDER (7d) must be shorter than MOSOVO_APPROVAL_EXPIRY (7d)",
        ),
        (
            {"MOSOVO_APPROVAL_ESCALATION": "8d"},
            "MOSOVO_APPROVAL_ESCALATION (8d) must be shorter than MOSOVO_APPROVAL_EXPIRY (7d)",
        ),
    ],
)
def test_a_timer_that_could_never_fire_is_refused(overrides: dict[str, str], expected: str) -> None:
    assert error_for(**overrides) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://slack.com/api", "https://slack.com/api/"),
        ("http://127.0.0.1:8765/api/", "http://127.0.0.1:8765/api/"),
        ("  https://proxy.police.uk/slack/api  ", "https://proxy.police.uk/slack/api/"),
    ],
)
def test_api_url_is_normalised_to_end_with_a_slash(value: str, expected: str) -> None:
    assert load(SLACK_API_URL=value).slack_api_url == expected


def test_ids_are_trimmed_and_deduplicated_in_order() -> None:
    settings = load(MOSOVO_SUPERVISORS=" S0GROUP01 , U0SUPER02,U0SUPER01,U0SUPER02,")
    assert settings.supervisors == SlackPrincipals(("U0SUPER02", "U0SUPER01"), ("S0GROUP01",))


def test_empty_optional_values_fall_back_to_defaults() -> None:
    settings = load(MOSOVO_OFFICERS="", MOSOVO_COMMAND="", PORT="")
    assert settings.officers.is_empty
    assert settings.command == "/monitoring-request"
    assert settings.port == 3000


def test_errors_and_reprs_never_show_secrets() -> None:
    settings = load_settings({**HTTP, "DATABASE_URL": "postgresql://bot:dbPaSsWoRd@db/mosovo"})
    shown = repr(settings) + str(settings)
    for secret in (BOT_TOKEN, SIGNING_SECRET, "dbPaSsWoRd"):
        assert secret not in shown
    assert settings.slack_bot_token.get_secret_value() == BOT_TOKEN
    assert settings.redacted_database_url == "postgresql://bot:***@db/mosovo"

    with pytest.raises(SettingsError) as caught:
        load_settings({**SOCKET, "SLACK_BOT_TOKEN": "xoxp-" + "sEcReTuSeRtOkEn"})
    error = caught.value
    assert "sEcReTuSeRtOkEn" not in str(error) + repr(error)
    assert error.__cause__ is None and error.__suppress_context__  # no pydantic dump chained


def test_secrets_do_not_reach_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("bot.test").info("settings %r", load_settings(SOCKET))
    assert BOT_TOKEN not in caplog.text
    assert APP_TOKEN not in caplog.text


def test_settings_are_frozen() -> None:
    settings = load()
    with pytest.raises(ValueError):
        settings.port = 1


def test_flow_config_carries_the_question_settings() -> None:
    settings = load(
        MOSOVO_VISOR_PATTERN=r"^\d{6}$",
        MOSOVO_TIMEZONE="Europe/Belfast",
        MOSOVO_RISK_STALE_MONTHS="6",
        MOSOVO_SOFTWARE="esafe",
    )
    config = settings.flow_config()
    assert isinstance(config, FlowConfig)
    assert config.visor_pattern == r"^\d{6}$"
    assert config.timezone == ZoneInfo("Europe/Belfast")
    assert config.risk_assessment_stale_months == 6
    assert config.software == (SoftwareOption("esafe", "esafe"),)


def test_an_explicit_mapping_ignores_the_process_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORT", "9999")
    monkeypatch.setenv("MOSOVO_SUPERVISORS", "U0FROMENV1")
    settings = load_settings(SOCKET)
    assert settings.port == 3000
    assert settings.supervisors.users == ("U0SUPER01",)


def test_from_env_reads_the_environment_and_an_env_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"SLACK_BOT_TOKEN={BOT_TOKEN}\n"
        f"SLACK_APP_TOKEN={APP_TOKEN}\n"
        "MOSOVO_SUPERVISORS=U0FROMFILE\n"
        "MOSOVO_REQUEST_CHANNELS=G0FILE0001\n"
        "PORT=4000\n",
        encoding="utf-8",
    )
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MOSOVO_SUPERVISORS", "U0FROMENV1,S0FROMENV1")
    monkeypatch.setenv("MOSOVO_IDLE_REMINDER", "10m")

    settings = Settings.from_env(env_file)

    assert settings.supervisors == SlackPrincipals(("U0FROMENV1",), ("S0FROMENV1",))  # env wins
    assert settings.request_channels == ("G0FILE0001",)
    assert settings.port == 4000
    assert settings.idle_reminder == timedelta(minutes=10)
    assert settings.socket_mode
    assert load_settings(env_file=env_file) == settings


def test_from_env_without_the_required_settings_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("SLACK_BOT_TOKEN", "MOSOVO_SUPERVISORS"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(tmp_path / "missing.env")
    assert str(caught.value).startswith("SLACK_BOT_TOKEN is required:")
    assert "\n" not in str(caught.value)
