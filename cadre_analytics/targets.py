"""The one rule for "met" and "people short": exact integer arithmetic on whole people, as a
scalar (for the projection, the back-solve and the optimiser) and as polars expressions (for the
indicators tables); a property test keeps the two in agreement."""

from __future__ import annotations

from fractions import Fraction

import polars as pl


def _exact(target: Fraction | int | float | str) -> Fraction:
    # str() gives back the decimal the user typed (0.3 -> 3/10), not the binary float.
    return target if isinstance(target, Fraction) else Fraction(str(target))


def target_met(share: float | Fraction | None, target, comparator: str) -> bool | None:
    """Is ``share`` (0..1) on the right side of ``target`` (0..1)? None when share is null or
    there is no target. A float share num/den and the float of the target are both correctly
    rounded, so equal fractions compare equal (28/100 == 7/25)."""
    if share is None or target is None:
        return None
    s = share
    t_cmp = _exact(target) if isinstance(s, Fraction) else float(_exact(target))
    if comparator == ">=":
        return s >= t_cmp
    if comparator == ">":
        return s > t_cmp
    if comparator == "<=":
        return s <= t_cmp
    if comparator == "==":
        return s == t_cmp
    raise ValueError(f"unknown comparator {comparator!r}")


def gap_persons(numerator: int, denominator: int, target, comparator: str) -> int | None:
    """Smallest k >= 0 such that (numerator + k) / denominator meets the target (0..1).

    For ``<=`` (headcount) k is the number of people to reduce: (numerator - k) / denominator.
    0 when met; None when the denominator is empty or no k can meet it (e.g. "== 1/3" of 10).
    """
    if target is None or denominator is None or denominator <= 0 or numerator is None:
        return None
    t = _exact(target)
    p, q = t.numerator, t.denominator  # target = p/q of the denominator
    scaled = p * denominator
    if comparator == ">=":
        need = -(-scaled // q)
    elif comparator == ">":
        need = scaled // q + 1
    elif comparator == "==":
        if scaled % q:
            return None
        need = scaled // q
        return need - numerator if need >= numerator else None
    elif comparator == "<=":
        return max(0, numerator - scaled // q)
    else:
        raise ValueError(f"unknown comparator {comparator!r}")
    if need > denominator:
        return None
    return max(0, need - numerator)


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
) -> list[pl.Expr]:
    """:func:`target_met` and :func:`gap_persons` for whole columns (``met``, ``gap_persons``).

    The target is given as two integer columns, target = p/q of the denominator (see
    :func:`target_parts`), so the comparison is exact: ``numerator * q`` against
    ``p * denominator``. Agrees with the scalar functions for every input (tested).
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
    # A null denominator (no base-year headcount) must not fall through to a number.
    valid = ((den > 0) & tp.is_not_null() & num.is_not_null()).fill_null(False)
    met = (
        pl.when(~valid)
        .then(None)
        .when(cmp == ">=")
        .then(lhs >= rhs)
        .when(cmp == ">")
        .then(lhs > rhs)
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
        .when(need > den)
        .then(None)
        .otherwise(pl.max_horizontal(need - num, pl.lit(0)))
    )
    return [met.alias("met"), gap.cast(pl.Int64).alias("gap_persons")]
