"""Every duration setting is bounded: nothing that would overflow a date, or that nobody meant,
gets past start-up (issue 10, defect 9)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.durations import parse_duration
from bot.settings import SettingsError, load_settings

BASE = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "MOSOVO_SUPERVISORS": "U0SUP"}
TIMERS = (
    "MOSOVO_IDLE_REMINDER",
    "MOSOVO_IDLE_EXPIRY",
    "MOSOVO_APPROVAL_REMINDER",
    "MOSOVO_APPROVAL_ESCALATION",
    "MOSOVO_APPROVAL_EXPIRY",
    "MOSOVO_INSTALL_REMINDER",
)


def error_for(**overrides: str) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings({**BASE, **overrides})
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("name", [*TIMERS, "MOSOVO_SCHEDULER_INTERVAL"])
@pytest.mark.parametrize("value", ["3000000d", "99999999999999d", "366d", "9" * 400 + "s"])
def test_a_duration_too_long_is_one_line_naming_the_setting(name: str, value: str) -> None:
    message = error_for(**{name: value})
    assert message.startswith(f"{name} is")
    assert len(message) < 300


def test_a_timer_may_be_a_year_and_the_scheduler_interval_an_hour() -> None:
    settings = load_settings(
        {**BASE, "MOSOVO_APPROVAL_EXPIRY": "365d", "MOSOVO_SCHEDULER_INTERVAL": "1h"}
    )
    assert settings.approval_expiry == timedelta(days=365)
    assert settings.scheduler_interval == timedelta(hours=1)
    assert error_for(MOSOVO_SCHEDULER_INTERVAL="1h1s").startswith(
        "MOSOVO_SCHEDULER_INTERVAL is '1h1s', longer than the most it may be (1h)"
    )


def test_a_duration_beyond_any_date_is_a_value_error_not_an_overflow() -> None:
    with pytest.raises(ValueError, match="longer than any date"):
        parse_duration("99999999999999d")
