"""The "counts when" / "within" conditions of ``params/quotas.yaml``, as :class:`QuotaCondition`
trees: ``{field: F, at_least: LEVEL}``, ``{field: F, is: V}``, ``{field: F, in: [...]}``, and
``all`` / ``any`` / ``not`` of those. Indicators turns them into polars expressions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cadre_analytics import vocab
from cadre_analytics.params.yaml_io import check_keys, params_error, shown
from cadre_analytics.schema import STAFF_COLUMNS

# Columns a condition may test besides the canonical staff columns.
QUOTA_DERIVED_FIELDS = ("updated_in_year",)
_CONDITION_OPS = ("all", "any", "not", "at_least", "is", "in")
# The rules of quotas.yaml ``rules`` a condition may refer to with {param: NAME}.
QUOTA_RULE_NAMES = (
    "medical_specialist_counts_as_postgraduate",
    "political_theory_cumulative",
    "international_language_level",
    "annual_update_rule",
    "annual_update_topics",
)
BOOLEAN_RULES = ("political_theory_cumulative", "medical_specialist_counts_as_postgraduate")
MAX_CONDITION_DEPTH = 8


@dataclass(frozen=True)
class QuotaCondition:
    """One node of a declarative "counts when" condition from quotas.yaml.

    ``op`` is ``all`` / ``any`` / ``not`` (with ``children``) or ``at_least`` / ``is`` / ``in``
    on ``field``. ``value`` is the literal (a tuple for ``in``) unless ``value_param`` names a
    rule whose current value is used, so flipping a rule needs no re-parse. ``cumulative_if``
    names a boolean rule: when it is false, ``at_least`` means exactly that level.
    """

    op: str
    field: str | None = None
    value: Any = None
    value_param: str | None = None
    cumulative_if: str | None = None
    children: tuple[QuotaCondition, ...] = ()


class _Scale(Protocol):
    order: tuple[str, ...]


def parse_condition(
    raw: Any, file: Path | str, where: str, scales: dict[str, _Scale], depth: int = 0
) -> QuotaCondition:
    if not isinstance(raw, dict):
        raise params_error(
            file,
            where,
            "điều kiện phải là một bảng khóa: giá trị.",
            "a condition must be a mapping.",
        )
    if depth > MAX_CONDITION_DEPTH:
        raise params_error(
            file,
            where,
            f"điều kiện lồng nhau quá {MAX_CONDITION_DEPTH} tầng.",
            f"conditions nest deeper than {MAX_CONDITION_DEPTH} levels.",
        )
    for op in ("all", "any", "not"):
        if op not in raw:
            continue
        check_keys(raw, required={op}, file=file, where=where)
        items = [raw[op]] if op == "not" else raw[op]
        if not isinstance(items, list) or not 0 < len(items) <= 50:
            raise params_error(
                file, f"{where}.{op}", "phải là danh sách điều kiện.", "must be a list."
            )
        children = tuple(
            parse_condition(
                item, file, f"{where}.{op}" + ("" if op == "not" else f"[{i}]"), scales, depth + 1
            )
            for i, item in enumerate(items)
        )
        return QuotaCondition(op=op, children=children)
    return _parse_leaf(raw, file, where, scales)


def _parse_leaf(
    raw: dict, file: Path | str, where: str, scales: dict[str, _Scale]
) -> QuotaCondition:
    """``{field: F, at_least | is | in: V}``; V may be ``{param: RULE}``."""
    ops = [op for op in ("at_least", "is", "in") if op in raw]
    if len(ops) != 1:
        raise params_error(
            file,
            where,
            "cần đúng một trong all, any, not, at_least, is, in.",
            "needs exactly one of all, any, not, at_least, is, in.",
        )
    op = ops[0]
    optional = {"cumulative_if"} if op == "at_least" else set()
    check_keys(raw, required={"field", op}, optional=optional, file=file, where=where)
    fld = raw["field"]
    if fld not in STAFF_COLUMNS and fld not in QUOTA_DERIVED_FIELDS:
        raise params_error(
            file,
            f"{where}.field",
            f"cột {shown(fld)} không có trong danh sách cán bộ.",
            f"column {shown(fld)} is not a staff column.",
        )
    value: Any = raw[op]
    value_param = None
    if isinstance(value, dict):
        check_keys(value, required={"param"}, file=file, where=f"{where}.{op}")
        value_param = value["param"]
        if value_param not in QUOTA_RULE_NAMES:
            raise params_error(
                file,
                f"{where}.{op}.param",
                f"không có quy tắc {shown(value_param)} trong 'rules'.",
                f"there is no rule {shown(value_param)} in 'rules'.",
            )
        value = None
    elif op == "in":
        if not isinstance(value, list) or not 0 < len(value) <= 100:
            raise params_error(file, f"{where}.in", "phải là danh sách giá trị.", "must be a list.")
        value = tuple(value)
    if op == "at_least":
        _check_at_least(fld, value, value_param, file, where, scales)
    elif value_param is None and fld in vocab.names():
        _check_codes(fld, value if op == "in" else (value,), file, f"{where}.{op}")
    cumulative_if = raw.get("cumulative_if")
    if cumulative_if is not None and cumulative_if not in BOOLEAN_RULES:
        raise params_error(
            file,
            f"{where}.cumulative_if",
            f"phải là tên một quy tắc đúng/sai trong 'rules', không phải {shown(cumulative_if)}.",
            f"must name a true/false rule in 'rules', not {shown(cumulative_if)}.",
        )
    return QuotaCondition(
        op=op, field=fld, value=value, value_param=value_param, cumulative_if=cumulative_if
    )


def _check_codes(fld: str, values: tuple, file: Path | str, where: str) -> None:
    """A value compared with a coded column is one of that vocabulary's codes."""
    allowed = vocab.codes(fld)
    for value in values:
        if value not in allowed:
            raise params_error(
                file,
                where,
                f"mã {shown(value)} không có trong {fld} ({', '.join(allowed)}).",
                f"code {shown(value)} is not a {fld} code ({', '.join(allowed)}).",
            )


def _check_at_least(
    fld: str, value: Any, value_param: str | None, file, where: str, scales: dict[str, _Scale]
) -> None:
    if fld not in scales:
        raise params_error(
            file,
            f"{where}.field",
            f"cột {fld!r} không có thang bậc trong 'scales'.",
            f"column {fld!r} has no ordered scale in 'scales'.",
        )
    order = scales[fld].order
    if value_param is None and value not in order:
        raise params_error(
            file,
            f"{where}.at_least",
            f"bậc {shown(value)} không có trong thang {fld} ({', '.join(order)}).",
            f"level {shown(value)} is not on the {fld} scale ({', '.join(order)}).",
        )
