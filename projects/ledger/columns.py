"""The ledger (项目台账): its columns, defined once, for the export and the import alike.

Each column says its Chinese heading (what the export writes), the other headings an existing
ledger may use for it (Chinese or English variants), and how a value goes into a cell (here) and
comes back out of one (projects.ledger.cells). Exporting a ledger and importing it again therefore
changes nothing.

Cell values the ledger writes are plain Python values (str, Decimal, int, date) that tablib turns
into XLSX or CSV; values it reads are whatever openpyxl or the CSV reader gave.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import tablib
from django.utils import timezone

from projects.core.amounts import WAN, YI
from projects.core.confidential import NEED_TO_KNOW_VIEWER, display_investor, display_title, hides
from projects.pipeline.models import LostReason, SourceMode, Stage, Status
from projects.pipeline.selectors import with_need_to_know

# Chinese names of the choices as ledgers write them (DOMAIN.md). The first one is what the export
# writes; the others are accepted on import, with the English labels and the codes.
STAGE_NAMES = {
    Stage.LEAD: ["线索", "项目线索", "在谈线索"],
    Stage.CONTACTED: ["初步接洽", "接洽", "已接洽", "初步洽谈"],
    Stage.SITE_VISIT: ["实地考察", "考察", "已考察"],
    Stage.NEGOTIATING: ["深度洽谈", "洽谈", "在谈", "洽谈中"],
    Stage.INTENTION_SIGNED: ["签订意向协议", "已签意向", "意向签约", "签订意向"],
    Stage.CONTRACT_SIGNED: ["签订正式合同", "已签约", "正式签约", "签订合同", "已签合同"],
    Stage.REGISTERED: ["注册落地", "已注册", "注册"],
    Stage.UNDER_CONSTRUCTION: ["开工建设", "在建", "已开工"],
    Stage.IN_PRODUCTION: ["竣工投产", "已投产", "投产"],
}
STATUS_NAMES = {
    Status.ACTIVE: ["推进中", "正常", "正常推进", "在推进"],
    Status.ON_HOLD: ["暂缓", "暂停"],
    Status.LOST: ["终止", "已终止", "放弃"],
}
SOURCE_NAMES = {
    SourceMode.FUND: ["基金招商", "基金"],
    SourceMode.EQUITY: ["股权招商", "股权投资"],
    SourceMode.CHAIN: ["产业链招商", "产业链"],
    SourceMode.REFERRAL: ["以商招商", "商会招商", "推荐"],
    SourceMode.DIRECT: ["直接拜访", "上门招商", "直接招商"],
    SourceMode.EXPO: ["展会", "展会招商", "会展招商"],
    SourceMode.AGENCY: ["委托招商", "中介招商", "代理招商"],
    SourceMode.OTHER: ["其他"],
}
LOST_REASON_NAMES = {
    LostReason.OTHER_REGION: ["落户外地", "去了其他地区"],
    LostReason.INVESTOR_WITHDREW: ["企业放弃", "投资方撤回"],
    LostReason.FAILED_REVIEW: ["未通过用地能耗环评审查", "未通过审查"],
    LostReason.DUPLICATE: ["重复项目", "重复"],
    LostReason.OTHER: ["其他原因", "其他"],
}
CHOICES = {"stage": STAGE_NAMES, "status": STATUS_NAMES, "source_mode": SOURCE_NAMES, "lost_reason": LOST_REASON_NAMES}
CHOICE_ENUMS = {"stage": Stage, "status": Status, "source_mode": SourceMode, "lost_reason": LostReason}


@dataclass(frozen=True)
class Column:
    """One ledger column. `key` is a Project field, or one of the pseudo-fields the import
    resolves itself (investor, investor_credit_code, follow_up_summary, organization)."""

    key: str
    heading: str
    english: str
    aliases: tuple[str, ...] = ()
    kind: str = "text"  # text, id, amount, date, number, percent, choice, zone, owner, chain, credit_code
    exported: bool = True
    imported: bool = True


COLUMNS: list[Column] = [
    Column("id", "项目编号", "Project ID", ("编号", "项目ID", "系统编号", "ID", "project no"), "id"),
    Column("title", "项目名称", "Project", ("项目", "项目名", "project name", "title", "name of project")),
    Column(
        "investor",
        "投资方",
        "Investor",
        ("企业名称", "投资主体", "投资企业", "投资方名称", "投资单位", "签约企业", "company", "investor name"),
    ),
    Column(
        "investor_credit_code",
        "统一社会信用代码",
        "Credit code",
        ("信用代码", "社会信用代码", "投资方信用代码", "unified social credit code"),
        "credit_code",
    ),
    Column(
        "zone", "所属园区", "Zone", ("开发区", "园区", "所属开发区", "落户园区", "落户开发区", "target zone"), "zone"
    ),
    # Which organisation holds the project: written for the reader, never read back (it is the
    # importing user's organisation).
    Column("organization", "招商单位", "Organisation", ("organization",), imported=False),
    Column("source_mode", "招商方式", "Source mode", ("招商类型", "来源方式", "source"), "choice"),
    Column("industry", "所属行业", "Industry", ("行业", "产业", "产业类别", "行业类别")),
    Column("chain", "产业链", "Industry chain", ("所属产业链", "chain"), "chain"),
    Column(
        "planned_amount",
        "计划投资额（万元）",
        "Planned investment",
        ("计划投资额", "总投资", "投资额", "计划总投资", "拟投资额", "投资总额", "项目总投资", "planned amount"),
        "amount",
    ),
    Column("stage", "项目阶段", "Stage", ("进展情况", "阶段", "项目进展", "进展阶段", "推进阶段"), "choice"),
    Column("status", "项目状态", "Status", ("状态",), "choice"),
    Column("lost_reason", "终止原因", "Reason lost", ("lost reason",), "choice"),
    Column("status_note", "状态说明", "Status reason", ("暂缓原因", "暂缓终止原因", "status note")),
    Column("owner", "负责人", "Owner", ("责任人", "项目负责人", "招商负责人", "招商责任人", "跟进人"), "owner"),
    Column("next_follow_up_on", "下次跟进日期", "Next follow-up", ("下次跟进", "下次跟进时间", "计划跟进日期"), "date"),
    Column(
        "follow_up_summary",
        "跟进情况",
        "Follow-up",
        ("最新进展", "跟进记录", "最近跟进情况", "跟进内容", "follow-up summary"),
        exported=False,
    ),
    Column("intention_signed_on", "意向协议签订日期", "Intention signed on", ("意向签约日期", "签订意向日期"), "date"),
    Column("intention_amount", "意向协议金额（万元）", "Amount in the intention", ("意向金额", "意向投资额"), "amount"),
    Column("contract_signed_on", "合同签订日期", "Contract signed on", ("签约日期", "正式合同签订日期"), "date"),
    Column(
        "contract_amount", "合同金额（万元）", "Contracted amount", ("签约金额", "合同投资额", "合同金额"), "amount"
    ),
    Column("registered_company", "注册企业", "Registered company", ("注册公司", "落地企业", "项目公司")),
    Column(
        "registered_credit_code",
        "注册企业信用代码",
        "Registered company's credit code",
        ("项目公司信用代码", "落地企业信用代码"),
        "credit_code",
    ),
    Column("registered_on", "注册日期", "Registered on", ("注册时间",), "date"),
    Column("construction_started_on", "开工日期", "Construction started on", ("开工时间",), "date"),
    Column("production_started_on", "投产日期", "Production started on", ("投产时间", "竣工投产日期"), "date"),
    Column(
        "actual_investment",
        "实际完成投资（万元）",
        "Actual investment to date",
        ("已完成投资", "实际投资", "累计完成投资", "完成投资", "actual investment"),
        "amount",
    ),
    # 资金到位率 by the one definition (projects.pipeline.funds); derived, never read back.
    Column(
        "funds_in_place_rate",
        "资金到位率（%）",
        "Funds in place (%)",
        ("资金到位率", "funds in place rate"),
        "percent",
        imported=False,
    ),
    Column("site_location", "项目选址", "Site", ("选址", "项目地址", "建设地点")),
    Column("site_area_mu", "用地面积（亩）", "Land area (mu)", ("用地面积", "占地面积", "land area"), "number"),
    Column("fund_name", "基金名称", "Fund", ("基金", "fund name")),
    Column("referrer", "推荐人", "Referred by", ("引荐人", "介绍人", "推荐单位", "referrer")),
    Column("chain_leader", "链主企业", "Chain-leader enterprise", ("链主", "chain leader")),
    # For the reader; derived by the application, never read back.
    Column("last_activity_at", "最近活动", "Last activity", ("最后活动",), "datetime", imported=False),
    Column("created_at", "登记时间", "Logged on", ("登记日期",), "datetime", imported=False),
]
BY_KEY = {c.key: c for c in COLUMNS}
EXPORTED = [c for c in COLUMNS if c.exported]
# Columns compared and written as plain Project fields by the import.
PLAIN_FIELDS = [
    c.key
    for c in COLUMNS
    if c.imported
    and c.kind not in ("id", "zone", "owner", "chain")
    and c.key not in ("investor", "investor_credit_code", "follow_up_summary", "next_follow_up_on")
]

# The units a heading may carry, and what they multiply the cell by to give yuan (also stripped
# from number cells, projects.ledger.cells).
UNIT = re.compile(r"[\(\[（【]?\s*(亿元|万元|元|亿|万|亩)\s*[\)\]）】]?")
_NOISE = re.compile(r"[\s\(\)\[\]（）【】:：/\\*_\-·.、]+")


def fold(text) -> str:
    """Text as the ledger compares it: width folded (NFKC: full-width letters, digits and brackets
    become half-width), trimmed and case folded. Headings, names and codes all match through it."""
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


def heading_key(heading: str) -> str:
    """A heading reduced for matching: width folded, case folded, units and punctuation gone."""
    return _NOISE.sub("", UNIT.sub("", fold(heading)))


def heading_factor(heading: str) -> Decimal:
    """Yuan per unit of an amount column, from its heading; a heading without a unit means 万元,
    the unit ledgers use."""
    folded = fold(heading)
    if "亿" in folded:
        return YI
    if "万" in folded:
        return WAN
    if re.search(r"[\(（]\s*元\s*[\)）]", folded) or folded.endswith("元") or "yuan" in folded:
        return Decimal(1)
    return WAN


_HEADINGS: dict[str, Column] = {}
for _column in COLUMNS:
    for _name in (_column.heading, _column.english, _column.key, *_column.aliases):
        _HEADINGS.setdefault(heading_key(_name), _column)


def match_heading(heading) -> Column | None:
    if heading is None:
        return None
    return _HEADINGS.get(heading_key(heading))


# ---------------------------------------------------------------------------------------------
# Cells out (export)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _plain(value: Decimal) -> int | Decimal:
    """5000 rather than 5E+3 or 5000.00, so CSV cells read as people write them."""
    if value == value.to_integral_value():
        return int(value)
    return Decimal(format(value.normalize(), "f"))


def _wan(yuan: Decimal | None) -> int | Decimal | None:
    return None if yuan is None else _plain(Decimal(yuan) / WAN)


def _user_name(user) -> str:
    if user is None:
        return ""
    full = user.get_full_name().strip()
    return full or user.get_username()


def choice_name(kind: str, value: str) -> str:
    if not value:
        return ""
    return CHOICES[kind][value][0]


# Columns derived from a field of projects.core.confidential's list, masked with it: the investor's
# credit code tells the investor apart.
MASKED_AS = {"investor_credit_code": "investor"}


def to_cell(column: Column, project, user):
    """The value of `column` for `project` as `user` may see it. Outside need-to-know a
    confidential deal's title is its codename, its investor "(confidential)", and the cells of
    the other listed fields are empty."""
    key = column.key
    field = MASKED_AS.get(key, key)
    if hides(project, user, field):
        if key == "title":
            return display_title(project, user)
        if key == "investor":
            return display_investor(project, user)
        return ""
    if key == "title":
        return project.title
    if key == "investor":
        return project.investor.name
    if key == "investor_credit_code":
        return project.investor.credit_code or ""
    if key == "zone":
        return project.zone.name
    if key == "organization":
        return project.organization.name
    if key == "owner":
        return _user_name(project.owner)
    if key == "chain":
        return project.chain.name if project.chain_id else ""
    value = getattr(project, key)
    if column.kind == "choice":
        return choice_name(key, value)
    if column.kind == "amount":
        return _wan(value)
    if column.kind == "number":
        return _plain(value) if isinstance(value, Decimal) else value
    if column.kind == "percent":  # as the pages show it: one decimal
        return None if value is None else _plain((value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    if column.kind == "datetime":
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""
    return "" if value is None else value


def export_queryset(queryset, user):
    """What the export needs loaded with each project, in one query however many rows: the joins,
    and whether `user` is on each project's need-to-know list as a column of the row."""
    queryset = queryset.select_related("investor", "zone", "organization", "owner", "chain")
    if NEED_TO_KNOW_VIEWER in queryset.query.annotations:  # loaded so by projects.pipeline.selectors.project_list
        return queryset
    return with_need_to_know(queryset, user)


def export_rows(projects, user):
    """The ledger's rows for `projects`, each a list of cells in EXPORTED order, neutralised."""
    for project in projects:
        yield [neutralise(to_cell(column, project, user)) for column in EXPORTED]


def export_dataset(queryset, user, *, title: str = "项目台账") -> tablib.Dataset:
    """The filtered list as a tablib Dataset with the Chinese headings; `.xlsx` / `.csv` give
    the files."""
    dataset = tablib.Dataset(headers=[c.heading for c in EXPORTED], title=title[:31])
    for row in export_rows(export_queryset(queryset, user).iterator(chunk_size=2000), user):
        dataset.append(["" if v is None else v for v in row])
    return dataset


def template_dataset() -> tablib.Dataset:
    """The empty ledger offered on the import page, with one example row."""
    dataset = tablib.Dataset(headers=[c.heading for c in COLUMNS if c.imported])
    example = {
        "title": "集成电路芯片封装项目",
        "investor": "江州芯联半导体有限公司",
        "zone": "江州高新技术产业开发区",
        "source_mode": "产业链招商",
        "industry": "电子信息",
        "planned_amount": Decimal("50000"),
        "stage": "深度洽谈",
        "status": "推进中",
        "next_follow_up_on": datetime.date(2026, 3, 1),
        "follow_up_summary": "企业来园区考察，对标准厂房有意向",
    }
    dataset.append([example.get(c.key, "") for c in COLUMNS if c.imported])
    return dataset
