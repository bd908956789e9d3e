"""Throttles measured against gunicorn on 127.0.0.1 with production settings: simultaneous
sign-ins, an agent's inbox while one client floods wrong passwords, and wrong API tokens
from one address until 429."""

import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection

from accounts.models import Department, User
from accounts.roles import Role
from accounts.services import role_assign, roles_ensure

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-throttle-password-1"
PREFIX = "bench-throttle-"
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class ThrottleBench:
    logins: list[float] = field(default_factory=list)
    login_statuses: Counter[int] = field(default_factory=Counter)
    inbox_quiet: list[float] = field(default_factory=list)
    inbox_flooded: list[float] = field(default_factory=list)
    flood_statuses: Counter[int] = field(default_factory=Counter)
    token_401_before_429: int = 0
    token_statuses: Counter[int] = field(default_factory=Counter)
    retry_after: str | None = None


def users_ensure(*, count: int) -> list[str]:
    """``count`` contact-center agents with one known password (hashed once)."""
    roles_ensure()
    kcc, _ = Department.objects.get_or_create(
        code=Department.CONTACT_CENTER, defaults={"name": "Klantcontactcentrum"}
    )
    hashed = make_password(PASSWORD)
    names = [f"{PREFIX}{n}" for n in range(count)]
    for name in names:
        user, _ = User.objects.update_or_create(
            username=name, defaults={"department": kcc, "password": hashed, "is_active": True}
        )
        role_assign(user=user, role=Role.AGENT)
    return names


class Browser:
    """A session by hand: production cookies are Secure and httpx keeps them off http."""

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=120, follow_redirects=False)
        self.cookies: dict[str, str] = {}

    def _header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def _keep(self, response: httpx.Response) -> None:
        for raw in response.headers.get_list("set-cookie"):
            name, _, rest = raw.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def get(self, path: str) -> httpx.Response:
        response = self.http.get(path, headers=self._header())
        self._keep(response)
        return response

    def login_form(self) -> str:
        page = self.get("/accounts/login/")
        match = _CSRF.search(page.text)
        assert match, f"no CSRF token on the sign-in page ({page.status_code})"
        return match.group(1)

    def login(self, username: str, password: str, token: str) -> httpx.Response:
        response = self.http.post(
            "/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token},
            headers={**self._header(), "Referer": str(self.http.base_url)},
        )
        self._keep(response)
        return response


def gunicorn_start(*, port: int, workers: int, threads: int) -> tuple[subprocess.Popen, Path]:
    env = {
        **os.environ,
        "SECURE_SSL_REDIRECT": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "CXCENTER_VAR_DIR": tempfile.mkdtemp(prefix="bench-throttle-"),
    }
    env.pop("DEBUG", None)
    log = Path(env["CXCENTER_VAR_DIR"]) / "gunicorn.log"
    # Production serves hashed static files from the manifest that collectstatic writes.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cxcenter.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--threads",
            str(threads),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process, log
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.terminate()
    raise RuntimeError(f"gunicorn did not become healthy; see {log}")


def _cache_clear() -> None:
    from django.core.cache import cache

    cache.clear()


def throttle_bench(
    *,
    base: str,
    logins: int,
    inbox_requests: int,
    tokens: int,
    flood_seconds: float,
    flood_connections: int,
) -> ThrottleBench:
    result = ThrottleBench()
    names = users_ensure(count=logins)
    connection.close()
    _cache_clear()

    # (a) every sign-in at the same moment
    browsers = [Browser(base) for _ in names]
    forms = [b.login_form() for b in browsers]
    start = threading.Barrier(len(browsers))
    lock = threading.Lock()
    statuses: dict[int, int] = {}

    def sign_in(i: int) -> None:
        start.wait()
        began = time.perf_counter()
        try:
            status = browsers[i].login(names[i], PASSWORD, forms[i]).status_code
        except httpx.HTTPError:
            status = 0  # no answer within the client's timeout
        took = time.perf_counter() - began
        with lock:
            result.logins.append(took)
            result.login_statuses[status] += 1
            statuses[i] = status

    threads = [threading.Thread(target=sign_in, args=(i,)) for i in range(len(browsers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # (b) the inbox of a signed-in agent, quiet and while one client floods wrong passwords
    signed_in = [i for i, status in statuses.items() if status == 302]
    agent = browsers[signed_in[0]] if signed_in else Browser(base)
    if not signed_in:
        agent.login(names[0], PASSWORD, agent.login_form())
    assert agent.get("/inbox/").status_code == 200, "the agent is not signed in"

    def inbox(into: list[float]) -> None:
        for _ in range(inbox_requests):
            began = time.perf_counter()
            response = agent.get("/inbox/")
            into.append(time.perf_counter() - began)
            assert response.status_code == 200, response.status_code

    inbox(result.inbox_quiet)
    _cache_clear()
    stop = threading.Event()

    def flood(connection_no: int) -> None:
        attacker = Browser(base)
        token = attacker.login_form()
        n = 0
        while not stop.is_set():
            try:
                status = attacker.login(
                    f"nobody-{connection_no}-{n}", "wrong-password-123", token
                ).status_code
            except httpx.HTTPError:
                status = 0
            with lock:
                result.flood_statuses[status] += 1
            n += 1

    flooders = [threading.Thread(target=flood, args=(c,)) for c in range(flood_connections)]
    for t in flooders:
        t.start()
    time.sleep(flood_seconds)
    inbox(result.inbox_flooded)
    stop.set()
    for t in flooders:
        t.join()

    # (c) wrong API tokens from one address
    _cache_clear()
    with httpx.Client(base_url=base, timeout=30) as api:
        for n in range(tokens):
            response = api.get("/api/v1/me/", headers={"Authorization": f"Token wrong-{n}"})
            result.token_statuses[response.status_code] += 1
            if response.status_code == 429 and result.retry_after is None:
                result.retry_after = response.headers.get("Retry-After")
            if result.retry_after is None and response.status_code == 401:
                result.token_401_before_429 += 1
    _cache_clear()
    return result


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000 if values else float("nan")


def settings_summary() -> str:
    return (
        f"PASSWORD_CHECKS_CONCURRENT={settings.PASSWORD_CHECKS_CONCURRENT}, "
        f"LOGIN_FAILURE_RATE={settings.LOGIN_FAILURE_RATE}, "
        f"API_TOKEN_FAILURE_RATE={settings.API_TOKEN_FAILURE_RATE}, "
        f"hasher={settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}"
    )
