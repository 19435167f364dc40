"""Duplicates across organisations: the normaliser, the finder, the warning and the link."""

import pytest

from projects.models import PossibleDuplicate, Project, SourceMode, Stage
from projects.pipeline.duplicates import DuplicatesFound, find_duplicates, name_score, normalize_name
from projects.pipeline.services import investor_create, project_create
from tests.factories import ProjectFactory

SAME = [
    # suffix
    ("华为技术有限公司", "华为技术股份有限公司"),
    ("江州鑫达材料有限公司", "江州鑫达材料有限责任公司"),
    ("海尔集团公司", "海尔集团有限公司"),
    ("TCL科技集团股份有限公司", "TCL科技"),
    # brackets
    ("华为技术（深圳）有限公司", "华为技术有限公司"),
    ("阿里巴巴（中国）有限公司", "阿里巴巴集团控股有限公司"),
    ("华润（集团）有限公司", "华润有限公司"),
    ("【江州】鑫达材料有限公司", "鑫达材料有限公司"),
    # full-width / half-width, case, spaces
    ("ＴＣＬ科技集团股份有限公司", "TCL科技集团股份有限公司"),
    ("Huawei Technologies Co., Ltd.", "HUAWEI TECHNOLOGIES CO.,LTD"),
    ("京东方 科技集团", "京东方科技集团"),
    # a leading province or city
    ("深圳华为技术有限公司", "华为技术有限公司"),
    ("江苏恒瑞医药股份有限公司", "恒瑞医药股份有限公司"),
    ("苏州市华星光电技术有限公司", "华星光电技术有限公司"),
    ("广东省华兴电子有限公司", "华兴电子有限公司"),
]
SIMILAR = [
    ("宁德时代新能源科技股份有限公司", "宁德时代新能源有限公司"),
    ("比亚迪汽车工业有限公司", "比亚迪汽车有限公司"),
    ("江州鑫达材料有限公司", "江州鑫达新材料有限公司"),
]
DIFFERENT = [
    ("华为技术有限公司", "中兴通讯股份有限公司"),
    ("恒瑞医药股份有限公司", "恒瑞医疗器械有限公司"),
    ("华为技术有限公司", "华为终端有限公司"),
    ("恒通新材料有限公司", "宏通新材料有限公司"),
    ("中芯国际集成电路制造有限公司", "中芯国际集成电路新技术研发有限公司"),
    ("江苏银行股份有限公司", "上海银行股份有限公司"),
    ("瑞光电子科技有限公司", "瑞丰光电子股份有限公司"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_names_differing_in_form_only_normalise_alike(a, b):
    assert normalize_name(a) == normalize_name(b)


@pytest.mark.parametrize(("a", "b"), SAME + SIMILAR)
def test_similar_names_score_above_the_threshold(a, b):
    assert name_score(normalize_name(a), normalize_name(b)) >= 85


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_genuinely_different_names_do_not_match(a, b):
    assert normalize_name(a) != normalize_name(b)
    assert name_score(normalize_name(a), normalize_name(b)) < 85


def test_a_place_that_is_the_name_is_kept():
    assert normalize_name("江苏银行股份有限公司") == "江苏银行"
    assert normalize_name("上海") == "上海"


@pytest.fixture
def courted(cast):
    """The same investor already courted by zone B's committee."""
    investor = investor_create(name="华芯半导体封装测试股份有限公司", credit_code="91350100M000100Y43")
    project = ProjectFactory(
        title="华芯封测二期秘密项目",
        investor=investor,
        organization=cast.committee_b,
        owner=cast.outsider,
        stage="negotiating",
    )
    return project


def lead(cast, **extra):
    kwargs = {
        "user": cast.officer,
        "title": "集成电路封装测试项目",
        "zone": cast.zone_a,
        "organization": cast.committee_a,
        "owner": cast.officer,
        "source_mode": SourceMode.REFERRAL,
        "details": {"referrer": "园区企业瑞光电子"},
    }
    return kwargs | extra


def test_it_finds_the_same_credit_code(cast, courted):
    matches = find_duplicates(user=cast.officer, name="完全不同的名字", credit_code="91350100M000100Y43")
    assert [m.project for m in matches] == [courted]
    assert matches[0].matched_by == PossibleDuplicate.MatchedBy.CREDIT_CODE


@pytest.mark.parametrize(
    "name", ["华芯半导体封装测试有限公司", "深圳华芯半导体封装测试（集团）有限公司", "华芯半导体封装"]
)
def test_it_finds_a_similar_name(cast, courted, name):
    matches = find_duplicates(user=cast.officer, name=name)
    assert [m.project for m in matches] == [courted]
    assert matches[0].matched_by == PossibleDuplicate.MatchedBy.NAME


def test_it_does_not_flag_a_different_investor(cast, courted):
    assert find_duplicates(user=cast.officer, name="华芯光电显示科技有限公司") == []


def test_it_stops_the_save_and_shows_only_organisation_and_stage_outside_scope(cast, courted):
    with pytest.raises(DuplicatesFound) as exc:
        project_create(**lead(cast, new_investor={"name": "华芯半导体封装测试有限公司"}))
    assert Project.objects.count() == 1
    (match,) = exc.value.matches
    assert not match.visible
    assert match.organization_name == "云山高新区管委会"
    assert match.stage_label == Stage.NEGOTIATING.label


def test_saving_anyway_links_both_projects(cast, courted):
    project = project_create(
        **lead(cast, new_investor={"name": "华芯半导体封装测试有限公司"}), acknowledge_duplicates=True
    )
    link = PossibleDuplicate.objects.get()
    assert (link.project, link.other) == (project, courted)
    assert link.matched_by == PossibleDuplicate.MatchedBy.NAME
    assert link.decision == PossibleDuplicate.Decision.OPEN
    # a new investor: the name only looks alike
    assert project.investor != courted.investor


def test_the_same_credit_code_reuses_the_investor(cast, courted):
    project = project_create(
        **lead(cast, new_investor={"name": "华芯封测", "credit_code": "91350100M000100Y43"}),
        acknowledge_duplicates=True,
    )
    assert project.investor == courted.investor
    assert PossibleDuplicate.objects.get().matched_by == PossibleDuplicate.MatchedBy.CREDIT_CODE


def test_the_warning_page_hides_what_is_out_of_scope(client, cast, courted):
    client.force_login(cast.officer)
    data = {
        "title": "集成电路封装测试项目",
        "investor_name": "华芯半导体封装测试有限公司",
        "organization": cast.committee_a.pk,
        "zone": cast.zone_a.pk,
        "owner": cast.officer.pk,
        "source_mode": "referral",
        "referrer": "园区企业瑞光电子",
        "priority": 2,
    }
    response = client.post("/projects/new/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "云山高新区管委会" in html
    assert "华芯封测二期秘密项目" not in html
    assert f"/projects/{courted.pk}/" not in html
    assert courted.owner.first_name not in html
    assert 'name="acknowledge_duplicates" value="on"' in html or "acknowledge_duplicates" in html
    response = client.post("/projects/new/", data | {"acknowledge_duplicates": "on"})
    assert response.status_code == 302
    assert PossibleDuplicate.objects.filter(other=courted).exists()


def test_the_live_check_hides_what_is_out_of_scope(client, cast, courted):
    client.force_login(cast.officer)
    response = client.get("/projects/new/duplicates/", {"investor_name": "华芯半导体封装测试"})
    html = response.content.decode()
    assert "云山高新区管委会" in html
    assert "华芯封测二期秘密项目" not in html


def test_a_match_in_scope_shows_its_name(cast):
    mine = ProjectFactory(
        title="华芯一期", investor=investor_create(name="华芯半导体封装测试有限公司"), organization=cast.committee_a
    )
    (match,) = find_duplicates(user=cast.officer, name="华芯半导体封装测试股份有限公司")
    assert match.visible and match.project == mine


def test_the_investor_typeahead_offers_only_investors_in_reach(client, cast, courted):
    client.force_login(cast.officer)
    response = client.get("/projects/investors/search/", {"investor_name": "华芯"})
    assert "华芯半导体" not in response.content.decode()
    client.force_login(cast.outsider)
    response = client.get("/projects/investors/search/", {"investor_name": "华芯"})
    assert "华芯半导体" in response.content.decode()
