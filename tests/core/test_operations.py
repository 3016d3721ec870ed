"""Running it: the health endpoint, the 500 page, logs as JSON lines with the audit trail's request id."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import python_calamine
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from tests.conftest import Tree
from wangge.core.logs import JsonFormatter
from wangge.core.models import AuditEvent, Heartbeat
from wangge.core.roles import Role
from wangge.core.tasks import nightly_maintenance_task

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def dirs(tmp_path: Path) -> Iterator[Path]:
    with override_settings(WANGGE_LEDGER_DIR=tmp_path / "ledgers", MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path


def test_healthz_is_ok_after_a_sweep_and_says_nothing_secret(db: None, dirs: Path, client: Client) -> None:
    call_command("cases_sweep")  # the sweep records when it finished
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "queue", "uploads", "media", "sweep"}
    assert body["checks"]["sweep"]["age_minutes"] == 0 and body["checks"]["uploads"]["free_mb"] > 0
    text = response.content.decode()
    for secret in [settings.SECRET_KEY, settings.AUDIT_CHAIN_KEY, settings.WANGGE_LOOKUP_KEY, str(dirs)]:
        assert secret not in text
    assert response["Cache-Control"] == "no-store"


def test_healthz_is_unhealthy_when_the_sweep_is_late_or_never_ran(db: None, dirs: Path, client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["sweep"] == {
        "ok": False,
        "last": None,
        "error": "the sweep has never run: is the worker running?",
    }
    Heartbeat.objects.create(name="cases.sweep", at=timezone.now() - timedelta(minutes=31))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["sweep"]["age_minutes"] == 31
    with override_settings(WANGGE_HEALTH_SWEEP_MINUTES=45):
        assert client.get("/healthz").status_code == 200


def test_healthz_is_unhealthy_when_uploads_cannot_be_written_or_the_disk_is_full(
    db: None, dirs: Path, client: Client
) -> None:
    call_command("cases_sweep")
    blocked = dirs / "not-a-directory"
    blocked.write_text("")
    with override_settings(WANGGE_LEDGER_DIR=blocked / "ledgers"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["uploads"]["ok"] is False and response.json()["checks"]["media"]["ok"] is True
    with override_settings(WANGGE_HEALTH_MIN_FREE_MB=10**12):
        response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["uploads"]["error"] == "low disk space"


def test_healthz_is_unhealthy_when_the_queue_is_unreachable(
    db: None, dirs: Path, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    call_command("cases_sweep")

    def unreachable() -> int:
        raise ConnectionError("queue down")

    monkeypatch.setattr(HUEY, "pending_count", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"] == {"ok": False, "error": "ConnectionError"}


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=[r"^healthz$"])
def test_healthz_needs_no_login_nor_https(db: None, dirs: Path, client: Client) -> None:
    call_command("cases_sweep")
    assert client.get("/healthz").status_code == 200
    assert client.get("/login/").status_code == 301  # the rest of the site still moves to HTTPS


@pytest.mark.urls("tests.core.urls_boom")
def test_a_server_error_shows_the_styled_chinese_page_with_the_request_id(db: None) -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "服务器出错" in html and "返回首页" in html and "bootstrap" in html
    assert response["X-Request-ID"] in html


@pytest.mark.urls("tests.core.urls_boom")
def test_the_500_page_falls_back_to_plain_chinese_when_it_cannot_be_drawn(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise ValueError("Missing staticfiles manifest entry")

    monkeypatch.setattr("wangge.core.views.site.loader.render_to_string", broken)
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500 and "服务器出错" in response.content.decode()


def _json_lines(caplog: pytest.LogCaptureFixture, logger: str) -> list[dict[str, object]]:
    formatter = JsonFormatter()
    lines = [formatter.format(r) for r in caplog.records if r.name == logger]
    assert all("\n" not in line for line in lines)
    return [json.loads(line) for line in lines]


def test_each_request_logs_one_json_line_with_the_request_id_of_its_audit_rows(
    db: None, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="wangge.request"):
        response = client.post("/login/", {"username": "nobody", "password": "wrong-password"})
    (line,) = _json_lines(caplog, "wangge.request")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    assert line["request_id"] == request_id
    assert line["event"] == "request" and line["method"] == "POST" and line["path"] == "/login/"
    assert line["status"] == 200 and line["ip"] == "127.0.0.1"
    audit = AuditEvent.objects.get(action="login.failed")
    assert audit.request_id == request_id


def test_the_proxys_request_id_is_kept_and_a_query_string_never_logged(
    db: None, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    given = "0123456789abcdef0123456789abcdef"
    with caplog.at_level(logging.INFO, logger="wangge.request"):
        response = client.get("/login/?q=420102198001011234", HTTP_X_REQUEST_ID=given)
        client.get("/login/", HTTP_X_REQUEST_ID="not an id; drop table")
    first, second = _json_lines(caplog, "wangge.request")
    assert response["X-Request-ID"] == given and first["request_id"] == given
    assert "420102198001011234" not in json.dumps(first)
    assert second["request_id"] != "not an id; drop table" and len(str(second["request_id"])) == 32


def test_each_job_logs_one_json_line_with_the_request_id_of_its_audit_rows(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    HUEY.immediate = True
    try:
        with caplog.at_level(logging.INFO, logger="wangge.job"):
            result = nightly_maintenance_task()
    finally:
        HUEY.immediate = False
    (line,) = _json_lines(caplog, "wangge.job")
    assert line["event"] == "job" and line["status"] == "done" and line["task"].endswith("nightly_maintenance_task")
    assert line["request_id"] == result.id.replace("-", "")
    assert AuditEvent.objects.get(action="audit.verify").request_id == line["request_id"]


def test_the_audit_chain_covers_the_request_id_and_old_rows_still_verify(db: None) -> None:
    from wangge.core.audit import audit_record, audit_verify, compute_hash, request_context

    with request_context(ip="cli"):
        old = audit_record(actor=None, username="x", action="test.old")
    with request_context(ip="cli", request_id="ab" * 16):
        new = audit_record(actor=None, username="x", action="test.new")
    assert old.request_id == "" and new.request_id == "ab" * 16
    assert audit_verify() == (2, [])
    new.request_id = "cd" * 16
    assert compute_hash(new) != new.hash  # a changed request id is a changed row


def test_the_worker_prints_each_line_once_as_json(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}},
        "WANGGE_VAR_DIR": str(tmp_path),
        "LOG_LEVEL": "INFO",
        "WANGGE_LOG_FORMAT": "json",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--workers", "1", "--no-periodic"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert worker.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = worker.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "consumer started" in line:
            break
    time.sleep(0.5)  # a duplicate would follow at once
    worker.send_signal(signal.SIGINT)
    rest, _ = worker.communicate(timeout=30)
    lines += rest.splitlines(keepends=True)
    started = [line for line in lines if "consumer started" in line]
    assert len(started) == 1, "".join(lines)
    for line in lines:
        if line.strip():
            assert json.loads(line)["logger"].startswith("huey"), line


def test_the_auditor_finds_the_rows_of_one_request_by_its_id(
    tree: Tree, client_for: Callable[..., Client], client: Client
) -> None:
    first = client.post("/login/", {"username": "nobody", "password": "wrong-password"})["X-Request-ID"]
    client.post("/login/", {"username": "somebody", "password": "wrong-password"})
    auditor = client_for(Role.AUDITOR)
    response = auditor.get("/audit/", {"request_id": first.upper()})
    assert [(e.action, e.username) for e in response.context["page"]] == [("login.failed", "nobody")]
    export = auditor.get("/audit/export.xlsx", {"request_id": first})
    rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    assert rows[0][-1] == "请求编号" and [r[-1] for r in rows[1:]] == [first]


@pytest.mark.urls("tests.core.urls_boom")
def test_djangos_own_error_lines_leave_the_query_string_out(db: None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="django.request"):
        Client(raise_request_exception=False).get("/boom/?q=420102198001011234")
    lines = _json_lines(caplog, "django.request")
    assert lines and lines[0]["status_code"] == 500 and "exc" in lines[0]
    assert "420102198001011234" not in json.dumps(lines)
