from django.test import Client


def test_anonymous_page_request_is_sent_to_login(client: Client, db: None) -> None:
    response = client.get("/accounts/settings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
