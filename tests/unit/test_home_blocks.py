"""App Home, the request modal and the channel's dashboard line, built alone and checked against
Slack's limits."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import ids
from bot.blocks import dashboard
from bot.blocks.home import home_view, page_offsets, refusal_modal, request_modal
from bot.home_service import Home
from flows.catalogue import build_catalogue
from flows.config import FlowConfig
from flows.delegation import Delegation
from flows.models import AuditEvent, MonitoringRequest
from flows.ports import Page
from tests.support.block_kit import validate_blocks, validate_view

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")
CATALOGUE = build_catalogue(FlowConfig())
DECIDERS = ("U0SUP", "S0LEADS")
NASTY = "<!channel> & <@U123>"


def request(number: int, **fields: Any) -> MonitoringRequest:
    made = MonitoringRequest("U0OFFICER", "G0PRIVATE", created_at=NOW - timedelta(days=1))
    made.request_id = f"MR-{number:06d}"
    made.state = "awaiting_approval"
    made.submitted_at = NOW - timedelta(hours=3, minutes=number)
    made.answers = {"legal_basis": "order", "notes": NASTY, "visor_ref": "NOM/1"}
    made.flags = {"late_notification": {"days_late": 2, "deadline": "2026-11-20"}}
    for name, value in fields.items():
        setattr(made, name, value)
    return made


def page(items: list[MonitoringRequest], offset: int = 0, total: int | None = None) -> Page[Any]:
    return Page(items, offset, len(items) if total is None else total, 10)


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def text(view: dict[str, Any], block_id: str) -> str:
    return str(block(view, block_id)["text"]["text"])


def action_ids(view: dict[str, Any], block_id: str) -> list[str]:
    return [e["action_id"] for e in block(view, block_id)["elements"]]


def decider_home(queue: Page[Any], decided: list[tuple[str, AuditEvent]] | None = None) -> Home:
    return Home("U0SUP", queue, decided or [], page([]))


def test_the_queue_lists_each_request_with_officer_basis_age_flags_and_a_link() -> None:
    first = request(1)
    links = {"MR-000001": "https://mosovo.slack.com/archives/G0PRIVATE/p1"}
    view = home_view(decider_home(page([first])), links, DECIDERS, NOW, LONDON, "/mr")
    assert validate_view(view) == []
    queue = text(view, ids.HOME_QUEUE_BLOCK)
    assert "*<https://mosovo.slack.com/archives/G0PRIVATE/p1|MR-000001>*" in queue
    assert "<@U0OFFICER>" in queue and "court order" in queue
    assert (
        "waiting 3 h 1 min" in queue
        and ":triangular_flag_on_post: The person notified police of the device late" in queue
    )
    assert action_ids(view, ids.HOME_QUEUE_ACTIONS_BLOCK) == ["home_view:MR-000001"]


def test_paging_offers_previous_and_next_with_the_offsets_to_go_to() -> None:
    items = [request(n) for n in range(11, 21)]
    view = home_view(decider_home(page(items, 10, 35)), {}, DECIDERS, NOW, LONDON, "/mr")
    assert "11–20 of 35" in text(view, ids.HOME_QUEUE_BLOCK)
    buttons = {
        e["action_id"]: e["value"] for e in block(view, ids.HOME_QUEUE_ACTIONS_BLOCK)["elements"]
    }
    assert buttons["home_page:queue:previous"] == "0"
    assert buttons["home_page:queue:next"] == "20"
    assert page_offsets(view["private_metadata"]) == {"queue": 10, "mine": 0}
    assert ids.HOME_PAGE_PATTERN.match("home_page:queue:next")


def test_a_full_page_stays_inside_slacks_limits() -> None:
    items = [request(n, flags={f"flag_{k}": True for k in range(4)}) for n in range(10)]
    decided = [
        (f"MR-{n:06d}", AuditEvent("decided", "U0SUP", NOW, {"outcome": "approved"}))
        for n in range(20)
    ]
    links = {f"MR-{n:06d}": "https://x.slack.com/archives/G0/p" + "9" * 60 for n in range(10)}
    home = Home("U0SUP", page(items, 0, 1000), decided, page(items, 0, 1000))
    view = home_view(home, links, DECIDERS, NOW, LONDON, "/mr")
    assert validate_view(view) == []
    assert len(view["blocks"]) < 100
    assert "Your last 20 decisions" in text(view, ids.HOME_DECIDED_BLOCK)


def test_an_empty_queue_says_so_and_an_officer_sees_only_their_requests() -> None:
    view = home_view(decider_home(page([])), {}, DECIDERS, NOW, LONDON, "/mr")
    assert "Nothing is waiting for you." in text(view, ids.HOME_QUEUE_BLOCK)
    assert "not decided any requests yet" in text(view, ids.HOME_DECIDED_BLOCK)
    mine = Home("U0OFFICER", None, [], page([request(1), request(2, state="info_requested")]))
    view = home_view(mine, {}, DECIDERS, NOW, LONDON, "/mr")
    assert validate_view(view) == []
    listed = [b.get("block_id") for b in view["blocks"]]
    assert ids.HOME_QUEUE_BLOCK not in listed and ids.HOME_DECIDED_BLOCK not in listed
    lines = text(view, ids.HOME_MINE_BLOCK)
    assert "awaiting a decision · waiting on <@U0SUP> <!subteam^S0LEADS>" in lines
    assert "more information requested · waiting on you" in lines


def test_deciders_see_the_delegations_in_force_and_an_officer_does_not() -> None:
    nobody = home_view(decider_home(page([])), {}, DECIDERS, NOW, LONDON, "/mr")
    assert "Nobody is deciding" in text(nobody, ids.HOME_DELEGATIONS_BLOCK)
    given = [
        Delegation("U0DEPUTY", "U0SUP", date(2026, 12, 24), NOW),
        Delegation("U0SUP", "U0OTHER", date(2026, 12, 2), NOW),
    ]
    home = Home("U0SUP", page([]), [], page([]), given)
    view = home_view(home, {}, DECIDERS, NOW, LONDON, "/mr")
    assert validate_view(view) == []
    shown = text(view, ids.HOME_DELEGATIONS_BLOCK)
    assert "<@U0DEPUTY> may decide on behalf of you until the end of 24 December 2026" in shown
    assert "You may decide on behalf of <@U0OTHER> until the end of 2 December 2026" in shown
    officer = home_view(Home("U0OFFICER", None, [], page([])), {}, DECIDERS, NOW, LONDON, "/mr")
    assert ids.HOME_DELEGATIONS_BLOCK not in [b.get("block_id") for b in officer["blocks"]]


def test_decisions_read_in_words() -> None:
    decided = [
        ("MR-000002", AuditEvent("info_requested", "U0SUP", NOW, {"outcome": "info_requested"})),
        ("MR-000001", AuditEvent("decided", "U0SUP", NOW, {"outcome": "rejected"})),
    ]
    view = home_view(decider_home(page([]), decided), {}, DECIDERS, NOW, LONDON, "/mr")
    shown = text(view, ids.HOME_DECIDED_BLOCK)
    assert "*MR-000002* asked for more information at 12:00 on 1 December 2026" in shown
    assert "*MR-000001* rejected" in shown


def test_the_modal_holds_the_whole_request_with_user_text_escaped() -> None:
    view = request_modal(request(1), CATALOGUE, DECIDERS, LONDON)
    assert validate_view(view) == []
    assert view["callback_id"] == ids.REQUEST_VIEW
    everything = json.dumps(view)
    assert "&lt;!channel&gt; &amp; &lt;@U123&gt;" in everything
    assert "<!channel>" not in everything
    assert "NOM/1" in everything
    assert "notified police of the device late: 2 days after" in text(view, ids.VIEW_STATUS_BLOCK)


def test_a_refusal_is_a_small_valid_dialog() -> None:
    assert validate_view(refusal_modal("Not yours.")) == []


def test_the_dashboard_line_shows_id_officer_basis_state_whose_move_and_flags() -> None:
    line = dashboard.parent_message(request(7), DECIDERS)
    assert validate_blocks(line.blocks) == []
    header = line.blocks[0]["text"]["text"]
    assert "*MR-000007*" in header and "<@U0OFFICER>" in header
    assert "*Basis:* court order" in header and "*State:* awaiting a decision" in header
    assert "waiting on <@U0SUP> <!subteam^S0LEADS>" in header
    assert "The person notified police of the device late: 2 days after the deadline" in header
    started = dashboard.parent_message(request(8, state="collecting", answers={}, flags={}), ())
    assert "basis not given yet" in started.blocks[0]["text"]["text"]
    assert "waiting on <@U0OFFICER>" in started.blocks[0]["text"]["text"]
    assert "No flags." in started.blocks[0]["text"]["text"]
