"""The container image and compose.yaml rehearsed on this machine, which has no container engine.

The Dockerfile's build stage is carried out as written (its COPY sources copied, its RUN run, with
/opt/venv at a path of the test's), the final stage's WORKDIR, COPY, ENV and USER applied, and the
compose services started as the processes they run: a PostgreSQL cluster of the test's own,
initialised as the postgres image does with deploy/postgres-init.sh; the one-shot `migrate`; the
two bot replicas with the environment compose gives them; the image's HEALTHCHECK against each;
and `doctor` as docs/deploy.md tells an operator to run it. What a container adds and this cannot
show (a read-only root, dropped capabilities, the network between services, nginx) is checked
statically in tests/unit/test_deploy_files.py."""

from __future__ import annotations

import glob
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.flow import answers_for
from tests.e2e.test_doctor import rows
from tests.support import signing
from tests.support.bot_process import clean_environment, free_port
from tests.support.databases import NO_PG, postgres_base_url
from tests.support.deploy_files import (
    ROOT,
    bots,
    compose,
    env_values,
    exec_form,
    interpolated,
    stages,
)
from tests.support.running_bot import OFFICER, PRIVATE, SECRET, SUP_GROUP, current_question
from tests.support.running_bot import thread_posts as posts_in_thread
from tests.support.slack_double import SlackDouble

pytestmark = pytest.mark.skipif(postgres_base_url() is None, reason=NO_PG)

AS_ROOT = os.geteuid() == 0
#: the image's paths, and where the rehearsal keeps them
OPT_VENV = "/opt/venv"
#: the Welsh catalogues, compiled in the build stage
CATALOGUES = "flows/locale/cy/LC_MESSAGES"


def shared_dir(prefix: str) -> Path:
    """A directory another user (the image's, or postgres) may enter."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def run(argv: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=600, **options)


@dataclass
class Image:
    """What `docker build` would have made: the venv, the working directory, the environment,
    the user, the entrypoint and the health check."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)
    workdir: Path | None = None
    user: tuple[int, int] | None = None
    entrypoint: list[str] = field(default_factory=list)
    healthcheck: list[str] = field(default_factory=list)

    def path(self, image_path: str) -> str:
        """An image path's place in the rehearsal (/opt/venv, /tmp, /var/lib/mosovo)."""
        places = {
            OPT_VENV: self.root / "opt-venv",
            "/var/lib/mosovo": self.root / "var-lib-mosovo",
            "/tmp": self.root / "tmp",
        }
        pattern = "|".join(re.escape(inside) for inside in places)
        return re.sub(
            rf"(?<![\w/])({pattern})(?=/|\b|$)",
            lambda m: str(places[m.group(1)]),
            image_path,
        )

    def executable(self, name: str) -> str:
        found = shutil.which(name, path=self.env["PATH"])
        assert found, f"{name} is not on the image's PATH"
        return found

    def process_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"cwd": self.workdir}
        if self.user is not None:
            options.update(user=self.user[0], group=self.user[1], extra_groups=[])
        return options

    def command(self, argv: list[str], env: dict[str, str]) -> list[str]:
        return [self.executable(self.entrypoint[0]), *self.entrypoint[1:], *argv]


def base_python(steps: list[tuple[str, str]]) -> Path:
    """A system interpreter of the base image's version (python:3.11-slim: /usr/local/bin), one
    the image's user may run: this test's own may live where only root can enter."""
    version = re.fullmatch(r"python:(\d+\.\d+)-slim", steps[0][1].split()[0])
    assert version, steps[0]
    for place in ("/usr/local/bin", "/usr/bin"):
        found = Path(place) / f"python{version.group(1)}"
        if found.exists():
            return found
    if not AS_ROOT:
        return Path(getattr(sys, "_base_executable", sys.executable))
    raise AssertionError(f"Python {version.group(1)} is needed in /usr/local/bin or /usr/bin")


def build_stage(image: Image, steps: list[tuple[str, str]]) -> None:
    """The build stage as written: its COPY sources into its WORKDIR, then its RUN lines."""
    src = image.root / "src"
    python = image.root / "base-python"
    python.mkdir()
    (python / "python").symlink_to(base_python(steps))
    # `python` is the base image's interpreter; the build needs nothing of this test's venv
    env = {**clean_environment(), "PATH": f"{python}:{os.environ['PATH']}"}
    for keyword, args in steps[1:]:
        if keyword == "WORKDIR":
            assert args == "/src", "the rehearsal builds in /src"
            src.mkdir()
        elif keyword == "ENV":
            # PIP_NO_CACHE_DIR keeps the image small; here the machine's pip cache may serve
            env.update({k: v for k, v in env_values(args).items() if k != "PIP_NO_CACHE_DIR"})
        elif keyword == "COPY":
            *sources, destination = args.split()
            for source in sources:
                target = (
                    src / destination / Path(source).name
                    if destination.endswith("/")
                    else src / destination
                )
                if (ROOT / source).is_dir():
                    shutil.copytree(
                        ROOT / source, target, ignore=shutil.ignore_patterns("*.mo", "__pycache__")
                    )
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(ROOT / source, target)
        elif keyword == "RUN":
            built = run(["/bin/sh", "-c", image.path(args)], cwd=src, env=env)
            assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]


def final(image: Image, steps: list[tuple[str, str]]) -> None:
    """The final stage's WORKDIR, COPY, ENV, USER, HEALTHCHECK and ENTRYPOINT."""
    image.env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(image.root / "home")}
    for keyword, args in steps[1:]:
        if keyword == "WORKDIR":
            image.workdir = image.root / "app"
            image.workdir.mkdir()
        elif keyword == "COPY" and "--from=build" in args:
            assert args.split()[1:] == [OPT_VENV, OPT_VENV], "the venv is copied as built"
        elif keyword == "COPY":
            *sources, destination = args.split()
            assert image.workdir is not None and destination == "./"
            for source in sources:
                shutil.copy2(ROOT / source, image.workdir / source)
        elif keyword == "ENV":
            for name, value in env_values(args).items():
                image.env[name] = image.path(value.replace("$PATH", image.env["PATH"]))
        elif keyword == "USER":
            uid, _, gid = args.partition(":")
            if AS_ROOT:
                image.user = (int(uid), int(gid or uid))
        elif keyword == "HEALTHCHECK":
            image.healthcheck = exec_form(args.split(" CMD ", 1)[1])
        elif keyword == "ENTRYPOINT":
            image.entrypoint = exec_form(args)
    for made in ("tmp", "home", "var-lib-mosovo"):
        (image.root / made).mkdir(exist_ok=True)
        (image.root / made).chmod(0o1777)


@pytest.fixture(scope="module")
def image() -> Iterator[Image]:
    built = Image(shared_dir("mosovo-image-"))
    try:
        build, last = stages()[0], stages()[-1]
        build_stage(built, build)
        final(built, last)
        yield built
    finally:
        shutil.rmtree(built.root, ignore_errors=True)


# -- the `db` service: PostgreSQL as the postgres:15 image starts it the first time ----------------


@dataclass
class Cluster:
    port: int
    sockets: Path
    variables: dict[str, str]

    def url(self, compose_url: str) -> str:
        """A compose service's database URL, with the `db` host pointed at this cluster."""
        return interpolated(compose_url, self.variables).replace(
            "@db:5432/", f"@127.0.0.1:{self.port}/"
        )


#: the server's own user, as the postgres image runs it
POSTGRES_USER: dict[str, Any] = (
    {"user": "postgres", "group": "postgres", "extra_groups": []} if AS_ROOT else {}
)


def as_postgres(argv: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    return run(argv, **POSTGRES_USER, **options)


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert found, "PostgreSQL's server programs (initdb) are needed to rehearse the db service"
    return Path(found[-1]).parent


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    db = compose()["services"]["db"]
    variables = {
        name: secrets.token_urlsafe(12)
        for name in ("POSTGRES_PASSWORD", "MOSOVO_OWNER_DB_PASSWORD", "MOSOVO_BOT_DB_PASSWORD")
    }
    environment = {k: interpolated(str(v), variables) for k, v in db["environment"].items()}
    root = shared_dir("mosovo-db-")
    data, sockets, password = root / "data", root / "run", root / "password"
    password.write_text(environment["POSTGRES_PASSWORD"])
    if AS_ROOT:
        shutil.chown(root, "postgres")
        shutil.chown(password, "postgres")
    bin_dir = postgres_bin()
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", environment["POSTGRES_USER"]]
    initdb += ["--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={password}"]
    made = as_postgres([*initdb, "-E", "UTF8", "--locale=C"])
    assert made.returncode == 0, made.stderr
    as_postgres(["mkdir", str(sockets)])
    port = free_port()
    serve = ["-D", str(data), "-p", str(port), "-k", str(sockets)]
    server = subprocess.Popen(
        [str(bin_dir / "postgres"), *serve, "-c", "listen_addresses=127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **POSTGRES_USER,
    )
    try:
        psql = {**clean_environment(), "PGHOST": str(sockets), "PGPORT": str(port)}
        for _ in range(100):
            if run(["pg_isready", "-q", "-U", "postgres"], env=psql).returncode == 0:
                break
            time.sleep(0.1)
        create = f'CREATE DATABASE "{environment["POSTGRES_DB"]}"'
        created = as_postgres(
            ["psql", "-U", environment["POSTGRES_USER"], "-d", "postgres", "-c", create],
            env=psql,
        )
        assert created.returncode == 0, created.stderr
        # /docker-entrypoint-initdb.d, as the image runs it: as postgres, over the local socket
        [mount] = [v for v in db["volumes"] if "docker-entrypoint-initdb.d" in v]
        script = ROOT / mount.split(":")[0]
        initialised = as_postgres(["/bin/sh", str(script)], env={**psql, **environment})
        assert initialised.returncode == 0, initialised.stderr
        yield Cluster(port, sockets, variables)
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)
        shutil.rmtree(root, ignore_errors=True)


# -- the bot services ------------------------------------------------------------------------------


def dotenv(slack: SlackDouble) -> dict[str, str]:
    """The operator's .env, with only settings .env.example offers."""
    settings = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.url,
        "MOSOVO_SUPERVISORS": SUP_GROUP,
        "MOSOVO_REQUEST_CHANNELS": PRIVATE,
        "MOSOVO_WORKING_HOURS": "always",
    }
    offered = set(re.findall(r"^#? ?(\w+)=", (ROOT / ".env.example").read_text(), re.M))
    assert set(settings) <= offered, set(settings) - offered
    return settings


def service_env(image: Image, cluster: Cluster, name: str, extra: dict[str, str]) -> dict[str, str]:
    service = compose()["services"][name]
    environment = {
        k: cluster.url(str(v))
        if k.endswith("DATABASE_URL")
        else interpolated(str(v), cluster.variables)
        for k, v in (service.get("environment") or {}).items()
    }
    return {**image.env, **(extra if service.get("env_file") else {}), **environment}


def healthy(image: Image, port: int) -> int:
    """The image's HEALTHCHECK, run as Docker runs it inside the container: its exit status."""
    argv = [image.executable(image.healthcheck[0]), *image.healthcheck[1:]]
    checked = run(argv, env={**image.env, "PORT": str(port)}, **image.process_options())
    return checked.returncode


@dataclass
class Replica:
    name: str
    url: str
    process: subprocess.Popen[str]

    def send(self, request: signing.SignedRequest) -> None:
        result = signing.post(f"{self.url}/slack/events", request.body, request.headers)
        assert result.status == 200, (self.name, result)


def start_replica(image: Image, env: dict[str, str], name: str, logs: Path) -> Replica:
    port = free_port()
    command = [
        {"0.0.0.0": "127.0.0.1", "3000": str(port)}.get(a, a) for a in bots()[name]["command"]
    ]
    # one host for both replicas: each its own metrics port, as each container has its loopback
    env = {**env, "PORT": str(port), "MOSOVO_METRICS_ADDRESS": f"127.0.0.1:{free_port()}"}
    log = (logs / f"{name}.log").open("w")
    process = subprocess.Popen(
        image.command(command, env),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        **image.process_options(),
    )
    deadline = time.monotonic() + 60
    while healthy(image, port) != 0:
        assert process.poll() is None, (logs / f"{name}.log").read_text()[-3000:]
        assert time.monotonic() < deadline, f"{name} never became healthy"
        time.sleep(0.3)
    return Replica(name, f"http://127.0.0.1:{port}", process)


def wait_for_question(slack: SlackDouble, thread: str, other_than: str | None, logs: Path) -> str:
    deadline = time.monotonic() + 30
    while True:
        try:
            asked = current_question(slack, thread)
        except AssertionError:
            asked = None
        if asked is not None and asked != other_than:
            return asked
        assert time.monotonic() < deadline, (
            f"no question after {other_than!r}: "
            + "\n".join(c.summary() for c in slack.calls())
            + "".join(p.read_text()[-2000:] for p in logs.glob("*.log"))
        )
        time.sleep(0.1)


def test_the_image_holds_the_bot_and_its_catalogues_not_the_checkout(image: Image) -> None:
    python = image.executable("python")
    probe = (
        "import bot, flows, storage, gettext, pathlib; "
        "print(bot.__file__); "
        "print(sorted(p.name for p in pathlib.Path(flows.__file__).parent.glob('locale/cy/LC_MESSAGES/*.mo')))"
    )
    found = run([python, "-c", probe], env=image.env, **image.process_options())
    assert found.returncode == 0, found.stderr
    where, catalogues = found.stdout.splitlines()
    assert where.startswith(image.path(OPT_VENV)), where
    domains = sorted(p.with_suffix(".mo").name for p in (ROOT / CATALOGUES).glob("*.po"))
    assert domains and catalogues == str(domains), catalogues
    assert image.user is None or image.user[0] != 0


@pytest.fixture(scope="module")
def migrated(image: Image, cluster: Cluster) -> str:
    """The one-shot `migrate` service, run once: what it printed."""
    migrate = service_env(image, cluster, "migrate", {})
    done = run(
        image.command(compose()["services"]["migrate"]["command"], migrate),
        env=migrate,
        **image.process_options(),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_compose_comes_up_migrated_and_serves_slack_from_both_replicas(
    image: Image, cluster: Cluster, migrated: str, slack: SlackDouble
) -> None:
    assert "runtime role mosovo_bot" in migrated
    assert healthy(image, free_port()) != 0  # the check fails while nothing answers
    logs = shared_dir("mosovo-logs-")
    replicas: list[Replica] = []
    try:
        for name in bots():
            env = service_env(image, cluster, name, dotenv(slack))
            replicas.append(start_replica(image, env, name, logs))
        first, second = replicas

        # an officer's request: started on one replica, answered on the other, then the first
        first.send(signing.slash_command(SECRET, user_id=OFFICER, channel_id=PRIVATE))
        deadline = time.monotonic() + 30
        while not [c for c in slack.calls("chat.postMessage") if c.ok]:
            assert time.monotonic() < deadline, (logs / "bot-a.log").read_text()[-3000:]
            time.sleep(0.1)
        parent = next(c for c in slack.calls("chat.postMessage") if c.ok)
        thread = parent.response["ts"]  # type: ignore[index]
        asked = wait_for_question(slack, thread, None, logs)
        for replica in (second, first):
            answer = answers_for("order")[asked]
            reply = signing.thread_reply(
                channel=PRIVATE, thread_ts=thread, user=OFFICER, text=answer
            )
            replica.send(signing.event_callback(SECRET, reply))
            asked = wait_for_question(slack, thread, asked, logs)
        assert len(posts_in_thread(slack, thread)) >= 3

        # docs/deploy.md: `docker compose run --rm bot-a doctor` after every change
        doctor_env = service_env(image, cluster, "bot-a", dotenv(slack))
        doctor = run(
            image.command(["doctor"], doctor_env), env=doctor_env, **image.process_options()
        )
        table = rows(doctor.stdout)
        for check in ("settings", "database", "audit chain", "auth.test", f"channel {PRIVATE}"):
            assert table.get(check) == "PASS", doctor.stdout
        verified = run(
            image.command(["audit", "verify"], doctor_env),
            env=doctor_env,
            **image.process_options(),
        )
        assert verified.returncode == 0, verified.stdout + verified.stderr
    finally:
        for replica in replicas:
            replica.process.terminate()
            replica.process.wait(timeout=30)
        shutil.rmtree(logs, ignore_errors=True)


def test_the_runtime_role_compose_gives_the_bots_cannot_rewrite_the_audit_log(
    cluster: Cluster, migrated: str
) -> None:
    [bot_url] = {cluster.url(s["environment"]["DATABASE_URL"]) for s in bots().values()}
    tried = run(
        ["psql", bot_url, "-c", "DELETE FROM audit_events"],
        env=clean_environment(),
    )
    assert tried.returncode != 0
    assert "permission denied" in tried.stderr, tried.stderr
