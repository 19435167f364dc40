"""Every allowed and forbidden stage and status transition, table-driven; missing evidence gives
its own error and writes nothing."""

import datetime
import itertools

import pytest
import time_machine

from projects.core.errors import StaleVersion, TransitionError
from projects.models import Attachment, LostReason, Project, Stage, StageChange, Status
from projects.pipeline.stages import project_move_stage, project_set_status

from .delivery_helpers import EVIDENCE, give_everything, pdf, project_at

STAGES = list(Stage)
# What entering each stage asks for when nothing is given (error keys).
REQUIRED = {
    Stage.LEAD: set(),
    Stage.CONTACTED: {"follow_up"},
    Stage.SITE_VISIT: {"follow_up"},
    Stage.NEGOTIATING: {"planned_amount"},
    Stage.INTENTION_SIGNED: {"intention_signed_on", "intention_amount", "file_intention_agreement"},
    Stage.CONTRACT_SIGNED: {"contract_signed_on", "contract_amount", "file_contract"},
    Stage.REGISTERED: {"registered_company", "registered_credit_code"},
    Stage.UNDER_CONSTRUCTION: {"construction_started_on"},
    Stage.IN_PRODUCTION: {"production_started_on", "actual_investment"},
}
PAIRS = [(a, b) for a, b in itertools.permutations(STAGES, 2)]


def _snapshot(project):
    project = Project.objects.get(pk=project.pk)
    return (project.stage, project.version, StageChange.objects.count(), Attachment.objects.count())


def _make(cast, stage, **kwargs):
    return project_at(stage, organization=cast.committee_a, zone=cast.zone_a, owner=cast.officer, **kwargs)


@pytest.mark.parametrize(("from_stage", "to_stage"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_every_move_is_allowed_with_its_evidence_and_reason(cast, media, from_stage, to_stage):
    project = _make(cast, from_stage)
    uploads = give_everything(project, cast.officer)
    change = project_move_stage(
        project=project,
        user=cast.officer,
        to_stage=to_stage,
        expected_version=1,
        note="客户要求调整",
        evidence=EVIDENCE,
        uploads=uploads,
    )
    project.refresh_from_db()
    assert project.stage == to_stage
    assert project.version == 2
    assert (change.from_stage, change.to_stage, change.changed_by) == (from_stage, to_stage, cast.officer)
    assert StageChange.objects.filter(project=project).count() == 1


@pytest.mark.parametrize(("from_stage", "to_stage"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_every_move_without_evidence_or_reason_is_refused_when_it_needs_them(cast, media, from_stage, to_stage):
    project = _make(cast, from_stage)
    before = _snapshot(project)
    forward = Stage.order(to_stage) > Stage.order(from_stage)
    if forward:
        expected = set().union(*(REQUIRED[s] for s in STAGES[Stage.order(from_stage) + 1 : Stage.order(to_stage) + 1]))
    else:
        expected = {"note"}
    if not expected:  # lead has nothing to ask for, but lead is never entered forwards
        pytest.fail("every move asks for something when nothing is given")
    with pytest.raises(TransitionError) as caught:
        project_move_stage(project=project, user=cast.officer, to_stage=to_stage, expected_version=1)
    assert set(caught.value.errors) == expected
    assert _snapshot(project) == before


@pytest.mark.parametrize(
    ("to_stage", "missing"),
    [(stage, key) for stage in STAGES for key in sorted(REQUIRED[stage])],
)
def test_each_missing_piece_of_evidence_gives_its_own_error_and_writes_nothing(cast, media, to_stage, missing):
    previous = STAGES[Stage.order(to_stage) - 1]
    project = _make(cast, previous)
    evidence = {k: v for k, v in EVIDENCE.items() if k != missing}
    uploads = [(kind, f) for kind, f in give_everything(project, cast.officer) if f"file_{kind}" != missing]
    if missing == "follow_up":
        project.follow_ups.all().delete()
    before = _snapshot(project)
    with pytest.raises(TransitionError) as caught:
        project_move_stage(
            project=project,
            user=cast.officer,
            to_stage=to_stage,
            expected_version=1,
            evidence=evidence,
            uploads=uploads,
        )
    assert list(caught.value.errors) == [missing]
    assert caught.value.errors[missing][0]
    assert _snapshot(project) == before


def test_a_contacted_move_needs_a_follow_up_but_a_visit_for_site_visit(cast, media):
    project = _make(cast, Stage.CONTACTED)
    from .factories import FollowUpFactory

    FollowUpFactory(project=project, kind="call", author=cast.officer)
    with pytest.raises(TransitionError) as caught:
        project_move_stage(project=project, user=cast.officer, to_stage=Stage.SITE_VISIT, expected_version=1)
    assert "visit" in str(caught.value.errors["follow_up"][0]).lower() or "考察" in caught.value.errors["follow_up"][0]


def test_a_wrong_credit_code_is_refused(cast, media):
    project = _make(cast, Stage.CONTRACT_SIGNED)
    with pytest.raises(TransitionError) as caught:
        project_move_stage(
            project=project,
            user=cast.officer,
            to_stage=Stage.REGISTERED,
            expected_version=1,
            evidence={"registered_company": "清河芯联", "registered_credit_code": "914403001922038217"},
        )
    assert list(caught.value.errors) == ["registered_credit_code"]


@pytest.mark.parametrize("stage", STAGES)
def test_moving_to_the_same_stage_is_refused(cast, stage):
    project = _make(cast, stage)
    with pytest.raises(TransitionError) as caught:
        project_move_stage(project=project, user=cast.officer, to_stage=stage, expected_version=1, note="x")
    assert list(caught.value.errors) == ["to_stage"]


@pytest.mark.parametrize("status", [Status.ON_HOLD, Status.LOST])
def test_a_project_on_hold_or_lost_cannot_change_stage(cast, status):
    project = _make(cast, Stage.NEGOTIATING, status=status, lost_reason="other" if status == "lost" else "")
    with pytest.raises(TransitionError) as caught:
        project_move_stage(project=project, user=cast.officer, to_stage=Stage.SITE_VISIT, expected_version=1, note="x")
    assert list(caught.value.errors) == ["to_stage"]


def test_a_stale_version_writes_nothing(cast):
    project = _make(cast, Stage.NEGOTIATING)
    with pytest.raises(StaleVersion):
        project_move_stage(project=project, user=cast.officer, to_stage=Stage.SITE_VISIT, expected_version=7, note="x")
    assert _snapshot(project) == (Stage.NEGOTIATING, 1, 0, 0)


# Operators (the zone's operating company): only registration, construction and production.
OPERATOR_CASES = [
    (Stage.CONTRACT_SIGNED, Stage.REGISTERED, True),
    (Stage.INTENTION_SIGNED, Stage.REGISTERED, True),
    (Stage.REGISTERED, Stage.UNDER_CONSTRUCTION, True),
    (Stage.UNDER_CONSTRUCTION, Stage.IN_PRODUCTION, True),
    (Stage.REGISTERED, Stage.IN_PRODUCTION, True),
    (Stage.IN_PRODUCTION, Stage.UNDER_CONSTRUCTION, True),
    (Stage.NEGOTIATING, Stage.INTENTION_SIGNED, False),
    (Stage.INTENTION_SIGNED, Stage.CONTRACT_SIGNED, False),
    (Stage.REGISTERED, Stage.CONTRACT_SIGNED, False),
    (Stage.LEAD, Stage.CONTACTED, False),
]


@pytest.mark.parametrize(("from_stage", "to_stage", "allowed"), OPERATOR_CASES)
def test_operators_move_only_the_later_stages(cast, media, from_stage, to_stage, allowed):
    project = _make(cast, from_stage)
    uploads = give_everything(project, cast.officer)
    kwargs = dict(
        project=project,
        user=cast.operator,
        to_stage=to_stage,
        expected_version=1,
        note="运营公司核实",
        evidence=EVIDENCE,
        uploads=uploads,
    )
    if allowed:
        project_move_stage(**kwargs)
        assert Project.objects.get(pk=project.pk).stage == to_stage
    else:
        with pytest.raises(TransitionError):
            project_move_stage(**kwargs)
        assert _snapshot(project) == (from_stage, 1, 0, 0)


@pytest.mark.parametrize("who", ["outsider", "county_manager", "city_manager", "nobody"])
def test_people_without_change_rights_cannot_move(cast, who):
    project = _make(cast, Stage.NEGOTIATING)
    with pytest.raises(TransitionError):
        project_move_stage(
            project=project, user=getattr(cast, who), to_stage=Stage.SITE_VISIT, expected_version=1, note="x"
        )
    assert _snapshot(project) == (Stage.NEGOTIATING, 1, 0, 0)


TOMORROW = datetime.date(2026, 5, 2)
TODAY = datetime.date(2026, 5, 1)
# from status, to status, note, lost reason, expected resume date, expected error keys (empty: allowed)
STATUS_CASES = [
    (Status.ACTIVE, Status.ON_HOLD, "等待环评", "", None, set()),
    (Status.ACTIVE, Status.ON_HOLD, "等待环评", "", TOMORROW, set()),
    (Status.ACTIVE, Status.ON_HOLD, "", "", None, {"note"}),
    (Status.ACTIVE, Status.ON_HOLD, "等待环评", "", TODAY, {"on_hold_until"}),
    (Status.ACTIVE, Status.ON_HOLD, "等待环评", LostReason.OTHER, None, {"lost_reason"}),
    (Status.ACTIVE, Status.LOST, "落户外省", LostReason.OTHER_REGION, None, set()),
    (Status.ACTIVE, Status.LOST, "", LostReason.OTHER_REGION, None, {"note"}),
    (Status.ACTIVE, Status.LOST, "落户外省", "", None, {"lost_reason"}),
    (Status.ACTIVE, Status.LOST, "落户外省", "bogus", None, {"lost_reason"}),
    (Status.ACTIVE, Status.LOST, "落户外省", LostReason.OTHER_REGION, TOMORROW, {"on_hold_until"}),
    (Status.ACTIVE, Status.ACTIVE, "x", "", None, {"status"}),
    (Status.ON_HOLD, Status.ACTIVE, "环评通过", "", None, set()),
    (Status.ON_HOLD, Status.ACTIVE, "", "", None, {"note"}),
    (Status.ON_HOLD, Status.LOST, "投资方撤回", LostReason.INVESTOR_WITHDREW, None, set()),
    (Status.ON_HOLD, Status.ON_HOLD, "x", "", None, {"status"}),
    (Status.LOST, Status.ACTIVE, "投资方重新考虑", "", None, set()),
    (Status.LOST, Status.ACTIVE, "", "", None, {"note"}),
    (Status.LOST, Status.ON_HOLD, "重新接触", "", None, set()),
    (Status.LOST, Status.LOST, "x", LostReason.OTHER, None, {"status"}),
]


@time_machine.travel(datetime.datetime(2026, 5, 1, 10, 0, tzinfo=datetime.UTC), tick=False)
@pytest.mark.parametrize(("from_status", "to_status", "note", "reason", "until", "errors"), STATUS_CASES)
def test_status_changes(cast, from_status, to_status, note, reason, until, errors):
    project = _make(
        cast, Stage.NEGOTIATING, status=from_status, lost_reason=LostReason.OTHER if from_status == "lost" else ""
    )
    kwargs = dict(
        project=project,
        user=cast.officer,
        status=to_status,
        expected_version=1,
        note=note,
        lost_reason=reason,
        on_hold_until=until,
    )
    if errors:
        with pytest.raises(TransitionError) as caught:
            project_set_status(**kwargs)
        assert set(caught.value.errors) == errors
        assert _snapshot(project) == (Stage.NEGOTIATING, 1, 0, 0)
        assert Project.objects.get(pk=project.pk).status == from_status
        return
    change = project_set_status(**kwargs)
    project.refresh_from_db()
    assert (project.status, project.version, project.status_note) == (to_status, 2, note)
    assert project.lost_reason == (reason if to_status == Status.LOST else "")
    assert project.on_hold_until == (until if to_status == Status.ON_HOLD else None)
    assert (change.from_status, change.to_status, change.note) == (from_status, to_status, note)


@pytest.mark.parametrize("who", ["operator", "county_manager", "outsider"])
def test_only_the_owning_organisation_changes_the_status(cast, who):
    project = _make(cast, Stage.REGISTERED)
    with pytest.raises(TransitionError):
        project_set_status(
            project=project, user=getattr(cast, who), status=Status.ON_HOLD, expected_version=1, note="暂停"
        )
    assert Project.objects.get(pk=project.pk).status == Status.ACTIVE


def test_a_file_given_with_the_move_is_stored_with_it(cast, media):
    project = _make(cast, Stage.NEGOTIATING)
    project_move_stage(
        project=project,
        user=cast.officer,
        to_stage=Stage.INTENTION_SIGNED,
        expected_version=1,
        evidence=EVIDENCE,
        uploads=[(Attachment.Kind.INTENTION_AGREEMENT, pdf("意向协议.pdf"))],
    )
    attachment = Attachment.objects.get(project=project)
    assert (attachment.kind, attachment.original_name, attachment.uploaded_by) == (
        "intention_agreement",
        "意向协议.pdf",
        cast.officer,
    )
