"""Fixtures of the contacts tests: a fake provider API on 127.0.0.1."""

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class ProviderServer:
    """Speaks the providers' documented formats: the WhatsApp Cloud API's
    ``POST /{version}/{phone_number_id}/messages`` and Twilio's
    ``POST /2010-04-01/Accounts/{sid}/Messages.json``. ``reply`` sets the next answers
    (status, JSON body, delay in seconds); without one it answers as the provider does."""

    url: str
    requests: list[Recorded] = field(default_factory=list)
    replies: list[tuple[int, Any, float]] = field(default_factory=list)

    def reply(self, status: int, body: Any, *, delay: float = 0.0) -> None:
        self.replies.append((status, body, delay))


def _default_answer(path: str, n: int) -> tuple[int, Any]:
    if path.endswith("/messages"):
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": "x", "wa_id": "x"}],
            "messages": [{"id": f"wamid.TEST{n}"}],
        }
    if path.endswith("/Messages.json"):
        return 201, {"sid": f"SM{n:032d}", "status": "queued"}
    return 404, {"error": "no such resource"}


@pytest.fixture
def provider_server() -> Iterator[ProviderServer]:
    state = ProviderServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            state.requests.append(
                Recorded(
                    method="POST",
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
                )
            )
            if state.replies:
                status, body, delay = state.replies.pop(0)
                time.sleep(delay)
            else:
                status, body = _default_answer(self.path, len(state.requests))
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def whatsapp_api(settings, provider_server: ProviderServer) -> ProviderServer:
    settings.WHATSAPP_API_BASE = provider_server.url
    settings.WHATSAPP_API_VERSION = "v21.0"
    settings.WHATSAPP_TOKEN = "wa-token"
    settings.WHATSAPP_PHONE_NUMBER_ID = "1055"
    settings.WHATSAPP_APP_SECRET = "wa-secret"
    settings.WHATSAPP_VERIFY_TOKEN = "verify-me"
    settings.CXCENTER_WHATSAPP_BACKEND = "contacts.backends.whatsapp.WhatsAppBackend"
    return provider_server


@pytest.fixture
def twilio_api(settings, provider_server: ProviderServer) -> ProviderServer:
    settings.TWILIO_API_BASE = provider_server.url
    settings.TWILIO_ACCOUNT_SID = "AC123"
    settings.TWILIO_AUTH_TOKEN = "tw-token"
    settings.TWILIO_FROM = "+3197010000000"
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.CXCENTER_SMS_BACKEND = "contacts.backends.twilio.TwilioBackend"
    return provider_server
