from decimal import Decimal

from django.utils import translation

from projects.core.amounts import amount, wan, yi


def test_it_shows_the_report_deal_in_yi():
    with translation.override("zh-hans"):
        assert yi(Decimal("24000000000")) == "240 亿元"
        assert amount(Decimal("24000000000")) == "240 亿元"


def test_it_shows_smaller_amounts_in_wan_with_grouping():
    with translation.override("zh-hans"):
        assert wan(Decimal("50000000")) == "5,000 万元"
        assert amount(Decimal("12345678")) == "1,234.57 万元"


def test_it_shows_a_dash_for_missing_amounts():
    assert amount(None) == "—"
