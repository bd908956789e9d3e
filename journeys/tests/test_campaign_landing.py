"""The landing-page check: http(s) only, internal addresses refused unless DEBUG, no network
beyond a local server on 127.0.0.1."""

import http.server
import threading
from collections.abc import Iterator

import pytest
from django.utils import timezone

from journeys.models import CampaignStatus
from journeys.services.campaigns import (
    landing_page_check,
    landing_page_fetch,
    landing_url_problem,
)
from journeys.tasks.campaigns import landing_checks
from journeys.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/ok":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<h1>Winter</h1>")
        elif self.path == "/elsewhere":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
        elif self.path == "/away":
            self.send_response(302)
            self.send_header("Location", "/ok")
            self.end_headers()
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_reachable_page_passes_in_debug(local_server: str, settings) -> None:
    settings.DEBUG = True
    campaign = CampaignFactory(status=CampaignStatus.SCHEDULED, landing_url=f"{local_server}/away")
    assert landing_page_check(campaign_id=campaign.pk) is True
    campaign.refresh_from_db()
    assert campaign.landing_ok is True
    assert campaign.landing_error == ""
    assert campaign.landing_checked_at is not None


def test_a_missing_page_fails_with_its_status(local_server: str, settings) -> None:
    settings.DEBUG = True
    campaign = CampaignFactory(landing_url=f"{local_server}/gone")
    assert landing_page_check(campaign_id=campaign.pk) is False
    campaign.refresh_from_db()
    assert campaign.landing_ok is False
    assert "404" in campaign.landing_error


def test_internal_addresses_are_refused_when_not_debug(local_server: str, settings) -> None:
    settings.DEBUG = False
    campaign = CampaignFactory(landing_url=f"{local_server}/ok")
    assert landing_page_check(campaign_id=campaign.pk) is False
    campaign.refresh_from_db()
    assert campaign.landing_error == "The address points inside our own network."
    for url in (
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/",
        "http://[::1]/",
        "http://0.0.0.0/",
    ):
        assert landing_url_problem(url) == "The address points inside our own network."


def test_only_http_and_https(settings) -> None:
    settings.DEBUG = True
    for url in ("ftp://example.com/", "file:///etc/passwd", "gopher://x/", "http:///nohost"):
        assert landing_url_problem(url) == "Only http and https addresses can be checked."


def test_a_redirect_to_a_refused_address_is_not_followed(local_server: str, settings) -> None:
    settings.DEBUG = True
    problem = landing_page_fetch(f"{local_server}/elsewhere")
    assert problem.startswith("Redirect refused")


def test_the_hourly_task_checks_planned_campaigns_only(local_server: str, settings) -> None:
    settings.DEBUG = True
    planned = CampaignFactory(status=CampaignStatus.SCHEDULED, landing_url=f"{local_server}/ok")
    draft = CampaignFactory(landing_url=f"{local_server}/ok")
    CampaignFactory(status=CampaignStatus.SCHEDULED, landing_url="")
    assert landing_checks() == 1
    planned.refresh_from_db()
    draft.refresh_from_db()
    assert planned.landing_ok is True
    assert draft.landing_checked_at is None
    assert planned.landing_checked_at <= timezone.now()
