"""The one rule for "met" and "people short": exact integer arithmetic on whole people, as a
scalar (for the projection, the back-solve and the optimiser) and as polars expressions (for the
indicators tables); a property test keeps the two in agreement.

A range target ("25–35 %") has both bounds honoured: the lower one through the comparator, the
upper one (``upper``, 0..1) as "at most". Above the range, the gap is the people over the upper
bound (:func:`above_range` tells which side a miss is on)."""

from __future__ import annotations

from fractions import Fraction

import polars as pl


def _exact(target: Fraction | int | float | str) -> Fraction:
    # str() gives back the decimal the user typed (0.3 -> 3/10), not the binary float.
    return target if isinstance(target, Fraction) else Fraction(str(target))


def _as_share(value, share):
    return _exact(value) if isinstance(share, Fraction) else float(_exact(value))


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)  # None or NaN


def target_met(share: float | Fraction | None, target, comparator: str, upper=None) -> bool | None:
    """Is ``share`` (0..1) on the right side of ``target`` (0..1), and not above ``upper``
    (a range's upper bound, 0..1) when there is one? None when share is null or there is no
    target. A float share num/den and the float of the target are both correctly rounded, so
    equal fractions compare equal (28/100 == 7/25)."""
    if _missing(share) or _missing(target):
        return None
    s = share
    t_cmp = _as_share(target, s)
    if comparator == ">=":
        met = s >= t_cmp
    elif comparator == ">":
        met = s > t_cmp
    elif comparator == "<=":
        met = s <= t_cmp
    elif comparator == "==":
        met = s == t_cmp
    else:
        raise ValueError(f"unknown comparator {comparator!r}")
    if comparator in (">=", ">") and not _missing(upper):
        met = met and s <= _as_share(upper, s)
    return bool(met)


def above_range(share: float | Fraction | None, upper) -> bool:
    """Is ``share`` above a range's upper bound (the miss is people over it, not short)?"""
    if _missing(share) or _missing(upper):
        return False
    return bool(share > _as_share(upper, share))


def gap_persons(
    numerator: int, denominator: int, target, comparator: str, upper=None
) -> int | None:
    """Smallest k >= 0 such that (numerator + k) / denominator meets the target (0..1).

    For ``<=`` (headcount) k is the number of people to reduce: (numerator - k) / denominator.
    With a range's ``upper`` bound, a share above it gives the people over the bound:
    (numerator - k) / denominator <= upper. 0 when met; None when the denominator is empty or
    no k can meet it (e.g. "== 1/3" of 10, or "25–35 %" of 2: 0 % or 50 %, never inside).
    """
    if _missing(target) or denominator is None or denominator <= 0 or numerator is None:
        return None
    t = _exact(target)
    scaled = t.numerator * denominator  # target = p/q of the denominator: p * den against q
    if comparator == "<=":
        return max(0, numerator - scaled // t.denominator)
    if comparator == "==":
        need = scaled // t.denominator
        return need - numerator if scaled % t.denominator == 0 and need >= numerator else None
    if comparator == ">=":
        least = -(-scaled // t.denominator)
    elif comparator == ">":
        least = scaled // t.denominator + 1
    else:
        raise ValueError(f"unknown comparator {comparator!r}")
    most = denominator
    if not _missing(upper):
        u = _exact(upper)
        most = u.numerator * denominator // u.denominator  # the most people a range allows
    if least > most:
        return None
    return max(0, least - numerator, numerator - most)


def target_parts(target: Fraction | int | float | str | None) -> tuple[int | None, int | None]:
    """A target on the share scale (0..1) as the integers (p, q) of p/q (:func:`met_gap_exprs`)."""
    if target is None:
        return None, None
    exact = _exact(target)
    return exact.numerator, exact.denominator


def met_gap_exprs(
    numerator: str = "numerator",
    denominator: str = "denominator",
    target_p: str = "_tp",
    target_q: str = "_tq",
    comparator: str = "comparator",
    upper_p: str | None = None,
    upper_q: str | None = None,
) -> list[pl.Expr]:
    """:func:`target_met` and :func:`gap_persons` for whole columns (``met``, ``gap_persons``).

    The target is given as two integer columns, target = p/q of the denominator (see
    :func:`target_parts`), so the comparison is exact: ``numerator * q`` against
    ``p * denominator``; a range's upper bound likewise (``upper_p``/``upper_q``, null where
    there is none). Agrees with the scalar functions for every input (tested).
    """
    num, den, tp, tq, cmp = (
        pl.col(numerator),
        pl.col(denominator),
        pl.col(target_p),
        pl.col(target_q),
        pl.col(comparator),
    )
    lhs = num * tq
    rhs = tp * den
    scaled_floor = rhs // tq
    scaled_ceil = (rhs + tq - 1) // tq
    ranged = pl.lit(False)
    most = den
    if upper_p is not None and upper_q is not None:
        up, uq = pl.col(upper_p), pl.col(upper_q)
        ranged = (up.is_not_null() & cmp.is_in([">=", ">"])).fill_null(False)
        most = pl.when(ranged).then(up * den // uq).otherwise(den)
    # A null denominator (no base-year headcount) must not fall through to a number.
    valid = ((den > 0) & tp.is_not_null() & num.is_not_null()).fill_null(False)
    below_upper = pl.when(ranged).then(num <= most).otherwise(True)
    met = (
        pl.when(~valid)
        .then(None)
        .when(cmp == ">=")
        .then((lhs >= rhs) & below_upper)
        .when(cmp == ">")
        .then((lhs > rhs) & below_upper)
        .when(cmp == "<=")
        .then(lhs <= rhs)
        .when(cmp == "==")
        .then(lhs == rhs)
    )
    need = (
        pl.when(cmp == ">=")
        .then(scaled_ceil)
        .when(cmp == ">")
        .then(scaled_floor + 1)
        .when(cmp == "==")
        .then(pl.when(rhs % tq == 0).then(scaled_floor))
    )
    gap = (
        pl.when(~valid)
        .then(None)
        .when(cmp == "<=")
        .then(pl.max_horizontal(num - scaled_floor, pl.lit(0)))
        .when(cmp == "==")
        .then(pl.when(need >= num).then(need - num))
        .when(need > most)
        .then(None)
        .otherwise(pl.max_horizontal(need - num, num - most, pl.lit(0)))
    )
    return [met.alias("met"), gap.cast(pl.Int64).alias("gap_persons")]
