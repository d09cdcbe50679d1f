"""/metrics is served on an address of its own (loopback by default), never beside
/slack/events; /healthz reports the scheduler's last successful sweep (issue 10, defect 13)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.settings import load_settings
from flows.clock import FixedClock
from flows.ports import ConcurrentUpdate, ConnectionLost
from tests.support.bot_process import bot_process, free_port
from tests.support.running_bot import RunningBot
from tests.support.slack_double import SlackDouble


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_metrics_are_not_served_beside_slack_events(app: RunningBot) -> None:
    assert get(f"{app.url}/metrics")[0] == 404
    status, body = get(f"{app.metrics_url}/metrics")
    assert status == 200 and "mosovo_scheduler_last_sweep_age_seconds" in body
    assert get(f"{app.metrics_url}/slack/events")[0] == 404


def test_the_metrics_address_defaults_to_loopback_and_can_be_set_or_turned_off() -> None:
    base = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "MOSOVO_SUPERVISORS": "U0S"}
    assert load_settings(base).metrics_address == ("127.0.0.1", 9464)
    chosen = load_settings({**base, "MOSOVO_METRICS_ADDRESS": "10.0.0.5:9100"})
    assert chosen.metrics_address == ("10.0.0.5", 9100)
    assert load_settings({**base, "MOSOVO_METRICS_ADDRESS": "off"}).metrics_address is None


def test_the_running_process_serves_metrics_only_on_its_metrics_address(
    slack: SlackDouble, tmp_path: Path
) -> None:
    port = free_port()
    with bot_process(slack.url, tmp_path, MOSOVO_METRICS_ADDRESS=f"127.0.0.1:{port}") as (
        url,
        _process,
    ):
        assert get(f"{url}/metrics")[0] == 404
        status, body = get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200 and "mosovo_requests_opened_total" in body
        status, body = get(f"{url}/healthz")
        assert status == 200 and json.loads(body)["status"] == "ok"


def test_healthz_fails_when_the_scheduler_has_not_swept_for_a_few_intervals(
    app: RunningBot,
) -> None:
    clock = app.clock
    assert isinstance(clock, FixedClock)
    health = app.bot.sweeper.health
    health.expect_every(timedelta(seconds=30))  # as start_scheduler does
    app.bot.sweeper.run_once()
    assert get(f"{app.url}/healthz")[0] == 200

    clock.advance(timedelta(minutes=1))
    status, body = get(f"{app.url}/healthz")
    assert status == 200 and json.loads(body)["last_sweep_age_seconds"] == 60

    clock.advance(timedelta(minutes=2))  # 3 minutes: beyond 3 intervals and the 2-minute grace
    status, body = get(f"{app.url}/healthz")
    assert status == 503 and json.loads(body)["status"] == "scheduler stalled"
    assert app.metric("mosovo_scheduler_last_sweep_age_seconds") == 180

    app.bot.sweeper.run_once()
    assert get(f"{app.url}/healthz")[0] == 200


@pytest.mark.parametrize("value", ["9464", "localhost", "host:99999", ":80"])
def test_a_malformed_metrics_address_is_one_line(value: str) -> None:
    from bot.settings import SettingsError

    base = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "MOSOVO_SUPERVISORS": "U0S"}
    with pytest.raises(SettingsError, match="MOSOVO_METRICS_ADDRESS must be host:port"):
        load_settings({**base, "MOSOVO_METRICS_ADDRESS": value})


def reruns(app: RunningBot) -> dict[str, float]:
    return {
        sample.labels["after"]: sample.value
        for family in text_string_to_metric_families(get(f"{app.metrics_url}/metrics")[1])
        for sample in family.samples
        if sample.name == "mosovo_use_case_reruns_total"
    }


def test_a_use_case_whose_request_changed_while_it_ran_is_run_again_and_counted(
    app: RunningBot,
) -> None:
    """Operators see how often work is redone (a request changed between read and write)."""
    before = reruns(app)
    runs: list[object] = []

    def handle(uow: object) -> str:
        runs.append(uow)
        if len(runs) < 3:
            raise ConcurrentUpdate("changed meanwhile")
        return "done"

    assert app.bot.wiring.service._retrying(handle) == "done"
    after = reruns(app)
    gave_way = {k: after.get(k, 0) - before.get(k, 0) for k in ("optimistic", "locked")}
    staged = app.bot.wiring.service.optimistic is not None  # SQLite stages, PostgreSQL locks
    assert gave_way == (
        {"optimistic": 1, "locked": 1} if staged else {"optimistic": 0, "locked": 2}
    )


def test_a_use_case_whose_connection_was_lost_is_run_again_once_and_counted(
    app: RunningBot,
) -> None:
    """A pooled connection the server ended a moment ago: the work is done on another. Lost
    twice is an outage, and the person is told their input was not saved."""
    before = reruns(app).get("connection_lost", 0)
    runs: list[object] = []

    def lost_once(uow: object) -> str:
        runs.append(uow)
        if len(runs) < 2:
            raise ConnectionLost("the server ended it")
        return "done"

    def always_lost(uow: object) -> str:
        raise ConnectionLost("the server is down")

    assert app.bot.wiring.service._retrying(lost_once, app.bot.wiring.service.uow) == "done"
    assert len(runs) == 2
    with pytest.raises(ConnectionLost):
        app.bot.wiring.service._retrying(always_lost, app.bot.wiring.service.uow)
    assert reruns(app).get("connection_lost", 0) - before == 2
