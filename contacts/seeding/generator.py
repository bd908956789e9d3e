"""The rows of one batch of generated customers: people and their identities, contact
moments, orders, consents and profile facts; all randomness derives from the one seed."""

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from contacts.models import (
    AnswerType,
    Channel,
    ConsentStatus,
    ProfileQuestion,
)
from contacts.seeding.pools import (
    CAMPAIGNS,
    CAMPAIGNS_N,
    CHANNEL_IDENTITY,
    CHANNEL_POOL,
    CHANNEL_SOURCE,
    CHANNELS_N,
    CITIES,
    CUSTOMER_NUMBER,
    DUTCH_FIRST,
    DUTCH_LAST,
    EMAIL,
    EMAIL_DOMAINS,
    ENGLISH_FIRST,
    ENGLISH_LAST,
    HEAVY_INTERACTIONS,
    INBOUND,
    OUTBOUND,
    PHONE,
    POSTCODE_LETTERS,
    PRODUCTS,
    QUESTIONS,
    STREETS,
    SUBJECT_BODY_EN,
    SUBJECT_BODY_NL,
    TOPICS_N,
    TWO_YEARS,
    WHATSAPP,
)
from contacts.seeding.run import Row


@dataclass
class _Batch:
    customers: list[Row] = field(default_factory=list)
    identities: list[Row] = field(default_factory=list)
    interactions: list[Row] = field(default_factory=list)
    orders: list[Row] = field(default_factory=list)
    consents: list[Row] = field(default_factory=list)
    facts: list[Row] = field(default_factory=list)


# The channels a customer may prefer; each is also the kind of identity it needs.
PREFERRED_CHANNELS = (Channel.EMAIL.value, Channel.PHONE.value, Channel.WHATSAPP.value)


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
            kinds = {kind for kind, _value in identities}
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
                    # Only a channel the customer can be reached on: a reply goes to it.
                    "preferred_channel": rng.choice(
                        ("", *(c for c in PREFERRED_CHANNELS if c in kinds))
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
            preferred = plan["preferred_channel"]
            if preferred and preferred not in kind_ids:
                # Its identity was already taken by another customer: no preference then.
                preferred = ""
            batch.customers.append(
                (
                    customer_id,
                    plan["name"],
                    plan["street"],
                    plan["postcode"],
                    plan["city"],
                    "NL",
                    plan["language"],
                    preferred,
                    created,
                    self.now,
                    last_interaction,
                    last_purchase,
                )
            )
        return batch, skipped
