"""The campaign send bench runs end to end over real SMTP and leaves nothing behind."""

import io

import pytest
from django.core.management import CommandError, call_command

from contacts.models import Customer
from journeys.models import Campaign

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_bench_sends_over_smtp_and_rolls_back() -> None:
    out = io.StringIO()
    call_command("campaign_send_bench", recipients=20, batch=7, stdout=out)
    assert "20 messages, 20 received by the SMTP server" in out.getvalue()
    assert not Customer.objects.exists()
    assert not Campaign.objects.exists()


def test_the_bench_refuses_nonsense() -> None:
    with pytest.raises(CommandError):
        call_command("campaign_send_bench", recipients=0)
