"""A small hand-labelled sample of survey comments (Dutch and English) to measure the
sentiment classifier: ``manage.py feedback_sentiment_accuracy`` prints the figure."""

SAMPLE: list[tuple[str, str]] = [
    # Dutch
    ("Snelle levering en een prima product, dank jullie wel!", "positive"),
    ("Heel vriendelijk geholpen door de klantenservice.", "positive"),
    ("Keurig op tijd bezorgd, netjes verpakt.", "positive"),
    ("Super tevreden met mijn nieuwe schoenen.", "positive"),
    ("Uitstekende service, echt een aanrader.", "positive"),
    ("Alles ging goed, fijne webwinkel.", "positive"),
    ("Mooie kwaliteit en duidelijke uitleg.", "positive"),
    ("Geweldig, ik bestel hier zeker weer.", "positive"),
    ("Het pakket kwam beschadigd aan.", "negative"),
    ("Levering was veel te laat en niemand belde terug.", "negative"),
    ("Slechte service, ik ben erg teleurgesteld.", "negative"),
    ("Verkeerde maat ontvangen en het retour is een probleem.", "negative"),
    ("De bezorger was onvriendelijk.", "negative"),
    ("Product was kapot, waardeloos.", "negative"),
    ("Niet goed geholpen aan de telefoon.", "negative"),
    ("Ik ben ontevreden over de trage afhandeling.", "negative"),
    ("Geen reactie op mijn klacht.", "negative"),
    ("Het pakket is bezorgd.", "neutral"),
    ("Ik heb de schoenen nog niet gedragen.", "neutral"),
    ("Bestelling ontvangen op dinsdag.", "neutral"),
    ("Ik weet het nog niet.", "neutral"),
    ("Normaal, zoals verwacht.", "neutral"),
    ("Niet slecht, maar ook niet bijzonder.", "neutral"),
    ("Het product is blauw.", "neutral"),
    # English
    ("Fast delivery and great quality, thanks!", "positive"),
    ("Very friendly and helpful staff.", "positive"),
    ("Excellent service, I would recommend it.", "positive"),
    ("Happy with my order, everything was smooth.", "positive"),
    ("Easy to order and quick shipping.", "positive"),
    ("Love the product, amazing fit.", "positive"),
    ("Not bad at all, pleased with it.", "positive"),
    ("The parcel arrived damaged.", "negative"),
    ("Delivery was late and nobody called back.", "negative"),
    ("Terrible experience, very disappointed.", "negative"),
    ("Wrong size and the refund is still missing.", "negative"),
    ("The courier was rude.", "negative"),
    ("Not good, the product broke after a day.", "negative"),
    ("Slow service and poor communication.", "negative"),
    ("The package was delivered on Monday.", "neutral"),
    ("I have not used it yet.", "neutral"),
    ("It is what I ordered.", "neutral"),
    ("Average, as expected.", "neutral"),
    ("The box was blue.", "neutral"),
    ("No comment.", "neutral"),
]


def sample_accuracy() -> tuple[float, list[tuple[str, str, str]]]:
    """Share of sample sentences the text classifier labels right, and the misses
    (sentence, expected, got)."""
    from .sentiment import text_label

    misses = []
    for text, expected in SAMPLE:
        got = text_label(text)
        if got != expected:
            misses.append((text, expected, got))
    return 1 - len(misses) / len(SAMPLE), misses
