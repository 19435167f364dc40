"""Evidence files: one checker for every upload (projects.pipeline.attachments). A project's file,
a stage's signed agreement, a tranche's voucher and a commitment's evidence are checked alike:
content sniffed, size limited, an empty file refused as empty, the name cleaned."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.core.errors import PipelineError
from projects.delivery import services as delivery
from projects.models import Attachment, FundsTranche, Stage
from projects.pipeline.attachments import attachment_replace, attachment_upload
from projects.pipeline.stages import project_move_stage

from .delivery_fixtures import pdf, signed_project

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ODD_NAME = "..\\..\\财务\\凭证\t2026年\x07.pdf"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _tranche(project, user):
    return delivery.tranche_record(
        project=project,
        user=user,
        received_on=datetime.date(2026, 2, 1),
        amount=Decimal("1000000"),
        kind=FundsTranche.Kind.REGISTERED_CAPITAL,
        evidence=pdf(),
    )


# Every way a file reaches the project: (cast, project, upload) → the attachment stored.
UPLOADS = {
    "project file": lambda cast, project, f: attachment_upload(project=project, user=cast.officer, uploaded=f),
    "replaced file": lambda cast, project, f: attachment_replace(
        attachment=attachment_upload(project=project, user=cast.officer, uploaded=pdf()), user=cast.officer, uploaded=f
    ),
    "signed contract": lambda cast, project, f: (
        project_move_stage(
            project=project,
            user=cast.officer,
            to_stage=Stage.CONTRACT_SIGNED,
            expected_version=project.version,
            evidence={"contract_signed_on": datetime.date(2026, 1, 20), "contract_amount": Decimal("90000000")},
            uploads=[(Attachment.Kind.CONTRACT, f)],
        )
        and Attachment.objects.get(kind=Attachment.Kind.CONTRACT)
    ),
    "tranche voucher": lambda cast, project, f: (
        delivery.tranche_record(
            project=project,
            user=cast.operator,
            received_on=datetime.date(2026, 2, 1),
            amount=Decimal("1000000"),
            kind=FundsTranche.Kind.REGISTERED_CAPITAL,
            evidence=f,
        ).evidence
    ),
    "tranche correction": lambda cast, project, f: (
        delivery.tranche_correct(
            tranche=_tranche(project, cast.operator),
            user=cast.operator,
            received_on=datetime.date(2026, 2, 1),
            amount=Decimal("2000000"),
            kind=FundsTranche.Kind.REGISTERED_CAPITAL,
            reason="金额有误",
            evidence=f,
        ).evidence
    ),
    "commitment evidence": lambda cast, project, f: (
        delivery.commitment_report(
            project=project,
            user=cast.operator,
            metric="jobs",
            value=Decimal("120"),
            as_of=datetime.date(2026, 2, 1),
            evidence=f,
        ).evidence
    ),
}


@pytest.mark.parametrize("way", UPLOADS)
def test_an_empty_file_is_refused_as_empty(cast, way):
    project = signed_project(cast)
    with pytest.raises(PipelineError) as refused:
        UPLOADS[way](cast, project, SimpleUploadedFile("凭证.pdf", b""))
    assert ["文件为空。"] in [[str(m) for m in ms] for ms in refused.value.errors.values()]


@pytest.mark.parametrize("way", UPLOADS)
def test_an_odd_file_name_is_cleaned(cast, way):
    project = signed_project(cast)
    stored = UPLOADS[way](cast, project, SimpleUploadedFile(ODD_NAME, PDF))
    assert stored.original_name == "凭证 2026年.pdf"


@pytest.mark.parametrize(
    "name, field, data",
    [
        ("projects:attachment_new", "file", {"kind": "other"}),
        ("delivery:tranche_record", "evidence", {"received_on": "2026-02-01", "amount": "100", "kind": "other"}),
        ("delivery:commitment_report", "evidence", {"metric": "jobs", "value": "5", "as_of": "2026-02-01"}),
    ],
)
def test_every_upload_form_refuses_an_empty_file(client, cast, name, field, data):
    project = signed_project(cast)
    client.force_login(cast.officer)
    data = {"evidence_kind": "voucher", **data, field: SimpleUploadedFile("凭证.pdf", b"")}
    response = client.post(reverse(name, args=[project.pk]), data)
    assert response.status_code in (200, 400)
    forms = [v for c in response.context for d in c.dicts for v in d.values() if hasattr(v, "fields")]
    assert ["提交的是空文件。"] in [form.errors.get(field) for form in forms]  # Django's file field says why
    assert not Attachment.objects.exists()
