"""Demo customers for ``manage.py demo``: profile questions, about 300 Dutch customers with
identities, consents, orders, facts and a timeline of contact moments, and two duplicate pairs."""

import datetime as dt
import random
from decimal import Decimal
from typing import NotRequired, TextIO, TypedDict

from django.db import transaction
from django.utils import timezone

from contacts.models import (
    AnswerType,
    Channel,
    Consent,
    ConsentStatus,
    Customer,
    Direction,
    Identity,
    IdentityKind,
    Interaction,
    Order,
    ProfileFact,
    ProfileQuestion,
)
from contacts.services.duplicates import duplicates_find

DEMO_DOMAIN = "demo.cxcenter.nl"
DEMO_SOURCE = "demo"
CUSTOMERS = 300

FIRST_NAMES = (
    "Anna", "Emma", "Sophie", "Julia", "Tess", "Sanne", "Lotte", "Fleur", "Eva", "Noor",
    "Daan", "Sem", "Lucas", "Bram", "Thijs", "Jesse", "Ruben", "Jeroen", "Pieter", "Koen",
)  # fmt: skip
LAST_NAMES = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit",
    "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "Dekker",
    "Brouwer", "Dijkstra", "van der Meer",
)  # fmt: skip
STREETS = (
    "Kerkstraat", "Schoolstraat", "Molenweg", "Dorpsstraat", "Stationsweg", "Julianastraat",
    "Beatrixlaan", "Nieuwstraat", "Kastanjelaan", "Lindelaan", "Parkweg", "Havenstraat",
)  # fmt: skip
# city and its first postcode number
CITIES = (
    ("Amsterdam", 1011), ("Rotterdam", 3011), ("Den Haag", 2491), ("Utrecht", 3511),
    ("Eindhoven", 5611), ("Groningen", 9711), ("Haarlem", 2011), ("Zwolle", 8011),
    ("Leiden", 2311), ("Maastricht", 6211),
)  # fmt: skip
POSTCODE_LETTERS = "ABCDEFGHJKLMNPRSTVWXZ"
# topic, Dutch subjects, Dutch texts
TOPICS = (
    ("delivery", ("Waar blijft mijn pakket?", "Levering te laat", "Pakket beschadigd")),
    ("return", ("Retour aanmelden", "Verkeerde maat ontvangen", "Terugbetaling retour")),
    ("invoice", ("Vraag over factuur", "Dubbel afgeschreven")),
    ("complaint", ("Niet teruggebeld", "Ontevreden over product")),
    ("product", ("Vraag over maatvoering", "Is dit product op voorraad?")),
    ("account", ("Adres wijzigen", "Nieuwsbrief opzeggen")),
)
BODIES = (
    "Graag hoor ik zo snel mogelijk van u.",
    "Kunt u mij terugbellen?",
    "Bedankt voor de snelle hulp.",
    "Ik heb hier al eerder over gebeld.",
)
PRODUCTS = (
    ("SHOE-42", "Hardloopschoen", Decimal("89.95")),
    ("SHOE-WALK", "Wandelschoen", Decimal("119.00")),
    ("SOCK-3P", "Sokken 3-pack", Decimal("12.95")),
    ("JACKET-RAIN", "Regenjas", Decimal("79.00")),
    ("BAG-CITY", "Stadsrugzak", Decimal("49.95")),
)
# key, Dutch label, English label, answer type, choices, asked after (key), order
QUESTIONS = (
    ("children", "Hoeveel kinderen heeft u?", "How many children do you have?",
     AnswerType.NUMBER, "", None, 10),
    ("children_ages", "Hoe oud zijn uw kinderen?", "How old are your children?",
     AnswerType.TEXT, "", "children", 20),
    ("hobbies", "Wat zijn uw hobby's?", "What are your hobbies?", AnswerType.CHOICE,
     "hardlopen\nwandelen\nfietsen\nzwemmen\nlezen\ntuinieren", None, 30),
    ("pets", "Heeft u een huisdier?", "Do you have a pet?", AnswerType.YES_NO, "", None, 40),
    ("delivery_moment", "Wanneer ontvangt u uw pakket het liefst?",
     "When do you prefer to receive your parcel?", AnswerType.CHOICE,
     "ochtend\nmiddag\navond\nzaterdag", None, 50),
    ("newsletter_topic", "Over welk onderwerp wilt u nieuws ontvangen?",
     "Which newsletter topic interests you?", AnswerType.CHOICE,
     "hardlopen\nwandelen\naanbiedingen", None, 60),
)  # fmt: skip


def _questions() -> dict[str, ProfileQuestion]:
    found: dict[str, ProfileQuestion] = {}
    for key, label_nl, label_en, answer_type, choices, after, order in QUESTIONS:
        found[key], _ = ProfileQuestion.objects.get_or_create(
            key=key,
            defaults={
                "label_nl": label_nl,
                "label_en": label_en,
                "answer_type": answer_type,
                "choices": choices,
                "ask_after": found.get(after) if after else None,
                "order": order,
            },
        )
    return found


def _slug(name: str) -> str:
    return name.lower().replace(" ", "")


def _mobile(rng: random.Random, used: set[str]) -> str:
    while True:
        number = f"+316{rng.randint(1, 5)}{rng.randint(0, 9_999_999):07d}"
        if number not in used:
            used.add(number)
            return number


class _Person(TypedDict):
    n: int
    name: str
    slug: str
    customer: Customer
    identities: NotRequired[dict[str, Identity]]


@transaction.atomic
def load(*, out: TextIO) -> None:
    if Identity.objects.filter(value__endswith=f"@{DEMO_DOMAIN}").exists():
        out.write("Demo customers are already there.\n")
        return
    rng = random.Random(42)
    now = timezone.now()
    questions = _questions()

    people: list[_Person] = []
    for n in range(CUSTOMERS):
        city, first_postcode = rng.choice(CITIES)
        postcode = (
            f"{first_postcode + rng.randint(0, 60)} "
            f"{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
        )
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        people.append(
            {
                "n": n,
                "name": f"{first} {last}",
                "slug": f"{_slug(first)}.{_slug(last)}",
                "customer": Customer(
                    name=f"{first} {last}",
                    street=f"{rng.choice(STREETS)} {rng.randint(1, 180)}",
                    postcode=postcode,
                    city=city,
                    language="en" if rng.random() < 0.1 else "nl",
                    preferred_channel=rng.choice(
                        ["", Channel.EMAIL, Channel.PHONE, Channel.WHATSAPP]
                    ),
                ),
            }
        )
    # Two obvious duplicates: the same person again, with another e-mail address.
    for original in people[:2]:
        twin = original["customer"]
        people.append(
            {
                "n": len(people),
                "name": twin.name,
                "slug": original["slug"] + ".tweede",
                "customer": Customer(
                    name=twin.name.upper() if original["n"] else twin.name,
                    postcode=twin.postcode,
                    city=twin.city,
                ),
            }
        )
    Customer.objects.bulk_create([p["customer"] for p in people])

    used_numbers: set[str] = set()
    identities: list[Identity] = []
    for person in people:
        customer, n = person["customer"], person["n"]
        since = now - dt.timedelta(days=rng.randint(30, 900))
        handles: dict[str, str] = {}
        if n >= CUSTOMERS or rng.random() < 0.9:
            handles[IdentityKind.EMAIL] = f"{person['slug']}.{n}@{DEMO_DOMAIN}"
        if n < CUSTOMERS and rng.random() < 0.75:
            handles[IdentityKind.PHONE] = _mobile(rng, used_numbers)
            if rng.random() < 0.4:
                handles[IdentityKind.WHATSAPP] = handles[IdentityKind.PHONE]
        if n < CUSTOMERS and rng.random() < 0.1:
            handles[IdentityKind.INSTAGRAM] = f"{person['slug']}{n}"
        if n < CUSTOMERS and rng.random() < 0.5:
            handles[IdentityKind.CUSTOMER_NUMBER] = f"KL{100000 + n}"
        own = {
            kind: Identity(
                customer=customer, kind=kind, value=value, first_seen=since, last_seen=since
            )
            for kind, value in handles.items()
        }
        person["identities"] = own
        identities.extend(own.values())
    Identity.objects.bulk_create(identities)

    consents, orders, interactions, facts = [], [], [], []
    order_no = 0
    for person in people:
        customer, own = person["customer"], person["identities"]
        for kind, channel in (
            (IdentityKind.EMAIL, Channel.EMAIL),
            (IdentityKind.PHONE, Channel.SMS),
            (IdentityKind.WHATSAPP, Channel.WHATSAPP),
        ):
            if kind in own:
                consents.append(
                    Consent(
                        customer=customer,
                        channel=channel,
                        status=ConsentStatus.OPT_OUT
                        if rng.random() < 0.15
                        else ConsentStatus.OPT_IN,
                        changed_at=now - dt.timedelta(days=rng.randint(1, 400)),
                        source=DEMO_SOURCE,
                    )
                )
        for _order in range(rng.choice([0, 0, 1, 1, 2, 3])):
            sku, product, amount = rng.choice(PRODUCTS)
            ordered = now - dt.timedelta(days=rng.randint(1, 90), hours=rng.randint(0, 23))
            delivered = ordered + dt.timedelta(days=rng.randint(1, 4))
            order_no += 1
            orders.append(
                Order(
                    customer=customer,
                    source=DEMO_SOURCE,
                    external_id=f"DEMO-{order_no:05d}",
                    product_sku=sku,
                    product_name=product,
                    amount=amount,
                    ordered_at=ordered,
                    delivered_at=delivered if delivered < now and rng.random() < 0.8 else None,
                )
            )
            customer.last_purchase_at = max(customer.last_purchase_at or ordered, ordered)
        channels = [
            (Channel.EMAIL, own.get(IdentityKind.EMAIL)),
            (Channel.PHONE, own.get(IdentityKind.PHONE)),
            (Channel.WHATSAPP, own.get(IdentityKind.WHATSAPP)),
            (Channel.CHAT, None),
            (Channel.STORE, None),
        ]
        channels = [
            (c, i) for c, i in channels if i is not None or c in (Channel.CHAT, Channel.STORE)
        ]
        for number in range(rng.randint(3, 15)):
            channel, identity = rng.choice(channels)
            topic, subjects = rng.choice(TOPICS)
            occurred = now - dt.timedelta(minutes=rng.randint(10, 90 * 24 * 60))
            interactions.append(
                Interaction(
                    customer=customer,
                    identity=identity,
                    channel=channel,
                    direction=Direction.INBOUND if rng.random() < 0.7 else Direction.OUTBOUND,
                    occurred_at=occurred,
                    subject=rng.choice(subjects),
                    body=rng.choice(BODIES),
                    topic=topic,
                    source=DEMO_SOURCE,
                    external_id=f"demo-{customer.pk}-{number}",
                )
            )
            customer.last_interaction_at = max(customer.last_interaction_at or occurred, occurred)
        facts.extend(_facts(rng, customer=customer, questions=questions, now=now))
    Consent.objects.bulk_create(consents)
    Order.objects.bulk_create(orders)
    Interaction.objects.bulk_create(interactions, batch_size=1000)
    ProfileFact.objects.bulk_create(facts)
    Customer.objects.bulk_update(
        [p["customer"] for p in people], ["last_interaction_at", "last_purchase_at"]
    )
    pairs = duplicates_find()
    out.write(
        f"Demo customers: {len(people)} customers, {len(identities)} identities, "
        f"{len(interactions)} contact moments, {len(orders)} orders, {len(facts)} answers, "
        f"{pairs} possible duplicate pairs.\n"
    )


def _facts(
    rng: random.Random,
    *,
    customer: Customer,
    questions: dict[str, ProfileQuestion],
    now: dt.datetime,
) -> list[ProfileFact]:
    def fact(key: str, value: str) -> ProfileFact:
        # Some answers are years old, so the data-quality page has stale facts to show.
        return ProfileFact(
            customer=customer,
            question=questions[key],
            value=value,
            source_channel=Channel.PHONE,
            recorded_at=now - dt.timedelta(days=rng.randint(1, 700)),
        )

    found = []
    if rng.random() < 0.6:
        children = rng.choice([0, 1, 2, 2, 3])
        found.append(fact("children", str(children)))
        if children and rng.random() < 0.5:
            ages = sorted(rng.randint(1, 18) for _child in range(children))
            found.append(fact("children_ages", ", ".join(map(str, ages))))
    for key in ("hobbies", "delivery_moment", "newsletter_topic"):
        if rng.random() < 0.35:
            found.append(fact(key, rng.choice(questions[key].choice_list())))
    if rng.random() < 0.4:
        found.append(fact("pets", rng.choice(["yes", "no"])))
    return found
