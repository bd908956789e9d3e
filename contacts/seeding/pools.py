"""The vocabulary of the generated customers (names, places, channels, topics, products,
profile questions) and the columns of the tables the customers part writes."""

from decimal import Decimal

from contacts.demo import PRODUCTS as DEMO_PRODUCTS
from contacts.models import (
    AnswerType,
    Channel,
    Direction,
    IdentityKind,
)

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
# The demo's products and five more.
PRODUCTS = (
    *DEMO_PRODUCTS,
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
