"""What a force configures about the questions (not about Slack or the database)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

DEFAULT_VISOR_PATTERN = r"^[A-Z0-9][A-Z0-9/-]{3,19}$"


@dataclass(frozen=True)
class SoftwareOption:
    value: str
    label: str


DEFAULT_SOFTWARE: tuple[SoftwareOption, ...] = (
    SoftwareOption("esafe", "eSafe"),
    SoftwareOption("other", "Other approved product"),
)


@dataclass(frozen=True)
class FlowConfig:
    visor_pattern: str = DEFAULT_VISOR_PATTERN
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    risk_assessment_stale_months: int = 12
    software: tuple[SoftwareOption, ...] = DEFAULT_SOFTWARE
    max_install_days_ahead: int = 90
    default_notify_days: int = 3
    #: how an order's notification period is counted: "beginning_with" the day of acquisition
    #: (the Sexual Offences Act 2003 form) or "after" it (see flows.notification)
    notification_counting: str = "beginning_with"
    #: bad answers in a row to one question before the reply adds how to get help or cancel
    strikes_before_hint: int = 3

    def __post_init__(self) -> None:
        re.compile(self.visor_pattern)  # a bad pattern must fail at start-up, not at an answer
        if self.notification_counting not in ("beginning_with", "after"):
            raise ValueError("notification_counting must be beginning_with or after")
        if not self.software:
            raise ValueError("at least one approved monitoring product is needed")
