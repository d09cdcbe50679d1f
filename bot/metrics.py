"""Prometheus metrics of this process, in a registry of their own (not the library's global one)."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.requests_opened = Counter("mosovo_requests_opened", "Requests started", registry=r)
        self.decisions = Counter(
            "mosovo_decisions", "Supervisor decisions", ["outcome"], registry=r
        )
        self.refusals = Counter("mosovo_refusals", "Refused actions", ["reason"], registry=r)
        self.slack_errors = Counter(
            "mosovo_slack_errors",
            "Slack Web API calls that failed after retries",
            ["method", "error"],
            registry=r,
        )
        self.outbox_added = Counter(
            "mosovo_outbox_added", "Messages kept in the outbox", registry=r
        )
        self.outbox_sent = Counter(
            "mosovo_outbox_sent", "Outbox messages delivered later", registry=r
        )
        self.outbox_gave_up = Counter(
            "mosovo_outbox_gave_up", "Outbox messages that exhausted their attempts", registry=r
        )
        self.outbox_pending = Gauge(
            "mosovo_outbox_pending", "Outbox messages not yet delivered", registry=r
        )
        self.outbox_given_up = Gauge(
            "mosovo_outbox_given_up",
            "Outbox messages kept after their last attempt failed (all replicas)",
            registry=r,
        )
        self.sweep_age = Gauge(
            "mosovo_scheduler_last_sweep_age_seconds",
            "Seconds since this replica's scheduler last finished a sweep",
            registry=r,
        )
        self.socket_reconnects = Counter(
            "mosovo_socket_mode_reconnects",
            "Socket Mode links the watchdog found silent and replaced",
            registry=r,
        )
        self.reruns = Counter(
            "mosovo_use_case_reruns",
            "Use cases run again, nothing written: their request changed while they ran, or their"
            " database connection was lost before they committed",
            ["after"],
            registry=r,
        )
        self.timers_fired = Counter(
            "mosovo_timers_fired", "Scheduler actions", ["kind"], registry=r
        )


METRICS = Metrics()
