"""A request as plain JSON-safe data and back: what "save and restore exactly" means, checked
without a database (storage keeps the same fields in columns)."""

from __future__ import annotations

import copy
import dataclasses
from datetime import date, datetime
from typing import Any

from flows.models import AuditEvent, MonitoringRequest

_TIMES = {
    "created_at",
    "submitted_at",
    "decided_at",
    "installed_at",
    "closed_at",
    "last_activity_at",
    "due_at",
}

_DATES = {"review_date", "installation_date"}


def to_data(request: MonitoringRequest) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in dataclasses.fields(request):
        value = getattr(request, f.name)
        if f.name == "events":
            value = [
                {"action": e.action, "actor": e.actor, "at": e.at.isoformat(), "detail": e.detail}
                for e in value
            ]
        elif f.name in _TIMES or f.name in _DATES:
            value = value.isoformat() if value else None
        # a copy: changing the data must not change the request, nor the other way round
        data[f.name] = copy.deepcopy(value)
    return data


def from_data(data: dict[str, Any]) -> MonitoringRequest:
    values = copy.deepcopy(data)
    for name in _TIMES:
        if values.get(name):
            values[name] = datetime.fromisoformat(values[name])
    for name in _DATES:
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    values["events"] = [
        AuditEvent(e["action"], e["actor"], datetime.fromisoformat(e["at"]), e["detail"])
        for e in values.get("events", [])
    ]
    return MonitoringRequest(**values)
