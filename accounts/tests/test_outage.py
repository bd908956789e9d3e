"""When the database cannot be reached: 503 with Retry-After, fast, and /healthz says which."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections
from django.db.utils import load_backend
from django.test import Client
from django.urls import get_resolver

from accounts import health, selectors

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def unreachable():
    """A connection to the same kind of database that cannot be reached."""
    settings_dict = {**connections["default"].settings_dict}
    options = {k: v for k, v in settings_dict.get("OPTIONS", {}).items() if k != "pool"}
    if connections["default"].vendor == "postgresql":
        settings_dict.update(HOST="127.0.0.1", PORT=_closed_port())
    else:
        settings_dict["NAME"] = "/nonexistent/directory/cxcenter.sqlite3"
        options.pop("init_command", None)
    settings_dict["OPTIONS"] = options
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "unreachable")
    yield wrapper
    wrapper.close()


@pytest.fixture
def roles_need_the_unreachable_database(unreachable, monkeypatch):
    def user_roles(*, user):
        with unreachable.cursor() as cursor:
            cursor.execute("SELECT 1")

    # Import every view first, or a module imported now would keep the broken function.
    assert get_resolver().url_patterns

    monkeypatch.setattr(selectors, "user_roles", user_roles)
    from accounts import api, views

    monkeypatch.setattr(api, "user_roles", user_roles)
    monkeypatch.setattr(views.selectors, "user_roles", user_roles)


def test_the_api_answers_503_json_with_retry_after(api_client, roles_need_the_unreachable_database):
    api_client.raise_request_exception = False
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["request_id"] == response["X-Request-ID"]


def test_a_page_answers_503_plain_with_retry_after(
    agent_client: Client, roles_need_the_unreachable_database
) -> None:
    agent_client.raise_request_exception = False
    response = agent_client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"temporarily unavailable" in response.content


def test_healthz_reports_the_database_apart_and_answers_503(
    client: Client, unreachable, monkeypatch
) -> None:
    monkeypatch.setattr(health, "connection", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": "error", "broker": "ok", "cache": "ok"},
    }


def test_healthz_reports_an_unreachable_broker(client: Client, monkeypatch) -> None:
    def broker() -> None:
        raise ConnectionRefusedError

    monkeypatch.setitem(health.CHECKS, "broker", broker)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "error", "cache": "ok"}


def test_postgresql_connects_with_a_short_timeout(tmp_path) -> None:
    env = {
        **os.environ,
        "DEBUG": "1",
        "CXCENTER_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/x",
    }
    code = (
        "import cxcenter.settings as s; print(s.DATABASES['default']['OPTIONS']['connect_timeout'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "3"
