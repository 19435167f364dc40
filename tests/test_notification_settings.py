"""The preferences page, the one-click unsubscribe link, and the organisation thresholds page."""

import datetime

import pytest
from django.urls import reverse

from operators.models import NotificationPreference
from tasks.emails import unsubscribe_token


def test_preferences_page_works(client, cast):
    client.force_login(cast.officer)
    response = client.get(reverse("tasks:preferences"))
    assert response.status_code == 200
    assert NotificationPreference.objects.filter(user=cast.officer).exists()


def test_preferences_page_needs_login(client):
    response = client.get(reverse("tasks:preferences"))
    assert response.status_code == 302


def test_it_saves_the_preferences(client, cast):
    client.force_login(cast.officer)
    response = client.post(
        reverse("tasks:preferences"),
        {"reminder_time": "07:15", "language": "en", "digest_frequency": "weekly", "digest_zones": [cast.zone_a.pk]},
    )
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=cast.officer)
    assert pref.reminders_enabled is False  # unchecked box
    assert pref.reminder_time == datetime.time(7, 15)
    assert pref.language == "en"
    assert list(pref.digest_zones.all()) == [cast.zone_a]


def test_it_rejects_a_zone_outside_the_users_scope(client, cast):
    client.force_login(cast.officer)
    response = client.post(
        reverse("tasks:preferences"),
        {
            "reminders_enabled": "on",
            "reminder_time": "08:30",
            "language": "zh-hans",
            "digest_frequency": "none",
            "digest_zones": [cast.zone_b.pk],
        },
    )
    assert response.status_code == 200
    assert "digest_zones" in response.context["form"].errors
    assert cast.zone_b.name not in response.content.decode()  # not offered either


def test_it_says_which_field_is_wrong(client, cast):
    client.force_login(cast.officer)
    response = client.post(
        reverse("tasks:preferences"), {"reminder_time": "25:99", "language": "zh-hans", "digest_frequency": "none"}
    )
    assert response.status_code == 200
    assert "reminder_time" in response.context["form"].errors


def test_unsubscribe_link_asks_then_turns_reminders_off_without_login(client, cast):
    token = unsubscribe_token(user_id=cast.officer.pk, topic="reminders")
    url = reverse("tasks:unsubscribe", args=[token])
    response = client.get(url)
    assert response.status_code == 200
    assert not NotificationPreference.objects.filter(user=cast.officer, reminders_enabled=False).exists()
    response = client.post(url)  # what a mail client's one-click button does: no session, no CSRF token
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=cast.officer).reminders_enabled is False


def test_unsubscribe_from_digests_keeps_reminders(client, cast):
    NotificationPreference.objects.create(user=cast.officer, digest_frequency="daily")
    client.post(reverse("tasks:unsubscribe", args=[unsubscribe_token(user_id=cast.officer.pk, topic="digest")]))
    pref = NotificationPreference.objects.get(user=cast.officer)
    assert pref.digest_frequency == "none" and pref.reminders_enabled is True


def test_a_forged_unsubscribe_link_is_refused(client, cast):
    token = unsubscribe_token(user_id=cast.officer.pk, topic="reminders")
    forged = token.replace(token.split(":")[0], "eyJ1Ijo5OTksInQiOiJyZW1pbmRlcnMifQ")
    response = client.post(reverse("tasks:unsubscribe", args=[forged]))
    assert response.status_code == 400
    assert not NotificationPreference.objects.filter(reminders_enabled=False).exists()


def settings_url(org):
    return reverse("tasks:organization_settings", args=[org.pk])


def test_team_lead_edits_the_thresholds(client, cast):
    client.force_login(cast.lead)
    assert client.get(settings_url(cast.committee_a)).status_code == 200
    response = client.post(
        settings_url(cast.committee_a),
        {"escalation_working_days": "3", "stale_lead": "10", "stale_negotiating": "30", "stale_in_production": ""},
    )
    assert response.status_code == 302
    cast.committee_a.refresh_from_db()
    assert cast.committee_a.escalation_working_days == 3
    assert cast.committee_a.stale_days == {"lead": 10}  # 30 is the default: not stored


def test_zero_means_never(client, cast):
    client.force_login(cast.lead)
    client.post(settings_url(cast.committee_a), {"escalation_working_days": "5", "stale_contract_signed": "0"})
    cast.committee_a.refresh_from_db()
    assert cast.committee_a.stale_days == {"contract_signed": None}
    assert client.get(settings_url(cast.committee_a)).context["form"]["stale_contract_signed"].value() == 0


def test_thresholds_reject_bad_values_with_the_field(client, cast):
    client.force_login(cast.lead)
    response = client.post(settings_url(cast.committee_a), {"escalation_working_days": "0", "stale_lead": "-1"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "escalation_working_days" in errors and "stale_lead" in errors


@pytest.mark.parametrize("who", ["officer", "outsider", "operator", "city_manager"])
def test_thresholds_are_hidden_from_non_leads(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(settings_url(cast.committee_a)).status_code == 404
    assert client.post(settings_url(cast.committee_a), {"escalation_working_days": "1"}).status_code == 404


def test_a_lead_cannot_edit_another_organisation(client, cast):
    client.force_login(cast.lead)
    assert client.get(settings_url(cast.committee_b)).status_code == 404


def test_thresholds_page_rejects_wrong_method(client, cast):
    client.force_login(cast.lead)
    assert client.put(settings_url(cast.committee_a)).status_code == 405
