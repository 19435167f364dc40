"""The ledger export: Chinese headings, amounts in 万元, formulas neutralised, filters kept."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from projects.ledger.exports import neutralise
from tests.factories import InvestorFactory, ProjectFactory


@pytest.fixture
def rows(cast):
    ProjectFactory(
        title='=HYPERLINK("http://evil")',
        investor=InvestorFactory(name="@SUM(A1)有限公司", is_top500=True),
        organization=cast.committee_a,
        owner=cast.officer,
        planned_amount=Decimal("24000000000"),
        stage="negotiating",
    )
    ProjectFactory(
        title="芯片封测项目", organization=cast.committee_a, owner=cast.officer, planned_amount=Decimal("123456789")
    )


def test_the_xlsx_has_chinese_headings_and_amounts_in_wan(client, cast, rows):
    client.force_login(cast.officer)
    response = client.get("/projects/export.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    headings = values[0]
    assert headings[:3] == ("项目编号", "项目名称", "投资方")
    assert "计划投资额（万元）" in headings
    amount_col = headings.index("计划投资额（万元）")
    by_title = {row[1]: row for row in values[1:]}
    assert by_title["芯片封测项目"][amount_col] == 12345.6789
    evil = by_title['\'=HYPERLINK("http://evil")']
    assert evil[amount_col] == 2400000
    assert evil[2] == "'@SUM(A1)有限公司"


def test_the_csv_keeps_the_filters_and_opens_in_excel(client, cast, rows):
    client.force_login(cast.officer)
    response = client.get("/projects/export.csv", {"stage": "negotiating"})
    assert response.content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(lines) == 2
    assert lines[1][1] == '\'=HYPERLINK("http://evil")'
    assert lines[1][lines[0].index("计划投资额（万元）")] == "2400000"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_cells_that_look_like_formulas_become_text(value):
    assert neutralise(value) == "'" + value


def test_numbers_and_plain_text_are_left_alone():
    assert neutralise(-5) == -5
    assert neutralise("华为") == "华为"


def test_an_unknown_format_is_404(client, cast):
    client.force_login(cast.officer)
    assert client.get("/projects/export.pdf").status_code == 404
