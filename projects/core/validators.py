"""Validation of the unified social credit code (统一社会信用代码, GB 32100-2015)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The 31 characters of the code, in value order (I, O, Z, S, V are never used).
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
VALUES = {c: i for i, c in enumerate(CHARSET)}


def credit_code_check_char(first17: str) -> str:
    total = sum(VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    if len(value) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="credit_code_length",
            params={"n": len(value)},
        )
    if value != value.upper():
        raise ValidationError(_("Write the credit code in capital letters."), code="credit_code_case")
    bad = sorted({c for c in value if c not in VALUES})
    if bad:
        raise ValidationError(
            _("The credit code contains characters that are never used: %(chars)s."),
            code="credit_code_chars",
            params={"chars": " ".join(bad)},
        )
    if not value[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 of the credit code are the region code and must be digits."),
            code="credit_code_region",
        )
    expected = credit_code_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("The check character of this credit code is wrong (the code is mistyped)."),
            code="credit_code_check",
        )


def normalize_credit_code(value: str | None) -> str | None:
    """What forms and imports do before validating: trim, drop inner spaces, upper-case."""
    if value is None:
        return None
    value = "".join(value.split()).upper()
    return value or None
