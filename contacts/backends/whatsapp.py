"""WhatsApp through the WhatsApp Business Cloud API: POST
``{base}/{version}/{phone_number_id}/messages`` with a bearer token; the answer's
``messages[0].id`` is the message id that status webhooks refer to."""

import httpx
from django.conf import settings

from contacts.backends import Message, TransientDeliveryError
from contacts.backends.http import ReasonReader, provider_post


class WhatsAppReason(ReasonReader):
    @staticmethod
    def read(response: httpx.Response) -> str:
        # {"error": {"message": "...", "code": 131030, "error_data": {"details": "..."}}}
        try:
            error = response.json().get("error") or {}
        except ValueError:
            return response.text[:300]
        details = (error.get("error_data") or {}).get("details", "")
        parts = [str(error.get("code", "")), error.get("message", ""), details]
        return " ".join(p for p in parts if p)[:300] or response.text[:300]


def whatsapp_number(value: str) -> str:
    """The Cloud API takes the number in international format without the plus."""
    return value.lstrip("+")


class WhatsAppBackend:
    def send(self, message: Message) -> str:
        url = (
            f"{settings.WHATSAPP_API_BASE}/{settings.WHATSAPP_API_VERSION}/"
            f"{settings.WHATSAPP_PHONE_NUMBER_ID}/messages"
        )
        data = provider_post(
            url,
            reason=WhatsAppReason,
            headers={"Authorization": f"Bearer {settings.WHATSAPP_TOKEN}"},
            json={
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": whatsapp_number(message.to),
                "type": "text",
                "text": {"preview_url": False, "body": message.body},
            },
        )
        try:
            return str(data["messages"][0]["id"])
        except (KeyError, IndexError, TypeError) as exc:
            raise TransientDeliveryError("WhatsApp answered without a message id") from exc
