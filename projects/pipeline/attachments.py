"""Evidence files: PDF, JPEG and PNG only, recognised by their content (never by their name),
within settings.ATTACHMENT_MAX_BYTES, stored under a random name with their SHA-256. Files are
never deleted: a replaced file stays on disk and in the attachment's history."""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from projects.core.errors import PipelineError
from projects.pipeline.models import Attachment, Project, attachment_path

# Leading bytes of each accepted type ("magic numbers").
SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
]


class AttachmentError(PipelineError):
    """A file that is refused: wrong type, too large or empty."""


def sniff_content_type(head: bytes) -> str | None:
    for magic, content_type in SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None


def check_file(uploaded, field: str = "file") -> str:
    """The content type of an acceptable upload; AttachmentError saying why it is refused."""
    name = clean_file_name(uploaded.name) if getattr(uploaded, "name", "") else _("the file")
    limit = settings.ATTACHMENT_MAX_BYTES
    if uploaded.size > limit:
        raise AttachmentError(
            _("%(name)s is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"name": name, "size": f"{uploaded.size / 1048576:.1f}", "limit": f"{limit / 1048576:g}"},
            {field: [_("The file is larger than %(limit)s MB.") % {"limit": f"{limit / 1048576:g}"}]},
        )
    if uploaded.size == 0:
        raise AttachmentError(_("%(name)s is empty.") % {"name": name}, {field: [_("The file is empty.")]})
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise AttachmentError(
            _("%(name)s is not a PDF, JPEG or PNG file (checked by its content, not its name).") % {"name": name},
            {field: [_("Only PDF, JPEG and PNG files are accepted.")]},
        )
    return content_type


def _store(uploaded) -> tuple[str, str]:
    """Save under a random name; return (stored name, sha256)."""
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    stored = default_storage.save(attachment_path(None, uploaded.name), uploaded)
    return stored, digest.hexdigest()


def clean_file_name(name: str) -> str:
    """The name an upload is shown and downloaded under: its last path part (either slash), no
    control or other unprintable characters, no leading dots or spaces, at most 255 characters
    (the extension kept); "file" when nothing is left. Never used on disk."""
    name = " ".join(re.split(r"[/\\]", name or "")[-1].split())
    name = "".join(c for c in name if c.isprintable()).strip().lstrip(". ")
    if not name:
        return "file"
    stem, dot, extension = name.rpartition(".")
    if len(name) > 255:
        name = stem[: 255 - len(extension) - 1] + dot + extension if dot and len(extension) < 20 else name[:255]
    return name


@transaction.atomic
def attachment_upload(
    *, project: Project, user, uploaded, kind: str = Attachment.Kind.OTHER, field: str = "file"
) -> Attachment:
    """Store an evidence file for a project (every upload: the project's files, a stage's signed
    agreement, a tranche's voucher, a commitment's evidence). `field`: the form field that
    carried the file, which the refusal names."""
    if kind not in Attachment.Kind.values:
        raise AttachmentError(_("Unknown kind of file."), {"kind": [_("Choose a kind from the list.")]})
    content_type = check_file(uploaded, field=field)
    stored, sha256 = _store(uploaded)
    attachment = Attachment(
        project=project,
        original_name=clean_file_name(uploaded.name),
        content_type=content_type,
        size=uploaded.size,
        kind=kind,
        sha256=sha256,
        uploaded_by=user,
    )
    attachment.file.name = stored
    attachment.full_clean()
    attachment._history_user = user
    attachment.save()
    return attachment


@transaction.atomic
def attachment_replace(*, attachment: Attachment, user, uploaded) -> Attachment:
    """Put a new file in place of an attachment's; the old file stays on disk and in history."""
    content_type = check_file(uploaded)
    stored, sha256 = _store(uploaded)
    attachment.file.name = stored
    attachment.original_name = clean_file_name(uploaded.name)
    attachment.content_type = content_type
    attachment.size = uploaded.size
    attachment.sha256 = sha256
    attachment.uploaded_by = user
    attachment.full_clean()
    attachment._history_user = user
    attachment.save()
    return attachment
