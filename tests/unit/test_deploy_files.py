"""The Dockerfile, compose.yaml and the load balancer's configuration hold what docs/deploy.md
promises. Docker is not needed: the files are parsed and their essentials checked."""

from __future__ import annotations

import re
import shlex

from bot.settings import AuditSettings, DatabaseSettings, RetentionSettings, Settings
from tests.support.deploy_files import (
    ROOT,
    bots,
    compose,
    dockerfile,
    final_stage,
    instructions,
    interpolated,
)


def test_the_instruction_parser_joins_continuations_and_drops_comments() -> None:
    assert instructions("# c\nFROM a AS b\nRUN x \\\n    && y\n") == [
        ("FROM", "a AS b"),
        ("RUN", "x      && y"),
    ]


def test_the_image_is_slim_and_runs_as_a_non_root_user() -> None:
    bases = [args.split()[0] for keyword, args in dockerfile() if keyword == "FROM"]
    assert bases and all(re.fullmatch(r"python:3\.1[1-9]-slim", base) for base in bases)
    users = [args for keyword, args in final_stage() if keyword == "USER"]
    assert users, "the final stage must switch user"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    keywords = [keyword for keyword, _ in final_stage()]
    assert keywords.index("USER") < keywords.index("ENTRYPOINT")


def test_the_healthcheck_asks_healthz_on_the_port() -> None:
    [check] = [args for keyword, args in final_stage() if keyword == "HEALTHCHECK"]
    assert "/healthz" in check and "PORT" in check
    assert "--interval=" in check and "--timeout=" in check
    assert ("EXPOSE", "3000") in final_stage()
    assert "PORT=3000" in " ".join(args for keyword, args in final_stage() if keyword == "ENV")


def test_the_entrypoint_is_the_command_and_run_its_default() -> None:
    steps = dict(final_stage())
    assert shlex.split(steps["ENTRYPOINT"].strip("[]").replace(",", " ")) == ["mosovo-bot"]
    assert "run" in steps["CMD"]


def test_every_copied_path_exists_and_the_manifest_is_in_the_image() -> None:
    copied = [
        args.split()[:-1]
        for keyword, args in dockerfile()
        if keyword == "COPY" and "--from" not in args
    ]
    sources = [source for sources in copied for source in sources]
    assert "manifest.yml" in sources  # doctor compares scopes with it
    for source in sources:
        assert (ROOT / source).exists(), source


def test_local_settings_keys_and_databases_stay_out_of_the_image() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for pattern in (".env", ".venv", ".git", "*.db", "*.key", "tests"):
        assert pattern in ignored


def test_compose_runs_postgresql_and_two_bot_replicas_in_http_mode() -> None:
    services = compose()["services"]
    assert re.fullmatch(r"postgres:1[5-9]", services["db"]["image"])
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert len(bots()) == 2
    for service in bots().values():
        assert service["build"] == "." and "--host" in service["command"]
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_bots_run_as_the_runtime_role_and_only_migrate_runs_as_the_owner() -> None:
    services = compose()["services"]
    for service in bots().values():
        environment = service["environment"]
        assert environment["DATABASE_URL"].startswith("postgresql://mosovo_bot:")
        assert "MOSOVO_MIGRATION_DATABASE_URL" not in environment
    migrate = services["migrate"]
    assert migrate["command"] == ["db", "upgrade"]
    assert migrate["environment"]["MOSOVO_MIGRATION_DATABASE_URL"].startswith(
        "postgresql://mosovo_owner:"
    )
    init = (ROOT / "deploy" / "postgres-init.sh").read_text(encoding="utf-8")
    assert "CREATE ROLE mosovo_owner" in init and "CREATE ROLE mosovo_bot" in init
    assert "CREATE SCHEMA mosovo AUTHORIZATION mosovo_owner" in init


def test_no_secret_is_written_into_compose() -> None:
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert not re.search(r"xox[abp]-|xapp-", text)
    for url in re.findall(r"postgresql://[^\s]+", text):
        password = url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
        assert password.startswith("${") and ":?" in password, url
    for service in compose()["services"].values():
        for name, value in (service.get("environment") or {}).items():
            if "PASSWORD" in name:
                assert str(value).startswith("${"), name


def known_settings() -> set[str]:
    names: set[str] = set()
    for model in (Settings, DatabaseSettings, RetentionSettings, AuditSettings):
        names |= {field.alias for field in model.model_fields.values() if field.alias}
    return names


def test_every_setting_compose_gives_the_bot_is_one_it_reads() -> None:
    for name in ("migrate", *bots()):
        environment = compose()["services"][name]["environment"]
        assert set(environment) <= known_settings(), name


def test_the_load_balancer_sends_slack_to_both_replicas() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    upstream = re.search(r"upstream \w+ \{(.*?)\}", conf, re.S)
    assert upstream is not None
    servers = re.findall(r"server ([\w-]+):3000", upstream.group(1))
    assert sorted(servers) == sorted(bots())
    assert "location = /slack/events" in conf and "location = /healthz" in conf
    assert "client_max_body_size 1m" in conf
    lb = compose()["services"]["lb"]
    assert lb["ports"] == ["127.0.0.1:8080:8080"]
    assert {name: dep["condition"] for name, dep in lb["depends_on"].items()} == {
        name: "service_healthy" for name in bots()
    }


def test_interpolation_fills_variables_and_stops_on_a_missing_one() -> None:
    assert interpolated("a:${X:?set it}@${Y}", {"X": "1", "Y": "2"}) == "a:1@2"
    try:
        interpolated("${Z:?set in .env}", {})
    except AssertionError as stopped:
        assert "Z is not set" in str(stopped)
    else:
        raise AssertionError("a missing variable must stop compose")
