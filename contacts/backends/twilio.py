"""SMS through Twilio's Messages resource (or an API that speaks it): POST
``{base}/2010-04-01/Accounts/{sid}/Messages.json`` with basic auth and a form of ``To``,
``From`` (or ``MessagingServiceSid``) and ``Body``; the answer's ``sid`` is the id that
status callbacks refer to."""

import httpx
from django.conf import settings
from django.urls import reverse

from contacts.backends import Message, TransientDeliveryError
from contacts.backends.http import ReasonReader, provider_post


class TwilioReason(ReasonReader):
    @staticmethod
    def read(response: httpx.Response) -> str:
        # {"code": 21211, "message": "The 'To' number is not a valid phone number.", ...}
        try:
            data = response.json()
        except ValueError:
            return response.text[:300]
        return f"{data.get('code', '')} {data.get('message', '')}".strip()[:300]


class TwilioBackend:
    def send(self, message: Message) -> str:
        form = {"To": message.to, "Body": message.body}
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            form["MessagingServiceSid"] = settings.TWILIO_MESSAGING_SERVICE_SID
        else:
            form["From"] = settings.TWILIO_FROM
        # Delivery receipts come back to our webhook, which checks their signature.
        form["StatusCallback"] = settings.SITE_URL + reverse("webhooks:twilio_sms")
        data = provider_post(
            f"{settings.TWILIO_API_BASE}/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}"
            "/Messages.json",
            reason=TwilioReason,
            auth=(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN),
            data=form,
        )
        if not data.get("sid"):
            raise TransientDeliveryError("Twilio answered without a message sid")
        return str(data["sid"])
