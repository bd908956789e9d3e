"""Shared test fixtures: the personas every app's tests use.

- ``agent``: an agent of the contact center
- ``member``: a member of another department (sales)
- ``marketer``: a marketer
- ``manager``: the contact center's manager (lead)
- ``outsider``: signed in, but no role and no department
- ``integration``: an API client with a token
"""

import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Department, User
from accounts.roles import Role
from accounts.tests.clients import api_client_for
from accounts.tests.factories import DepartmentFactory, UserFactory

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django import DjangoDbBlocker


@pytest.fixture
def contact_center(db: None) -> Department:
    return DepartmentFactory(code=Department.CONTACT_CENTER, name="Klantcontactcentrum")


@pytest.fixture
def sales(db: None) -> Department:
    return DepartmentFactory(code=Department.SALES, name="Sales")


@pytest.fixture
def marketing(db: None) -> Department:
    return DepartmentFactory(code=Department.MARKETING, name="Marketing")


@pytest.fixture
def agent(contact_center: Department) -> User:
    return UserFactory(username="agent", department=contact_center, roles=[Role.AGENT])


@pytest.fixture
def member(sales: Department) -> User:
    return UserFactory(username="member", department=sales, roles=[Role.MEMBER])


@pytest.fixture
def marketer(marketing: Department) -> User:
    return UserFactory(username="marketer", department=marketing, roles=[Role.MARKETER])


@pytest.fixture
def manager(contact_center: Department) -> User:
    return UserFactory(username="manager", department=contact_center, roles=[Role.MANAGER])


@pytest.fixture
def outsider(db: None) -> User:
    return UserFactory(username="outsider", department=None, roles=[])


@pytest.fixture
def integration(db: None) -> User:
    return UserFactory(username="webshop", department=None, roles=[Role.INTEGRATION])


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def agent_client(agent: User) -> Client:
    return _client_for(agent)


@pytest.fixture
def member_client(member: User) -> Client:
    return _client_for(member)


@pytest.fixture
def marketer_client(marketer: User) -> Client:
    return _client_for(marketer)


@pytest.fixture
def manager_client(manager: User) -> Client:
    return _client_for(manager)


@pytest.fixture
def outsider_client(outsider: User) -> Client:
    return _client_for(outsider)


@pytest.fixture
def api_client(integration: User) -> APIClient:
    """An integration authenticated with its token, as the web shop would be."""
    return api_client_for(integration)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Throttle and rate-limit counters live in the cache; no test inherits another's."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """A page served in Dutch leaves Dutch active in the thread; the next test starts in the
    default language again."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


# --- Threads with their own connections --------------------------------------------------


@pytest.fixture
def pool_closed_after() -> Iterator[None]:
    """For tests whose threads open connections of their own: close the PostgreSQL pool
    after the test, so none of those connections outlives it (an open one keeps the test
    database from being dropped at the end of the run). The next test opens a new pool."""
    yield
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        close_pool = getattr(conn, "close_pool", None)  # PostgreSQL's wrapper has a pool
        if close_pool is not None:
            close_pool()


# --- Demo data ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_data(django_db_setup: None, django_db_blocker: "DjangoDbBlocker") -> Iterator[str]:
    """``manage.py demo`` loaded once for all tests of a module (it takes seconds) and
    rolled back after the last of them; each test still runs in its own savepoint, so what
    one test changes the next does not see. Gives what the command printed."""
    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = StringIO()
            call_command("demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# --- Browser tests (Playwright driving the system Chromium) ----------------------------
# Playwright's sync API runs an event loop in this thread; the test's own database
# work happens before and after the browser does anything.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator["Browser"]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install the chromium package")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: "Browser") -> Iterator["Page"]:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


# --- Outbound messages ------------------------------------------------------------------
@pytest.fixture
def outbound_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outbound sends run in this process when their transaction commits, as a worker
    would run them (retries included, without waiting), instead of going to the broker.
    Use with ``django_capture_on_commit_callbacks(execute=True)``."""
    from contacts.tasks import outbound_deliver_task
    from cxcenter.celery import app

    # Propagating would stop at the first Retry; the result is checked below instead.
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)

    def run_here(*args: object, **kwargs: object) -> object:
        result = outbound_deliver_task.apply(args=args, kwargs=kwargs)
        if result.failed():
            raise result.result
        return result.result

    monkeypatch.setattr(outbound_deliver_task, "delay", run_here)


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list["EmailMessage"]

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd); Django's default mailer sends to it.
    ``messages`` holds what arrived, parsed."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    received: list[EmailMessage] = []

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
            received.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 Message accepted for delivery"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
            }
        }
        yield SmtpServer(host="127.0.0.1", port=port, messages=received)
    finally:
        controller.stop()
