"""Factories for the shared cast of tests."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from operators.models import Membership, Organization, Role, Zone
from projects.models import FollowUp, Investor, Project, SourceMode, Stage


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    password = factory.django.Password("pw-123456")


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    name = factory.Sequence(lambda n: f"测试开发区{n}")
    short_name = factory.Sequence(lambda n: f"测试区{n}")
    kind = Zone.Kind.ECONOMIC_TECH
    level = Zone.Level.PROVINCIAL
    county = "清河县"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试管委会{n}")
    kind = Organization.Kind.COMMITTEE
    zone = factory.SubFactory(ZoneFactory)
    county = factory.LazyAttribute(lambda o: o.zone.county if o.zone else "")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.OFFICER


class InvestorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Investor

    name = factory.Sequence(lambda n: f"测试投资{n}科技有限公司")
    normalized_name = factory.LazyAttribute(lambda o: o.name)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    title = factory.Sequence(lambda n: f"测试项目{n}")
    investor = factory.SubFactory(InvestorFactory)
    organization = factory.SubFactory(OrganizationFactory)
    zone = factory.LazyAttribute(lambda o: o.organization.zone or ZoneFactory())
    owner = factory.SubFactory(UserFactory)
    source_mode = SourceMode.DIRECT
    planned_amount = Decimal("50000000")
    stage = Stage.LEAD


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    project = factory.SubFactory(ProjectFactory)
    kind = FollowUp.Kind.CALL
    occurred_on = factory.LazyFunction(lambda: timezone.localdate())
    summary = "电话沟通"
    author = factory.LazyAttribute(lambda o: o.project.owner)
    next_due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
