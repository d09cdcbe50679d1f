"""Load benchmark (not a test): the bot against a bare Bolt app, side by side in one run.

    python -m bench.load [--database-url URL] [--conversations N] [--answers K]
                         [--to-summary] [--approve] [--memory-open M] [--naive]
                         [--one-at-a-time] [--pause-ms MS]

Starts our bot (`python -m bot run`, HTTP mode, scheduler on) and then the bare Bolt app of
bench/bare_app.py, each in a process of its own, each talking to a fresh Slack Web API double
(tests/support/slack_double.py) in this process. N officers, each in a private channel of their
own, run the slash command at the same moment, then answer K questions each through signed Events
API requests (tests/support/signing.py), each waiting for the reply before answering again.
`--to-summary` answers on until the bot shows the summary, `--approve` then submits and has a
supervisor click Approve (and, in ours, submit the Approve dialog it opens); the bare app gets as
many requests of each kind. The answers are dated around the real day, as the bot's clock is.

For each app it prints the acknowledgement latency (request sent until the HTTP response), the
reply latency (request sent until the app's next chat.postMessage in that thread reaches the
double), the throughput of the answering phase and the resident memory of the app's process;
then the ratios ours/bare. `--naive` also runs bench/naive_app.py, the bot's contract for an answer
written the plain way (sqlmodel sessions, the delivery id, a chained audit event, the answered
question tidied and the next posted), and prints ours/naive and naive/bare. `--one-at-a-time`
lets the officers answer in turn instead of at once, which shows what an answer costs with no
other beside it; `--pause-ms` has each officer read a question before answering it. Last, our bot runs the same load again with M (default 10,000) open
conversations in the database instead of 10, and the ratio of resident memory is printed.

The database is a temporary SQLite file, or a throw-away schema on the PostgreSQL server of
`--database-url` (dropped afterwards). Everything listens on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from bench.storage_bench import Loader, bench_database
from bot import ids
from storage.tables import requests_table
from storage.unit_of_work import Database
from tests.e2e.flow import answers_around, approve_values, real_today, review_date_around
from tests.support import signing
from tests.support.bot_process import free_port
from tests.support.slack_double import SlackDouble

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
SUPERVISORS = "S0BENCHSUPS"
SUPERVISOR = "U0BENCHSUP"
#: how long any one wait may take before the run is declared broken
WAIT_SECONDS = 60.0
#: how much longer everything takes under callgrind (50-100x slower than natively)
CALLGRIND_SLOWER = 20
ROOT = Path(__file__).resolve().parents[1]
#: a conversation that has not reached its summary after this many answers is stuck
MAX_ANSWERS = 100


def channel_of(n: int) -> str:
    return f"G0BENCH{n:05d}"


def officer_of(n: int) -> str:
    return f"U0BENCH{n:05d}"


# -- the Slack double, telling each conversation what reached it ----------------------------------


@dataclass(frozen=True)
class Post:
    """A chat.postMessage as it reached the double."""

    arrived: float  # time.perf_counter()
    ts: str
    thread_ts: str | None
    block_ids: tuple[str, ...]


class BenchDouble(SlackDouble):
    """The test suite's Slack double; each channel's posts also go to a queue, stamped with the
    moment the request reached the double (before the double parsed or validated it)."""

    def __init__(self) -> None:
        super().__init__(token=TOKEN)
        self._arrival = threading.local()
        self._queues: dict[str, queue.SimpleQueue[Post]] = {}

    def posts(self, channel: str) -> queue.SimpleQueue[Post]:
        return self._queues.setdefault(channel, queue.SimpleQueue())

    def _handle(self, path: str, headers: dict[str, str], body: bytes) -> Any:
        self._arrival.at = time.perf_counter()
        return super()._handle(path, headers, body)

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = super()._chat_post_message(args)
        if answer.get("ok"):
            blocks = args.get("blocks") if isinstance(args.get("blocks"), list) else []
            self.posts(str(args["channel"])).put(
                Post(
                    arrived=self._arrival.at,
                    ts=str(answer["ts"]),
                    thread_ts=args.get("thread_ts") or None,
                    block_ids=tuple(str(b.get("block_id", "")) for b in blocks or []),
                )
            )
        return answer


def prepare(double: BenchDouble, conversations: int) -> None:
    for n in range(conversations):
        double.add_channel(channel_of(n), is_private=True, name=f"bench-{n}")
        double.add_user(officer_of(n))
    double.add_user(SUPERVISOR)
    double.set_usergroup(SUPERVISORS, [SUPERVISOR])


# -- the two apps ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    command: list[str]
    #: is this post the end of the app's reply (the next question, the summary, a card)?
    complete: Callable[[Post], bool]
    database_url: str | None = None


def ours(database_url: str) -> Target:
    ends = (ids.SUMMARY_BLOCK, ids.APPROVAL_BLOCK, ids.DECISION_NOTICE_BLOCK)

    def complete(post: Post) -> bool:
        in_thread = post.thread_ts is not None
        return in_thread and any(b.startswith("q:") or b in ends for b in post.block_ids)

    return Target(
        "ours",
        [sys.executable, "-m", "bot", "run", "--host", "127.0.0.1", "--port", "{port}"],
        complete,
        database_url,
    )


def naive(database_url: str) -> Target:
    return Target(
        "naive",
        [sys.executable, "-m", "bench.naive_app", "--port", "{port}"],
        lambda post: post.thread_ts is not None,
        database_url,
    )


def bare() -> Target:
    return Target(
        "bare",
        [sys.executable, "-m", "bench.bare_app", "--port", "{port}"],
        lambda post: post.thread_ts is not None,
    )


@contextlib.contextmanager
def serving(
    target: Target, double: BenchDouble, log: Path, wrapper: list[str] | None = None
) -> Iterator[tuple[int, int, int]]:
    """Start the app (under `wrapper`, e.g. valgrind, if given); (its port, its pid, its metrics
    port) once /healthz answers; stopped with SIGTERM after."""
    port = free_port()
    metrics_port = free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": double.url,
        "MOSOVO_SUPERVISORS": SUPERVISORS,
        "MOSOVO_WORKING_HOURS": "always",
        "MOSOVO_SCHEDULER_INTERVAL": "5s",
        "MOSOVO_METRICS_ADDRESS": f"127.0.0.1:{metrics_port}",
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("EXTRA_PYTHONPATH", ""),
    }
    env.pop("SLACK_APP_TOKEN", None)
    if target.database_url:
        env["DATABASE_URL"] = target.database_url
    command = [*(wrapper or []), *(part.replace("{port}", str(port)) for part in target.command)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=output)
        try:
            deadline = time.monotonic() + WAIT_SECONDS
            while not healthy(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{target.name} did not start; see {log}")
                time.sleep(0.1)
            yield port, process.pid, metrics_port
        finally:
            process.terminate()
            try:
                process.wait(timeout=WAIT_SECONDS / 4)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def scraped(port: int, metric: str, label: str) -> Counter[str]:
    """A labelled counter from an app's /metrics, by label value; empty where the app serves none
    (the bare app)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            text = response.read().decode()
    except OSError:
        return Counter()
    return Counter(
        {
            sample.labels[label]: int(sample.value)
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == metric and label in sample.labels
        }
    )


def memory_kib(pid: int) -> tuple[int, int]:
    """(resident now, peak resident) of a process, in KiB, from /proc."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields["VmRSS"], fields["VmHWM"]


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User plus system CPU time of a process so far, and the system part of it (time in the
    kernel on its behalf: system calls, among them the futexes threads wait on for the
    interpreter lock), from one read of /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    tick = os.sysconf("SC_CLK_TCK")
    user, system = int(fields[11]) / tick, int(fields[12]) / tick
    return user + system, system


def context_switches(pid: int) -> int:
    """Context switches (voluntary and not) of all the process's threads so far, from /proc:
    each is a thread that stopped for another, e.g. to hand over the interpreter lock."""
    total = 0
    for status in Path(f"/proc/{pid}/task").glob("*/status"):
        try:
            text = status.read_text()
        except OSError:  # a thread that ended meanwhile
            continue
        for line in text.splitlines():
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                total += int(line.split()[1])
    return total


# -- the driver -----------------------------------------------------------------------------------


@dataclass
class Samples:
    acks: list[float] = field(default_factory=list)
    replies: list[float] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ack: float, reply: float) -> None:
        with self.lock:
            self.kinds.append(kind)
            self.acks.append(ack)
            self.replies.append(reply)

    def merge(self, other: Samples) -> None:
        with self.lock:
            self.kinds += other.kinds
            self.acks += other.acks
            self.replies += other.replies

    @property
    def answers(self) -> int:
        return self.kinds.count("answer")

    def of(self, kind: str) -> Samples:
        chosen = [i for i, k in enumerate(self.kinds) if k == kind]
        return Samples(
            [self.acks[i] for i in chosen], [self.replies[i] for i in chosen], [kind] * len(chosen)
        )


@dataclass(frozen=True)
class Plan:
    conversations: int
    answers: int
    to_summary: bool
    approve: bool
    #: conversations answer in turn, not at once: an answer's own cost, with nothing beside it
    one_at_a_time: bool = False
    #: how long an officer reads a question before answering it (seconds)
    pause: float = 0.0


@dataclass
class Result:
    name: str
    samples: Samples
    seconds: float  # the answering phase, first answer sent to last reply complete
    rss_kib: int
    peak_kib: int
    answers_per_conversation: list[int]
    cpu_seconds: float  # the app process's, in the answering phase
    starts: Samples  # the slash commands that opened the conversations, all at once
    #: Web API calls the double received in the answering phase, by method
    calls: Counter[str] = field(default_factory=Counter)
    #: connections the app opened to the double, start-up included
    connections: int = 0
    #: use cases run again because their request changed meanwhile (ours only), by what gave way
    reruns: Counter[str] = field(default_factory=Counter)
    #: instructions the app ran in the answering phase (--callgrind), else None
    instructions: int | None = None
    #: this process's (the driver's and the Slack double's), in the answering phase: on a small
    #: machine what the harness spends on each answer is not left for the app
    harness_cpu_seconds: float = 0.0
    #: the app's threads' context switches in the answering phase
    switches: int = 0
    #: of `cpu_seconds`, the part spent in the kernel
    kernel_seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return self.samples.answers / self.seconds


class Conversation:
    """One officer's thread, driven over one keep-alive connection to the app."""

    def __init__(
        self,
        n: int,
        target: Target,
        port: int,
        double: BenchDouble,
        samples: Samples,
        pause: float = 0.0,
    ) -> None:
        self.n = n
        self.pause = pause
        self.channel = channel_of(n)
        self.officer = officer_of(n)
        self.target = target
        self.double = double
        self.posts = double.posts(self.channel)
        self.samples = samples
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT_SECONDS)
        self.thread_ts = ""
        self.last: Post | None = None
        self.answers = answers_around(real_today(), "order")  # the bot runs on the real clock

    def send(self, request: signing.SignedRequest, kind: str) -> tuple[Post, Post]:
        """Send; wait for the app's complete reply; record both latencies. (The first post of
        the reply, its last.)"""
        sent = time.perf_counter()
        self.acknowledged(request)
        acked = time.perf_counter()
        first = self._next_post(sent)
        last = first
        while not self.target.complete(last):
            last = self._next_post(sent)
        self.samples.add(kind, acked - sent, first.arrived - sent)
        self.last = last
        return first, last

    def acknowledged(self, request: signing.SignedRequest) -> None:
        """Send `request` and read the app's HTTP response, which must be a 200."""
        self.connection.request("POST", "/slack/events", request.body, request.headers)
        response = self.connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{self.target.name} answered HTTP {response.status}")

    def _next_post(self, after: float) -> Post:
        while True:
            try:
                post = self.posts.get(timeout=WAIT_SECONDS)
            except queue.Empty:
                raise RuntimeError(
                    f"{self.target.name}: no reply in {self.channel} in {WAIT_SECONDS:.0f}s"
                ) from None
            if post.arrived >= after:
                return post

    def start(self) -> None:
        request = signing.slash_command(
            SECRET,
            user_id=self.officer,
            channel_id=self.channel,
            response_url=self.double.response_url(),
        )
        parent, _ = self.send(request, "command")
        self.thread_ts = parent.ts

    def answer(self) -> bool:
        """Answer the question asked last; False once the summary is shown."""
        key = self._asked()
        if key is None and self._shows(ids.SUMMARY_BLOCK):
            return False
        text = self.answers[key] if key else "yes"
        if self.pause:
            time.sleep(self.pause)
        event = signing.thread_reply(
            channel=self.channel, thread_ts=self.thread_ts, user=self.officer, text=text
        )
        self.send(signing.event_callback(SECRET, event), "answer")
        return True

    def submit_and_approve(self) -> None:
        """Submit; the supervisor clicks Approve on the card. Ours then opens the Approve dialog
        and decides when it is submitted (the dialog's submission is what is timed); the bare
        and naive apps answer the click itself."""
        event = signing.thread_reply(
            channel=self.channel, thread_ts=self.thread_ts, user=self.officer, text="submit"
        )
        _, card = self.send(signing.event_callback(SECRET, event), "submit")
        request_id = self._request_id(card) if self.target.name == "ours" else f"MR-{self.n}"
        click = signing.block_actions(
            SECRET,
            action_id=ids.APPROVAL_APPROVE,
            value=request_id,
            user_id=SUPERVISOR,
            channel_id=self.channel,
            message_ts=card.ts,
            thread_ts=self.thread_ts,
        )
        if self.target.name != "ours":
            self.send(click, "approve")
            return
        self.acknowledged(click)  # ours opens the dialog: nothing in the thread yet
        meta = {
            "id": request_id,
            "card": card.ts,
            "channel": self.channel,
            "thread": self.thread_ts,
        }
        submission = signing.view_submission(
            SECRET,
            callback_id=ids.APPROVE_VIEW,
            values=approve_values(None, review_date_around(real_today())),
            private_metadata=json.dumps(meta),
            user_id=SUPERVISOR,
        )
        self.send(submission, "approve")

    def _request_id(self, card: Post) -> str:
        for call in reversed(self.double.calls("chat.postMessage")):
            if call.response and call.response.get("ts") == card.ts:
                for b in call.args.get("blocks") or []:
                    if b.get("block_id") == ids.APPROVAL_ACTIONS_BLOCK:
                        return str(b["elements"][0]["value"])
        raise RuntimeError("the approval card has no Approve button")

    def _asked(self) -> str | None:
        for block_id in reversed(self.last.block_ids if self.last else ()):
            if block_id.startswith("q:"):
                return block_id[2:]
        return None

    def _shows(self, block_id: str) -> bool:
        return self.last is not None and block_id in self.last.block_ids


def drive(
    target: Target,
    plan: Plan,
    counts: list[int] | None,
    log: Path,
    profile: Path | None = None,
    profile_mode: str = "all",
    callgrind: Path | None = None,
) -> Result:
    """Run the plan against one app; `counts`: answers per conversation to give (the bare app
    gives as many as ours did); `profile`: sample the app with py-spy into this file;
    `callgrind`: run the app under valgrind's callgrind, counting the answering phase's
    instructions into this file."""
    samples = Samples()
    double = BenchDouble()
    with double:
        prepare(double, plan.conversations)
        with (
            serving(target, double, log, counting(callgrind)) as (port, pid, metrics_port),
            sampling(pid, profile, profile_mode),
        ):
            conversations = [
                Conversation(n, target, port, double, Samples(), plan.pause)
                for n in range(plan.conversations)
            ]
            start_samples = [c.samples for c in conversations]  # filled in before the barrier
            # every conversation started: count from here (an action runs before any is let go)
            started = threading.Barrier(
                plan.conversations + 1,
                action=(lambda: collecting(pid, True)) if callgrind else None,
            )
            turn = threading.Lock() if plan.one_at_a_time else contextlib.nullcontext()
            finished: list[float] = [0.0] * plan.conversations
            given = [0] * plan.conversations
            errors: list[BaseException] = []

            def run(conversation: Conversation) -> None:
                try:
                    conversation.start()
                finally:
                    started.wait(timeout=WAIT_SECONDS * 2)
                conversation.samples = samples  # the answering phase is measured on its own
                n = conversation.n
                try:
                    limit = counts[n] if counts is not None else plan.answers
                    if counts is None and plan.to_summary:
                        limit = MAX_ANSWERS
                    with turn:
                        while given[n] < limit and conversation.answer():
                            given[n] += 1
                        if plan.approve:
                            conversation.submit_and_approve()
                except BaseException as error:
                    errors.append(error)
                finally:
                    finished[n] = time.perf_counter()

            threads = [threading.Thread(target=run, args=(c,)) for c in conversations]
            for thread in threads:
                thread.start()
            started.wait(timeout=WAIT_SECONDS * 2)
            begun = time.perf_counter()
            cpu_before, kernel_before = cpu_seconds(pid)
            harness_before = time.process_time()
            switches_before = context_switches(pid)
            calls_before = len(double.calls())
            reruns_before = scraped(metrics_port, "mosovo_use_case_reruns_total", "after")
            for thread in threads:
                thread.join()
            if callgrind:
                collecting(pid, False)
            starts = Samples()
            for start in start_samples:
                starts.merge(start)
            if errors:
                raise RuntimeError(f"{target.name}: {errors[0]}") from errors[0]
            seconds = max(finished) - begun
            rss, peak = memory_kib(pid)
            cpu_after, kernel_after = cpu_seconds(pid)
            cpu, kernel = cpu_after - cpu_before, kernel_after - kernel_before
            harness = time.process_time() - harness_before
            switches = context_switches(pid) - switches_before
            calls = Counter(c.method for c in double.calls()[calls_before:])
            connections = double.connections
            reruns = scraped(metrics_port, "mosovo_use_case_reruns_total", "after") - reruns_before
        refused = double.rejected()
        if refused:
            raise RuntimeError(f"{target.name} sent Slack what it refuses: {refused[0].summary()}")
    instructions = counted(callgrind) if callgrind else None  # written as the app exited
    return Result(
        target.name,
        samples,
        seconds,
        rss,
        peak,
        given,
        cpu,
        starts,
        calls,
        connections,
        reruns,
        instructions,
        harness,
        switches,
        kernel,
    )


def counting(output: Path | None) -> list[str] | None:
    """valgrind's callgrind, counting nothing until told (`collecting`); instructions are the
    same whatever else the machine does, unlike seconds on a shared one."""
    if output is None:
        return None
    if shutil.which("valgrind") is None:
        raise RuntimeError("--callgrind needs valgrind (Debian's package valgrind)")
    return [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={output}",
        "--",
    ]


def collecting(pid: int, on: bool) -> None:
    told = subprocess.run(
        ["callgrind_control", "-i", "on" if on else "off", str(pid)],
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
    )
    if "OK" not in told.stdout:  # it exits 0 when it finds no such run
        raise RuntimeError(f"callgrind_control: {told.stdout.strip() or told.stderr.strip()}")


def counted(output: Path) -> int:
    """The instructions a callgrind file records: its `totals:` line (`summary:` stays 0 when
    collection was switched on and off while the program ran)."""
    for line in reversed(output.read_text().splitlines()):
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {output}")


@contextlib.contextmanager
def sampling(pid: int, output: Path | None, mode: str = "all") -> Iterator[None]:
    """py-spy (pip install py-spy) records threads as collapsed stacks: "all" of them, waiting
    or not; those on a "cpu"; or only the one holding the "gil"."""
    if output is None:
        yield
        return
    beside_python = Path(sys.executable).with_name("py-spy")  # pip install py-spy, in the venv
    spy = str(beside_python) if beside_python.exists() else shutil.which("py-spy")
    if spy is None:
        raise RuntimeError("--profile needs py-spy: .venv/bin/pip install py-spy")
    command = [spy, "record", "--pid", str(pid), "--format", "raw", "--threads"]
    command += {"all": ["--idle"], "cpu": [], "gil": ["--gil"]}[mode]
    recorder = subprocess.Popen(
        [*command, "--rate", "250", "--output", str(output), "--nonblocking"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)  # py-spy attaches
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)
        recorder.wait(timeout=30)


# -- open conversations in the database ---------------------------------------------------------


def load_open_conversations(url: str, count: int) -> None:
    """`count` open conversations waiting for an answer (and their audit trails), due in a month,
    so the scheduler sees them without acting on them."""
    db = Database(url)
    try:
        db.upgrade()
        Loader(db, due=0).load_until(count * 5 // 2)  # two in five of the loaded rows are open
        with db.engine.begin() as connection:
            connection.execute(
                update(requests_table)
                .where(requests_table.c.state == "awaiting_approval")
                .values(
                    state="collecting",
                    current_field="device_serial",
                    due_at=datetime.now(UTC) + timedelta(days=30),
                )
            )
    finally:
        db.dispose()


# -- printing -------------------------------------------------------------------------------------


def ratio(mine: float, theirs: float) -> float:
    return mine / theirs if theirs else float("nan")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def figures(result: Result) -> dict[str, float]:
    s = result.samples
    return {
        "ack p50 ms": percentile(s.acks, 0.50) * 1000,
        "ack p99 ms": percentile(s.acks, 0.99) * 1000,
        "reply p50 ms": percentile(s.replies, 0.50) * 1000,
        "reply p99 ms": percentile(s.replies, 0.99) * 1000,
        "answers/s": result.throughput,
        "CPU ms/answer": result.cpu_seconds / max(1, s.answers) * 1000,
        "  in kernel ms": result.kernel_seconds / max(1, s.answers) * 1000,
        "harness CPU ms": result.harness_cpu_seconds / max(1, s.answers) * 1000,
        "switches/answer": result.switches / max(1, s.answers),
        "RSS MiB": result.rss_kib / 1024,
        "API calls/answer": sum(result.calls.values()) / max(1, s.answers),
        **(
            {"M instr/answer": result.instructions / max(1, s.answers) / 1e6}
            if result.instructions is not None
            else {}
        ),
    }


def report(ours_result: Result, bare_result: Result, naive_result: Result | None = None) -> None:
    mine, theirs = figures(ours_result), figures(bare_result)
    apps = {"ours": mine, "bare": theirs}
    ratios = {"ours/bare": (mine, theirs)}
    if naive_result:
        plain = apps["naive"] = figures(naive_result)
        ratios.update({"ours/naive": (mine, plain), "naive/bare": (plain, theirs)})
    print(
        f"\n{'':14}" + "".join(f"{name:>10}" for name in apps) + "".join(f"{n:>11}" for n in ratios)
    )
    for name in mine:
        values = "".join(f"{app[name]:10.1f}" for app in apps.values())
        shares = "".join(f"{ratio(a[name], b[name]):10.2f}x" for a, b in ratios.values())
        print(f"{name:14}{values}{shares}")
    print(f"\n{'by kind':14}{'ack p99 ms':>22}{'reply p99 ms':>22}")
    for kind in ("command", "answer", "submit", "approve"):
        pair = [
            (r.starts if kind == "command" else r.samples).of(kind)
            for r in (ours_result, bare_result)
        ]
        if not pair[0].kinds:
            continue
        acks = [percentile(p.acks, 0.99) * 1000 for p in pair]
        replies = [percentile(p.replies, 0.99) * 1000 for p in pair]
        print(
            f"{kind:14}{acks[0]:8.1f} /{acks[1]:6.1f} ={acks[0] / acks[1]:5.2f}x"
            f"{replies[0]:8.1f} /{replies[1]:6.1f} ={replies[0] / replies[1]:5.2f}x"
        )
    for r in (ours_result, bare_result, *([naive_result] if naive_result else [])):
        per_answer = ", ".join(
            f"{method} {count / max(1, r.samples.answers):.2f}"
            for method, count in r.calls.most_common()
        )
        print(f"{r.name}: Web API calls per answer: {per_answer}; {r.connections} connections")
    if ours_result.reruns:
        reruns = ", ".join(
            f"after {after} {count / max(1, ours_result.samples.answers):.2f}"
            for after, count in sorted(ours_result.reruns.items())
        )
        print(f"ours: use cases run again per answer (the request changed meanwhile): {reruns}")
    print(
        f"(ours: {ours_result.samples.answers} answers in {ours_result.seconds:.1f} s, "
        f"{len(ours_result.samples.acks)} requests; bare: {bare_result.samples.answers} answers "
        f"in {bare_result.seconds:.1f} s; peak RSS {ours_result.peak_kib / 1024:.0f} / "
        f"{bare_result.peak_kib / 1024:.0f} MiB)"
    )


def run(args: argparse.Namespace) -> None:
    global WAIT_SECONDS
    if args.callgrind:
        WAIT_SECONDS *= CALLGRIND_SLOWER  # every wait, start-up included
    plan = Plan(
        args.conversations,
        args.answers,
        args.to_summary or args.approve,
        args.approve,
        args.one_at_a_time,
        args.pause_ms / 1000,
    )
    logs = Path(tempfile.mkdtemp(prefix="mosovo-bench-"))
    print(
        f"{plan.conversations} conversations x {'summary' if plan.to_summary else plan.answers} "
        f"answers{' + approval' if plan.approve else ''}"
        f"{', one conversation at a time' if plan.one_at_a_time else ''}"
        f"{f', {args.pause_ms:g} ms read before each answer' if plan.pause else ''}; logs in {logs}"
    )
    with bench_database(args.database_url) as url:
        dialect = "postgresql" if url.startswith("postgresql") else "sqlite"
        load_open_conversations(url, 10)
        print(f"database: {dialect}, 10 open conversations")
        profile = logs / "ours.stacks" if args.profile else None
        mine = drive(
            ours(url),
            plan,
            None,
            logs / "ours.log",
            profile,
            args.profile or "all",
            logs / "ours.callgrind" if args.callgrind else None,
        )
    bare_result = drive(
        bare(),
        plan,
        mine.answers_per_conversation,
        logs / "bare.log",
        callgrind=logs / "bare.callgrind" if args.callgrind else None,
    )
    naive_result = None
    if args.naive:
        with bench_database(args.database_url) as url:
            naive_result = drive(
                naive(url), plan, mine.answers_per_conversation, logs / "naive.log"
            )
    report(mine, bare_result, naive_result)
    if args.memory_open:
        with bench_database(args.database_url) as url:
            load_open_conversations(url, args.memory_open)
            crowded = drive(ours(url), plan, None, logs / "ours-crowded.log")
        print(
            f"\nresident memory with {args.memory_open:,} open conversations vs 10: "
            f"{crowded.rss_kib / 1024:.1f} / {mine.rss_kib / 1024:.1f} MiB = "
            f"{crowded.rss_kib / mine.rss_kib:.2f}x (peak {crowded.peak_kib / mine.peak_kib:.2f}x)"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", "--url", help="PostgreSQL server (default: a temporary SQLite file)"
    )
    parser.add_argument("--conversations", type=int, default=50, help="concurrent officers")
    parser.add_argument("--answers", type=int, default=10, help="answers per conversation")
    parser.add_argument("--to-summary", action="store_true", help="answer on to the summary")
    parser.add_argument("--approve", action="store_true", help="then submit and approve")
    parser.add_argument(
        "--memory-open",
        type=int,
        default=10_000,
        help="open conversations for the memory comparison (0: skip it)",
    )
    parser.add_argument(
        "--one-at-a-time",
        action="store_true",
        help="the officers answer in turn, not at once: what an answer costs with no other beside "
        "it (throughput is then one officer's)",
    )
    parser.add_argument(
        "--pause-ms",
        type=float,
        default=0.0,
        help="each officer reads a question this long before answering it (the driver otherwise "
        "answers the instant it arrives, sometimes before the bot has stored where it posted it, "
        "which makes that answer's use case run again); answers/s then includes the pauses",
    )
    parser.add_argument(
        "--naive",
        action="store_true",
        help="also run bench/naive_app.py, the same contract written the plain way, and print "
        "ours/naive and naive/bare",
    )
    parser.add_argument(
        "--profile",
        choices=("all", "cpu", "gil"),
        help="sample our bot with py-spy into the logs folder: all threads, those on a CPU, or "
        "the one holding the GIL",
    )
    parser.add_argument(
        "--callgrind",
        action="store_true",
        help="run both apps under valgrind's callgrind and print instructions per answer (the "
        "same on a busy machine; slow: start with --conversations 5)",
    )
    args = parser.parse_args(argv)
    if args.conversations < 1 or args.answers < 0:
        parser.error("--conversations must be at least 1 and --answers not negative")
    run(args)


if __name__ == "__main__":
    main()
