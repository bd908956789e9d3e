"""One client address for lockouts, throttles and rate limits, behind 0, 1 or 2 proxies."""

from typing import Any

import pytest
from axes.helpers import get_client_ip_address
from django.test import RequestFactory

from accounts.clientip import client_address

CLIENT = "203.0.113.7"


def _request(remote: str, forwarded: str | None = None):
    extra: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_peer_is_the_client_and_the_header_is_ignored(settings) -> None:
    settings.PROXY_COUNT = 0
    assert client_address(_request(CLIENT, "198.51.100.1")) == CLIENT


def test_behind_one_proxy_the_last_entry_is_the_client(settings) -> None:
    settings.PROXY_COUNT = 1
    # The client sent a forged first entry; our proxy appended the real peer.
    assert client_address(_request("10.0.0.2", f"198.51.100.1, {CLIENT}")) == CLIENT


def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(settings) -> None:
    settings.PROXY_COUNT = 2
    assert client_address(_request("10.0.0.3", f"198.51.100.1, {CLIENT}, 10.0.0.2")) == CLIENT


def test_a_header_shorter_than_the_proxy_chain_falls_back_to_the_peer(settings) -> None:
    settings.PROXY_COUNT = 2
    assert client_address(_request("10.0.0.3", CLIENT)) == "10.0.0.3"


def test_axes_asks_the_same_helper(settings) -> None:
    settings.PROXY_COUNT = 1
    assert get_client_ip_address(_request("10.0.0.2", CLIENT)) == CLIENT


@pytest.mark.django_db
def test_the_survey_rate_limit_counts_each_client_behind_a_proxy_apart(settings) -> None:
    from django.test import Client

    settings.PROXY_COUNT = 1
    settings.FEEDBACK_SURVEY_RATE_LIMIT = 2
    url = "/s/unknown-token/"
    first = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1")
    codes = [first.get(url).status_code for _ in range(3)]
    second = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert codes == [404, 404, 429]
    assert second.get(url).status_code == 404
