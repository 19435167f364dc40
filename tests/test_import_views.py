"""The import pages: upload, preview, confirm, progress; big files through the Celery task."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from config.celery import app as celery_app
from projects.models import ImportJob, Project

from .ledger_files import ledger_csv, ledger_rows, ledger_xlsx, sheet_bytes


@pytest.fixture
def officer_client(client, cast):
    cast.teammate.first_name = "张敏"
    cast.teammate.save()
    client.force_login(cast.officer)
    return client


def upload(client, data, name="台账.xlsx"):
    return client.post(reverse("projects:import"), {"file": SimpleUploadedFile(name, data)})


def test_the_page_offers_the_template_and_the_headings(officer_client):
    response = officer_client.get(reverse("projects:import"))
    assert response.status_code == 200
    assert "下次跟进日期" in response.content.decode()
    template = officer_client.get(reverse("projects:import_template"))
    assert template.status_code == 200 and template.content[:2] == b"PK"
    assert template["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E9%A1%B9%E7%9B%AE%E5%8F%B0%E8%B4%A6%E6%A8%A1%E6%9D%BF.xlsx"  # 项目台账模板.xlsx
    )


def test_it_hides_the_page_from_who_cannot_import(client, cast):
    for user in (cast.nobody, cast.city_manager, cast.operator):
        client.force_login(user)
        assert client.get(reverse("projects:import")).status_code == 404


def test_upload_shows_a_preview_then_confirm_writes(officer_client, cast):
    response = upload(officer_client, ledger_xlsx(ledger_rows(30)))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("projects:import_job", args=[job.pk])
    page = officer_client.get(response.url).content.decode()
    assert job.status == "checked" and job.created_count == 30
    assert "Confirm" in page or "确认" in page
    assert Project.objects.count() == 0  # a preview writes nothing

    officer_client.post(reverse("projects:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done"
    assert Project.objects.filter(organization=cast.committee_a).count() == 30
    # Confirming twice does nothing more.
    officer_client.post(reverse("projects:import_confirm", args=[job.pk]))
    assert Project.objects.count() == 30


def test_a_file_with_problems_cannot_be_confirmed(officer_client):
    upload(officer_client, sheet_bytes([["项目名称", "投资方", "项目阶段"], ["x", "y", "快成了"]]))
    job = ImportJob.objects.get()
    page = officer_client.get(reverse("projects:import_job", args=[job.pk])).content.decode()
    assert job.error_count == 1 and "快成了" in page
    officer_client.post(reverse("projects:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "checked" and Project.objects.count() == 0


def test_a_hostile_file_is_refused_on_upload(officer_client):
    response = upload(officer_client, b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, name="ledger.xlsx")
    assert response.status_code == 200
    assert ImportJob.objects.count() == 0
    assert "spreadsheet" in response.content.decode() or "表格" in response.content.decode()


def test_others_cannot_see_or_confirm_a_job(officer_client, client, cast):
    upload(officer_client, ledger_xlsx(ledger_rows(3)))
    job = ImportJob.objects.get()
    client.force_login(cast.teammate)
    assert client.get(reverse("projects:import_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("projects:import_confirm", args=[job.pk])).status_code == 404
    assert officer_client.get(reverse("projects:import_confirm", args=[job.pk])).status_code == 405


def test_a_big_file_waits_for_the_worker_with_a_polling_progress_bar(officer_client, settings):
    settings.IMPORT_SYNC_MAX_BYTES = 0
    upload(officer_client, ledger_xlsx(ledger_rows(5)))  # on_commit not run: the worker never got it
    job = ImportJob.objects.get()
    assert job.status == "queued"
    partial = officer_client.get(reverse("projects:import_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert 'hx-trigger="every 1s"' in html and "progress-bar" in html
    assert "<html" not in html


@pytest.fixture
def eager_celery():
    """The import's tasks run in the test's process: registered here (the page queues them by name)."""
    import tasks.tasks  # noqa: F401

    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.mark.slow
def test_fifty_thousand_rows_import_in_the_background_task(
    officer_client, cast, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.IMPORT_SYNC_MAX_BYTES = 0
    data = ledger_csv(ledger_rows(50_000), encoding="gb18030")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        upload(officer_client, data, name="大台账.csv")
    assert len(callbacks) == 1  # the check went to the task queue
    job = ImportJob.objects.get()
    assert (job.status, job.total_rows, job.created_count, job.error_count) == ("checked", 50_000, 50_000, 0)

    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(reverse("projects:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done", job.message
    assert Project.objects.filter(organization=cast.committee_a).count() == 50_000
