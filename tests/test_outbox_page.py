"""The administrators' outbox page: what was sent, pending, failed, with the error and a retry button."""

import pytest
from django.core import mail
from django.urls import reverse

from tasks.models import OutboxMessage
from tasks.sender import outbox_send_due
from tasks.services import outbox_add


@pytest.fixture
def rows(cast):
    for name in ["sent", "failed", "pending"]:
        outbox_add(key=f"reminder:{name}:1", user=cast.officer, template="reminder", context={"total": 1})
    outbox_send_due(limit=1)
    OutboxMessage.objects.filter(key="reminder:failed:1").update(
        status="failed", attempts=5, last_error="SMTPRecipientsRefused: 550 mailbox unavailable"
    )
    mail.outbox.clear()


def test_it_lists_sent_pending_and_failed_with_the_error(client, cast, rows):
    client.force_login(cast.admin)
    response = client.get(reverse("tasks:outbox"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "reminder:failed:1" in page and "reminder:pending:1" in page
    assert "550 mailbox unavailable" in page
    response = client.get(reverse("tasks:outbox"), {"status": "failed"})
    assert "reminder:pending:1" not in response.content.decode()


def test_retry_button_sends_it_again(client, cast, rows):
    client.force_login(cast.admin)
    failed = OutboxMessage.objects.get(key="reminder:failed:1")
    response = client.post(reverse("tasks:outbox_retry"), {"ids": [failed.pk]})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == "pending" and failed.attempts == 0
    outbox_send_due()
    failed.refresh_from_db()
    assert failed.status == "sent"


def test_retry_needs_post(client, cast, rows):
    client.force_login(cast.admin)
    assert client.get(reverse("tasks:outbox_retry")).status_code == 405


@pytest.mark.parametrize("who", ["officer", "lead", "city_manager"])
def test_it_hides_the_outbox_from_non_admins(client, cast, rows, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("tasks:outbox")).status_code == 404
    failed = OutboxMessage.objects.get(key="reminder:failed:1")
    assert client.post(reverse("tasks:outbox_retry"), {"ids": [failed.pk]}).status_code == 404
    assert client.get(reverse("tasks:outbox_message", args=[failed.pk])).status_code == 404


def test_message_page_shows_the_body_and_error(client, cast, rows):
    client.force_login(cast.admin)
    failed = OutboxMessage.objects.get(key="reminder:failed:1")
    page = client.get(reverse("tasks:outbox_message", args=[failed.pk])).content.decode()
    assert "550 mailbox unavailable" in page and "/unsubscribe/" in page


def test_embedded_mode_lists_the_email_files(client, cast, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    outbox_add(key="reminder:file:1", user=cast.officer, template="reminder", context={"total": 1})
    outbox_send_due()
    [written] = list(tmp_path.iterdir())
    client.force_login(cast.admin)
    page = client.get(reverse("tasks:outbox")).content.decode()
    assert written.name in page
    body = client.get(reverse("tasks:outbox_mail_file", args=[written.name])).content.decode()
    assert "reminder:file:1" in body  # the X-Outbox-Key header
    assert client.get(reverse("tasks:outbox_mail_file", args=["..secret.log"])).status_code == 404
