"""Number formatting for the report: Vietnamese style in ``vi`` (66,7% and 1.234), English in
``en`` (66.7% and 1,234). The separators come from the string catalogue."""

from __future__ import annotations

import math

from cadre_analytics.report.strings import t


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _group(digits: str, sep: str) -> str:
    parts = []
    while len(digits) > 3:
        parts.insert(0, digits[-3:])
        digits = digits[:-3]
    parts.insert(0, digits)
    return sep.join(parts)


def number(value: float | int | None, lang: str, decimals: int = 0, sign: bool = False) -> str:
    """``1234.5`` -> ``1.234,5`` (vi) / ``1,234.5`` (en); None -> the catalogue's dash."""
    if _is_missing(value):
        return t("format.missing", lang)
    text = f"{abs(value):.{decimals}f}"
    whole, _, frac = text.partition(".")
    out = _group(whole, t("format.thousands", lang))
    if frac:
        out += t("format.decimal", lang) + frac
    negative = value < 0 and any(ch not in "0.," for ch in text)
    if negative:
        out = "−" + out
    elif sign and value > 0 and any(ch not in "0.," for ch in text):
        out = "+" + out
    return out


def count(value: float | int | None, lang: str) -> str:
    """A count that may be fractional (a per-year average): no decimals when whole."""
    if _is_missing(value):
        return t("format.missing", lang)
    return number(value, lang, 0 if float(value).is_integer() else 1)


def percent(share: float | None, lang: str, decimals: int = 1, sign: bool = False) -> str:
    """A share in 0..1 as a percentage: ``2/3`` -> ``66,7%`` (vi) / ``66.7%`` (en)."""
    if _is_missing(share):
        return t("format.missing", lang)
    return number(share * 100, lang, decimals, sign=sign) + "%"


def points(delta: float | None, lang: str, decimals: int = 1) -> str:
    """A change of share (0..1 scale) in percentage points, signed: ``+2,5 điểm %``."""
    if _is_missing(delta):
        return t("format.missing", lang)
    return t("change.pp", lang, value=number(delta * 100, lang, decimals, sign=True))


def _target_pct(value: float, lang: str) -> str:
    return percent(value, lang, decimals=0 if round(value * 100, 6).is_integer() else 1)


def target(
    value: float | None, comparator: str | None, lang: str, upper: float | None = None
) -> str:
    """``(0.2, ">=")`` -> ``≥20%``; a range ``(0.25, ">=", upper=0.35)`` -> ``25–35%``."""
    if _is_missing(value):
        return t("format.missing", lang)
    if not _is_missing(upper):
        return _target_pct(value, lang)[:-1] + "–" + _target_pct(upper, lang)
    sym = t(f"comparator.{comparator}", lang) if comparator else ""
    return sym + _target_pct(value, lang)


def _meets(value: float, target: float, comparator: str | None) -> bool:
    checks = {
        ">=": value >= target,
        ">": value > target,
        "<=": value <= target,
        "<": value < target,
        "==": value == target,
    }
    return checks.get(comparator or ">=", value >= target)


def percent_against(
    share: float | None,
    goal: float | None,
    comparator: str | None,
    lang: str,
    decimals: int = 0,
    most: int = 3,
) -> str:
    """``share`` as a percentage with as many decimals as it takes for the number shown to
    agree with the ✔/✖ beside it: 1/21 against ≥5% reads "4,8%", not "5%"; 99.95% against 100%
    reads "99,95%"."""
    if _is_missing(share) or _is_missing(goal):
        return percent(share, lang, decimals)
    met = _meets(share * 100, round(goal * 100, 9), comparator)
    for d in range(decimals, most + 1):
        shown = float(f"{share * 100:.{d}f}")  # what number() writes with d decimals
        if _meets(shown, round(goal * 100, 9), comparator) == met:
            return percent(share, lang, d)
    return percent(share, lang, most)
