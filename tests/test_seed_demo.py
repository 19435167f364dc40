from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Sum

from operators.models import Membership, Organization, Role, Zone
from projects.models import FollowUp, Investor, Project, SourceMode, Stage, StageChange

MODELS = [Zone, Organization, Membership, Investor, Project, FollowUp, StageChange, get_user_model()]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.django_db
def test_seeding_twice_changes_nothing():
    call_command("seed_demo", quiet_logins=True)
    first = counts()
    call_command("seed_demo", quiet_logins=True)
    assert counts() == first

    assert first["Zone"] == 13
    assert 280 <= first["Project"] <= 320
    assert Organization.objects.filter(kind="operating_company").count() == 13
    assert Organization.objects.filter(operator_partner_status="engaged").count() == 9
    assert Organization.objects.filter(operator_partner_status="negotiating").count() == 4
    assert {m.role for m in Membership.objects.all()} == set(Role.values)
    assert set(Project.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert set(Project.objects.values_list("source_mode", flat=True)) == set(SourceMode.values)
    assert Project.objects.values("zone").distinct().count() == 13
    # The report's electronic-information intentions: 240 亿元 in the high-tech zone.
    headline = Project.objects.filter(
        zone__short_name="江州高新区",
        title__in=[
            "集成电路芯片封装测试项目",
            "有色金属供应链产业互联网电商平台项目",
            "智能LED驱动研发及产业化基地项目",
        ],
        stage=Stage.INTENTION_SIGNED,
    )
    assert headline.aggregate(total=Sum("intention_amount"))["total"] == Decimal("24000000000")
    for project in Project.objects.all():
        project.full_clean(exclude=["need_to_know"])
