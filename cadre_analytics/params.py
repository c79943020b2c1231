"""Loads and checks the YAML files in ``params/``.

Every number a user may change lives there. Files are read with ``yaml.safe_load``; an unknown
key, a missing key or a value of the wrong type is a :class:`ParamsError` naming the file and the
key, so a Board member who edits a target sees exactly what to fix.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from cadre_analytics.errors import ParamsError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PARAMS_DIR = PROJECT_ROOT / "params"
DEFAULT_CONTRACTS_DIR = PROJECT_ROOT / "data_contracts"


def load_yaml(path: Path) -> Any:
    """Read one YAML file safely; a missing or malformed file is a ParamsError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParamsError(
            f"Không tìm thấy tệp tham số {path}.",
            f"Parameter file {path} not found.",
            where=str(path),
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" dòng {mark.line + 1}" if mark else ""
        line_en = f" line {mark.line + 1}" if mark else ""
        raise ParamsError(
            f"Tệp tham số sai cú pháp YAML{line}.",
            f"Parameter file is not valid YAML{line_en}.",
            where=str(path),
        ) from None


def check_keys(
    mapping: Any,
    *,
    required: set[str] | frozenset[str] = frozenset(),
    optional: set[str] | frozenset[str] = frozenset(),
    file: Path | str,
    where: str,
) -> dict:
    """Check that ``mapping`` is a dict with every required key and no unknown key."""
    if not isinstance(mapping, dict):
        raise ParamsError(
            f"'{where}' phải là một bảng khóa: giá trị.",
            f"'{where}' must be a mapping of key: value.",
            where=str(file),
        )
    missing = sorted(set(required) - set(mapping))
    if missing:
        raise ParamsError(
            f"Thiếu khóa '{missing[0]}' trong '{where}'.",
            f"Missing key '{missing[0]}' in '{where}'.",
            where=str(file),
        )
    unknown = sorted(set(mapping) - set(required) - set(optional))
    if unknown:
        allowed = ", ".join(sorted(set(required) | set(optional)))
        raise ParamsError(
            f"Khóa không hợp lệ '{unknown[0]}' trong '{where}' (được phép: {allowed}).",
            f"Unknown key '{unknown[0]}' in '{where}' (allowed: {allowed}).",
            where=str(file),
        )
    return mapping


def expect_type(value: Any, types: type | tuple[type, ...], *, file: Path | str, where: str) -> Any:
    """Check a value's type (bool is not accepted where a number is expected)."""
    wanted = types if isinstance(types, tuple) else (types,)
    is_bool = isinstance(value, bool)
    if not isinstance(value, wanted) or (is_bool and bool not in wanted):
        names = " hoặc ".join(t.__name__ for t in wanted)
        names_en = " or ".join(t.__name__ for t in wanted)
        raise ParamsError(
            f"Giá trị '{where}' = {value!r} phải có kiểu {names}.",
            f"Value '{where}' = {value!r} must be of type {names_en}.",
            where=str(file),
        )
    return value


def params_hash(params_dir: Path = DEFAULT_PARAMS_DIR) -> str:
    """SHA-256 over every YAML file under params/ (names and bytes), for provenance."""
    digest = hashlib.sha256()
    for path in sorted(Path(params_dir).rglob("*.yaml")):
        digest.update(str(path.relative_to(params_dir)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


# --- Stage-specific parameter sets -------------------------------------------------------
# Each stage's typed parameters and loader are added below, one section per stage
# (quotas for indicators; retirement schedule and scenarios for projection; report settings).


# --- projection: retirement schedule and scenarios (owner: projection, issue 5) ----------------

from dataclasses import dataclass  # noqa: E402  (kept inside this section: parallel edits)

_GENDERS = ("male", "female")


@dataclass(frozen=True)
class RetirementSchedule:
    """Statutory retirement ages in months (``params/retirement.yaml``).

    ``ages[gender][year]`` is the age in force for people reaching it in ``year``; years before
    the table use ``before_first_year[gender]``, years after it keep the last row.
    """

    ages: dict[str, dict[int, int]]
    before_first_year: dict[str, int]
    source: str = ""


def _age_months(value: Any, *, file: Path, where: str) -> int:
    check_keys(value, required={"years", "months"}, file=file, where=where)
    years = expect_type(value["years"], int, file=file, where=f"{where}.years")
    months = expect_type(value["months"], int, file=file, where=f"{where}.months")
    if not (0 <= months <= 11) or not (40 <= years <= 80):
        raise ParamsError(
            f"Tuổi '{where}' = {years} năm {months} tháng không hợp lệ (tháng 0–11, năm 40–80).",
            f"Age '{where}' = {years}y{months}m is invalid (months 0–11, years 40–80).",
            where=str(file),
        )
    return years * 12 + months


def load_retirement_schedule(path: Path | None = None) -> RetirementSchedule:
    """Read and check ``params/retirement.yaml``.

    Checks: both genders in every row, consecutive years, ages never falling and rising by less
    than 12 months a year (the retirement rule relies on it to find a unique year).
    """
    file = Path(path) if path is not None else DEFAULT_PARAMS_DIR / "retirement.yaml"
    doc = check_keys(
        load_yaml(file),
        required={"before_first_year", "ages"},
        optional={"source"},
        file=file,
        where="retirement",
    )
    before_doc = check_keys(
        doc["before_first_year"], required=set(_GENDERS), file=file, where="before_first_year"
    )
    before = {
        g: _age_months(before_doc[g], file=file, where=f"before_first_year.{g}") for g in _GENDERS
    }
    ages_doc = doc["ages"]
    if not isinstance(ages_doc, dict) or not ages_doc:
        raise ParamsError(
            "'ages' phải là bảng năm: {male: ..., female: ...}.",
            "'ages' must be a mapping year: {male: ..., female: ...}.",
            where=str(file),
        )
    ages: dict[str, dict[int, int]] = {g: {} for g in _GENDERS}
    for year, row in ages_doc.items():
        expect_type(year, int, file=file, where=f"ages.{year}")
        check_keys(row, required=set(_GENDERS), file=file, where=f"ages.{year}")
        for g in _GENDERS:
            ages[g][year] = _age_months(row[g], file=file, where=f"ages.{year}.{g}")
    years = sorted(ages["male"])
    if years != list(range(years[0], years[-1] + 1)):
        raise ParamsError(
            "Các năm trong 'ages' phải liên tiếp, không bỏ sót năm nào.",
            "The years in 'ages' must be consecutive, with no gap.",
            where=str(file),
        )
    for g in _GENDERS:
        previous = before[g]
        for year in years:
            step = ages[g][year] - previous
            if not (0 <= step <= 11):
                raise ParamsError(
                    f"Tuổi nghỉ hưu '{g}' năm {year} phải tăng từ 0 đến 11 tháng so với năm trước.",
                    f"Retirement age '{g}' in {year} must rise by 0 to 11 months over the year "
                    "before.",
                    where=f"{file} ages.{year}.{g}",
                )
            previous = ages[g][year]
    return RetirementSchedule(
        ages=ages, before_first_year=before, source=str(doc.get("source", ""))
    )


# --- end of projection section ------------------------------------------------------------------
