"""The rows of the customer page that a template tag writes in Python: the same dates,
labels and escaping as the template markup they replace."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import get_format

from contacts.models import Channel, ConsentStatus, DeliveryStatus, Direction
from contacts.selectors.customers import KnownFact, consent_rows
from contacts.templatetags.customer_page import _date_formatter
from contacts.tests.factories import (
    ConsentFactory,
    CustomerFactory,
    IdentityFactory,
    InteractionFactory,
    OrderFactory,
    ProfileFactFactory,
    ProfileQuestionFactory,
)

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
MOMENTS = [
    dt.datetime(2026, 1, 5, 0, 0, tzinfo=AMSTERDAM),  # midnight
    dt.datetime(2026, 1, 5, 12, 0, tzinfo=AMSTERDAM),  # noon
    dt.datetime(2026, 3, 9, 0, 30, tzinfo=AMSTERDAM),
    dt.datetime(2026, 7, 1, 9, 0, tzinfo=AMSTERDAM),
    dt.datetime(2026, 12, 31, 23, 59, 58, tzinfo=dt.UTC),  # next year in Amsterdam
    dt.datetime(999, 2, 3, 13, 5, tzinfo=dt.UTC),
]
FORMATS = [
    "SHORT_DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "d-m-y G:i:s h g a",
    "N j, Y",  # a letter the formatter leaves to Django
    r"j \d\e n",  # an escape
]


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_dates_are_shown_as_the_date_filter_shows_them(language: str, fmt: str) -> None:
    reference = Template("{{ value|date:fmt }}")
    with translation.override(language):
        shown = _date_formatter(get_format(fmt), None)
        for value in MOMENTS:
            expected = reference.render(Context({"value": value, "fmt": fmt}))
            assert shown(value) == expected, value


@pytest.mark.django_db
def test_timeline_and_identity_rows_are_escaped_and_translated() -> None:
    customer = CustomerFactory()
    IdentityFactory(customer=customer, value="<b>x@example.com</b>")
    item = InteractionFactory(
        customer=customer,
        subject="<script>alert(1)</script>",
        direction=Direction.OUTBOUND,
        delivery_status=DeliveryStatus.FAILED,
        delivery_error="",
    )
    item.channel_label, item.direction_label, item.body_shown = "E-mail", "out", item.body
    item.refs, item.mail, item.files = [], None, []
    page = Template(
        "{% load customer_page %}{% timeline_rows items %}|{% identity_rows identities %}"
    )
    with translation.override("nl"):
        body = page.render(
            Context({"items": [item], "identities": list(customer.identities.all())})
        )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>" not in body
    assert "&lt;b&gt;x@example.com&lt;/b&gt;" in body
    assert "Niet afgeleverd: geen reden opgegeven" in body
    assert "eerst gezien" in body


def test_empty_rows_say_so() -> None:
    page = Template("{% load customer_page %}{% timeline_rows items %}{% identity_rows items %}")
    body = page.render(Context({"items": []}))
    assert '<li class="empty">No contact moments.</li>' in body
    assert '<li class="empty">No e-mail address, phone number or account known.</li>' in body


@pytest.mark.django_db
def test_order_rows_show_the_amount_localised_and_what_is_not_delivered() -> None:
    customer = CustomerFactory()
    OrderFactory(
        customer=customer,
        product_name="<i>Fiets</i>",
        amount=Decimal("1249.50"),
        ordered_at=dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC),
        delivered_at=None,
    )
    page = Template("{% load customer_page %}{% order_rows orders %}")
    with translation.override("nl"):
        body = page.render(Context({"orders": list(customer.orders.all())}))
    assert "&lt;i&gt;Fiets&lt;/i&gt;" in body
    assert "€ 1249,50" in body
    assert '<time datetime="2026-03-10T00:30:00+01:00">10-3-2026</time>' in body
    assert '<span class="pending">nog niet geleverd</span>' in body


def test_select_options_mark_the_chosen_one_and_escape() -> None:
    page = Template("{% load customer_page %}{% select_options choices chosen %}")
    body = page.render(Context({"choices": [("a", "<A>"), ("b", "B")], "chosen": "b"}))
    assert body == '<option value="a">&lt;A&gt;</option><option value="b" selected>B</option>'


@pytest.mark.django_db
def test_consent_rows_show_status_since_and_source_or_not_asked() -> None:
    customer = CustomerFactory()
    ConsentFactory(
        customer=customer,
        channel=Channel.EMAIL,
        status=ConsentStatus.OPT_OUT,
        changed_at=dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC),
        source="<telefoon>",
    )
    rows = consent_rows(consents=list(customer.consents.all()))
    page = Template("{% load customer_page %}{% consent_rows rows %}")
    with translation.override("nl"):
        body = page.render(Context({"rows": rows}))
    assert '<span class="consent-out">Afgemeld</span>' in body
    assert '<time datetime="2026-03-10T00:30:00+01:00">10-3-2026</time>' in body
    assert "<small>(&lt;telefoon&gt;)</small>" in body
    assert body.count('<span class="empty">niet gevraagd</span>') == len(rows) - 1


@pytest.mark.django_db
def test_fact_rows_show_question_answer_who_when_channel_and_age() -> None:
    fact = ProfileFactFactory(
        question=ProfileQuestionFactory(label_nl="Hoeveel <katten>?", label_en="How many cats?"),
        value="<2>",
        source_channel=Channel.PHONE,
        recorded_at=dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC),
    )
    page = Template("{% load customer_page %}{% fact_rows facts language %}")
    facts = [KnownFact(fact=fact, stale=True)]
    with translation.override("nl"):
        dutch = page.render(Context({"facts": facts, "language": "nl"}))
        english = page.render(Context({"facts": facts, "language": "en"}))
        empty = page.render(Context({"facts": [], "language": "nl"}))
    assert '<li class="stale">' in dutch
    assert '<span class="known-q">Hoeveel &lt;katten&gt;?</span>' in dutch
    assert '<strong class="known-a">&lt;2&gt;</strong>' in dutch
    assert '<time datetime="2026-03-10T00:30:00+01:00">10-3-2026</time>, Telefoon</small>' in dutch
    assert '<span class="chip stale-chip">verouderd: controleren</span>' in dutch
    assert '<span class="known-q">How many cats?</span>' in english
    assert '<li class="empty">Nog niets bekend.</li>' in empty
