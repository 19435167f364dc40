"""Helpers of the delivery tests: a signed project in the cast's zone A, evidence files."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from projects.models import Stage

from .factories import ProjectFactory

YI = Decimal(100_000_000)
WAN = Decimal(10_000)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name="voucher.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name="photo.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def exe(name="voucher.pdf"):
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 60, content_type="application/pdf")


def signed_project(cast, *, signed_on=datetime.date(2026, 1, 5), amount=Decimal("100") * WAN * 100, **extra):
    """A project of committee A in zone A at "intention signed", operated by company A."""
    fields = {
        "organization": cast.committee_a,
        "zone": cast.zone_a,
        "owner": cast.officer,
        "stage": Stage.INTENTION_SIGNED,
        "intention_signed_on": signed_on,
        "intention_amount": amount,
        "operating_company": cast.company_a,
        "service_contact": cast.operator,
    }
    fields.update(extra)
    return ProjectFactory(**fields)
