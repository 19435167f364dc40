"""Reading the ledger's cells back (the import): text, amounts in the unit of their heading (万元,
亿元, 元, or a suffix such as “2.4亿”), numbers, dates as ledgers write them (2026年3月1日, an Excel
serial …), the Chinese names of the choices, project IDs and credit codes. `reader()` gives the
function that reads a column's cells into values its model field accepts as they are; a cell that
cannot be read raises CellError with the reason in the user's language.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.core.amounts import WAN, YI
from projects.core.validators import normalize_credit_code, validate_credit_code
from projects.ledger.columns import CHOICE_ENUMS, CHOICES, UNIT, Column, heading_factor, heading_key
from projects.pipeline.models import Investor, Project

CENT = Decimal("0.01")


class CellError(ValueError):
    """A cell that cannot be read; the message says why, in the user's language."""


def is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime.datetime):
        raw = raw.date()
    text = str(raw).strip()
    # An exported cell that was neutralised comes back as the text it was.
    if text.startswith("'") and text[1:2] and text[1] in "=+-@":
        text = text[1:]
    return text


def _decimal(raw) -> Decimal:
    if isinstance(raw, bool):
        raise CellError(_("Not a number."))
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    text = unicodedata.normalize("NFKC", str(raw)).strip().replace(",", "").replace(" ", "")
    if text.startswith("="):
        raise CellError(_("This is a formula; formulas are not calculated on import. Type the value instead."))
    try:
        return Decimal(text)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.") % {"value": str(raw)[:40]}) from None


def read_amount(raw, factor: Decimal) -> Decimal | None:
    """An amount cell in the unit of its heading (or of its own suffix, “2.4亿”) as yuan."""
    if is_blank(raw):
        return None
    value = raw
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip().replace(",", "")
        for suffix, unit in (("亿元", YI), ("万元", WAN), ("亿", YI), ("万", WAN), ("元", Decimal(1))):
            if text.endswith(suffix) and len(text) > len(suffix):
                text, factor = text[: -len(suffix)].strip(), unit
                break
        value = text
    try:
        value = _decimal(value)
    except CellError:
        if isinstance(raw, str) and raw.strip().startswith("="):
            raise
        raise CellError(_("“%(value)s” is not a number.") % {"value": str(raw)[:40]}) from None
    if value < 0:
        raise CellError(_("An amount cannot be negative."))
    yuan = (value * factor).quantize(CENT, rounding=ROUND_HALF_UP)
    if yuan >= Decimal("1e16"):
        raise CellError(_("This amount is too large."))
    return yuan


def read_number(raw) -> Decimal | None:
    if is_blank(raw):
        return None
    if isinstance(raw, str):
        raw = UNIT.sub("", raw)
    value = _decimal(raw)
    if value < 0:
        raise CellError(_("This number cannot be negative."))
    if value >= Decimal("1e10"):
        raise CellError(_("This number is too large."))
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


EXCEL_EPOCH = datetime.date(1899, 12, 30)
_DATE_FORMS = [
    re.compile(
        r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
    ),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
]


def read_date(raw) -> datetime.date | None:
    """2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日, 20260301, an Excel date or its serial number."""
    if is_blank(raw):
        return None
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = unicodedata.normalize("NFKC", _text(raw))
    if isinstance(raw, int | float) or re.fullmatch(r"\d{5}(\.0+)?", text):
        serial = int(float(text))
        if 20_000 <= serial <= 80_000:  # 1954 … 2119: an Excel serial date
            return EXCEL_EPOCH + datetime.timedelta(days=serial)
    for form in _DATE_FORMS:
        match = form.match(text)
        if match:
            try:
                return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                break
    raise CellError(_("“%(value)s” is not a date; write it like 2026-03-01.") % {"value": text[:40]})


_CHOICE_LOOKUP: dict[str, dict[str, str]] = {}


def _choice_lookup(kind: str) -> dict[str, str]:
    # Built lazily: English labels are read with translations off, so any active language works.
    if kind not in _CHOICE_LOOKUP:
        from django.utils import translation

        lookup: dict[str, str] = {}
        enum = CHOICE_ENUMS[kind]
        with translation.override(None):
            for value, label in enum.choices:
                for name in (value, str(label), *CHOICES[kind][value]):
                    lookup[heading_key(name)] = value
        _CHOICE_LOOKUP[kind] = lookup
    return _CHOICE_LOOKUP[kind]


CHOICE_LABELS = {
    "stage": gettext_lazy("stage"),
    "status": gettext_lazy("status"),
    "source_mode": gettext_lazy("source mode"),
    "lost_reason": gettext_lazy("reason lost"),
}


def read_choice(kind: str, raw) -> str | None:
    if is_blank(raw):
        return None
    text = _text(raw)
    value = _choice_lookup(kind).get(heading_key(text))
    if value is None:
        names = "、".join(names[0] for names in CHOICES[kind].values())
        raise CellError(
            _("“%(value)s” is not a known %(what)s; use one of: %(names)s.")
            % {"value": text[:40], "what": CHOICE_LABELS[kind], "names": names}
        )
    return value


def read_text(raw, max_length: int | None = None) -> str:
    if is_blank(raw):
        return ""
    text = _text(raw)
    if max_length and len(text) > max_length:
        raise CellError(
            _("Too long: at most %(max)d characters, this has %(n)d.") % {"max": max_length, "n": len(text)}
        )
    return text


def read_id(raw) -> int | None:
    if is_blank(raw):
        return None
    text = _text(raw)
    if not text.isdigit() or len(text) > 12:
        raise CellError(_("“%(value)s” is not a project ID (a whole number).") % {"value": text[:40]})
    return int(text)


def max_length(key: str) -> int | None:
    if key == "investor":
        return Investor._meta.get_field("name").max_length
    if key == "follow_up_summary":
        return 2000
    try:
        return Project._meta.get_field(key).max_length
    except Exception:
        return None


def read_credit_code(raw) -> str:
    code = normalize_credit_code(read_text(raw))
    if code:
        try:
            validate_credit_code(code)
        except ValidationError as exc:
            raise CellError(" ".join(exc.messages)) from None
    return code


def reader(column: Column, heading: str):
    """The function that turns a cell of `column` into a value the model field accepts as it is:
    text within the field's max_length, a known choice, an amount or number within the field's
    digits (tests/test_import.py checks these against the model). So the check needs no
    `clean_fields()` per row."""
    kind = column.kind
    if kind == "amount":
        factor = heading_factor(heading)
        return lambda raw: read_amount(raw, factor)
    if kind == "choice":
        return functools.partial(read_choice, column.key)
    if kind in ("text", "zone", "owner", "chain"):
        return functools.partial(read_text, max_length=max_length(column.key))
    return {
        "id": read_id,
        "number": read_number,
        "date": read_date,
        "credit_code": read_credit_code,
    }[kind]
