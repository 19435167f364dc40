"""Notification preferences, one-click unsubscribe, organisation thresholds, and the outbox page."""

import re
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.core import signing
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import LazyPaginator, RequestConfig

from operators.access import is_team_lead_of, scope_for, visible_organizations
from operators.models import NotificationPreference, Organization

from . import services
from .emails import TOPICS, unsubscribe_read
from .filters import OutboxFilter
from .forms import OrganizationThresholdsForm, PreferenceForm
from .models import OutboxMessage
from .tables import OutboxTable

MAIL_FILE_RE = re.compile(r"^[\w.-]+\.log$")


def _require_admin(user) -> None:
    if not scope_for(user).is_admin:
        raise Http404


@require_http_methods(["GET", "POST"])
@login_required
def preferences(request):
    pref, _created = NotificationPreference.objects.get_or_create(user=request.user)
    form = PreferenceForm(request.POST or None, instance=pref, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, _("Your notification settings were saved."))
        return redirect("tasks:preferences")
    lead_orgs = visible_organizations(request.user).filter(pk__in=scope_for(request.user).lead_org_ids)
    return render(request, "tasks/preferences.html", {"form": form, "lead_orgs": lead_orgs})


@login_not_required
@csrf_exempt  # one-click unsubscribe (RFC 8058): the mail client POSTs without a session; the signed token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        user_id, topic = unsubscribe_read(token)
    except signing.BadSignature:
        return render(request, "tasks/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        pref = services.preference_unsubscribe(user_id=user_id, topic=topic)
        if pref is None:
            raise Http404
        return render(request, "tasks/unsubscribe.html", {"done": True, "topic": topic})
    return render(request, "tasks/unsubscribe.html", {"topic": topic, "topics": TOPICS})


@require_http_methods(["GET", "POST"])
@login_required
def organization_settings(request, pk):
    organization = get_object_or_404(visible_organizations(request.user), pk=pk)
    if not is_team_lead_of(request.user, organization.pk):
        raise Http404
    form = OrganizationThresholdsForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        services.organization_thresholds_update(
            organization=organization,
            escalation_working_days=form.cleaned_data["escalation_working_days"],
            stale_days=form.stale_days(),
        )
        messages.success(request, _("The thresholds of %(org)s were saved.") % {"org": organization})
        return redirect("tasks:organization_settings", pk=organization.pk)
    return render(request, "tasks/organization_settings.html", {"form": form, "organization": organization})


def _mail_files(limit: int = 50) -> list[dict] | None:
    """The email files the embedded mode's file backend wrote, newest first; None if not in use."""
    if settings.EMAIL_BACKEND != "django.core.mail.backends.filebased.EmailBackend":
        return None
    folder = Path(settings.EMAIL_FILE_PATH)
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.is_file() and MAIL_FILE_RE.match(p.name)]
    files.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    return [{"name": p.name, "size": p.stat().st_size} for p in files[:limit]]


@require_GET
@login_required
def outbox(request):
    _require_admin(request.user)
    counts = dict(OutboxMessage.objects.values_list("status").annotate(n=Count("pk")).order_by())
    filterset = OutboxFilter(request.GET or None, queryset=OutboxMessage.objects.all())
    table = OutboxTable(filterset.qs, request=request)
    RequestConfig(request, paginate={"per_page": 50, "paginator_class": LazyPaginator}).configure(table)
    return render(
        request,
        "tasks/outbox.html",
        {
            "filter": filterset,
            "table": table,
            "failed_count": counts.get(OutboxMessage.Status.FAILED, 0),
            "counts": [(status, label, counts.get(status, 0)) for status, label in OutboxMessage.Status.choices],
            "mail_files": _mail_files(),
        },
    )


@require_GET
@login_required
def outbox_message(request, pk):
    _require_admin(request.user)
    message = get_object_or_404(OutboxMessage, pk=pk)
    return render(request, "tasks/outbox_message.html", {"message": message, "message_ids": [message.pk]})


@require_GET
@login_required
def outbox_mail_file(request, name):
    _require_admin(request.user)
    files = _mail_files(limit=10_000)
    if not files or not MAIL_FILE_RE.match(name) or name not in {f["name"] for f in files}:
        raise Http404
    content = (Path(settings.EMAIL_FILE_PATH) / name).read_text(errors="replace")
    return render(request, "tasks/mail_file.html", {"name": name, "content": content})


@require_POST
@login_required
def outbox_retry(request):
    _require_admin(request.user)
    if request.POST.get("all_failed"):
        ids = OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).values_list("pk", flat=True)
    else:
        try:
            ids = [int(v) for v in request.POST.getlist("ids")]
        except ValueError:
            ids = []
    if not ids:
        messages.error(request, _("Choose the emails to send again."))
        return redirect("tasks:outbox")
    count = services.outbox_retry(message_ids=ids)
    messages.success(request, _("%(count)d emails will be sent again.") % {"count": count})
    return redirect("tasks:outbox")
