"""Shared helpers for the delivery tests: evidence values, files, projects at a stage."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from projects.models import Attachment, FollowUp, Stage

from .factories import FollowUpFactory, ProjectFactory

CREDIT_CODES = ["914403001922038216", "9144030071526726XG", "91330100716105852F"]
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64

EVIDENCE = {
    "planned_amount": Decimal("80000000"),
    "intention_signed_on": datetime.date(2025, 3, 1),
    "intention_amount": Decimal("80000000"),
    "contract_signed_on": datetime.date(2025, 6, 1),
    "contract_amount": Decimal("75000000"),
    "registered_company": "清河芯联封装测试有限公司",
    "registered_credit_code": CREDIT_CODES[0],
    "construction_started_on": datetime.date(2025, 9, 1),
    "production_started_on": datetime.date(2026, 3, 1),
    "actual_investment": Decimal("42000000"),
}
STAGE_EVIDENCE = {
    Stage.NEGOTIATING: ["planned_amount"],
    Stage.INTENTION_SIGNED: ["intention_signed_on", "intention_amount"],
    Stage.CONTRACT_SIGNED: ["contract_signed_on", "contract_amount"],
    Stage.REGISTERED: ["registered_company", "registered_credit_code"],
    Stage.UNDER_CONSTRUCTION: ["construction_started_on"],
    Stage.IN_PRODUCTION: ["production_started_on", "actual_investment"],
}


def pdf(name="协议.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def evidence_upto(stage) -> dict:
    """The evidence fields of every stage up to `stage`."""
    order = Stage.order(stage)
    return {name: EVIDENCE[name] for s, names in STAGE_EVIDENCE.items() if Stage.order(s) <= order for name in names}


def project_at(stage, *, with_history=True, planned_amount=None, **kwargs):
    """A project at `stage` with exactly the evidence of the stages it passed (no follow-ups,
    no files), and no planned amount unless it reached negotiating."""
    values = {"planned_amount": None, **evidence_upto(stage), **kwargs}
    if planned_amount is not None:
        values["planned_amount"] = planned_amount
    return ProjectFactory(stage=stage, **values)


def give_everything(project, user):
    """Follow-ups and files, so that any forward move has what it needs besides fields."""
    FollowUpFactory(project=project, kind=FollowUp.Kind.VISIT, visitors="王总", author=user)
    return [(Attachment.Kind.INTENTION_AGREEMENT, pdf("意向协议.pdf")), (Attachment.Kind.CONTRACT, pdf("合同.pdf"))]
