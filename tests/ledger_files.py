"""Realistic ledgers, as teams keep them, for the import tests and the import benchmark."""

from __future__ import annotations

import csv
import datetime
import io
import random
from decimal import Decimal

import openpyxl

from projects.core.validators import CHARSET, credit_code_check_char

TITLE_ROW = "清河经开区2026年招商引资项目台账"

# A ledger with its own words for the columns (no project ID: rows match by investor + name).
HEADINGS_YI = [
    "序号",
    "项目名称",
    "企业名称",
    "统一社会信用代码",
    "总投资（亿元）",
    "招商方式",
    "开发区",
    "进展情况",
    "负责人",
    "下次跟进日期",
    "意向签约日期",
    "意向金额(万元)",
    "签约日期",
    "签约金额（万元）",
    "备注",
]
HEADINGS_WAN = [
    "序号",
    "项目",
    "投资主体",
    "信用代码",
    "计划投资额(万元)",
    "招商方式",
    "所属园区",
    "项目阶段",
    "责任人",
    "下次跟进",
    "意向协议签订日期",
    "意向协议金额(万元)",
    "合同签订日期",
    "合同金额(万元)",
    "备注",
]
STAGES = ["线索", "初步接洽", "实地考察", "深度洽谈", "签订意向协议", "签订正式合同"]
MODES = ["产业链招商", "以商招商", "基金招商", "直接拜访", "展会", "委托招商"]
WORDS = ["芯片封装", "新能源电池", "智能LED驱动", "有色金属电商平台", "精密模具", "生物医药", "光伏组件", "机器人"]


def credit_code(rng: random.Random) -> str:
    body = "91" + "".join(rng.choice("0123456789") for _ in range(6)) + "".join(rng.choice(CHARSET) for _ in range(9))
    return body + credit_code_check_char(body)


def date_forms(day: datetime.date, i: int):
    """The usual ways a date is typed in a ledger, in turn."""
    return [
        day,  # a real Excel date
        day.strftime("%Y-%m-%d"),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        (day - datetime.date(1899, 12, 30)).days,  # an Excel serial number in a general cell
    ][i % 5]


def ledger_rows(n: int, *, seed: int = 7, zone_names=("清河经开区", "清河经济开发区"), owners=("officer", "张敏")):
    """n data rows and what the import should make of them: (cells by column key, expected)."""
    rng = random.Random(seed)
    rows = []
    base = datetime.date(2026, 1, 5)
    for i in range(n):
        stage = STAGES[i % len(STAGES)]
        wan = Decimal(rng.randrange(500, 500_000))  # 500 万元 to 50 亿元
        row = {
            "no": i + 1,
            "title": f"{WORDS[i % len(WORDS)]}项目{i + 1:05d}",
            "investor": f"江州{WORDS[(i * 3) % len(WORDS)]}科技{i + 1:05d}有限公司",
            "code": credit_code(rng) if i % 3 == 0 else "",
            "wan": wan,
            "mode": MODES[i % len(MODES)],
            "zone": zone_names[i % len(zone_names)],
            "stage": stage,
            "owner": owners[i % len(owners)],
            "next": date_forms(base + datetime.timedelta(days=i % 60), i) if i % 4 else None,
            "intention_on": None,
            "intention_wan": None,
            "contract_on": None,
            "contract_wan": None,
            "note": '=HYPERLINK("http://x")' if i == 11 else ("重点项目" if i % 10 == 0 else ""),
        }
        if stage in ("签订意向协议", "签订正式合同"):
            row["intention_on"] = date_forms(base + datetime.timedelta(days=i % 30), i + 1)
            row["intention_wan"] = wan
        if stage == "签订正式合同":
            row["contract_on"] = date_forms(base + datetime.timedelta(days=30 + i % 30), i + 2)
            row["contract_wan"] = wan
        rows.append(row)
    return rows


def _cells(row: dict, yi: bool) -> list:
    amount = row["wan"] / Decimal(10_000) if yi else row["wan"]
    return [
        row["no"],
        row["title"],
        row["investor"],
        row["code"],
        float(amount) if yi else int(amount),
        row["mode"],
        row["zone"],
        row["stage"],
        row["owner"],
        row["next"],
        row["intention_on"],
        int(row["intention_wan"]) if row["intention_wan"] is not None else None,
        row["contract_on"],
        int(row["contract_wan"]) if row["contract_wan"] is not None else None,
        row["note"],
    ]


def ledger_xlsx(rows, *, yi: bool = True, blank_every: int = 50, total_row: bool = True) -> bytes:
    """The workbook as a team keeps it: a merged title row, a blank line, the headings, data with
    blank lines here and there, and a total at the bottom."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "项目台账"
    headings = HEADINGS_YI if yi else HEADINGS_WAN
    sheet.append([TITLE_ROW])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headings))
    sheet.append([])
    sheet.append(headings)
    for i, row in enumerate(rows):
        if blank_every and i and i % blank_every == 0:
            sheet.append([])
        sheet.append(_cells(row, yi))
    if total_row:
        total = sum(r["wan"] for r in rows)
        sheet.append(["合计", None, None, None, float(total / Decimal(10_000)) if yi else int(total)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ledger_csv(rows, *, encoding: str = "gb18030", yi: bool = False) -> bytes:
    """The same ledger saved as CSV by a Chinese Excel: GB18030, a title line, blank lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    headings = HEADINGS_YI if yi else HEADINGS_WAN
    writer.writerow([TITLE_ROW] + [""] * (len(headings) - 1))
    writer.writerow([])
    writer.writerow(headings)
    for i, row in enumerate(rows):
        if i and i % 50 == 0:
            writer.writerow([""] * len(headings))
        cells = _cells(row, yi)
        writer.writerow(["" if c is None else (c.isoformat() if isinstance(c, datetime.date) else c) for c in cells])
    return buffer.getvalue().encode(encoding)


def sheet_bytes(rows: list[list], title: str | None = None) -> bytes:
    """A small workbook from literal rows (for the bad-row tests)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
