"""A known city for the figures: fixed dates, fixed amounts, every expected figure worked out by
hand in the tests that use it. "Today" is Wednesday 2026-03-18, 10:00 in Shanghai; the period is
March 2026 and the previous one February 2026.

清河县 / zone_a (committee_a), the county manager's scope:
  A1 芯片封装 (officer)   logged 01-05, chain 电子信息/封测, intention 03-05 240 亿, contract 03-10 200 亿,
                          actual 50 亿, stage contract_signed
  A2 供应链平台 (teammate) logged 02-20, fund, intention 03-12 10 亿, stage intention_signed
  A3 LED 驱动 (officer)   logged 01-10, equity, chain 电子信息 (no link), intention 02-10 5 亿,
                          contract 03-15 6 亿, construction 03-16, actual 3 亿, stage under_construction
  A4 新线索 (officer)     logged 03-02 by officer, direct, planned 0.5 亿, follow-up due 03-10 (overdue)
  A5 流失项目 (officer)   logged 02-25, referral, planned 2 亿, negotiating, lost 03-08 (other region)
  A6 回退项目 (teammate)  logged 02-27, direct, planned 0.5 亿, moved forward 03-09, back 03-11: lead
云山县 / zone_b (committee_b), outside the county manager's scope:
  B1 (outsider) logged 03-03, intention 03-06 30 亿, stage intention_signed, follow-up due 03-01
  B2 (outsider) logged 01-15, intention 03-01 8 亿, contract 03-07 8 亿, stage contract_signed
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from projects.models import ChainLink, IndustryChain, LostReason, Project, SourceMode, Stage, StageChange, Status

from .factories import ProjectFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 18, 10, 0, tzinfo=SHANGHAI)
YI = Decimal(100_000_000)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def d(month: int, day: int) -> datetime.date:
    return datetime.date(2026, month, day)


def project(cast, key, *, zone="a", owner=None, logged, created_by=None, **fields) -> Project:
    organization = cast.committee_a if zone == "a" else cast.committee_b
    owner = owner or (cast.officer if zone == "a" else cast.outsider)
    p = ProjectFactory(
        title=key,
        organization=organization,
        zone=organization.zone,
        owner=owner,
        created_by=created_by,
        **fields,
    )
    Project.objects.filter(pk=p.pk).update(created_at=logged)
    p.refresh_from_db()
    return p


def move(p, frm, to, when, by, *, to_status=Status.ACTIVE, from_status=Status.ACTIVE) -> StageChange:
    return StageChange.objects.create(
        project=p,
        from_stage=frm,
        to_stage=to,
        from_status=from_status,
        to_status=to_status,
        changed_at=when,
        changed_by=by,
    )


def build_city(cast) -> SimpleNamespace:
    chain = IndustryChain.objects.create(name="电子信息")
    design = ChainLink.objects.create(chain=chain, name="芯片设计", position="upstream")
    packaging = ChainLink.objects.create(chain=chain, name="集成电路封装测试", position="midstream")
    terminals = ChainLink.objects.create(chain=chain, name="智能终端整机", position="downstream")

    a1 = project(
        cast,
        "A1 芯片封装",
        logged=at(1, 5),
        source_mode=SourceMode.CHAIN,
        chain=chain,
        chain_link=packaging,
        planned_amount=240 * YI,
        intention_signed_on=d(3, 5),
        intention_amount=240 * YI,
        contract_signed_on=d(3, 10),
        contract_amount=200 * YI,
        actual_investment=50 * YI,
        stage=Stage.CONTRACT_SIGNED,
    )
    a2 = project(
        cast,
        "A2 供应链平台",
        owner=cast.teammate,
        logged=at(2, 20),
        source_mode=SourceMode.FUND,
        planned_amount=10 * YI,
        intention_signed_on=d(3, 12),
        intention_amount=10 * YI,
        stage=Stage.INTENTION_SIGNED,
    )
    a3 = project(
        cast,
        "A3 LED驱动",
        logged=at(1, 10),
        source_mode=SourceMode.EQUITY,
        chain=chain,
        planned_amount=5 * YI,
        intention_signed_on=d(2, 10),
        intention_amount=5 * YI,
        contract_signed_on=d(3, 15),
        contract_amount=6 * YI,
        construction_started_on=d(3, 16),
        actual_investment=3 * YI,
        stage=Stage.UNDER_CONSTRUCTION,
    )
    a4 = project(
        cast,
        "A4 新线索",
        logged=at(3, 2),
        created_by=cast.officer,
        source_mode=SourceMode.DIRECT,
        planned_amount=YI / 2,
        next_follow_up_on=d(3, 10),
    )
    a5 = project(
        cast,
        "A5 流失项目",
        logged=at(2, 25),
        source_mode=SourceMode.REFERRAL,
        planned_amount=2 * YI,
        stage=Stage.NEGOTIATING,
        status=Status.LOST,
        lost_reason=LostReason.OTHER_REGION,
        status_note="落户邻市",
    )
    a6 = project(
        cast,
        "A6 回退项目",
        owner=cast.teammate,
        logged=at(2, 27),
        source_mode=SourceMode.DIRECT,
        planned_amount=YI / 2,
    )
    b1 = project(
        cast,
        "B1 云山意向",
        zone="b",
        logged=at(3, 3),
        source_mode=SourceMode.FUND,
        planned_amount=30 * YI,
        intention_signed_on=d(3, 6),
        intention_amount=30 * YI,
        stage=Stage.INTENTION_SIGNED,
        next_follow_up_on=d(3, 1),
    )
    b2 = project(
        cast,
        "B2 云山合同",
        zone="b",
        logged=at(1, 15),
        source_mode=SourceMode.DIRECT,
        planned_amount=8 * YI,
        intention_signed_on=d(3, 1),
        intention_amount=8 * YI,
        contract_signed_on=d(3, 7),
        contract_amount=8 * YI,
        stage=Stage.CONTRACT_SIGNED,
    )

    L, N, INT, C, U = (
        Stage.LEAD,
        Stage.NEGOTIATING,
        Stage.INTENTION_SIGNED,
        Stage.CONTRACT_SIGNED,
        Stage.UNDER_CONSTRUCTION,
    )
    move(a1, L, INT, at(3, 5), cast.officer)
    move(a1, INT, C, at(3, 10), cast.officer)
    move(a2, L, INT, at(3, 12), cast.teammate)
    move(a3, N, INT, at(2, 10), cast.officer)
    move(a3, INT, C, at(3, 15), cast.officer)
    move(a3, C, U, at(3, 16), cast.operator)
    move(a5, L, N, at(2, 26), cast.officer)
    move(a5, N, N, at(3, 8), cast.officer, to_status=Status.LOST)
    move(a6, L, Stage.CONTACTED, at(3, 9), cast.teammate)
    move(a6, Stage.CONTACTED, L, at(3, 11), cast.teammate)
    move(b1, L, INT, at(3, 6), cast.outsider)
    move(b2, L, C, at(3, 7), cast.outsider)
    return SimpleNamespace(
        chain=chain,
        design=design,
        packaging=packaging,
        terminals=terminals,
        a1=a1,
        a2=a2,
        a3=a3,
        a4=a4,
        a5=a5,
        a6=a6,
        b1=b1,
        b2=b2,
    )
