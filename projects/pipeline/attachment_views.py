"""The project's files: uploading one, replacing it (the earlier file is kept in the history), and
downloading it, served only to those who may see the project and always as a download. Views are
thin: they open the project through projects.pipeline.rights and call projects.pipeline.attachments.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from operators.access import visible_related
from projects.core import confidential
from projects.pipeline import need_to_know
from projects.pipeline.attachments import AttachmentError, attachment_replace, attachment_upload
from projects.pipeline.edit_forms import AttachmentForm, ReplaceFileForm
from projects.pipeline.edit_views import done, render_form
from projects.pipeline.models import Attachment
from projects.pipeline.rights import project_for_changing


@require_http_methods(["GET", "POST"])
def attachment_new(request, pk):
    project = project_for_changing(request, pk)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            attachment = attachment_upload(
                project=project, user=request.user, uploaded=form.cleaned_data["file"], kind=form.cleaned_data["kind"]
            )
        except AttachmentError as exc:
            form.add_error("file", str(exc.message))
        else:
            return done(request, project, _("%(name)s uploaded.") % {"name": attachment.original_name})
    return render_form(request, project, "projects/delivery/_attachment_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def attachment_replace_view(request, pk):
    attachment = get_object_or_404(visible_related(request.user, Attachment.objects.select_related("project")), pk=pk)
    project = project_for_changing(request, attachment.project_id)
    form = ReplaceFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            attachment_replace(attachment=attachment, user=request.user, uploaded=form.cleaned_data["file"])
        except AttachmentError as exc:
            form.add_error("file", str(exc.message))
        else:
            return done(request, project, _("File replaced; the earlier one is kept in the history."))
    return render_form(
        request, project, "projects/delivery/_replace_form.html", {"form": form, "attachment": attachment}
    )


@require_GET
def attachment_download(request, pk):
    """Serve a file only to those who may see its project, always as a download. `?version=`
    serves an earlier file of the attachment (files are never deleted)."""
    attachment = get_object_or_404(visible_related(request.user, Attachment.objects.select_related("project")), pk=pk)
    record = attachment
    version = request.GET.get("version")
    if version:
        if not version.isdigit():
            raise Http404
        record = get_object_or_404(attachment.history.all(), history_id=int(version))
    stored = record.file if isinstance(record.file, str) else record.file.name
    try:
        handle = default_storage.open(stored, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    need_to_know.log_confidential_access(project=attachment.project, user=request.user, attachment=attachment)
    name = record.original_name
    if not confidential.can_see_names(attachment.project, request.user):
        name = f"{Attachment.Kind(record.kind).label}-{attachment.pk}"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=record.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
