"""Generated customers, identities, contact moments, orders, consents and facts for load tests.

PostgreSQL gets COPY with ids reserved from the sequences; other databases plain batched INSERTs.

``manage.py seed`` calls ``seed(run=...)`` of every installed app that has a ``seeding``
module, in the order of INSTALLED_APPS, with the run (``bench.seedrun``); this module is
the customers part, and says what a run offers (``SeedRun``) to the higher apps' parts.
"""

import datetime as dt
import random
import time
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from django.db import connection, transaction
from django.utils import timezone

from contacts.models import (
    AnswerType,
    Channel,
    ConsentStatus,
    Direction,
    Identity,
    IdentityKind,
    ProfileQuestion,
)

Row = tuple[Any, ...]


class SeedTotals(Protocol):
    rows: int
    seconds: float


class SeedReport(Protocol):
    """Rows and seconds per table of a seed run; ``generate_seconds`` is the Python side."""

    generate_seconds: float
    skipped_identities: int
    # The ids of the first and last customer written by the run.
    customer_range: tuple[int, int] | None

    def table(self, name: str) -> SeedTotals: ...


class SeedRun(Protocol):
    """What ``manage.py seed`` hands the ``seed`` function of each app (``bench.seedrun``):
    the run's options, and the COPY helpers the apps write their rows with."""

    customers: int
    seed: int | None
    batch_size: int

    @property
    def report(self) -> SeedReport: ...

    def wants(self, app_label: str) -> bool: ...

    def rng(self, part: str) -> random.Random: ...

    def option(self, name: str, default: Any) -> Any: ...

    def customer_bounds(self) -> tuple[int, int] | None: ...

    def customer_chunks(self) -> Iterator[tuple[int, int]]:
        """(first, last) id ranges of about ``batch_size`` customers each, in id order."""
        ...

    def ids_reserve(self, table: str, count: int) -> list[int]:
        """Ids for rows written later in the same transaction, so children can point at
        their parents without a read-back."""
        ...

    def table_write(self, name: str, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        """COPY on PostgreSQL, batched INSERTs elsewhere, counted under ``name``."""
        ...

    def tables_bare(self, tables: Sequence[str]) -> AbstractContextManager[None]:
        """Load ``tables`` without their secondary indexes and foreign keys, made again
        when the block ends."""
        ...

    def analyze(self, tables: Iterable[str]) -> None: ...

    def progress(self) -> None: ...


# Plain strings: database adapters need not know Django's choice enums.
EMAIL = IdentityKind.EMAIL.value
PHONE = IdentityKind.PHONE.value
WHATSAPP = IdentityKind.WHATSAPP.value
CUSTOMER_NUMBER = IdentityKind.CUSTOMER_NUMBER.value

DUTCH_FIRST = (
    "Anna", "Emma", "Sophie", "Julia", "Tess", "Sanne", "Lotte", "Fleur", "Eva", "Lisa",
    "Noor", "Sara", "Mila", "Zoë", "Fenna", "Ilse", "Marieke", "Annelies", "Ingrid", "Petra",
    "Daan", "Sem", "Lucas", "Levi", "Finn", "Bram", "Thijs", "Jesse", "Ruben", "Lars",
    "Jeroen", "Pieter", "Willem", "Joost", "Maarten", "Sander", "Koen", "Wouter", "Hendrik",
    "Gerrit",
)  # fmt: skip
DUTCH_LAST = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen",
    "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters",
    "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits",
    "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen",
    "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn", "Schouten", "Willems",
    "van Beek", "Hoekstra", "Koster", "Prins",
)  # fmt: skip
ENGLISH_FIRST = (
    "Oliver", "George", "Harry", "Jack", "Charlie", "Thomas", "James", "William", "Emily",
    "Olivia", "Amelia", "Isla", "Ava", "Grace", "Chloe", "Ella", "Sophia", "Lily", "Daniel",
    "Samuel",
)  # fmt: skip
ENGLISH_LAST = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Wood", "Jackson", "Clarke",
)  # fmt: skip
STREETS = (
    "Kerkstraat", "Schoolstraat", "Molenweg", "Dorpsstraat", "Stationsweg", "Julianastraat",
    "Beatrixlaan", "Wilhelminastraat", "Nieuwstraat", "Kastanjelaan", "Eikenlaan", "Markt",
    "Prinsengracht", "Lindelaan", "Sportlaan", "Parkweg", "Havenstraat", "Rozenstraat",
)  # fmt: skip
# city, first and last postcode number, two-digit area code of its land lines
CITIES = (
    ("Amsterdam", 1011, 1109, "20"),
    ("Rotterdam", 3011, 3089, "10"),
    ("Den Haag", 2491, 2599, "70"),
    ("Utrecht", 3511, 3585, "30"),
    ("Eindhoven", 5611, 5658, "40"),
    ("Groningen", 9711, 9747, "50"),
    ("Tilburg", 5011, 5049, "13"),
    ("Almere", 1311, 1365, "36"),
    ("Breda", 4811, 4839, "76"),
    ("Nijmegen", 6511, 6546, "24"),
    ("Haarlem", 2011, 2037, "23"),
    ("Arnhem", 6811, 6846, "26"),
    ("Zwolle", 8011, 8043, "38"),
    ("Leiden", 2311, 2334, "71"),
    ("Maastricht", 6211, 6229, "43"),
)
POSTCODE_LETTERS = "ABCDEFGHJKLMNPRTVWXZ"
EMAIL_DOMAINS = ("example.nl", "example.com", "example.org", "example.net")
# Channel weights of contact moments; e-mail and phone dominate, letters are rare.
CHANNEL_POOL = (
    [Channel.EMAIL.value] * 30
    + [Channel.PHONE.value] * 25
    + [Channel.WHATSAPP.value] * 15
    + [Channel.CHAT.value] * 10
    + [Channel.WEB.value] * 8
    + [Channel.SMS.value] * 5
    + [Channel.STORE.value] * 5
    + [Channel.LETTER.value] * 2
)
CHANNEL_SOURCE = {
    Channel.EMAIL.value: "email-gateway",
    Channel.PHONE.value: "telephony",
    Channel.WHATSAPP.value: "whatsapp",
    Channel.SMS.value: "sms-gateway",
    Channel.CHAT.value: "webchat",
}
# Which of the customer's identities a contact moment on a channel came through.
CHANNEL_IDENTITY = {
    Channel.EMAIL.value: (EMAIL,),
    Channel.PHONE.value: (PHONE,),
    Channel.WHATSAPP.value: (WHATSAPP, PHONE),
    Channel.SMS.value: (PHONE,),
}
# topic, Dutch subjects, English subjects
TOPICS = (
    ("delivery", ("Waar blijft mijn pakket?", "Levering te laat", "Pakket beschadigd"),
     ("Where is my parcel?", "Late delivery", "Parcel damaged")),
    ("return", ("Retour aanmelden", "Terugbetaling retour", "Verkeerde maat ontvangen"),
     ("Return request", "Refund for my return", "Received the wrong size")),
    ("invoice", ("Vraag over factuur", "Dubbel afgeschreven", "Factuur kwijt"),
     ("Question about my invoice", "Charged twice", "Lost my invoice")),
    ("complaint", ("Klacht over service", "Niet teruggebeld", "Ontevreden over product"),
     ("Complaint about service", "Nobody called me back", "Unhappy with the product")),
    ("product", ("Vraag over maatvoering", "Is dit product op voorraad?", "Advies gevraagd"),
     ("Question about sizing", "Is this in stock?", "Asking for advice")),
    ("account", ("Adres wijzigen", "Wachtwoord vergeten", "Nieuwsbrief opzeggen"),
     ("Change of address", "Forgot my password", "Unsubscribe from newsletter")),
    ("campaign", ("Vraag over actie", "Kortingscode werkt niet", "Reactie op nieuwsbrief"),
     ("Question about the offer", "Discount code does not work", "Reply to newsletter")),
)  # fmt: skip
BODIES_NL = (
    "Graag hoor ik zo snel mogelijk van u.",
    "Kunt u mij terugbellen?",
    "Bedankt voor de snelle hulp.",
    "Ik heb al eerder contact gehad hierover.",
    "",
)
BODIES_EN = (
    "I would like to hear from you soon.",
    "Could you call me back?",
    "Thanks for the quick help.",
    "I contacted you about this before.",
    "",
)
CAMPAIGNS = ("SPRING-SALE", "SUMMER-SHOES", "BLACK-FRIDAY", "WINTER-COATS")
# The pools of the contact moments' hot loop: (topic, subjects, bodies) per language.
SUBJECT_BODY_NL = tuple((topic, nl, BODIES_NL) for topic, nl, _en in TOPICS)
SUBJECT_BODY_EN = tuple((topic, en, BODIES_EN) for topic, _nl, en in TOPICS)
CHANNELS_N = len(CHANNEL_POOL)
TOPICS_N = len(TOPICS)
CAMPAIGNS_N = len(CAMPAIGNS)
INBOUND = Direction.INBOUND.value
OUTBOUND = Direction.OUTBOUND.value
PRODUCTS = (
    ("SHOE-42", "Hardloopschoen", Decimal("89.95")),
    ("SHOE-WALK", "Wandelschoen", Decimal("119.00")),
    ("SOCK-3P", "Sokken 3-pack", Decimal("12.95")),
    ("JACKET-RAIN", "Regenjas", Decimal("79.00")),
    ("BAG-CITY", "Stadsrugzak", Decimal("49.95")),
    ("SHIRT-RUN", "Hardloopshirt", Decimal("34.95")),
    ("CAP-SUN", "Zonnepet", Decimal("19.95")),
    ("BOTTLE-1L", "Drinkfles 1 liter", Decimal("14.50")),
    ("WATCH-GPS", "GPS-horloge", Decimal("249.00")),
    ("INSOLE", "Inlegzolen", Decimal("24.95")),
)
# key, Dutch label, English label, answer type, choices, asked after (key)
QUESTIONS = (
    ("children", "Hoeveel kinderen heeft u?", "How many children do you have?",
     AnswerType.NUMBER, "", None),
    ("children_ages", "Hoe oud zijn uw kinderen?", "How old are your children?",
     AnswerType.TEXT, "", "children"),
    ("shoe_size", "Wat is uw schoenmaat?", "What is your shoe size?", AnswerType.NUMBER, "", None),
    ("sport", "Welke sport beoefent u?", "Which sport do you do?", AnswerType.CHOICE,
     "hardlopen\nwandelen\nfietsen\nzwemmen", None),
    ("pets", "Heeft u huisdieren?", "Do you have pets?", AnswerType.YES_NO, "", None),
    ("birthday", "Wat is uw geboortedatum?", "What is your date of birth?", AnswerType.DATE, "",
     None),
)  # fmt: skip

TWO_YEARS = 730 * 24 * 3600
# The first customer of every run gets a long timeline, for the 360 page and deep-page benchmarks.
HEAVY_INTERACTIONS = 1000

CUSTOMER_COLUMNS = (
    "id", "name", "street", "postcode", "city", "country", "language", "preferred_channel",
    "created_at", "updated_at", "last_interaction_at", "last_purchase_at",
)  # fmt: skip
IDENTITY_COLUMNS = ("id", "customer_id", "kind", "value", "first_seen", "last_seen")
INTERACTION_COLUMNS = (
    "id", "customer_id", "identity_id", "channel", "direction", "occurred_at", "subject",
    "body", "topic", "campaign_code", "source", "external_id", "created_at", "message_id",
    "delivery_status", "delivery_error",
)  # fmt: skip
ORDER_COLUMNS = (
    "id", "customer_id", "source", "external_id", "product_sku", "product_name", "amount",
    "ordered_at", "delivered_at", "created_at",
)  # fmt: skip
CONSENT_COLUMNS = ("customer_id", "channel", "status", "changed_at", "source")
FACT_COLUMNS = (
    "customer_id", "question_id", "value", "source_channel", "recorded_at", "is_current",
)  # fmt: skip

TABLES = {
    "customers": ("contacts_customer", CUSTOMER_COLUMNS),
    "identities": ("contacts_identity", IDENTITY_COLUMNS),
    "interactions": ("contacts_interaction", INTERACTION_COLUMNS),
    "orders": ("contacts_order", ORDER_COLUMNS),
    "consents": ("contacts_consent", CONSENT_COLUMNS),
    "facts": ("contacts_profilefact", FACT_COLUMNS),
}


@dataclass
class _Batch:
    customers: list[Row] = field(default_factory=list)
    identities: list[Row] = field(default_factory=list)
    interactions: list[Row] = field(default_factory=list)
    orders: list[Row] = field(default_factory=list)
    consents: list[Row] = field(default_factory=list)
    facts: list[Row] = field(default_factory=list)


def _ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def mobile_for(customer_id: int) -> str:
    """A +316 number unique per customer id (a bijection over 50 million numbers)."""
    return f"+316{10_000_000 + (customer_id * 7_919_993 + 12_345) % 50_000_000}"


def landline_for(customer_id: int, area: str) -> str:
    return f"+31{area}{2_000_000 + (customer_id * 3_141_593 + 271) % 8_000_000}"


def _questions_ensure() -> list[ProfileQuestion]:
    if not ProfileQuestion.objects.exists():
        created: dict[str, ProfileQuestion] = {}
        for order, (key, nl, en, answer_type, choices, after) in enumerate(QUESTIONS):
            created[key] = ProfileQuestion.objects.create(
                key=key,
                label_nl=nl,
                label_en=en,
                answer_type=answer_type,
                choices=choices,
                order=(order + 1) * 10,
                ask_after=created.get(after) if after else None,
            )
    return list(ProfileQuestion.objects.filter(is_active=True, ask_after__isnull=True))


def _fact_value(rng: random.Random, question: ProfileQuestion) -> str:
    if question.answer_type == AnswerType.NUMBER:
        return str(rng.randint(36, 46) if question.key == "shoe_size" else rng.randint(0, 4))
    if question.answer_type == AnswerType.YES_NO:
        return rng.choice(("yes", "no"))
    if question.answer_type == AnswerType.DATE:
        return dt.date(rng.randint(1945, 2005), rng.randint(1, 12), rng.randint(1, 28)).isoformat()
    if question.answer_type == AnswerType.CHOICE and question.choice_list():
        return rng.choice(question.choice_list())
    return rng.choice(("onbekend", "zie notitie", "n.v.t."))


class _Generator:
    """Builds the rows of one batch; all randomness derives from the one seed."""

    def __init__(
        self,
        *,
        rng: random.Random,
        now: dt.datetime,
        interactions_per_customer: float,
        orders_per_customer: float,
        questions: list[ProfileQuestion],
    ) -> None:
        self.rng = rng
        # A second stream for the rows keeps the people independent of the batch size.
        self.rows_rng = random.Random(rng.getrandbits(64))
        self.now = now
        self.interactions_per_customer = interactions_per_customer
        self.orders_per_customer = orders_per_customer
        self.questions = questions
        self.index = 0

    def _count(self, mean: float) -> int:
        if mean <= 0:
            return 0
        return int(self.rng.expovariate(1 / mean) + 0.5)

    def _moment(self) -> dt.datetime:
        return self.now - dt.timedelta(seconds=int(self.rows_rng.random() * TWO_YEARS))

    def customers(self, ids: list[int]) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
        """Plan customers: person, address, identities, counts of children rows."""
        rng = self.rng
        plans: list[dict[str, Any]] = []
        wanted: list[tuple[str, str]] = []
        for customer_id in ids:
            english = rng.random() < 0.15
            first = rng.choice(ENGLISH_FIRST if english else DUTCH_FIRST)
            last = rng.choice(ENGLISH_LAST if english else DUTCH_LAST)
            city, low, high, area = rng.choice(CITIES)
            postcode = (
                f"{rng.randint(low, high)} "
                f"{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
            )
            street = f"{rng.choice(STREETS)} {rng.randint(1, 250)}"
            domain = rng.choice(EMAIL_DOMAINS)
            email = f"{_ascii_slug(first)}.{_ascii_slug(last)}.{customer_id}@{domain}"
            identities = [(EMAIL, email), (CUSTOMER_NUMBER, f"K{customer_id:08d}")]
            has_mobile = rng.random() < 0.85
            has_whatsapp = rng.random() < 0.5
            has_landline = rng.random() < 0.25
            if has_mobile:
                identities.append((PHONE, mobile_for(customer_id)))
                if has_whatsapp:
                    identities.append((WHATSAPP, mobile_for(customer_id)))
            if has_landline and len(identities) < 4:
                identities.append((PHONE, landline_for(customer_id, area)))
            heavy = self.index == 0
            self.index += 1
            plans.append(
                {
                    "id": customer_id,
                    "name": f"{first} {last}",
                    "street": street,
                    "postcode": postcode,
                    "city": city,
                    "language": "en" if english else "nl",
                    "preferred_channel": rng.choice(
                        ("", Channel.EMAIL.value, Channel.PHONE.value, Channel.WHATSAPP.value)
                    ),
                    "identities": identities,
                    "interactions": (
                        HEAVY_INTERACTIONS if heavy else self._count(self.interactions_per_customer)
                    ),
                    "orders": self._count(self.orders_per_customer),
                    "email_opt_in": rng.random() < 0.7,
                    "facts": rng.random() < 0.3,
                }
            )
            wanted.extend(identities)
        return plans, wanted

    def rows(
        self,
        plans: list[dict[str, Any]],
        *,
        taken: set[tuple[str, str]],
        identity_ids: list[int],
        interaction_ids: list[int],
        order_ids: list[int],
    ) -> tuple[_Batch, int]:
        rng = self.rows_rng
        now = self.now
        batch = _Batch()
        identity_id = iter(identity_ids)
        interaction_id = iter(interaction_ids)
        order_id = iter(order_ids)
        skipped = 0
        random_ = rng.random
        append_interaction = batch.interactions.append
        for plan in plans:
            customer_id = plan["id"]
            english = plan["language"] == "en"
            moments = sorted(
                (
                    now - dt.timedelta(seconds=int(random_() * TWO_YEARS))
                    for _ in range(plan["interactions"])
                ),
                reverse=True,
            )
            order_moments = [self._moment() for _ in range(plan["orders"])]
            earliest = min([*moments, *order_moments, self.now])
            created = earliest - dt.timedelta(days=rng.randint(0, 90))
            last_interaction = moments[0] if moments else None
            last_purchase = max(order_moments) if order_moments else None

            # Identities first, so contact moments can point at the one they came through.
            # The first identity of a kind (the mobile before the land line) is the one
            # contact moments on that channel come through.
            kind_ids: dict[str, int] = {}
            identity_rows: dict[int, list[Any]] = {}
            for kind, value in plan["identities"]:
                row_id = next(identity_id)
                if (kind, value) in taken:
                    skipped += 1
                    continue
                taken.add((kind, value))
                kind_ids.setdefault(kind, row_id)
                identity_rows[row_id] = [row_id, customer_id, kind, value, created, created]

            # The hot loop (ten rows a customer): plain indexing into the pools by one
            # random() each, not random.choice, and no enum look-ups.
            pools = SUBJECT_BODY_EN if english else SUBJECT_BODY_NL
            for occurred in moments:
                channel = CHANNEL_POOL[int(random_() * CHANNELS_N)]
                outbound = random_() < 0.35
                topic, subjects, bodies = pools[int(random_() * TOPICS_N)]
                subject = subjects[int(random_() * len(subjects))]
                body = bodies[int(random_() * len(bodies))]
                campaign = (
                    CAMPAIGNS[int(random_() * CAMPAIGNS_N)] if outbound and random_() < 0.2 else ""
                )
                through = None
                for kind in CHANNEL_IDENTITY.get(channel, ()):
                    if kind in kind_ids:
                        through = kind_ids[kind]
                        seen = identity_rows[through]
                        if occurred > seen[5]:
                            seen[5] = occurred
                        break
                row_id = next(interaction_id)
                source = CHANNEL_SOURCE.get(channel)
                append_interaction(
                    (
                        row_id,
                        customer_id,
                        through,
                        channel,
                        OUTBOUND if outbound else INBOUND,
                        occurred,
                        subject,
                        body,
                        topic if random_() < 0.8 else "",
                        campaign,
                        source or "cxcenter",
                        f"seed-{row_id}" if source else "",
                        occurred,
                        "",
                        "",
                        "",
                    )
                )

            for ordered in order_moments:
                sku, product, price = rng.choice(PRODUCTS)
                delivered = None
                if ordered < self.now - dt.timedelta(days=5) and rng.random() < 0.92:
                    delivered = ordered + dt.timedelta(hours=rng.randint(20, 100))
                row_id = next(order_id)
                batch.orders.append(
                    (
                        row_id,
                        customer_id,
                        "webshop",
                        f"SEED-{row_id}",
                        sku,
                        product,
                        price,
                        ordered,
                        delivered,
                        ordered,
                    )
                )

            batch.consents.append(
                (
                    customer_id,
                    Channel.EMAIL.value,
                    ConsentStatus.OPT_IN.value
                    if plan["email_opt_in"]
                    else ConsentStatus.OPT_OUT.value,
                    created,
                    "webshop",
                )
            )
            if WHATSAPP in kind_ids:
                batch.consents.append(
                    (
                        customer_id,
                        Channel.WHATSAPP.value,
                        ConsentStatus.OPT_IN.value,
                        created,
                        "whatsapp",
                    )
                )
            if plan["facts"] and self.questions:
                count = min(len(self.questions), rng.randint(1, 2))
                for question in rng.sample(self.questions, count):
                    batch.facts.append(
                        (
                            customer_id,
                            question.pk,
                            _fact_value(rng, question),
                            rng.choice(
                                (Channel.PHONE.value, Channel.EMAIL.value, Channel.CHAT.value)
                            ),
                            created + (self.now - created) * rng.random(),
                            True,
                        )
                    )
            batch.identities.extend(tuple(row) for row in identity_rows.values())
            batch.customers.append(
                (
                    customer_id,
                    plan["name"],
                    plan["street"],
                    plan["postcode"],
                    plan["city"],
                    "NL",
                    plan["language"],
                    plan["preferred_channel"],
                    created,
                    self.now,
                    last_interaction,
                    last_purchase,
                )
            )
        return batch, skipped


def _existing_identities(wanted: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (kind, value) pairs already stored, so a run never breaks the unique constraint."""
    by_kind: dict[str, list[str]] = {}
    for kind, value in wanted:
        by_kind.setdefault(kind, []).append(value)
    found: set[tuple[str, str]] = set()
    if connection.vendor == "postgresql":
        # One array parameter per kind: no statement with thousands of placeholders to build.
        with connection.cursor() as cursor:
            for kind, values in by_kind.items():
                cursor.execute(
                    "SELECT kind, value FROM contacts_identity WHERE kind = %s AND value = ANY(%s)",
                    [kind, values],
                )
                found.update(cursor.fetchall())
        return found
    chunk = min(5000, connection.features.max_query_params or 5000)
    for kind, values in by_kind.items():
        for start in range(0, len(values), chunk):
            found.update(
                Identity.objects.filter(kind=kind, value__in=values[start : start + chunk])
                .values_list("kind", "value")
                .iterator()
            )
    return found


def customers_seed(
    *,
    run: SeedRun,
    interactions_per_customer: float = 10,
    orders_per_customer: float = 1.5,
) -> None:
    """Append ``run.customers`` generated customers with their identities, timelines and
    orders.

    Each batch is one transaction. The same ``run.seed`` gives the same people; e-mail
    addresses, numbers and external ids derive from the reserved ids, so a second run
    never collides with the first.
    """
    rng = random.Random(run.seed)
    report = run.report
    generator = _Generator(
        rng=rng,
        now=timezone.now().replace(microsecond=0),
        interactions_per_customer=interactions_per_customer,
        orders_per_customer=orders_per_customer,
        questions=_questions_ensure(),
    )
    done = 0
    with run.tables_bare([table for table, _ in TABLES.values()]):
        while done < run.customers:
            size = min(run.batch_size, run.customers - done)
            with transaction.atomic():
                tick = time.perf_counter()
                customer_ids = run.ids_reserve("contacts_customer", size)
                first = report.customer_range[0] if report.customer_range else customer_ids[0]
                report.customer_range = (first, customer_ids[-1])
                plans, wanted = generator.customers(customer_ids)
                taken = _existing_identities(wanted)
                batch, skipped = generator.rows(
                    plans,
                    taken=taken,
                    identity_ids=run.ids_reserve("contacts_identity", len(wanted)),
                    interaction_ids=run.ids_reserve(
                        "contacts_interaction", sum(p["interactions"] for p in plans)
                    ),
                    order_ids=run.ids_reserve("contacts_order", sum(p["orders"] for p in plans)),
                )
                report.skipped_identities += skipped
                report.generate_seconds += time.perf_counter() - tick
                for name, (table, columns) in TABLES.items():
                    run.table_write(name, table, columns, getattr(batch, name))
            done += size
            run.progress()
    run.analyze(table for table, _ in TABLES.values())


def seed(*, run: SeedRun) -> None:
    """The customers part of ``manage.py seed``."""
    if not run.wants("contacts"):
        return
    customers_seed(
        run=run,
        interactions_per_customer=run.option("interactions_per_customer", 10),
        orders_per_customer=run.option("orders_per_customer", 1.5),
    )
