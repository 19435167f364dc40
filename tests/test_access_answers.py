"""What a page answers about a project (projects.pipeline.rights): out of the user's scope, 404;
in scope but not theirs to change, 403 with a sentence saying why, the same on every page (the
permission matrix checks every route; these read the sentences)."""

import pytest
from django.urls import reverse

from projects.models import Stage

from .delivery_helpers import project_at

CHANGE = "只有项目所属单位和项目所在园区的运营公司可以修改此项目。"


@pytest.fixture
def projects(cast):
    mine = project_at(Stage.CONTRACT_SIGNED, organization=cast.committee_a, zone=cast.zone_a, owner=cast.officer)
    other = project_at(Stage.CONTRACT_SIGNED, organization=cast.committee_b, zone=cast.zone_b, owner=cast.outsider)
    return mine, other


@pytest.mark.parametrize(
    "name, method",
    [
        ("projects:move", "post"),
        ("projects:followup_create", "post"),
        ("projects:project_stage", "get"),
        ("projects:project_details", "post"),
        ("projects:attachment_new", "get"),
    ],
)
def test_a_manager_in_scope_is_told_why_and_out_of_scope_finds_nothing(client, cast, projects, name, method):
    mine, other = projects
    client.force_login(cast.county_manager)  # reads 清河县 (zone a), not 云山县 (zone b)
    response = getattr(client, method)(reverse(name, args=[mine.pk]), {"to_stage": "registered", "version": 1})
    assert response.status_code == 403
    assert CHANGE in response.content.decode()
    assert getattr(client, method)(reverse(name, args=[other.pk])).status_code == 404


@pytest.mark.parametrize(
    "user, name, sentence",
    [
        ("officer", "projects:project_owner", "只有项目所属单位的科长可以指定负责人。"),
        ("operator", "projects:project_status", "只有项目所属单位可以暂缓、恢复或终止项目。"),
        (
            "teammate",
            "projects:project_confidentiality",
            "只有项目负责人和所属单位的科长可以决定知情名单并查看访问记录。",
        ),
        ("county_manager", "delivery:start", "只有本园区的开发运营公司或项目所属团队可以更新项目推进情况。"),
        ("operator", "delivery:leader", "只有管理人员可以督办项目。"),
    ],
)
def test_each_right_says_its_own_why(client, cast, projects, user, name, sentence):
    mine, _other = projects
    client.force_login(getattr(cast, user))
    response = client.post(reverse(name, args=[mine.pk]))
    assert response.status_code == 403
    told = response.context["exception"]
    assert told == sentence
