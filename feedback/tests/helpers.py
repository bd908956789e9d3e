"""Test helpers: an invitation that was sent, with the raw token of its link."""

import datetime as dt

from django.utils import timezone

from feedback.models import Invitation, InvitationStatus, InvitationToken, Survey
from feedback.tests.factories import InvitationFactory
from feedback.tokens import token_hash, token_new


def sent_invitation(*, survey: Survey, customer=None, **kwargs) -> tuple[Invitation, str]:
    from contacts.tests.factories import OrderFactory

    extra = {}
    if customer is not None:
        extra["order"] = OrderFactory(customer=customer, delivered_at=timezone.now())
    invitation = InvitationFactory(
        survey=survey,
        status=InvitationStatus.SENT,
        expires_at=timezone.now() + dt.timedelta(days=30),
        **extra,
        **kwargs,
    )
    token = token_new()
    InvitationToken.objects.create(invitation=invitation, token_hash=token_hash(token))
    return invitation, token
