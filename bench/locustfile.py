"""A shift in the contact center, for locust: agents who sign in once and then search,
open customer pages, the inbox and cases, reply and take the next case, with think time;
integrations posting contact moments one by one and in batches.

Run through ``make loadtest`` (gunicorn on 127.0.0.1 with the production settings); the
accounts and targets come from var/loadtest.json (bench.loadtest.loadtest_prepare).
"""

import itertools
import json
import os
import random
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, between, constant_throughput, task

DATA = json.loads(Path(os.environ.get("LOADTEST_DATA", "var/loadtest.json")).read_text())
THINK = float(os.environ.get("LOADTEST_THINK", "10"))
_agents = itertools.cycle(DATA["agents"])
_ids = itertools.count()


class _Secure:
    """The production settings mark cookies Secure and expect HTTPS: the requests say they
    came through a TLS proxy (BEHIND_TLS_PROXY=1), and the cookies are sent over plain HTTP
    to 127.0.0.1."""

    # Given by locust's HttpUser, which this is mixed into.
    client: Any
    host: str | None

    def _https(self, path: str = "") -> str:
        """The address as the proxy in front would give it."""
        return (self.host or "").replace("http://", "https://") + path

    def _headers(self) -> None:
        self.client.headers["X-Forwarded-Proto"] = "https"
        self.client.headers["Origin"] = self._https()

    def _unsecure_cookies(self) -> None:
        for cookie in self.client.cookies:
            cookie.secure = False


class Agent(_Secure, HttpUser):
    weight = 10
    wait_time = between(THINK * 0.5, THINK * 1.5) if THINK else between(0, 0)

    def on_start(self) -> None:
        self._headers()
        self.client.get("/accounts/login/", name="login page")
        self._unsecure_cookies()
        self.client.post(
            "/accounts/login/",
            {
                "username": next(_agents),
                "password": DATA["password"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            headers={"Referer": self._https("/accounts/login/")},
            name="login",
        )
        self._unsecure_cookies()
        self.csrf = self.client.cookies.get("csrftoken", "")

    def _post(self, url: str, data: dict[str, str], name: str) -> None:
        # A response may set the cookies again (Secure): they must still go to 127.0.0.1.
        self._unsecure_cookies()
        self.csrf = self.client.cookies.get("csrftoken", self.csrf)
        data = {**data, "csrfmiddlewaretoken": self.csrf}
        with self.client.post(
            url,
            data,
            headers={
                "X-CSRFToken": self.csrf,
                "Referer": self._https(url),
            },
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code in (200, 302, 303):
                response.success()

    @task(4)
    def search(self) -> None:
        self.client.get(f"/customers/?q={random.choice(DATA['names'])}", name="search")

    @task(4)
    def customer_page(self) -> None:
        self.client.get(f"/customers/{random.choice(DATA['customers'])}/", name="customer page")

    @task(3)
    def inbox(self) -> None:
        self.client.get("/inbox/", name="inbox")

    @task(3)
    def case_page(self) -> None:
        if DATA["cases"]:
            self.client.get(f"/cases/{random.choice(DATA['cases'])}/", name="case page")

    @task(1)
    def reply(self) -> None:
        if DATA["open_cases"]:
            case = random.choice(DATA["open_cases"])
            # confirm: a colleague may have replied since this agent opened the case.
            self._post(
                f"/cases/{case}/reply/",
                {
                    "reply-channel": "email",
                    "reply-subject": "",
                    "reply-body": "Wij zoeken het uit.",
                    "confirm": "1",
                },
                "reply",
            )

    @task(1)
    def take_next(self) -> None:
        self._post("/inbox/take-next/", {}, "take next")


class Integration(HttpUser):
    """One contact moment per second per user (20 users: 20 intakes/s), and now and then a
    batch of 100."""

    weight = 1
    fixed_count = int(os.environ.get("LOADTEST_INTEGRATIONS", "20"))
    wait_time = constant_throughput(1)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Token {DATA['token']}"
        self.client.headers["X-Forwarded-Proto"] = "https"
        number = next(_ids)
        self.stamp = f"{time.time_ns()}-{number}"
        # Each integration writes about its own customers, as separate systems do; with
        # one sequence for all, every integration posted for the same customer at once.
        self.offset = number * 250
        self.n = 0

    def _item(self) -> dict[str, object]:
        self.n += 1
        return {
            "source": "loadtest",
            "external_id": f"{self.stamp}-{self.n}",
            "channel": "email",
            "direction": "in",
            "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "identities": [
                {"kind": "email", "value": f"loadtest-{(self.offset + self.n) % 5000}@example.org"}
            ],
            "subject": "Waar blijft mijn pakket?",
            "body": "Bestelling nog niet ontvangen.",
        }

    @task(30)
    def intake(self) -> None:
        self.client.post("/api/v1/interactions/", json=self._item(), name="intake")

    @task(1)
    def batch(self) -> None:
        items = [self._item() for _ in range(100)]
        self.client.post("/api/v1/interactions/batch/", json={"items": items}, name="batch")
