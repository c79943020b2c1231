"""``params/scenarios/_staffing.yaml``: who fills a post when someone leaves.

Two things a scenario that keeps posts filled needs: the qualifications of a new hire, per
staff group (commune civil servants, commune cadres, district cadres and civil servants,
public employees), and the standard a person must meet to be appointed to a leadership post
(key leader, district leader, division leader). The file starts with "_", so it is not a
scenario; every scenario that recruits without its own ``mix`` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictStr

from cadre_analytics import vocab
from cadre_analytics.params.paths import DEFAULT_PARAMS_DIR
from cadre_analytics.params.yaml_io import MODEL_CONFIG, load_yaml, params_error, validate

# Staff groups with a hire profile and early-exit rates of their own. Contract staff count in
# no quota: never hired, no early exit drawn.
STAFF_GROUPS = (
    "commune_civil_servant",
    "commune_cadre",
    "district_civil_servant",
    "public_employee",
)
# Leadership posts, as the staff fields that hold them: a key leader (key_leader true), a
# district leader (leadership: district), a division leader (leadership: division).
POSTS = ("key_leader", "district", "division")
BOOLEAN_ATTRIBUTES = ("it_use", "education_fits_position", "updated_in_year")
Probability = Annotated[float, Field(strict=True, ge=0, le=1)]
MixAttribute = Literal[vocab.ORDINAL_ATTRIBUTES + BOOLEAN_ATTRIBUTES]  # type: ignore[valid-type]
OrdinalAttribute = Literal[vocab.ORDINAL_ATTRIBUTES]  # type: ignore[valid-type]


def staff_group(staff_type: str | None, unit_level: str | None) -> str | None:
    """The staff group of a (staff type, unit level): its hire profile and early-exit rates;
    None (contract staff, unknown level): nobody is hired there and no early exit is drawn."""
    if staff_type == "public_employee":
        return "public_employee"
    if unit_level == "commune" and staff_type in ("civil_servant", "cadre"):
        return f"commune_{staff_type}"
    if unit_level == "district" and staff_type in ("civil_servant", "cadre"):
        return "district_civil_servant"
    return None


@dataclass(frozen=True)
class Staffing:
    hire_mix: dict[str, dict[str, Any]]  # hire group -> its mix (as a scenario's ``mix``)
    post_standard: dict[str, dict[str, str]]  # post -> attribute -> minimum level


class _Profile(BaseModel):
    model_config = MODEL_CONFIG
    mix: dict[MixAttribute, Probability | dict[StrictStr, Probability]]


class _StaffingFile(BaseModel):
    model_config = MODEL_CONFIG
    hire_profiles: dict[Literal[STAFF_GROUPS], _Profile]  # type: ignore[valid-type]
    post_standards: dict[Literal[POSTS], dict[OrdinalAttribute, StrictStr]]  # type: ignore[valid-type]


def check_level(value: Any, attribute: str, file: Path, where: str) -> str:
    levels = vocab.codes(attribute)
    if value not in levels:
        raise params_error(
            file,
            where,
            f"bậc {value!r} không có trong thang {attribute} (được phép: {', '.join(levels)}).",
            f"level {value!r} is not on the {attribute} scale (allowed: {', '.join(levels)}).",
        )
    return value


def check_mix(raw: dict, file: Path, where: str) -> dict[str, Any]:
    """A hire mix: yes/no fields one probability, levelled fields shares adding up to 1."""
    mix: dict[str, Any] = {}
    for attr, value in raw.items():
        w = f"{where}.{attr}"
        boolean = attr in BOOLEAN_ATTRIBUTES
        if boolean != (not isinstance(value, dict)):
            vi = "phải là một xác suất 0–1." if boolean else "phải là bảng bậc: tỷ lệ."
            en = "must be one probability 0–1." if boolean else "must map levels to shares."
            raise params_error(file, w, vi, en)
        if boolean:
            mix[attr] = value
            continue
        for level in value:
            check_level(level, attr, file, f"{w}.{level}")
        total = sum(value.values())
        if abs(total - 1) > 1e-9:
            raise params_error(
                file,
                w,
                f"tổng tỷ lệ = {total:g}, phải bằng 1.",
                f"the shares add up to {total:g}; they must add up to 1.",
            )
        mix[attr] = dict(value)
    if "education" not in mix:
        raise params_error(
            file,
            f"{where}.education",
            "thiếu trình độ của người mới tuyển.",
            "missing: the qualification mix of new hires.",
        )
    return mix


def load_staffing(path: Path | None = None) -> Staffing:
    """Read ``params/scenarios/_staffing.yaml`` (every hire group and post must be there)."""
    file = Path(path) if path is not None else DEFAULT_PARAMS_DIR / "scenarios" / "_staffing.yaml"
    doc = validate(_StaffingFile, load_yaml(file), file)
    for key, names, have in (
        ("hire_profiles", STAFF_GROUPS, doc.hire_profiles),
        ("post_standards", POSTS, doc.post_standards),
    ):
        missing = [n for n in names if n not in have]
        if missing:
            raise params_error(
                file, key, f"thiếu: {', '.join(missing)}.", f"missing: {', '.join(missing)}."
            )
    mixes = {
        g: check_mix(p.mix, file, f"hire_profiles.{g}.mix") for g, p in doc.hire_profiles.items()
    }
    standards = {
        post: {a: check_level(v, a, file, f"post_standards.{post}.{a}") for a, v in levels.items()}
        for post, levels in doc.post_standards.items()
    }
    return Staffing(mixes, standards)
