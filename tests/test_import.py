"""Importing a ledger: realistic files, every kind of bad row, re-import, scope."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import translation

from projects.core.validators import credit_code_check_char
from projects.ledger import cells, columns, imports
from projects.ledger.spreadsheets import FileRefused
from projects.models import FollowUp, Investor, Project, Stage, StageChange

from .factories import ProjectFactory
from .ledger_files import ledger_csv, ledger_rows, ledger_xlsx, sheet_bytes

WAN = Decimal(10_000)


@pytest.fixture(autouse=True)
def english():
    """These tests read the messages in English; one test checks the Chinese."""
    with translation.override("en"):
        yield


@pytest.fixture
def team(cast):
    cast.teammate.first_name = "张敏"
    cast.teammate.save()
    return cast


def run(cast, data, name="台账.xlsx", user=None, organization=None):
    return imports.import_ledger(
        user=user or cast.officer, organization=organization or cast.committee_a, data=data, name=name
    )


def problems(plan):
    return [(p["row"], p["column"], p["message"]) for p in plan.problems if p["level"] == "error"]


def test_it_imports_a_realistic_xlsx_ledger_in_yi(team):
    rows = ledger_rows(200)
    plan = run(team, ledger_xlsx(rows, yi=True))

    assert problems(plan) == []
    assert (plan.total_rows, len(plan.creates), len(plan.updates), plan.unchanged, plan.duplicates) == (
        200,
        200,
        0,
        0,
        0,
    )
    projects = Project.objects.filter(organization=team.committee_a)
    assert projects.count() == 200
    assert projects.aggregate(s=Sum("planned_amount"))["s"] == sum(r["wan"] for r in rows) * WAN
    first = projects.get(title=rows[0]["title"])
    assert first.planned_amount == rows[0]["wan"] * WAN
    assert first.investor.credit_code == rows[0]["code"]
    assert first.zone == team.zone_a and first.owner == team.officer
    assert projects.get(title=rows[1]["title"]).owner == team.teammate  # matched by full name
    contract = projects.get(title=rows[5]["title"])
    assert contract.stage == Stage.CONTRACT_SIGNED
    assert contract.contract_amount == rows[5]["wan"] * WAN
    assert contract.contract_signed_on == datetime.date(2026, 2, 9)  # 2026年2月9日 … in whatever form
    assert {p.stage for p in projects} == {
        "lead",
        "contacted",
        "site_visit",
        "negotiating",
        "intention_signed",
        "contract_signed",
    }
    # Every date form of the ledger read to the same calendar day.
    for i in (1, 2, 3, 5, 6, 7):
        expected = datetime.date(2026, 1, 5) + datetime.timedelta(days=i % 60)
        assert projects.get(title=rows[i]["title"]).next_follow_up_on == expected
    assert projects.get(title=rows[4]["title"]).next_follow_up_on is None
    assert FollowUp.objects.filter(project__organization=team.committee_a).count() == 150
    assert StageChange.objects.filter(project__organization=team.committee_a).count() == 200
    assert Project.history.filter(history_type="+").count() == 200
    record = contract.history.get()
    assert (record.planned_amount, record.contract_signed_on, record.history_user) == (
        contract.planned_amount,
        contract.contract_signed_on,
        team.officer,
    )
    assert FollowUp.history.count() == 150 and Investor.history.count() == 200


def test_it_imports_a_gb18030_csv_in_wan(team):
    rows = ledger_rows(200, seed=3)
    data = ledger_csv(rows, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    plan = run(team, data, name="台账.csv")

    assert problems(plan) == []
    assert len(plan.creates) == 200
    total = Project.objects.aggregate(s=Sum("planned_amount"))["s"]
    assert total == sum(r["wan"] for r in rows) * WAN


def test_it_reads_utf8_csv_with_bom(team):
    rows = ledger_rows(10)
    plan = run(team, b"\xef\xbb\xbf" + ledger_csv(rows, encoding="utf-8"), name="ledger.csv")
    assert problems(plan) == [] and len(plan.creates) == 10


def test_reimporting_the_same_file_changes_nothing(team):
    data = ledger_xlsx(ledger_rows(200))
    run(team, data)
    versions = dict(Project.objects.values_list("pk", "version"))
    history = Project.history.count()
    follow_ups = FollowUp.objects.count()

    plan = run(team, data)

    assert (len(plan.creates), len(plan.updates), plan.unchanged) == (0, 0, 200)
    assert dict(Project.objects.values_list("pk", "version")) == versions
    assert Project.history.count() == history
    assert FollowUp.objects.count() == follow_ups
    assert Investor.objects.count() == 200


def test_a_changed_row_updates_its_project(team):
    rows = ledger_rows(12)
    run(team, ledger_xlsx(rows))
    rows[3]["wan"] = Decimal(12345)
    rows[3]["stage"] = "深度洽谈"  # was 深度洽谈 already (index 3); move row 2 forward instead
    rows[2]["stage"] = "深度洽谈"
    plan = run(team, ledger_xlsx(rows))

    assert problems(plan) == []
    assert (len(plan.updates), plan.unchanged) == (2, 10)
    assert Project.objects.get(title=rows[3]["title"]).planned_amount == Decimal(123450000)
    moved = Project.objects.get(title=rows[2]["title"])
    assert moved.stage == Stage.NEGOTIATING and moved.version == 2
    assert moved.stage_changes.filter(from_stage="site_visit", to_stage="negotiating").exists()
    assert [r.history_type for r in moved.history.all()] == ["~", "+"]
    assert moved.history.first().stage == Stage.NEGOTIATING


def test_rows_match_by_project_id_when_present(team):
    project = ProjectFactory(organization=team.committee_a, title="旧名称", owner=team.officer)
    data = sheet_bytes(
        [["项目编号", "项目名称", "投资方", "计划投资额(万元)"], [project.pk, "新名称", project.investor.name, 8000]]
    )
    plan = run(team, data)
    assert problems(plan) == [] and len(plan.updates) == 1
    project.refresh_from_db()
    assert (project.title, project.planned_amount) == ("新名称", Decimal(80_000_000))


def test_duplicate_rows_in_one_file_are_skipped(team):
    rows = ledger_rows(5)
    rows.append(dict(rows[1]))
    plan = run(team, ledger_xlsx(rows, blank_every=0))
    assert (len(plan.creates), plan.duplicates) == (5, 1)
    assert [p["message"] for p in plan.problems] == ["Same project as row 5; skipped."]


GOOD_CODE = "91320500" + "MA1X2Y3W4"
GOOD_CODE += credit_code_check_char(GOOD_CODE)
BAD_CODE = GOOD_CODE[:17] + ("0" if GOOD_CODE[17] != "0" else "1")
HEAD = [
    "项目名称",
    "投资方",
    "计划投资额(万元)",
    "项目阶段",
    "签约日期",
    "合同金额(万元)",
    "所属园区",
    "负责人",
    "统一社会信用代码",
]


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (
            ["合同项目", "甲公司", 100, "签订正式合同", None, 100],
            "签约日期",
            "contract signed on is required for “Contract signed”.",
        ),
        (["阶段项目", "甲公司", 100, "快成了"], "项目阶段", "“快成了” is not a known stage"),
        (["金额项目", "甲公司", "一百万"], "计划投资额(万元)", "“一百万” is not a number."),
        (["负数项目", "甲公司", -5], "计划投资额(万元)", "An amount cannot be negative."),
        (["公式项目", "甲公司", "=B2*2"], "计划投资额(万元)", "This is a formula; formulas are not calculated"),
        (["日期项目", "甲公司", 100, "签订正式合同", "下周一", 100], "签约日期", "“下周一” is not a date"),
        (["园区项目", "甲公司", 100, None, None, None, "云山高新区"], "所属园区", "No zone called “云山高新区”"),
        (["人员项目", "甲公司", 100, None, None, None, None, "outsider"], "负责人", "No person called “outsider”"),
        (["代码项目", "甲公司", 100, None, None, None, None, None, BAD_CODE], "统一社会信用代码", "check character"),
        ([None, "甲公司", 100], "项目名称", "The project name is empty."),
        (
            ["洽谈项目", "甲公司", None, "深度洽谈"],
            "计划投资额(万元)",
            "planned investment is required for “Negotiating”.",
        ),
    ],
)
def test_each_kind_of_bad_row_gets_its_own_message_and_nothing_is_written(team, row, column, message):
    good = ["好项目", "乙公司", 100]
    plan = run(team, sheet_bytes([HEAD, good, row], title="台账"))

    assert plan.error_count >= 1
    assert {number for number, _col, _text in problems(plan)} == {4}
    assert any(col == column and message in text for _n, col, text in problems(plan)), problems(plan)
    assert Project.objects.count() == 0
    assert Investor.objects.count() == 0


def test_problems_are_in_the_users_language(team):
    from django.utils import translation

    with translation.override("zh-hans"):
        plan = run(team, sheet_bytes([HEAD, ["金额项目", "甲公司", "一百万"]]))
    assert "不是" in problems(plan)[0][2]


def test_a_file_without_headings_is_refused(team):
    plan = run(team, sheet_bytes([["a", "b"], [1, 2]]))
    assert plan.error_count == 1 and "项目名称" in plan.problems[0]["message"]


def test_formulas_are_read_as_text_never_calculated(team):
    data = sheet_bytes([["项目名称", "投资方"], ["=1+1", '=HYPERLINK("http://evil","x")']])
    plan = run(team, data)
    assert problems(plan) == []
    project = Project.objects.get()
    assert project.title == "=1+1"
    assert project.investor.name == '=HYPERLINK("http://evil","x")'


def test_it_cannot_update_another_organisations_project(team):
    theirs = ProjectFactory(organization=team.committee_b)
    plan = run(team, sheet_bytes([["项目编号", "项目名称", "投资方"], [theirs.pk, "改名", theirs.investor.name]]))
    assert problems(plan) == [(2, "项目编号", f"No project with ID {theirs.pk} in your organisation's ledger.")]
    theirs.refresh_from_db()
    assert theirs.title != "改名"


def test_same_name_in_another_organisation_creates_our_own_project(team):
    theirs = ProjectFactory(organization=team.committee_b, title="芯片项目")
    plan = run(team, sheet_bytes([["项目名称", "投资方"], ["芯片项目", theirs.investor.name]]))
    assert len(plan.creates) == 1
    assert Project.objects.filter(organization=team.committee_a, investor=theirs.investor).count() == 1
    assert Project.objects.filter(organization=team.committee_b).count() == 1


def test_moving_a_stage_back_is_refused(team):
    project = ProjectFactory(organization=team.committee_a, stage=Stage.NEGOTIATING)
    plan = run(
        team,
        sheet_bytes(
            [["项目编号", "项目名称", "投资方", "项目阶段"], [project.pk, project.title, project.investor.name, "线索"]]
        ),
    )
    assert problems(plan)[0][1] == "项目阶段"
    assert "Moving back needs a reason" in problems(plan)[0][2]


def test_hostile_files_are_refused(team, settings):
    with pytest.raises(FileRefused, match="not a spreadsheet"):
        run(team, b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", name="ledger.xlsx")
    with pytest.raises(FileRefused, match="not a spreadsheet"):
        run(team, b"%PDF-1.4 ...", name="ledger.pdf")
    with pytest.raises(FileRefused, match=r"\.xls"):
        run(team, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, name="ledger.xls")
    settings.IMPORT_MAX_BYTES = 1000
    with pytest.raises(FileRefused, match="too big"):
        run(team, ledger_xlsx(ledger_rows(20)))


def test_too_many_rows_is_refused(team, settings):
    settings.IMPORT_MAX_ROWS = 10
    with pytest.raises(FileRefused, match="more than 10 rows"):
        run(team, ledger_csv(ledger_rows(100), encoding="utf-8"), name="a.csv")


def _zip(parts: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused(team):
    bomb = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"\0" * (60 * 1024 * 1024),
        }
    )
    assert len(bomb) < 200 * 1024
    with pytest.raises(FileRefused, match="zip bomb"):
        run(team, bomb)


def test_xml_entities_are_refused(team):
    import io
    import zipfile

    good = ledger_xlsx(ledger_rows(3))
    source = zipfile.ZipFile(io.BytesIO(good))
    parts = {name: source.read(name) for name in source.namelist()}
    doctype = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
    workbook = parts["xl/workbook.xml"]
    parts["xl/workbook.xml"] = b'<?xml version="1.0"?>' + doctype + workbook
    with pytest.raises(FileRefused, match="entity"):
        run(team, _zip(parts))
    # Past the first bytes, where only the parser sees it: defusedxml refuses it too.
    parts["xl/workbook.xml"] = b'<?xml version="1.0"?><!--' + b" " * 8000 + b"-->" + doctype + workbook
    with pytest.raises(FileRefused, match="entity"):
        run(team, _zip(parts))


def test_a_damaged_workbook_is_refused(team):
    with pytest.raises(FileRefused, match="damaged"):
        run(team, b"PK\x03\x04garbage", name="a.xlsx")


# The check trusts the cell readers instead of running Model.clean_fields() on every row (that
# was most of a big import's time). These pin down that every value a reader accepts is one the
# model field accepts, and that the edge beyond it is refused.


def stored_field(column):
    """The model field a ledger column's value is stored in as read; None for the columns the
    import resolves itself (project ID, zone, owner, chain)."""
    elsewhere = {
        "investor": Investor._meta.get_field("name"),
        "investor_credit_code": Investor._meta.get_field("credit_code"),
        "follow_up_summary": FollowUp._meta.get_field("summary"),
    }
    if column.key in elsewhere:
        return elsewhere[column.key]
    if column.kind in ("id", "zone", "owner", "chain"):
        return None
    return Project._meta.get_field(column.key)


@pytest.mark.parametrize("column", [c for c in columns.COLUMNS if c.imported and stored_field(c)], ids=lambda c: c.key)
def test_every_value_a_cell_reader_accepts_fits_its_model_field(column):
    model_field = stored_field(column)
    read = cells.reader(column, column.heading)
    if column.kind == "text":
        limit = model_field.max_length or cells.max_length(column.key)
        longest = "项" * (limit or 10_000)
        model_field.clean(read(longest), None)
        if limit:
            with pytest.raises(cells.CellError):
                read(longest + "项")
    elif column.kind == "choice":
        for value in set(cells._choice_lookup(column.key).values()):
            model_field.clean(value, None)
    elif column.kind == "amount":
        largest = (
            read("9999999999999999.99") if columns.heading_factor(column.heading) == 1 else read("999999999999.99")
        )
        model_field.clean(largest, None)
        model_field.clean(read("0.001"), None)
        with pytest.raises(cells.CellError):
            read("99999999999999999")
    elif column.kind == "number":
        model_field.clean(read("9999999999.99"), None)
        model_field.clean(read("0.001"), None)
        with pytest.raises(cells.CellError):
            read("10000000000")
    elif column.kind == "credit_code":
        model_field.clean(read(GOOD_CODE.lower()), None)
    elif column.kind == "date":
        model_field.clean(read("2026年3月1日"), None)
    else:
        pytest.fail(f"no check for the cell kind {column.kind!r}: add one")


def test_a_new_investor_named_again_with_its_credit_code_gets_the_code(team):
    plan = run(
        team,
        sheet_bytes(
            [HEAD, ["甲项目", "新投资方有限公司", 100], ["乙项目", "新投资方有限公司", 200, *[None] * 5, GOOD_CODE]]
        ),
    )

    assert problems(plan) == []
    investor = Investor.objects.get(name="新投资方有限公司")
    assert investor.credit_code == GOOD_CODE
    assert Project.objects.filter(investor=investor).count() == 2
    assert investor.history.count() == 1


def test_the_number_of_queries_does_not_grow_with_the_rows(team, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        plan = run(team, ledger_csv(ledger_rows(300)), name="台账.csv")
    assert problems(plan) == [] and len(plan.creates) == 300
    assert FollowUp.objects.filter(project__organization=team.committee_a).count() == len(plan.follow_ups)
    assert StageChange.objects.filter(project__organization=team.committee_a).count() == 300


def test_headings_fold_like_the_names_in_the_cells():
    """One folding for the whole ledger (width folded, trimmed, case folded with casefold): a
    heading typed full-width or in capitals finds its column, and a heading folds exactly as a
    zone, chain or owner name in a cell does (ß and SS alike, as names always did)."""
    from projects.ledger.columns import heading_key, match_heading

    assert match_heading(" ＣＯＮＴＲＡＣＴ_ＡＭＯＵＮＴ ") is match_heading("contract_amount") is not None
    assert heading_key("Straße") == heading_key("STRASSE") == "strasse"
