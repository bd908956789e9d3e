from django.test import override_settings

from contacts.replyaddress import reply_address_case, reply_address_for


def test_reply_address_names_its_case() -> None:
    address = reply_address_for(case_id=42, mailbox_address="support@example.com")
    assert address.startswith("support+c42.")
    assert address.endswith("@example.com")
    assert reply_address_case(address) == 42


def test_reply_address_keeps_the_mailbox_local_part_without_its_own_tag() -> None:
    address = reply_address_for(case_id=7, mailbox_address="help+nl@example.com")
    assert address.startswith("help+c7.")


def test_forged_signature_is_refused() -> None:
    address = reply_address_for(case_id=42, mailbox_address="support@example.com")
    forged = address.replace("+c42.", "+c43.")
    assert reply_address_case(forged) is None


def test_address_signed_with_another_key_is_refused() -> None:
    with override_settings(SECRET_KEY="another-key-of-sufficient-length-for-this-test"):
        address = reply_address_for(case_id=42, mailbox_address="support@example.com")
    assert reply_address_case(address) is None


def test_plain_and_malformed_addresses_name_no_case() -> None:
    assert reply_address_case("support@example.com") is None
    assert reply_address_case("support+hello@example.com") is None
    assert reply_address_case("support+c0.0000000000000000@example.com") is None
    assert reply_address_case("not an address") is None
