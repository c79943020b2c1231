"""``params/synth.yaml``: the generator's calibration, read and checked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cadre_analytics import schema
from cadre_analytics.errors import ParamsError
from cadre_analytics.params import DEFAULT_PARAMS_DIR, check_keys, load_yaml

DEFAULT_PARAMS_FILE = DEFAULT_PARAMS_DIR / "synth.yaml"
DEFAULT_YEARS = range(2021, 2026)
DEFAULT_SEED = 20211231
RANKED_VOCABULARIES = (
    ("education", schema.EDUCATION),
    ("political_theory", schema.POLITICAL_THEORY),
    ("state_management", schema.STATE_MANAGEMENT),
    ("foreign_language", schema.FOREIGN_LANGUAGE),
)

_TOP_KEYS = {
    "communes", "agencies", "service_units", "schools",
    "school_minority_factor", "unit_kinds", "minority_groups", "majority_group", "profiles",
    "fits_unknown", "age_uniform_share", "dynamics", "training", "dirt", "headers", "values",
    "names", "reorganisation",
}  # fmt: skip
_REORGANISATION_KEYS = {
    "effective", "communes", "to_communes", "to_province", "moved_of_ten", "moved_position",
    "headers",
}  # fmt: skip
_PROFILE_REQUIRED = {
    "staff_type", "female", "age", "age_mode", "hire_age", "education", "political_theory",
    "state_management", "foreign_language", "it_use", "training", "study",
}  # fmt: skip
_PROFILE_OPTIONAL = {"key_leader", "leadership", "succession_share", "fits_position",
                     "postgraduate", "hire"}  # fmt: skip
DIRT_COUNTS = (
    "synonym", "nfd_text", "birth_date_text", "birth_date_serial", "training_date_text",
    "training_date_serial", "unknown_value", "duplicate", "departed_training", "unit_by_name",
)  # fmt: skip
_DYNAMICS_KEYS = {
    "other_exit_rate", "contract_exit_rate", "study_duration", "study_in_progress_at_start",
    "foreign_language_upgrade", "state_management_upgrade", "principal_upgrade_factor",
    "it_use_gain", "advanced_study_factor", "postgraduate_study_factor",
}  # fmt: skip


# --- parameters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SynthParams:
    """The checked content of ``params/synth.yaml`` (kept as plain mappings)."""

    raw: dict[str, Any]
    file: str

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]


def _check_shares(shares: Any, vocab: tuple[str, ...], *, file: Path, where: str) -> None:
    check_keys(shares, optional=set(vocab), file=file, where=where)
    total = sum(float(v) for v in shares.values())
    if any(float(v) < 0 for v in shares.values()) or abs(total - 1.0) > 1e-6:
        raise ParamsError(
            f"Tỷ lệ '{where}' phải không âm và cộng lại bằng 1 (hiện {total:.4f}).",
            f"Shares '{where}' must be non-negative and sum to 1 (now {total:.4f}).",
            where=str(file),
        )


def load_synth_params(path: Path | str | None = None) -> SynthParams:
    """Read and check ``params/synth.yaml`` (unknown or missing keys are a ParamsError)."""
    file = Path(path) if path is not None else DEFAULT_PARAMS_FILE
    doc = check_keys(load_yaml(file), required=_TOP_KEYS, file=file, where="synth")
    for name, prof in doc["profiles"].items():
        where = f"profiles.{name}"
        check_keys(prof, required=_PROFILE_REQUIRED, optional=_PROFILE_OPTIONAL, file=file,
                   where=where)  # fmt: skip
        for col, vocab in RANKED_VOCABULARIES:
            _check_shares(prof[col], vocab, file=file, where=f"{where}.{col}")
            if col in prof.get("hire", {}):
                _check_shares(prof["hire"][col], vocab, file=file, where=f"{where}.hire.{col}")
        check_keys(
            prof["training"],
            required=set(schema.TRAINING_TOPIC),
            file=file,
            where=f"{where}.training",
        )
        check_keys(prof["study"], required={"education", "political_theory"}, file=file,
                   where=f"{where}.study")  # fmt: skip
        if prof["staff_type"] not in schema.STAFF_TYPE:
            raise ParamsError(
                f"'{where}.staff_type' = {prof['staff_type']!r} không hợp lệ.",
                f"'{where}.staff_type' = {prof['staff_type']!r} is not one of "
                f"{', '.join(schema.STAFF_TYPE)}.",
                where=str(file),
            )
    for kind, spec in doc["unit_kinds"].items():
        check_keys(spec, required={"level", "roles"}, file=file, where=f"unit_kinds.{kind}")
        for i, role in enumerate(spec["roles"]):
            check_keys(
                role,
                required={"profile"},
                optional={
                    "position",
                    "positions",
                    "count",
                    "fill",
                    "weight",
                    "staff_type",
                    "leadership",
                    "succession_share",
                },  # fmt: skip
                file=file,
                where=f"unit_kinds.{kind}.roles[{i}]",
            )
            if role["profile"] not in doc["profiles"]:
                raise ParamsError(
                    f"Hồ sơ '{role['profile']}' ở unit_kinds.{kind} chưa được định nghĩa.",
                    f"Profile '{role['profile']}' in unit_kinds.{kind} is not defined.",
                    where=str(file),
                )
    check_keys(doc["dynamics"], required=_DYNAMICS_KEYS, file=file, where="dynamics")
    _check_reorganisation(doc, file)
    check_keys(doc["dirt"], required=set(DIRT_COUNTS) | {"synonyms", "unknown_values",
               "departed_staff_id"}, file=file, where="dirt")  # fmt: skip
    return SynthParams(raw=doc, file=str(file))


def _check_reorganisation(doc: dict[str, Any], file: Path) -> None:
    """Every old commune merged into exactly one new xã (each was merged whole)."""
    r = check_keys(doc["reorganisation"], required=_REORGANISATION_KEYS, file=file,
                   where="reorganisation")  # fmt: skip
    old = [str(c.get("code")) for c in doc["communes"]]
    merged: list[str] = []
    for i, c in enumerate(r["communes"]):
        check_keys(c, required={"code", "name", "short", "named_after", "merged"}, file=file,
                   where=f"reorganisation.communes[{i}]")  # fmt: skip
        merged.extend(str(code) for code in c["merged"])
        if str(c["named_after"]) not in [str(code) for code in c["merged"]]:
            raise ParamsError(
                f"'reorganisation.communes[{i}].named_after' phải là một xã đã sáp nhập vào nó.",
                f"'reorganisation.communes[{i}].named_after' must be one of its merged communes.",
                where=str(file),
            )
    if sorted(merged) != sorted(old):
        raise ParamsError(
            "Mỗi xã cũ phải được sáp nhập vào đúng một xã mới (reorganisation.communes).",
            "Every old commune must be merged into exactly one new xã (reorganisation.communes).",
            where=str(file),
        )


def resolve_params(params: SynthParams | Path | str | None) -> SynthParams:
    return params if isinstance(params, SynthParams) else load_synth_params(params)
