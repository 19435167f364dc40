import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def attempt(client, username, password="wrong", **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def test_a_user_logs_in_and_sees_who_they_are(client, cast):
    response = attempt(client, "officer", "pw-123456")
    assert response.status_code == 302
    page = client.get(reverse("home"))
    assert "清河经开区管委会" in page.content.decode()


def test_the_login_page_is_chinese_by_default(client):
    page = client.get(reverse("login")).content.decode()
    assert "用户名" in page and "密码" in page


def test_it_locks_a_username_from_one_address_after_five_failures(client, cast):
    for _ in range(5):
        attempt(client, "officer", REMOTE_ADDR="10.0.0.1")
    locked = attempt(client, "officer", "pw-123456", REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # The same user from another address, and another user from the same address, still log in.
    assert attempt(client, "officer", "pw-123456", REMOTE_ADDR="10.0.0.2").status_code == 302
    client.logout()
    assert attempt(client, "teammate", "pw-123456", REMOTE_ADDR="10.0.0.1").status_code == 302


def test_a_forged_forwarded_for_does_not_dodge_the_lock_without_a_proxy(client, cast):
    for n in range(5):
        attempt(client, "officer", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}")
    assert (
        attempt(client, "officer", "pw-123456", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="9.9.9.9").status_code
        == 429
    )


@override_settings(PROXY_COUNT=1)
def test_behind_one_proxy_the_client_is_the_last_forwarded_address(client, cast):
    # The proxy appends the real client; whatever the client forged stands to its left.
    for n in range(5):
        attempt(client, "officer", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 203.0.113.7")
    assert (
        attempt(client, "officer", "pw-123456", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code
        == 429
    )
    # Another client behind the same proxy is not locked out.
    assert (
        attempt(client, "officer", "pw-123456", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.8").status_code
        == 302
    )
