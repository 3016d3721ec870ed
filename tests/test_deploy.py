"""The example files for a real host (deploy/) stay true to the code: every setting, every command line."""

from __future__ import annotations

import ast
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import load_command_class
from django.core.management.base import CommandError
from gunicorn.config import Config

from wangge.core.uploads import PUBLIC_MEDIA_FOLDER

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
COMMANDS = {"run_huey": "huey.contrib.djhuey", "backup": "wangge.core", "holidays_load": "wangge.core"}


def settings_variables() -> set[str]:
    """The names of every environment variable config/settings.py reads (env_str, env_int, … calls)."""
    tree = ast.parse((ROOT / "config" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id.startswith("env_")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(node.args[0].value)
    return names


def env_file() -> dict[str, str]:
    """The variables of deploy/wangge.env, set (`NAME=value`) or shown with their default (`# NAME=value`)."""
    found = {}
    for line in (DEPLOY / "wangge.env").read_text().splitlines():
        match = re.fullmatch(r"#? ?([A-Z][A-Z0-9_]+)=(.*)", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def test_the_environment_file_lists_every_variable_the_settings_read() -> None:
    read = settings_variables()
    assert len(read) > 40  # the parse found the calls
    listed = set(env_file())
    assert read - listed == set(), "add these to deploy/wangge.env"
    assert listed - read == set(), "deploy/wangge.env names variables the settings no longer read"


def test_the_environment_file_sets_what_production_requires() -> None:
    text = (DEPLOY / "wangge.env").read_text()
    for name in ["WANGGE_ENV", "SECRET_KEY", "AUDIT_CHAIN_KEY", "WANGGE_FIELD_KEY", "WANGGE_LOOKUP_KEY"]:
        assert re.search(rf"^{name}=", text, re.M), name
    for name in ["ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "WANGGE_VAR_DIR"]:
        assert re.search(rf"^{name}=", text, re.M), name
    assert re.search(r"^WANGGE_ENV=production$", text, re.M)


def units() -> dict[str, list[str]]:
    """Each unit file's ExecStart, split as systemd would (no variables used)."""
    found = {}
    for path in sorted((DEPLOY / "systemd").glob("*.service")):
        lines = [line for line in path.read_text().splitlines() if line.startswith("ExecStart=")]
        assert len(lines) == 1, path
        found[path.name] = shlex.split(lines[0].removeprefix("ExecStart="))
    return found


def test_each_unit_runs_a_command_that_exists_with_options_it_accepts() -> None:
    found = units()
    assert {"wangge-web.service", "wangge-worker.service", "wangge-worker-extra@.service"} <= set(found)
    for name, argv in found.items():
        program = Path(argv[0]).name
        if program == "gunicorn":
            options = Config().parser().parse_args(argv[1:])
            assert options.args == ["config.wsgi"] and options.forwarded_allow_ips == "127.0.0.1", name
            assert options.bind == ["127.0.0.1:8001"], name
        else:
            assert program == "python" and argv[1] == "manage.py", name
            command = load_command_class(COMMANDS[argv[2]], argv[2])
            try:
                command.create_parser("manage.py", argv[2]).parse_args(argv[3:])
            except CommandError as exc:  # pragma: no cover - the assertion below says which unit
                pytest.fail(f"{name}: {exc}")


def test_the_timers_start_their_units_on_valid_calendars() -> None:
    timers = sorted((DEPLOY / "systemd").glob("*.timer"))
    assert [t.stem for t in timers] == ["wangge-backup", "wangge-holidays"]
    for timer in timers:
        assert (DEPLOY / "systemd" / f"{timer.stem}.service").exists()
        calendar = re.search(r"^OnCalendar=(.+)$", timer.read_text(), re.M).group(1)  # type: ignore[union-attr]
        if shutil.which("systemd-analyze"):
            done = subprocess.run(["systemd-analyze", "calendar", calendar], capture_output=True, text=True)
            assert done.returncode == 0, done.stderr


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_finds_nothing_wrong_in_the_units(tmp_path: Path) -> None:
    """`systemd-analyze verify` on each unit, installed here (this checkout for /srv/wangge, root for wangge)."""
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        text = (
            unit.read_text()
            .replace("/srv/wangge", str(ROOT))
            .replace("/etc/wangge/wangge.env", str(DEPLOY / "wangge.env"))
        )
        text = text.replace("User=wangge", "User=root").replace("Group=wangge", "Group=root")
        (tmp_path / unit.name).write_text(text)
    units = sorted(str(p) for p in tmp_path.iterdir())
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *units], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout + done.stderr == "", done.stdout + done.stderr


def test_exactly_one_unit_runs_the_periodic_schedule() -> None:
    workers = {name: argv for name, argv in units().items() if "run_huey" in argv}
    schedule = [name for name, argv in workers.items() if "--no-periodic" not in argv and "-n" not in argv]
    assert schedule == ["wangge-worker.service"]
    worker = (DEPLOY / "systemd" / "wangge-worker.service").read_text()
    assert "KillSignal=SIGINT" in worker  # huey's graceful stop: the running job finishes


def test_nginx_serves_only_the_public_photos_and_takes_a_whole_ledger() -> None:
    site = (DEPLOY / "nginx" / "wangge.conf").read_text()
    var_dir = env_file()["WANGGE_VAR_DIR"]
    aliases = re.findall(r"alias\s+([^;]+);", site)
    assert aliases == [f"{var_dir}/media/{PUBLIC_MEDIA_FOLDER}/"]
    assert re.search(r"location /media/ \{\s*return 404;\s*\}", site)
    body_mb = int(re.search(r"client_max_body_size (\d+)m;", site).group(1))  # type: ignore[union-attr]
    assert body_mb > int(env_file()["WANGGE_LEDGER_MAX_MB"])
    for header in ["X-Forwarded-For $remote_addr", "X-Forwarded-Proto $scheme", "X-Request-ID $request_id"]:
        assert f"proxy_set_header {header};" in site
    assert "real_ip_header X-Forwarded-For;" in site and "ssl_certificate " in site
