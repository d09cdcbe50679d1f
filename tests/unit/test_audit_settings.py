"""The audit checkpoint settings: a sink needs a key, a channel must be a channel id."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

BASE = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "MOSOVO_SUPERVISORS": "U0SUP1"}


def test_checkpoints_are_off_by_default_and_hourly_when_on() -> None:
    settings = load_settings(BASE)
    assert (settings.audit_key_file, settings.audit_checkpoint_file) == (None, None)
    assert settings.audit_checkpoint_interval == timedelta(hours=1)
    on = load_settings(
        {**BASE, "MOSOVO_AUDIT_KEY_FILE": "/k", "MOSOVO_AUDIT_CHECKPOINT_CHANNEL": "C0AUDIT"}
    )
    assert (on.audit_key_file, on.audit_checkpoint_channel) == (Path("/k"), "C0AUDIT")


def test_a_sink_without_a_key_is_refused_naming_the_key_setting() -> None:
    with pytest.raises(SettingsError, match=r"^MOSOVO_AUDIT_KEY_FILE is required"):
        load_settings({**BASE, "MOSOVO_AUDIT_CHECKPOINT_FILE": "/var/log/mosovo/checkpoints"})


def test_the_audit_channel_must_be_a_channel_id() -> None:
    with pytest.raises(SettingsError, match=r"^MOSOVO_AUDIT_CHECKPOINT_CHANNEL must be"):
        load_settings(
            {**BASE, "MOSOVO_AUDIT_KEY_FILE": "/k", "MOSOVO_AUDIT_CHECKPOINT_CHANNEL": "#audit"}
        )
