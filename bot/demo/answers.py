"""What the officer types: a clean request on each basis, by field key. The one source of the
scripted answers, for the demo's script and the end-to-end tests (which type some of them
otherwise: tests/e2e/flow.py)."""

from __future__ import annotations

from datetime import date, timedelta

#: a different person and device for each basis, so that none is a duplicate of another:
#: (VISOR reference, IMEI, serial number)
SUBJECTS = {
    "order": ("NOM/1234567", "490154203237518", "SN-12345"),
    "licence": ("NOM/2345678", "352099001761481", "SN-23456"),
    "voluntary": ("NOM/3456789", "356938035643809", "SN-34567"),
}


def answers_for(basis: str, today: date, subject: str | None = None) -> dict[str, str]:
    """What the officer types, by field key: a clean request on `basis`, dated around `today`,
    about the person and device of `subject` (a basis; by default `basis`)."""
    visor_ref, imei, serial = SUBJECTS[subject or basis]

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    common = {
        "visor_ref": visor_ref,
        "pnc_id": "skip",
        "mappa_category": "1",
        "mappa_level": "2",
        "rosh_level": "high",
        "risk_assessment_date": day(-60),
        "device_type": "phone",
        "device_make_model": "Samsung Galaxy A14",
        "device_os": "Android 14",
        "device_imei": imei,
        "device_serial": serial,
        "device_ownership": "subject",
        "date_acquired": day(-3),
        "date_notified": day(-2),
        "monitoring_software": "esafe",
        "proposed_install_date": day(2),
        "other_users": "Partner, at weekends",
        "other_users_informed": "yes",
        "necessity": "Recent ARMS shows rising risk online; monitoring is the least intrusive step.",
        "rmp_reference": "skip",
        "notes": "skip",
    }
    branches = {
        "order": {
            "legal_basis": "order",
            "order_type": "shpo",
            "order_reference": "SHPO/2025/0042",
            "order_court": "Leeds Crown Court",
            "order_date": day(-400),
            "order_expiry": "indefinite",
            "order_notify_days": "default",
            "order_monitoring_clause": "yes",
        },
        "licence": {
            "legal_basis": "licence",
            "licence_condition": "Must allow installation of monitoring software on any "
            "internet-enabled device.",
            "licence_expiry": day(365),
            "probation_practitioner": "Jo Bloggs, Leeds PDU",
            "probation_request_date": "yesterday",
            "probation_crn": "X123456",
        },
        "voluntary": {
            "legal_basis": "voluntary",
            "consent_obtained": "yes",
            "consent_informed": "yes",
            "consent_witness": "skip",
            "consent_date": day(-1),
            "consent_reference": "CONSENT-77",
        },
    }
    return {**common, **branches[basis]}
