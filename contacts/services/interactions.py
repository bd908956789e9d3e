"""Recording contact moments; every way in (API intake, a call logged by an agent, a reply
sent from a case) ends here."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts.models import Department, User
from contacts.models import Customer, Identity, Interaction
from contacts.signals import MailHints, interaction_recorded


# No savepoint of its own: no caller catches a database error from here to carry on, and
# idempotent_create (the one that catches IntegrityError) has its own around this.
@transaction.atomic(savepoint=False)
def interaction_record(
    *,
    customer: Customer,
    channel: str,
    direction: str,
    occurred_at: dt.datetime,
    subject: str = "",
    body: str = "",
    topic: str = "",
    campaign_code: str = "",
    identity: Identity | None = None,
    agent: User | None = None,
    department: Department | None = None,
    source: str = "cxcenter",
    external_id: str = "",
    created_customer: bool = False,
    message_id: str = "",
    mail: MailHints | None = None,
    delivery_status: str = "",
) -> Interaction:
    """Store one contact moment and tell listeners (routing, journeys) about it.

    Keeps ``customer.last_interaction_at`` and ``identity.last_seen`` current without
    reading them first (one UPDATE each, never moving backwards in time). ``mail`` carries
    an inbound e-mail's threading hints to the listeners.
    """
    interaction = Interaction.objects.create(
        customer=customer,
        identity=identity,
        channel=channel,
        direction=direction,
        occurred_at=occurred_at,
        subject=subject,
        body=body,
        topic=topic,
        campaign_code=campaign_code,
        agent=agent,
        department=department,
        source=source,
        external_id=external_id,
        message_id=message_id,
        delivery_status=delivery_status,
        delivery_updated_at=timezone.now() if delivery_status else None,
    )
    Customer.objects.filter(
        Q(last_interaction_at__isnull=True) | Q(last_interaction_at__lt=occurred_at),
        pk=customer.pk,
    ).update(last_interaction_at=occurred_at)
    if identity is not None:
        Identity.objects.filter(pk=identity.pk).update(last_seen=Greatest("last_seen", occurred_at))
    interaction_recorded.send(
        sender=Interaction, interaction=interaction, created_customer=created_customer, mail=mail
    )
    return interaction
