"""Slack directory answers are reused for a bounded age, then the lookup fails closed."""

from __future__ import annotations

import threading

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.slack.cache import BoundedAgeCache, DirectoryUnavailable


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def slack_error(code: str, status: int = 200) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.test/api/x",
        req_args={},
        data={"ok": False, "error": code},
        headers={},
        status_code=status,
    )
    return SlackApiError(code, response)


class Lookups:
    def __init__(self) -> None:
        self.calls = 0
        self.fail: BaseException | None = None
        self.answer = frozenset({"U1"})

    def __call__(self, key: str) -> frozenset[str]:
        self.calls += 1
        if self.fail is not None:
            raise self.fail
        return self.answer


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def lookups() -> Lookups:
    return Lookups()


@pytest.fixture
def cache(lookups: Lookups, clock: Clock) -> BoundedAgeCache[str, frozenset[str]]:
    return BoundedAgeCache(lookups, "the group", 60, 600, clock)


def test_a_fresh_answer_is_reused_without_asking_slack(
    cache: BoundedAgeCache[str, frozenset[str]], lookups: Lookups, clock: Clock
) -> None:
    assert cache.get("S1") == {"U1"}
    clock.now += 59
    assert cache.get("S1") == {"U1"}
    assert lookups.calls == 1


def test_a_stale_answer_is_asked_for_again(
    cache: BoundedAgeCache[str, frozenset[str]], lookups: Lookups, clock: Clock
) -> None:
    cache.get("S1")
    clock.now += 61
    lookups.answer = frozenset({"U2"})
    assert cache.get("S1") == {"U2"}
    assert lookups.calls == 2


@pytest.mark.parametrize(
    "outage",
    [OSError("connection refused"), slack_error("ratelimited", 429), slack_error("x", 503)],
    ids=["network", "rate-limited", "5xx"],
)
def test_during_an_outage_the_last_answer_counts_for_ten_minutes_then_nobody(
    cache: BoundedAgeCache[str, frozenset[str]],
    lookups: Lookups,
    clock: Clock,
    outage: BaseException,
) -> None:
    cache.get("S1")
    lookups.fail = outage
    clock.now += 599
    assert cache.get("S1") == {"U1"}
    clock.now += 2
    with pytest.raises(DirectoryUnavailable, match="older than 10 minutes"):
        cache.get("S1")


def test_with_no_answer_at_all_an_outage_fails_closed_at_once(
    cache: BoundedAgeCache[str, frozenset[str]], lookups: Lookups
) -> None:
    lookups.fail = OSError("down")
    with pytest.raises(DirectoryUnavailable, match="couldn't check the group"):
        cache.get("S1")


def test_a_definite_answer_from_slack_is_not_covered_up_by_an_old_one(
    cache: BoundedAgeCache[str, frozenset[str]], lookups: Lookups, clock: Clock
) -> None:
    cache.get("S1")
    clock.now += 61
    lookups.fail = slack_error("no_such_subteam")
    with pytest.raises(SlackApiError):
        cache.get("S1")


def test_threads_missing_the_cache_together_ask_slack_once(lookups: Lookups, clock: Clock) -> None:
    release = threading.Event()

    def slow(key: str) -> frozenset[str]:
        release.wait(5)
        return lookups(key)

    cache: BoundedAgeCache[str, frozenset[str]] = BoundedAgeCache(slow, "the group", 60, 600, clock)
    results: list[frozenset[str]] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("S1"))) for _ in range(8)]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(5)
    assert results == [frozenset({"U1"})] * 8
    assert lookups.calls == 1
