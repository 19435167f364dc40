"""The shared cast: two zones in two counties, their organisations, and a user per role."""

import os
from types import SimpleNamespace

import pytest

from operators.models import Organization, Role

from .factories import MembershipFactory, OrganizationFactory, UserFactory, ZoneFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def need(condition: bool, reason: str) -> None:
    """Skip a test whose service is missing, except under REQUIRE_SERVICES=1 where that fails."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def cast(db):
    """zone_a (清河县) and zone_b (云山县); who works where, in which role."""
    zone_a = ZoneFactory(name="清河经济开发区", short_name="清河经开区", county="清河县")
    zone_b = ZoneFactory(name="云山高新技术产业开发区", short_name="云山高新区", county="云山县")
    committee_a = OrganizationFactory(name="清河经开区管委会", zone=zone_a)
    committee_b = OrganizationFactory(name="云山高新区管委会", zone=zone_b)
    company_a = OrganizationFactory(
        name="清河经开区开发运营有限公司", zone=zone_a, kind=Organization.Kind.OPERATING_COMPANY
    )
    bureau_a = OrganizationFactory(
        name="清河县招商局", zone=None, county="清河县", kind=Organization.Kind.COUNTY_BUREAU
    )
    city = OrganizationFactory(name="江州市商务局", zone=None, county="", kind=Organization.Kind.CITY_OFFICE)

    def member(username, org, role, **extra):
        user = UserFactory(username=username, **extra)
        MembershipFactory(user=user, organization=org, role=role)
        return user

    return SimpleNamespace(
        zone_a=zone_a,
        zone_b=zone_b,
        committee_a=committee_a,
        committee_b=committee_b,
        company_a=company_a,
        bureau_a=bureau_a,
        city=city,
        officer=member("officer", committee_a, Role.OFFICER),
        teammate=member("teammate", committee_a, Role.OFFICER),
        lead=member("lead", committee_a, Role.TEAM_LEAD),
        outsider=member("outsider", committee_b, Role.OFFICER),
        operator=member("operator", company_a, Role.OPERATOR),
        county_manager=member("county_manager", bureau_a, Role.MANAGER),
        city_manager=member("city_manager", city, Role.MANAGER),
        admin=member("admin", city, Role.ADMIN, is_staff=True, is_superuser=True),
        nobody=UserFactory(username="nobody"),
    )


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
