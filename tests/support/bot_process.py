"""`mosovo-bot run` in a process of its own, for tests that watch the whole process (memory,
signals, a second listening address)."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """A port on 127.0.0.1 that nothing holds now and no outgoing connection will take.

    A port the kernel hands out for `bind(0)` comes from the ephemeral range, which is also where
    every outgoing connection's local port comes from: between this probe and the child's bind,
    one of the suite's own connections (to the Slack double, to PostgreSQL) could take it, and the
    child would fail with "Address already in use". Ports below that range are never handed out
    unasked."""
    lowest_ephemeral = _lowest_ephemeral_port()
    below = range(max(1024, lowest_ephemeral - 12_000), lowest_ephemeral)
    for port in random.sample(below, min(200, len(below))):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as probe:  # a machine whose whole port space is ephemeral
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _lowest_ephemeral_port() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def clean_environment() -> dict[str, str]:
    """This process's environment minus anything the bot would read as its settings."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MOSOVO_", "DATABASE_URL"))
    }


def peak_rss_kib(pid: int) -> int:
    """The process's peak resident memory (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc status")


def wait_until_healthy(url: str, process: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "the bot did not start serving"
        time.sleep(0.2)


@contextmanager
def bot_process(
    slack_url: str, workdir: Path, **env: str
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """The bot serving HTTP on 127.0.0.1: (its base URL, the process)."""
    port = free_port()
    settings = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": slack_url,
        "DATABASE_URL": f"sqlite:///{workdir}/run.db",
        "MOSOVO_SUPERVISORS": "U0SUP1",
        "MOSOVO_METRICS_ADDRESS": f"127.0.0.1:{free_port()}",
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--host", "127.0.0.1", "--port", str(port)],
        env={**clean_environment(), **settings},
        cwd=workdir,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process)
        yield url, process
    finally:
        process.terminate()
        process.communicate(timeout=20)
