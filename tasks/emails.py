"""Rendering notification emails: subject, plain text and HTML from three templates, in the
recipient's language, with absolute links and a signed one-click unsubscribe link."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import ngettext

from projects.core.confidential import masked
from projects.models import Stage

UNSUBSCRIBE_SALT = "tasks.unsubscribe"
# Lines listed in one email; the rest are counted ("and 12 more").
MAX_LINES = 50

# What an unsubscribe link turns off, per topic (operators.NotificationPreference fields).
TOPICS = {
    "reminders": {"reminders_enabled": False},  # reminders, escalations, stale-lead nudges
    "digest": {"digest_frequency": "none"},  # managers' digests (issue 6)
}


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def project_url(project_id: int) -> str:
    """Absolute link to a project's page: the one place emails build it."""
    try:
        path = reverse("projects:detail", args=[project_id])
    except NoReverseMatch:  # the project page's route has not landed yet
        path = f"/projects/{project_id}/"
    return absolute_url(path)


def project_line(project, reader, *, due_on=None, follow_up: dict | None = None, days=None, level=None) -> dict:
    """One project's line in a reminder, escalation or stale-lead email (plain data), as `reader`
    may read it: a confidential deal's names and follow-up text are masked outside need-to-know
    (projects.core.confidential). `follow_up`: the latest follow-up's `next_action` and `summary`;
    what was agreed is its next action, else its summary."""
    values = {"title": project.title, "investor": project.investor.name, **(follow_up or {})}
    shown = masked(project, reader, values, blank="")
    return {
        "project_id": project.pk,
        "title": shown["title"],
        "investor": shown["investor"],
        "stage": Stage(project.stage).label,
        "due_on": due_on,
        "agreed": shown.get("next_action") or shown.get("summary") or "",
        "days": days,
        "level": level,
        "url": project_url(project.pk),
    }


def reminder_subject(*, total: int, overdue: int, day: datetime.date) -> str:
    """The daily reminder's subject, in the active language: the sweep writes it on the queued
    row from its counts, the sender again from the counts at send time."""
    if overdue:
        text = ngettext(
            "%(counter)s follow-up to do (%(overdue)s overdue)",
            "%(counter)s follow-ups to do (%(overdue)s overdue)",
            total,
        ) % {"counter": total, "overdue": overdue}
    else:
        text = ngettext("%(counter)s follow-up to do", "%(counter)s follow-ups to do", total) % {"counter": total}
    return f"{text} · {day.isoformat()}"


def unsubscribe_token(*, user_id: int, topic: str) -> str:
    if topic not in TOPICS:
        raise ValueError(f"unknown unsubscribe topic {topic!r}")
    return signing.dumps({"u": user_id, "t": topic}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[int, str]:
    """(user id, topic) of a token; raises signing.BadSignature if it was not made by us.
    Tokens do not expire: an old email's link must still work."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or data.get("t") not in TOPICS or not isinstance(data.get("u"), int):
        raise signing.BadSignature("malformed unsubscribe token")
    return data["u"], data["t"]


def unsubscribe_url(*, user_id: int, topic: str) -> str:
    return absolute_url(reverse("tasks:unsubscribe", args=[unsubscribe_token(user_id=user_id, topic=topic)]))


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    headers: dict


def render_email(*, template: str, context: dict, user_id: int, language: str, topic: str) -> Rendered:
    """emails/<template>_subject.txt, emails/<template>.txt and emails/<template>.html, rendered
    in `language`, with `unsubscribe_url`, `preferences_url` and `site_url` in the context."""
    unsubscribe = unsubscribe_url(user_id=user_id, topic=topic)
    ctx = {
        **context,
        "site_url": settings.SITE_URL,
        "unsubscribe_url": unsubscribe,
        "preferences_url": absolute_url(reverse("tasks:preferences")),
        "language": language,
    }
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", ctx).split())
        text = render_to_string(f"emails/{template}.txt", ctx)
        html = render_to_string(f"emails/{template}.html", ctx)
    headers = {
        # RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to the link.
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
    return Rendered(subject=subject[:300], text=text, html=html, headers=headers)
