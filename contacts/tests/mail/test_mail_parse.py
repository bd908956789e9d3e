"""Parsing real-world shaped messages: charsets, senders, quotes, HTML, automatic messages,
bounces and the refusals of bad input."""

import pytest

from contacts.mail.html import html_sanitise, html_to_text
from contacts.mail.parse import MailRefused, mail_parse
from contacts.mail.quotes import quote_split

from .conftest import eml_bytes

LIMIT = 10 * 1024 * 1024


def parse(name: str):
    return mail_parse(eml_bytes(name), max_bytes=LIMIT)


def test_outlook_dutch_reply_folds_the_van_verzonden_block() -> None:
    parsed = parse("outlook_nl.eml")
    split = quote_split(parsed.text)
    assert split.new.endswith("Met vriendelijke groet,\nPieter Jansen")
    assert split.quoted.startswith("Van: Klantenservice <support@cxcenter.test>\nVerzonden:")


def test_outlook_dutch_reply_decodes_windows_1252_euro_and_quotes() -> None:
    assert "Ik heb €99,95 betaald" in parse("outlook_nl.eml").text
    assert "“vandaag nog”" in parse("outlook_nl.eml").text


def test_outlook_name_with_a_comma_is_the_sender_name() -> None:
    assert parse("outlook_nl.eml").sender_name == "Jansen, Pieter"


def test_outlook_english_reply_folds_the_from_sent_block() -> None:
    split = quote_split(parse("outlook_en.eml").text)
    assert split.new == (
        "Hi,\n\nThe blender arrived broken. Can I get a replacement?\n\nKind regards,\nSarah"
    )


def test_gmail_reply_folds_the_wrapped_on_wrote_attribution() -> None:
    split = quote_split(parse("gmail.eml").text)
    assert split.new == (
        "Dank voor het snelle antwoord! Het klopt, ik woon nu in Utrecht.\n\nGroetjes,\nEva"
    )


def test_gmail_reply_keeps_the_quoted_history() -> None:
    split = quote_split(parse("gmail.eml").text)
    assert "> Klopt uw nieuwe adres?" in split.quoted


def test_apple_mail_reply_folds_the_op_schreef_quote() -> None:
    split = quote_split(parse("apple_mail.eml").text)
    assert split.new == "Prima, dan wacht ik tot donderdag.\n\nGroet,\nHenk"


def test_a_signature_is_folded_away() -> None:
    split = quote_split("Graag een nieuwe factuur.\n\n-- \nAnna\n06-12345678")
    assert split.new == "Graag een nieuwe factuur."


def test_a_message_that_is_only_quote_keeps_it_as_new_text() -> None:
    split = quote_split("> alleen een citaat\n> verder niets")
    assert split.new == "> alleen een citaat\n> verder niets"


def test_inline_answers_between_quotes_stay_new_text() -> None:
    split = quote_split("> Wat is uw postcode?\n1234 AB\n> En uw huisnummer?\n12")
    assert split.new == "> Wat is uw postcode?\n1234 AB\n> En uw huisnummer?\n12"


def test_html_only_mail_is_converted_to_text() -> None:
    assert parse("html_only.eml").text == "Hoe stuur ik mijn retour terug?\n\nklik of retourpagina"


@pytest.mark.parametrize(
    "forbidden",
    ["<script", "alert(", "<style", "onload", "onclick", "<img", "<iframe", "javascript:"],
)
def test_html_only_mail_is_sanitised(forbidden: str) -> None:
    assert forbidden not in parse("html_only.eml").html


def test_sanitised_html_keeps_safe_links() -> None:
    assert 'href="https://shop.example/retour"' in parse("html_only.eml").html


def test_html_blockquotes_become_quoted_lines() -> None:
    text = html_to_text(html_sanitise("<p>Ja.</p><blockquote><p>Komt u?</p></blockquote>"))
    assert text == "Ja.\n\n> Komt u?"


def test_iso_8859_1_body_decodes() -> None:
    assert "één vraag over de coöperatie-korting" in parse("iso_8859_1.eml").text


def test_encoded_word_subject_and_sender_name_decode() -> None:
    parsed = parse("iso_8859_1.eml")
    assert (parsed.subject, parsed.sender_name) == ("Vraag over coöperatie-korting", "Zoë van Dijk")


def test_windows_1252_8bit_body_decodes() -> None:
    assert "€ 45,00 klopt niet – ik kreeg “twee keer”" in parse("windows_1252.eml").text


def test_raw_8bit_latin_subject_decodes() -> None:
    raw = b"From: a@example.nl\r\nSubject: caf\xe9 au lait\r\n\r\nhoi"
    assert mail_parse(raw, max_bytes=LIMIT).subject == "café au lait"


def test_attachments_are_found_with_a_safe_name() -> None:
    names = [(a.name, a.content_type) for a in parse("attachment.eml").attachments]
    assert names == [
        ("factuur 10045.pdf", "application/pdf"),
        ("setup.exe", "application/x-msdownload"),
    ]


def test_out_of_office_is_automatic() -> None:
    assert parse("out_of_office.eml").automatic == "Auto-Submitted: auto-replied"


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("X-Autoreply: yes", "X-Autoreply"),
        ("X-Autorespond: vacation", "X-Autorespond"),
        ("Precedence: bulk", "Precedence: bulk"),
        ("Precedence: auto_reply", "Precedence: auto_reply"),
        ("Precedence: list", "Precedence: list"),
        ("Auto-Submitted: no", ""),
    ],
)
def test_automatic_headers(header: str, reason: str) -> None:
    raw = f"From: a@example.nl\r\n{header}\r\nSubject: x\r\n\r\nhoi".encode()
    assert mail_parse(raw, max_bytes=LIMIT).automatic == reason


def test_dsn_bounce_names_the_failed_recipient_and_original_message() -> None:
    bounce = parse("dsn_bounce.eml").bounce
    assert (bounce.recipient, bounce.action, bounce.status, bounce.original_message_id) == (
        "gone@example.nl",
        "failed",
        "5.1.1",
        "<outbound-9.1@cxcenter.test>",
    )


def test_dsn_bounce_keeps_the_diagnostic() -> None:
    assert "User unknown" in parse("dsn_bounce.eml").bounce.diagnostic


def test_a_message_without_sender_is_refused() -> None:
    with pytest.raises(MailRefused, match="no sender"):
        parse("no_from.eml")


def test_sender_falls_back_to_reply_to() -> None:
    raw = b"Reply-To: Anna <anna@example.nl>\r\nSubject: x\r\n\r\nhoi"
    assert mail_parse(raw, max_bytes=LIMIT).sender == "anna@example.nl"


def test_malformed_mime_is_refused() -> None:
    with pytest.raises(MailRefused, match="malformed MIME"):
        parse("malformed.eml")


@pytest.mark.parametrize(
    "raw", [b"", b"\r\n\r\n", b"just some text\nwithout headers", b"\x00\x01\x02"]
)
def test_bytes_that_are_no_message_are_refused(raw: bytes) -> None:
    with pytest.raises(MailRefused, match="not an e-mail message"):
        mail_parse(raw, max_bytes=LIMIT)


def test_an_oversized_message_is_refused_before_parsing() -> None:
    with pytest.raises(MailRefused, match="too large"):
        mail_parse(b"From: a@example.nl\r\n\r\n" + b"x" * 2000, max_bytes=1000)


def test_a_message_without_message_id_or_date_still_parses() -> None:
    parsed = mail_parse(b"From: a@example.nl\r\n\r\nhoi", max_bytes=LIMIT)
    assert (parsed.message_id, parsed.subject, parsed.text) == ("", "", "hoi")


def test_an_mbox_from_line_in_front_is_skipped() -> None:
    raw = b"From anna@example.nl Mon Dec  1 10:00:00 2026\nFrom: anna@example.nl\n\nhoi"
    assert mail_parse(raw, max_bytes=LIMIT).sender == "anna@example.nl"
