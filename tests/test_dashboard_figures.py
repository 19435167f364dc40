"""Every figure of the dashboard on a known city (tests/metrics_data.py), worked out by hand."""

from decimal import Decimal

import pytest
import time_machine

from projects.core import periods
from projects.models import PossibleDuplicate, SourceMode, Stage
from projects.reporting import metrics
from projects.reporting.metrics import Filters
from projects.reporting.officers import officer_table, officer_totals

from .metrics_data import NOW, YI, at, build_city, d, move, project

MARCH = periods.Period(d(3, 1), d(3, 31), periods.MONTH)
ALL = Filters()


@pytest.fixture
def city(cast):
    with time_machine.travel(NOW, tick=False):
        yield build_city(cast)


def test_march_is_the_month_and_february_the_previous_period():
    assert periods.calendar_period(periods.MONTH, d(3, 18)) == MARCH
    assert MARCH.previous() == periods.Period(d(2, 1), d(2, 28), periods.MONTH)
    assert periods.calendar_period(periods.WEEK, d(3, 18)) == periods.Period(d(3, 16), d(3, 22), periods.WEEK)
    assert periods.calendar_period(periods.QUARTER, d(3, 18)).previous() == periods.Period(
        d(1, 1).replace(year=2025, month=10), d(12, 31).replace(year=2025), periods.QUARTER
    )
    assert periods.Period(d(3, 10), d(3, 12)).previous() == periods.Period(d(3, 7), d(3, 9))


def test_funnel_counts_projects_by_the_stage_they_reached(cast, city):
    funnel = {row["stage"]: row for row in metrics.funnel(cast.county_manager, ALL)}
    reached = {stage: row["reached"] for stage, row in funnel.items()}
    assert reached == {
        Stage.LEAD: 6,
        Stage.CONTACTED: 4,
        Stage.SITE_VISIT: 4,
        Stage.NEGOTIATING: 4,
        Stage.INTENTION_SIGNED: 3,
        Stage.CONTRACT_SIGNED: 2,
        Stage.REGISTERED: 1,
        Stage.UNDER_CONSTRUCTION: 1,
        Stage.IN_PRODUCTION: 0,
    }
    assert {s: r["at"] for s, r in funnel.items() if r["at"]} == {
        Stage.LEAD: 2,
        Stage.NEGOTIATING: 1,
        Stage.INTENTION_SIGNED: 1,
        Stage.CONTRACT_SIGNED: 1,
        Stage.UNDER_CONSTRUCTION: 1,
    }
    assert funnel[Stage.NEGOTIATING]["lost"] == 1
    # amounts: contract, else intention, else planned
    assert funnel[Stage.LEAD]["amount"] == 219 * YI
    assert funnel[Stage.INTENTION_SIGNED]["amount"] == 216 * YI
    assert funnel[Stage.CONTRACT_SIGNED]["amount"] == 206 * YI
    assert funnel[Stage.UNDER_CONSTRUCTION]["amount"] == 6 * YI
    assert funnel[Stage.IN_PRODUCTION]["amount"] == 0
    assert funnel[Stage.LEAD]["conversion"] is None
    assert funnel[Stage.CONTACTED]["conversion"] == Decimal(4) / 6
    assert funnel[Stage.SITE_VISIT]["conversion"] == 1
    assert funnel[Stage.INTENTION_SIGNED]["conversion"] == Decimal("0.75")
    assert funnel[Stage.CONTRACT_SIGNED]["conversion"] == Decimal(2) / 3
    assert funnel[Stage.REGISTERED]["conversion"] == Decimal("0.5")
    assert funnel[Stage.IN_PRODUCTION]["conversion"] == 0


def test_city_manager_funnel_includes_both_counties(cast, city):
    funnel = {row["stage"]: row for row in metrics.funnel(cast.city_manager, ALL)}
    assert funnel[Stage.LEAD]["reached"] == 8
    assert funnel[Stage.INTENTION_SIGNED]["reached"] == 5
    assert funnel[Stage.CONTRACT_SIGNED]["reached"] == 3
    assert funnel[Stage.LEAD]["amount"] == 257 * YI


def test_rates_per_zone(cast, city):
    rates = metrics.zone_rates(cast.city_manager, ALL, MARCH, "funds_in_place")
    a, b = rates["rows"]
    assert (a["zone"], a["rank"], b["zone"], b["rank"]) == (cast.zone_a, 1, cast.zone_b, 2)
    # 清河: intentions A1, A2 → A1 reached contract; contracts A1, A3 → A3 under construction;
    # construction A3 → not in production; funds (50 + 3) / (200 + 6) 亿 (no tranches: the
    # recorded actual investment counts, docs/metrics.md).
    assert (a["intention_contract_n"], a["intention_contract_converted"], a["intention_contract"]) == (
        2,
        1,
        Decimal("0.5"),
    )
    assert (a["contract_construction_n"], a["contract_construction"]) == (2, Decimal("0.5"))
    assert (a["construction_production_n"], a["construction_production"]) == (1, 0)
    assert (a["funds"], a["contracted"]) == (53 * YI, 206 * YI)
    assert a["funds_in_place"] == Decimal(53) / 206
    # 云山: intentions B1, B2 → B2 has a contract; contract B2 not started; no construction.
    assert (b["intention_contract_n"], b["intention_contract"]) == (2, Decimal("0.5"))
    assert (b["contract_construction_n"], b["contract_construction"]) == (1, 0)
    assert (b["construction_production_n"], b["construction_production"]) == (0, None)
    assert b["funds_in_place"] == 0
    total = rates["total"]
    assert (total["intention_contract_n"], total["intention_contract"]) == (4, Decimal("0.5"))
    assert total["contract_construction"] == Decimal(1) / 3
    assert total["construction_production"] == 0
    assert total["funds_in_place"] == Decimal(53) / 214
    assert total["intention_amount"] == 288 * YI


def test_zones_without_a_rate_rank_last(cast, city):
    rows = metrics.zone_rates(cast.city_manager, ALL, MARCH, "construction_production")["rows"]
    assert [(r["zone"], r["rank"]) for r in rows] == [(cast.zone_a, 1), (cast.zone_b, None)]


def test_county_manager_sees_only_the_county(cast, city):
    rates = metrics.zone_rates(cast.county_manager, ALL, MARCH)
    assert [r["zone"] for r in rates["rows"]] == [cast.zone_a]
    assert rates["total"]["intention_contract_n"] == 2
    assert rates["total"]["funds_in_place"] == Decimal(53) / 206
    signed = [p.title for p in metrics.signed_in_period(cast.county_manager, ALL, MARCH, "intention")]
    assert signed == ["A1 芯片封装", "A2 供应链平台"]
    orgs = metrics.overdue_by(cast.county_manager, ALL, d(3, 18), "organization")
    assert [(r["organization__name"], r["n"]) for r in orgs] == [(cast.committee_a.name, 1)]
    totals = metrics.period_totals(cast.county_manager, ALL, MARCH)
    assert totals["intention_amount"] == 250 * YI
    people = {r["user"].username for r in officer_table(cast.county_manager, ALL, MARCH, d(3, 18))}
    assert "outsider" not in people


def test_signed_lists_are_largest_first(cast, city):
    intentions = metrics.signed_in_period(cast.city_manager, ALL, MARCH, "intention")
    assert [(p.title, p.intention_amount) for p in intentions] == [
        ("A1 芯片封装", 240 * YI),
        ("B1 云山意向", 30 * YI),
        ("A2 供应链平台", 10 * YI),
        ("B2 云山合同", 8 * YI),
    ]
    contracts = metrics.signed_in_period(cast.city_manager, ALL, MARCH, "contract")
    assert [p.title for p in contracts] == ["A1 芯片封装", "B2 云山合同", "A3 LED驱动"]


def test_open_pipeline_by_source_mode_leaves_out_lost_projects(cast, city):
    rows = {r["mode"]: (r["n"], r["amount"]) for r in metrics.by_source_mode(cast.county_manager, ALL)}
    assert rows[SourceMode.CHAIN] == (1, 200 * YI)
    assert rows[SourceMode.FUND] == (1, 10 * YI)
    assert rows[SourceMode.EQUITY] == (1, 6 * YI)
    assert rows[SourceMode.DIRECT] == (2, YI)
    assert rows[SourceMode.REFERRAL] == (0, None)  # A5 is lost
    assert len(rows) == len(SourceMode)


def test_chain_links_without_projects_are_gaps(cast, city):
    (chain,) = metrics.by_chain(cast.county_manager, ALL)
    assert (chain["chain"], chain["n"], chain["amount"], chain["gaps"]) == (city.chain, 2, 206 * YI, 2)
    links = {row["link"].name: row["n"] for row in chain["links"]}
    assert links == {"芯片设计": 0, "集成电路封装测试": 1, "智能终端整机": 0}
    assert chain["unlinked"]["n"] == 1  # A3 names the chain but not the link


def test_weekly_new_leads_and_moves(cast, city):
    weeks = metrics.weekly_activity(cast.county_manager, ALL, d(3, 18))
    assert len(weeks) == 12
    assert weeks[0]["start"] == d(1, 5).replace(year=2025, month=12, day=29)
    assert weeks[-1]["start"] == d(3, 16)
    leads = {w["start"]: w["leads"] for w in weeks if w["leads"]}
    moves = {w["start"]: w["moves"] for w in weeks if w["moves"]}
    assert leads == {d(1, 5): 2, d(2, 16): 1, d(2, 23): 2, d(3, 2): 1}
    # A6's move back on 03-11 and A5's loss on 03-08 are not moves.
    assert moves == {d(2, 9): 1, d(2, 23): 1, d(3, 2): 1, d(3, 9): 4, d(3, 16): 1}


def test_totals_against_the_previous_period(cast, city):
    totals = metrics.totals_against_previous(cast.county_manager, ALL, MARCH)
    summary = {key: (t["value"], t["previous"], t["arrow"]) for key, t in totals.items()}
    assert summary == {
        "new_leads": (1, 3, "▼"),
        "moves": (6, 2, "▲"),
        "intentions": (2, 1, "▲"),
        "intention_amount": (250 * YI, 5 * YI, "▲"),
        "contracts": (2, 0, "▲"),
        "contract_amount": (206 * YI, 0, "▲"),
        "lost": (1, 0, "▲"),
    }


def test_overdue_follow_ups_per_officer_and_organisation(cast, city):
    owners = metrics.overdue_by(cast.city_manager, ALL, d(3, 18), "owner")
    assert [(r["owner__username"], r["n"], r["oldest"]) for r in owners] == [
        ("outsider", 1, d(3, 1)),
        ("officer", 1, d(3, 10)),
    ]
    orgs = metrics.overdue_by(cast.city_manager, ALL, d(3, 18), "organization")
    assert [r["organization__name"] for r in orgs] == [cast.committee_b.name, cast.committee_a.name]


def test_officer_table(cast, city):
    rows = officer_table(cast.county_manager, ALL, MARCH, d(3, 18))
    table = {
        r["user"].username: (
            r["leads"],
            r["moves"],
            r["intentions"],
            r["intention_amount"],
            r["contracts"],
            r["contract_amount"],
            r["credit"],
            r["overdue"],
        )
        for r in rows
    }
    assert [r["user"].username for r in rows] == ["officer", "teammate", "operator"]
    assert table == {
        "officer": (1, 3, 1, 240 * YI, 2, 206 * YI, 206 * YI, 1),
        "teammate": (0, 2, 1, 10 * YI, 0, 0, 10 * YI, 0),
        "operator": (0, 1, 0, 0, 0, 0, 0, 0),
    }
    assert officer_totals(rows)["credit"] == 216 * YI


def test_shared_credit_splits_the_kept_projects_value(cast, city):
    PossibleDuplicate.objects.create(
        project=city.a2,
        other=city.a1,
        matched_by="name",
        decision="same_project",
        kept=city.a1,
        credit="shared",
    )
    credit = {r["user"].username: r["credit"] for r in officer_table(cast.county_manager, ALL, MARCH, d(3, 18))}
    # A1's 200 亿 contract is halved; A2 (the same deal logged twice) earns nothing of its own.
    assert credit == {"officer": 106 * YI, "teammate": 100 * YI, "operator": 0}


def test_keeper_credit_goes_to_the_kept_project_only(cast, city):
    PossibleDuplicate.objects.create(
        project=city.a1,
        other=city.a2,
        matched_by="name",
        decision="same_project",
        kept=city.a2,
        credit="keeper",
    )
    credit = {r["user"].username: r["credit"] for r in officer_table(cast.county_manager, ALL, MARCH, d(3, 18))}
    assert credit == {"officer": 6 * YI, "teammate": 10 * YI, "operator": 0}


def test_open_and_different_decisions_change_no_credit(cast, city):
    PossibleDuplicate.objects.create(project=city.a1, other=city.a2, matched_by="name")
    PossibleDuplicate.objects.create(
        project=city.a3, other=city.a2, matched_by="name", decision="different", kept=city.a2, credit="keeper"
    )
    credit = {r["user"].username: r["credit"] for r in officer_table(cast.county_manager, ALL, MARCH, d(3, 18))}
    assert credit == {"officer": 206 * YI, "teammate": 10 * YI, "operator": 0}


def test_filters_narrow_every_figure(cast, city):
    chain_only = Filters(chain_id=city.chain.pk)
    assert metrics.funnel(cast.city_manager, chain_only)[0]["reached"] == 2
    assert metrics.period_totals(cast.city_manager, Filters(source_mode=SourceMode.FUND), MARCH)["intentions"] == 2
    zone_b = Filters(zone_id=cast.zone_b.pk)
    assert [r["zone"] for r in metrics.zone_rates(cast.city_manager, zone_b, MARCH)["rows"]] == [cast.zone_b]
    assert metrics.period_totals(cast.city_manager, zone_b, MARCH)["moves"] == 2


def test_a_move_at_2359_on_sunday_belongs_to_the_old_week(cast):
    with time_machine.travel(NOW, tick=False):
        late = project(cast, "周日深夜", logged=at(3, 1))
        early = project(cast, "周一零点", logged=at(3, 1))
        move(late, Stage.LEAD, Stage.CONTACTED, at(3, 15, 23, 59), cast.officer)
        move(early, Stage.LEAD, Stage.CONTACTED, at(3, 16, 0, 0), cast.officer)
    this_week = periods.calendar_period(periods.WEEK, d(3, 18))
    assert this_week == periods.Period(d(3, 16), d(3, 22), periods.WEEK)
    moves = metrics.totals_against_previous(cast.city_manager, ALL, this_week)["moves"]
    assert (moves["value"], moves["previous"], moves["arrow"]) == (1, 1, "=")
    weeks = {w["start"]: w["moves"] for w in metrics.weekly_activity(cast.city_manager, ALL, d(3, 18))}
    assert (weeks[d(3, 9)], weeks[d(3, 16)]) == (1, 1)
