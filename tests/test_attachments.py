"""Evidence files: checked by content and size, stored under a random name with their SHA-256,
served only in scope as a download, never lost when replaced."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Attachment
from projects.pipeline.attachments import AttachmentError, attachment_replace, attachment_upload

from .delivery_helpers import EXE_BYTES, PDF_BYTES, PNG_BYTES, pdf
from .factories import ProjectFactory


@pytest.fixture
def project(cast):
    return ProjectFactory(organization=cast.committee_a, zone=cast.zone_a, owner=cast.officer)


def _upload(client, user, project, name, content, kind="business_licence"):
    client.force_login(user)
    return client.post(
        reverse("projects:attachment_new", args=[project.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def test_it_accepts_a_valid_pdf(client, cast, project, media):
    response = _upload(client, cast.officer, project, "营业执照.pdf", PDF_BYTES)
    assert response.status_code == 302
    attachment = Attachment.objects.get(project=project)
    assert attachment.original_name == "营业执照.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert attachment.size == len(PDF_BYTES)
    # Stored under a random name, never the uploaded one.
    assert "营业执照" not in attachment.file.name and not attachment.file.name.endswith(".pdf")
    assert (media / attachment.file.name).read_bytes() == PDF_BYTES


def test_it_refuses_a_renamed_executable(client, cast, project, media):
    response = _upload(client, cast.officer, project, "合同.pdf", EXE_BYTES)
    assert response.status_code == 200
    assert "PDF" in response.content.decode()
    assert not Attachment.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_it_refuses_an_oversized_file(client, cast, project, media, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = _upload(client, cast.officer, project, "大文件.pdf", PDF_BYTES + b"0" * 1024)
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Attachment.objects.exists()


def test_the_default_limit_is_20_mb(settings):
    from django.conf import settings as real

    assert real.ATTACHMENT_MAX_BYTES == 20 * 1024 * 1024


def test_a_file_just_over_the_default_limit_is_refused(cast, project, media):
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (20 * 1024 * 1024), content_type="application/pdf")
    with pytest.raises(AttachmentError) as caught:
        attachment_upload(project=project, user=cast.officer, uploaded=big)
    assert "20" in str(caught.value.message)


@pytest.mark.parametrize("content", [PNG_BYTES, b"\xff\xd8\xff\xe0" + b"\x00" * 20, PDF_BYTES])
def test_images_and_pdfs_are_recognised_whatever_their_name(cast, project, media, content):
    attachment = attachment_upload(project=project, user=cast.officer, uploaded=SimpleUploadedFile("scan.exe", content))
    assert attachment.content_type in {"image/png", "image/jpeg", "application/pdf"}


def test_download_is_an_attachment_with_its_name(client, cast, project, media):
    attachment = attachment_upload(project=project, user=cast.officer, uploaded=pdf("营业执照.pdf"))
    client.force_login(cast.operator)
    response = client.get(reverse("projects:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF_BYTES


@pytest.mark.parametrize("who", ["outsider", "nobody"])
def test_download_out_of_scope_is_404(client, cast, project, media, who):
    attachment = attachment_upload(project=project, user=cast.officer, uploaded=pdf())
    client.force_login(getattr(cast, who))
    assert client.get(reverse("projects:attachment_download", args=[attachment.pk])).status_code == 404


def test_a_replaced_file_is_kept_in_history_and_still_downloadable(client, cast, project, media):
    attachment = attachment_upload(project=project, user=cast.officer, uploaded=pdf("v1.pdf"))
    old_name = attachment.file.name
    new_content = PDF_BYTES + b"% v2\n"
    attachment_replace(attachment=attachment, user=cast.teammate, uploaded=pdf("v2.pdf", new_content))
    assert (media / old_name).read_bytes() == PDF_BYTES
    first = attachment.history.earliest("history_date")
    assert first.file == old_name and first.original_name == "v1.pdf"
    client.force_login(cast.officer)
    url = reverse("projects:attachment_download", args=[attachment.pk])
    assert b"".join(client.get(url).streaming_content) == new_content
    assert b"".join(client.get(url, {"version": first.history_id}).streaming_content) == PDF_BYTES


def test_the_replace_form_refuses_a_bad_file(client, cast, project, media):
    attachment = attachment_upload(project=project, user=cast.officer, uploaded=pdf("v1.pdf"))
    client.force_login(cast.officer)
    response = client.post(
        reverse("projects:attachment_replace", args=[attachment.pk]), {"file": SimpleUploadedFile("x.pdf", EXE_BYTES)}
    )
    assert response.status_code == 200
    attachment.refresh_from_db()
    assert attachment.original_name == "v1.pdf"
