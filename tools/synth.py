"""The seeded synthetic sample-district generator (the bundled sample, and the benchmark's data).

``generate`` builds canonical frames (``schema.STAFF_COLUMNS`` ...) for a district modelled on
Di Linh (Lâm Đồng): one roster per snapshot year that follows the same people (ageing, retiring
by the statutory schedule, finishing courses, leaving, replaced by new hires). ``write_dataset``
turns them into what users have: Vietnamese headers and values, and, when asked, a seeded handful
of dirty cells whose counts are returned so tests can check what ingest reports.
``write_generated`` does both one snapshot year at a time (same files, a year's memory): use it
for benchmark sizes. ``main(argv)`` is its command line (``python -m tools.synth``, what
``make synth`` runs).

    from tools import synth
    tables = synth.generate(people=2600, years=range(2021, 2026), seed=1)   # canonical frames
    meta = synth.write_dataset(tables, "out/", fmt="xlsx")                  # meta["dirt"]
    synth.write_generated("big/", people=2_500_000, fmt="parquet")          # staff_2021.parquet...

All calibration numbers live in ``params/synth.yaml``. Everything is vectorised over people:
the only Python loops run over years, unit kinds, roles and categories.

Model: the district has a fixed number of *slots* (posts) per unit; each slot is held by one
person at a time. A slot's role (position, staff type, leadership) is fixed; when its holder
retires or leaves, a new hire takes it in the same year, so each roster has exactly ``people``
rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from cadre_analytics import schema
from cadre_analytics.errors import ParamsError, UserError
from cadre_analytics.params import DEFAULT_PARAMS_DIR, check_keys, load_yaml

DEFAULT_PARAMS_FILE = DEFAULT_PARAMS_DIR / "synth.yaml"
DEFAULT_YEARS = range(2021, 2026)
DEFAULT_SEED = 20211231
STAFF_ID_PREFIX = "CB"
STAFF_ID_DIGITS = 8
# Excel's day 0 (the 1900 leap-year bug makes 1899-12-30 the epoch for serials >= 61).
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Beyond this many staff rows an XLSX sheet would be unusable (Excel stops at 1,048,576).
XLSX_MAX_ROWS = 1_000_000
# Above this many staff rows, parquet/csv staff is written one file per year (staff_2021...).
SPLIT_STAFF_ROWS = 1_000_000

_EPOCH = dt.date(1970, 1, 1)
_EDU = schema.EDUCATION
_PT = schema.POLITICAL_THEORY
_SM = schema.STATE_MANAGEMENT
_FL = schema.FOREIGN_LANGUAGE
_TOPICS = schema.TRAINING_TOPIC
# Next education level of an in-service study; the postgraduate step depends on the profile.
_EDU_NEXT = {"below_intermediate": "intermediate", "intermediate": "university",
             "college": "university"}  # fmt: skip
_PT_NEXT = {"none": "intermediate", "elementary": "intermediate", "intermediate": "advanced"}

_TOP_KEYS = {
    "communes", "agencies", "service_units", "schools",
    "school_minority_factor", "unit_kinds", "minority_groups", "majority_group", "profiles",
    "fits_unknown", "age_uniform_share", "dynamics", "training", "dirt", "headers", "values",
    "names",
}  # fmt: skip
_PROFILE_REQUIRED = {
    "staff_type", "female", "age", "age_mode", "hire_age", "education", "political_theory",
    "state_management", "foreign_language", "it_use", "training", "study",
}  # fmt: skip
_PROFILE_OPTIONAL = {"key_leader", "leadership", "succession_share", "fits_position",
                     "postgraduate", "hire"}  # fmt: skip
_DIRT_COUNTS = (
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
        for col, vocab in (("education", _EDU), ("political_theory", _PT),
                           ("state_management", _SM), ("foreign_language", _FL)):  # fmt: skip
            _check_shares(prof[col], vocab, file=file, where=f"{where}.{col}")
            if col in prof.get("hire", {}):
                _check_shares(prof["hire"][col], vocab, file=file, where=f"{where}.hire.{col}")
        check_keys(prof["training"], required=set(_TOPICS), file=file, where=f"{where}.training")
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
    check_keys(doc["dirt"], required=set(_DIRT_COUNTS) | {"synonyms", "unknown_values",
               "departed_staff_id"}, file=file, where="dirt")  # fmt: skip
    return SynthParams(raw=doc, file=str(file))


def _params(params: SynthParams | Path | str | None) -> SynthParams:
    return params if isinstance(params, SynthParams) else load_synth_params(params)


# --- units and slots ---------------------------------------------------------------------------


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _base_units(p: SynthParams) -> list[dict[str, Any]]:
    """The units of one district, in code order, with their kind, size and minority share."""
    units: list[dict[str, Any]] = []
    for i, c in enumerate(p["communes"], start=1):
        alias = "TT " + c["short"] if c["kind"] == "town" else c["short"]
        units.append(dict(code=f"X{i:02d}", name=c["name"], level="commune", kind=c["kind"],
                          size=c["size"], minority=c["minority"], extra=[],
                          aliases=[f"UBND {_lower_first(c['name'])}", alias]))  # fmt: skip
    for i, a in enumerate(p["agencies"], start=1):
        units.append(dict(code=f"H{i:02d}", name=a["name"], level="district", kind=a["kind"],
                          size=a["size"], minority=a["minority"],
                          extra=a.get("extra_roles", []), aliases=[a["alias"]]))  # fmt: skip
    service = [dict(s, alias_list=[s["alias"]]) for s in p["service_units"]]
    for school in p["schools"]:
        for c in p["communes"]:
            service.append(dict(name=f"{school['prefix']} {c['short']}", kind=school["kind"],
                                size=school["size"],
                                minority=c["minority"] * p["school_minority_factor"],
                                alias_list=[f"{school['alias_prefix']} {c['short']}"]))  # fmt: skip
    width = max(2, len(str(len(service))))
    for i, s in enumerate(service, start=1):
        units.append(dict(code=f"S{i:0{width}d}", name=s["name"], level="district",
                          kind=s["kind"], size=s["size"], minority=s["minority"], extra=[],
                          aliases=s["alias_list"]))  # fmt: skip
    return units


def base_size(params: SynthParams | Path | str | None = None) -> int:
    """Number of posts in one base district (the default ``people``)."""
    return sum(u["size"] for u in _base_units(_params(params)))


def _largest_remainder(quota: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Integer counts per row of ``quota`` (rows x cols) summing to ``total`` per row."""
    base = np.floor(quota).astype(np.int64)
    short = total - base.sum(axis=1)
    order = np.argsort(-(quota - base), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(quota.shape[1])[None, :], axis=1)
    return base + (rank < short[:, None])


@dataclass
class _Layout:
    units: pl.DataFrame  # canonical units + kind, size, district
    slot_unit: np.ndarray  # unit row per slot
    slot_role: np.ndarray  # role id per slot
    slot_position: pl.Series  # position text per slot
    roles: list[dict[str, Any]]  # role id -> role spec (+ profile name, kind)


def _layout(p: SynthParams, people: int) -> _Layout:
    base = _base_units(p)
    base_total = sum(u["size"] for u in base)
    n_districts = max(1, round(people / base_total))
    sizes = np.tile(np.array([u["size"] for u in base], dtype=np.float64), n_districts)
    sizes = _largest_remainder((sizes * people / sizes.sum())[None, :], np.array([people]))[0]
    width = len(str(n_districts))
    codes, names, levels, kinds, aliases, extras, minority, district = (
        [],
        [],
        [],
        [],
        [],
        [],
        [],
        [],
    )
    for d in range(n_districts):
        prefix = f"D{d + 1:0{width}d}-" if n_districts > 1 else ""
        suffix = f" (huyện {d + 1:0{width}d})" if n_districts > 1 else ""
        for u in base:
            codes.append(prefix + u["code"])
            names.append(u["name"] + suffix)
            levels.append(u["level"])
            kinds.append(u["kind"])
            aliases.append("; ".join(a + suffix for a in u["aliases"]))
            extras.append(u["extra"])
            minority.append(u["minority"])
            district.append(d)
    n_units = len(codes)
    units = pl.DataFrame(
        {
            "code": codes,
            "name": names,
            "level": levels,
            "aliases": aliases,
            "kind": kinds,
            "size": sizes,
            "minority": minority,
            "district": district,
        },
        schema_overrides={"size": pl.Int64},
    ).with_columns(pl.col("aliases").str.split("; "))

    # Roles: every unit kind's role list, plus the extra (district leadership) roles of the base
    # units that have them; counts are computed per unit kind with arrays over that kind's units.
    roles: list[dict[str, Any]] = []
    unit_parts, role_parts, count_parts = [], [], []
    kinds_arr = np.array(kinds)
    extra_key = np.array([str(e) for e in extras])
    for kind, spec in p["unit_kinds"].items():
        for key in sorted(set(extra_key[kinds_arr == kind])):
            sel = np.nonzero((kinds_arr == kind) & (extra_key == key))[0]
            if sel.size == 0:
                continue
            kind_roles = list(extras[sel[0]]) + list(spec["roles"])
            first_role = len(roles)
            for r in kind_roles:
                roles.append(dict(r, kind=kind, level=spec["level"]))
            remaining = sizes[sel].astype(np.int64)
            counts = np.zeros((sel.size, len(kind_roles)), dtype=np.int64)
            fill_cols = []
            for j, r in enumerate(kind_roles):
                if r.get("fill"):
                    fill_cols.append(j)
                    continue
                c = np.minimum(int(r.get("count", 1)), remaining)
                counts[:, j] = c
                remaining = remaining - c
            if fill_cols:
                w = np.array([float(kind_roles[j].get("weight", 1.0)) for j in fill_cols])
                quota = remaining[:, None] * (w / w.sum())[None, :]
                counts[:, fill_cols] = _largest_remainder(quota, remaining)
            unit_parts.append(np.repeat(sel, len(kind_roles)))
            role_parts.append(
                np.tile(np.arange(first_role, first_role + len(kind_roles)), sel.size)
            )
            count_parts.append(counts.ravel())
    unit_rep = np.concatenate(unit_parts)
    role_rep = np.concatenate(role_parts)
    count_rep = np.concatenate(count_parts)
    order = np.lexsort((role_rep, unit_rep))
    unit_rep, role_rep, count_rep = unit_rep[order], role_rep[order], count_rep[order]
    slot_unit = np.repeat(unit_rep, count_rep)
    slot_role = np.repeat(role_rep, count_rep)
    if slot_unit.size != people or n_units != units.height:
        raise AssertionError("slot layout does not add up")  # a bug, not a user error
    # Position text: a role's positions are handed out in turn within each unit.
    run_start = np.repeat(np.cumsum(count_rep) - count_rep, count_rep)
    within = np.arange(people) - run_start
    pos_labels: list[str] = []
    pos_offset = np.zeros(len(roles), dtype=np.int64)
    pos_len = np.zeros(len(roles), dtype=np.int64)
    for i, r in enumerate(roles):
        plist = r.get("positions") or [r.get("position", "")]
        pos_offset[i] = len(pos_labels)
        pos_len[i] = len(plist)
        pos_labels.extend(plist)
    pos_idx = pos_offset[slot_role] + within % pos_len[slot_role]
    slot_position = pl.Series(pos_labels, dtype=pl.Utf8).gather(pos_idx)
    return _Layout(units, slot_unit, slot_role, slot_position, roles)


# --- drawing attributes ------------------------------------------------------------------------


def _percentile_in_group(group: np.ndarray, u: np.ndarray, n_groups: int) -> np.ndarray:
    """Rank of ``u`` within its group, as a percentile in (0, 1): quota sampling."""
    # One float key sorts by group, then by u (u < 1), much faster than a two-key lexsort.
    order = np.argsort(group + u * 0.999)
    counts = np.bincount(group, minlength=n_groups)
    starts = np.cumsum(counts) - counts
    rank = np.empty(group.size, dtype=np.int64)
    rank[order] = np.arange(group.size) - starts[group[order]]
    return (rank + 0.5) / np.maximum(counts[group], 1)


def _categorical(cum: np.ndarray, group: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Category index from per-group cumulative shares ``cum`` (groups x categories)."""
    # One searchsorted per group rather than a people x categories comparison matrix.
    out = np.empty(group.size, dtype=np.int8)
    order = np.argsort(group.astype(np.int16), kind="stable")
    bounds = np.searchsorted(group[order], np.arange(cum.shape[0] + 1))
    for g in range(cum.shape[0]):
        sel = order[bounds[g] : bounds[g + 1]]
        if sel.size:
            out[sel] = np.searchsorted(cum[g], p[sel], side="right")
    return np.minimum(out, cum.shape[1] - 1)


def _cum_table(profiles: list[dict], col: str, vocab: tuple[str, ...], hire: bool) -> np.ndarray:
    rows = []
    for prof in profiles:
        shares = prof.get("hire", {}).get(col) if hire else None
        shares = shares or prof[col]
        rows.append(np.cumsum([float(shares.get(v, 0.0)) for v in vocab]))
    cum = np.array(rows)
    cum[:, -1] = 1.0 + 1e-9  # guard against rounding: the last category closes at 1
    return cum


class _Model:
    """Per-slot state arrays and the rules that move them from one year to the next."""

    def __init__(self, p: SynthParams, layout: _Layout, rng: np.random.Generator) -> None:
        from cadre_analytics import retirement
        from cadre_analytics.params import load_retirement_schedule

        self.p = p
        self.rng = rng
        self.layout = layout
        self.schedule = load_retirement_schedule()
        self._retirement = retirement
        self.profile_names = list(p["profiles"])
        self.profiles = [p["profiles"][n] for n in self.profile_names]
        pid = {n: i for i, n in enumerate(self.profile_names)}
        roles = layout.roles
        self.role_profile = np.array([pid[r["profile"]] for r in roles], dtype=np.int64)
        self.slot_profile = self.role_profile[layout.slot_role]
        n = layout.slot_unit.size
        self.n = n
        # Static per-slot columns (the post, not the person).
        st_code = {v: i for i, v in enumerate(schema.STAFF_TYPE)}
        ld_code = {v: i for i, v in enumerate(schema.LEADERSHIP)}
        role_st = np.array(
            [st_code[r.get("staff_type") or self.profiles[pid[r["profile"]]]["staff_type"]]
             for r in roles], dtype=np.int8)  # fmt: skip
        role_ld = np.array(
            [ld_code[r.get("leadership") or self.profiles[pid[r["profile"]]].get("leadership",
             "none")] for r in roles], dtype=np.int8)  # fmt: skip
        role_key = np.array([bool(self.profiles[pid[r["profile"]]].get("key_leader", False))
                             for r in roles])  # fmt: skip
        role_succ = np.array(
            [float(r.get("succession_share", self.profiles[pid[r["profile"]]].get(
                "succession_share", 0.0))) for r in roles])  # fmt: skip
        self.slot_staff_type = role_st[layout.slot_role]
        self.slot_leadership = role_ld[layout.slot_role]
        self.slot_key = role_key[layout.slot_role]
        self.slot_succ_share = role_succ[layout.slot_role]
        units = layout.units
        self.slot_unit_code = units["code"].gather(layout.slot_unit)
        self.slot_minority = units["minority"].to_numpy()[layout.slot_unit]
        self.is_pe = self.slot_staff_type == st_code["public_employee"]
        self.is_contract = self.slot_staff_type == st_code["contract"]
        # Ethnic groups and name parts.
        self.ethnic = [p["majority_group"], *p["minority_groups"]]
        mg = p["minority_groups"]
        self.minority_cum = np.cumsum([float(v) for v in mg.values()])
        self.minority_cum[-1] = 1.0 + 1e-9
        self._build_name_tables()
        self.cum = {
            (col, hire): _cum_table(self.profiles, col, vocab, hire)
            for col, vocab in (("education", _EDU), ("political_theory", _PT),
                               ("state_management", _SM), ("foreign_language", _FL))
            for hire in (False, True)
        }  # fmt: skip
        self.next_staff = 0

    def _build_name_tables(self) -> None:
        names = self.p["names"]
        self.part_labels: dict[str, list[str]] = {"family": [], "middle": [], "given": []}
        # offset/length per (ethnic group, female, part)
        self.part_index: dict[str, np.ndarray] = {
            k: np.zeros((len(self.ethnic), 2, 2), dtype=np.int64) for k in self.part_labels
        }
        for e, group in enumerate(self.ethnic):
            spec = names.get(group) or names[self.p["majority_group"]]
            for female in (0, 1):
                sex = "female" if female else "male"
                for part in ("family", "middle", "given"):
                    lst = spec.get(f"{part}_{sex}") or spec.get(part)
                    self.part_index[part][e, female] = (len(self.part_labels[part]), len(lst))
                    self.part_labels[part].extend(lst)
        self.part_series = {k: pl.Series(v, dtype=pl.Utf8) for k, v in self.part_labels.items()}

    # -- people ------------------------------------------------------------------------------

    def draw(self, idx: np.ndarray, year: int, hire: bool) -> dict[str, Any]:
        """Attributes for new holders of slots ``idx`` (as of 31 December ``year``).

        The first roster uses quota sampling within each profile (shares are exact); hires
        draw at random.
        """
        rng, n = self.rng, idx.size
        prof = self.slot_profile[idx]
        n_prof = len(self.profiles)

        def pct() -> np.ndarray:
            u = rng.random(n)
            return u if hire else _percentile_in_group(prof, u, n_prof)

        out: dict[str, Any] = {}
        female_share = np.array([float(x["female"]) for x in self.profiles])
        female = pct() < female_share[prof]
        out["female"] = female
        # Age on 31 December of `year`; never at or past the minimum statutory age there.
        key = "hire_age" if hire else "age"
        lo = np.array([float(x[key][0]) for x in self.profiles])[prof]
        hi = np.array([float(x[key][1]) for x in self.profiles])[prof]
        cap = np.where(female, 55.0, 60.0) - 0.05
        hi = np.minimum(hi, cap)
        lo = np.minimum(lo, hi - 0.5)
        if hire:
            age = lo + rng.random(n) * (hi - lo)
        else:
            mode = np.clip(np.array([float(x["age_mode"]) for x in self.profiles])[prof], lo, hi)
            age = rng.triangular(lo, mode, hi + 1e-9)
            flat = rng.random(n) < float(self.p["age_uniform_share"])
            age = np.where(flat, lo + rng.random(n) * (hi - lo), age)
        ref = (dt.date(year, 12, 31) - _EPOCH).days
        out["birth"] = (ref - np.floor(age * 365.2425)).astype(np.int32)
        # Ethnicity: minority by the unit's share, then the group.
        minority = rng.random(n) < self.slot_minority[idx]
        group = 1 + np.searchsorted(self.minority_cum, rng.random(n), side="right")
        out["ethnic"] = np.where(minority, np.minimum(group, len(self.ethnic) - 1), 0).astype(
            np.int8
        )
        out["name"] = self._names(out["ethnic"], female)
        for col in ("education", "political_theory", "state_management", "foreign_language"):
            out[col] = _categorical(self.cum[(col, hire)], prof, pct())
        it_share = np.array([float(x["it_use"]) for x in self.profiles])
        out["it_use"] = pct() < it_share[prof]
        fit_share = np.array([float(x.get("fits_position", 0.0)) for x in self.profiles])
        u = pct()
        unknown = float(self.p["fits_unknown"])
        rest = (u - fit_share[prof]) / np.maximum(1 - fit_share[prof], 1e-9)
        fits = np.where(u < fit_share[prof], 1, np.where(rest < unknown, -1, 0)).astype(np.int8)
        out["fits"] = np.where(self.is_pe[idx], fits, -1).astype(np.int8)
        out["succession"] = pct() < self.slot_succ_share[idx]
        out["staff_num"] = np.arange(self.next_staff, self.next_staff + n, dtype=np.int64)
        out["staff_id"] = _staff_ids(out["staff_num"])
        self.next_staff += n
        # Studies already under way (first roster) or started on hiring: none for new hires.
        out["st_edu"] = np.full(n, -1, np.int8)
        out["st_edu_until"] = np.zeros(n, np.int16)
        out["st_pt"] = np.full(n, -1, np.int8)
        out["st_pt_until"] = np.zeros(n, np.int16)
        out["retire"] = self._retire_days(out["birth"], female)
        return out

    def _names(self, ethnic: np.ndarray, female: np.ndarray) -> pl.Series:
        parts = []
        f = female.astype(np.int64)
        for part in ("family", "middle", "given"):
            table = self.part_index[part]
            off, ln = table[ethnic, f, 0], table[ethnic, f, 1]
            pick = off + np.floor(self.rng.random(ethnic.size) * ln).astype(np.int64)
            parts.append(self.part_series[part].gather(pick))
        frame = pl.DataFrame({"a": parts[0], "b": parts[1], "c": parts[2]})
        # K'Ho "K'" joins its given name with a space ("K' Brểu"); empty middles drop out.
        return frame.select(
            pl.concat_str(
                [pl.col("a"), pl.when(pl.col("b") != "").then(pl.col("b")), pl.col("c")],
                separator=" ",
                ignore_nulls=True,
            )
        ).to_series()

    def _retire_days(self, birth: np.ndarray, female: np.ndarray) -> np.ndarray:
        """Statutory retirement date (days since 1970) via ``retirement.retirement_date_expr``.

        The date depends only on the birth month and gender, so it is computed once per
        (month, gender) in range and looked up: millions of people cost a few hundred rows.
        """
        if birth.size == 0:
            return np.zeros(0, np.int32)
        month = birth.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        lo, hi = int(month.min()), int(month.max())
        months = np.arange(lo, hi + 1)
        first_day = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int32)
        table = pl.DataFrame(
            {
                "birth_date": pl.Series(np.tile(first_day, 2), dtype=pl.Int32).cast(pl.Date),
                "gender": ["male"] * months.size + ["female"] * months.size,
            }
        ).select(
            self._retirement.retirement_date_expr(
                pl.col("birth_date"), pl.col("gender"), self.schedule
            ).cast(pl.Int32)
        )
        lookup = table.to_series().to_numpy().astype(np.int32)
        return lookup[(month - lo) + female.astype(np.int64) * months.size]

    # -- the year-to-year rules -------------------------------------------------------------

    def start_studies(self, state: dict[str, Any], idx: np.ndarray, year: int, scale: float):
        """Some eligible people in ``idx`` start a course ending in a later year."""
        rng, dyn = self.rng, self.p["dynamics"]
        prof = self.slot_profile[idx]
        for col, st, until, nxt, vocab in (
            ("education", "st_edu", "st_edu_until", _EDU_NEXT, _EDU),
            ("political_theory", "st_pt", "st_pt_until", _PT_NEXT, _PT),
        ):
            rate = np.array([float(x["study"][col]) for x in self.profiles])[prof] * scale
            nxt_code = np.full((len(self.profiles), len(vocab)), -1, dtype=np.int8)
            for pi, x in enumerate(self.profiles):
                for a, b in nxt.items():
                    nxt_code[pi, vocab.index(a)] = vocab.index(b)
                if col == "education":
                    nxt_code[pi, vocab.index("university")] = vocab.index(
                        x.get("postgraduate", "master")
                    )
            cur = state[col][idx]
            target = nxt_code[prof, cur]
            # Postgraduate and advanced political theory are the long, selective steps.
            step = "postgraduate" if col == "education" else "advanced"
            is_high = cur == vocab.index("university" if col == "education" else "intermediate")
            rate = np.where(is_high, rate * float(dyn[f"{step}_study_factor"]), rate)
            start = (state[st][idx] < 0) & (target >= 0) & (rng.random(idx.size) < rate)
            lo, hi = dyn["study_duration"][col]
            dur = rng.integers(int(lo), int(hi) + 1, idx.size)
            sel = idx[start]
            state[st][sel] = target[start]
            state[until][sel] = (year + dur[start]).astype(np.int16)

    def advance(self, state: dict[str, Any], year: int) -> dict[str, int]:
        """Move the state from 31 Dec ``year - 1`` to 31 Dec ``year``; returns movement counts."""
        rng, dyn, n = self.rng, self.p["dynamics"], self.n
        ref = (dt.date(year, 12, 31) - _EPOCH).days
        retire = state["retire"] <= ref
        exit_rate = np.where(
            self.is_contract, float(dyn["contract_exit_rate"]), float(dyn["other_exit_rate"])
        )
        leave = retire | (rng.random(n) < exit_rate)
        stay = np.nonzero(~leave)[0]
        # Stayers: courses finishing this year, new courses, small upgrades.
        for col, st, until in (
            ("education", "st_edu", "st_edu_until"),
            ("political_theory", "st_pt", "st_pt_until"),
        ):
            done = stay[(state[st][stay] >= 0) & (state[until][stay] <= year)]
            state[col][done] = state[st][done]
            state[st][done] = -1
            state[until][done] = 0
        self.start_studies(state, stay, year, 1.0)
        fl = state["foreign_language"]
        up = stay[(rng.random(stay.size) < float(dyn["foreign_language_upgrade"]))]
        fl[up] = np.minimum(fl[up] + 1, _FL.index("B2")).astype(np.int8)
        sm = state["state_management"]
        u = rng.random(stay.size)
        rate = float(dyn["state_management_upgrade"])
        cur = sm[stay]
        to_spec = stay[(cur == 0) & (u < rate) & ~self.is_contract[stay] & ~self.is_pe[stay]]
        to_prin = stay[(cur == 1) & (u < rate * float(dyn["principal_upgrade_factor"]))]
        sm[to_spec] = 1
        sm[to_prin] = 2
        it = state["it_use"]
        gain = stay[~it[stay] & (rng.random(stay.size) < float(dyn["it_use_gain"]))]
        it[gain] = True
        # Leavers' posts go to new hires.
        hires = np.nonzero(leave)[0]
        new = self.draw(hires, year, hire=True)
        for k, v in new.items():
            if isinstance(v, pl.Series):
                # Not Series.scatter: it writes in place, into frames of earlier years too.
                pick = np.arange(n, dtype=np.int64)
                pick[hires] = n + np.arange(hires.size)
                state[k] = pl.concat([state[k], v]).gather(pick)
            else:
                state[k][hires] = v
        return {"retired": int(retire.sum()), "left": int(leave.sum() - retire.sum())}

    # -- frames ------------------------------------------------------------------------------

    def staff_frame(self, state: dict[str, Any], year: int) -> pl.DataFrame:
        def lab(codes: np.ndarray, vocab: tuple[str, ...]) -> pl.Series:
            # Code -1 (none) picks the trailing null of the label list.
            labels = pl.Series([*vocab, None], dtype=pl.Utf8)
            return labels.gather(np.where(codes >= 0, codes, len(vocab)).astype(np.int64))

        def until(codes: np.ndarray, years: np.ndarray) -> pl.Series:
            return pl.Series(np.where(codes >= 0, years, 0).astype(np.int32)).replace(0, None)

        frame = pl.DataFrame(
            {
                "snapshot_year": pl.Series(np.full(self.n, year, np.int32)),
                "staff_id": state["staff_id"],
                "full_name": state["name"],
                "birth_date": pl.Series(state["birth"].copy(), dtype=pl.Int32).cast(pl.Date),
                "gender": lab(state["female"].astype(np.int8), schema.GENDER),
                "ethnicity": pl.Series(self.ethnic, dtype=pl.Utf8).gather(
                    state["ethnic"].astype(np.int32)
                ),
                "unit": self.slot_unit_code,
                "staff_type": lab(self.slot_staff_type, schema.STAFF_TYPE),
                "position": self.layout.slot_position,
                "key_leader": pl.Series(self.slot_key),
                "leadership": lab(self.slot_leadership, schema.LEADERSHIP),
                "succession_planned": pl.Series(state["succession"]),
                "education": lab(state["education"], _EDU),
                "education_fits_position": pl.DataFrame({"f": state["fits"]})
                .select(pl.when(pl.col("f") >= 0).then(pl.col("f") == 1))
                .to_series(),
                "political_theory": lab(state["political_theory"], _PT),
                "state_management": lab(state["state_management"], _SM),
                "foreign_language": lab(state["foreign_language"], _FL),
                "it_use": pl.Series(state["it_use"]),
                "studying_education": lab(state["st_edu"], _EDU),
                "studying_education_until": until(state["st_edu"], state["st_edu_until"]),
                "studying_political_theory": lab(state["st_pt"], _PT),
                "studying_political_theory_until": until(state["st_pt"], state["st_pt_until"]),
            }
        )
        return frame.select([pl.col(c).cast(t).alias(c) for c, t in schema.STAFF_COLUMNS.items()])

    def training_frame(self, state: dict[str, Any], year: int, k: int) -> pl.DataFrame:
        """Completed knowledge-update courses in ``year`` by the people on its roster."""
        rng, tp = self.rng, self.p["training"]
        prof = self.slot_profile
        parts_idx, parts_topic = [], []
        for t, topic in enumerate(_TOPICS):
            rate = np.array([float(x["training"][topic]) for x in self.profiles])[prof]
            rate = np.where(rate > 0, np.minimum(rate + k * float(tp["yearly_increase"]),
                                                 float(tp["max_rate"])), 0.0)  # fmt: skip
            first = rng.random(self.n) < rate
            second = first & (rng.random(self.n) < float(tp["second_course"]))
            idx = np.concatenate([np.nonzero(first)[0], np.nonzero(second)[0]])
            parts_idx.append(idx)
            parts_topic.append(np.full(idx.size, t, np.int8))
        idx = np.concatenate(parts_idx)
        topic = np.concatenate(parts_topic)
        m = idx.size
        batches = int(tp["batches_per_year"])
        batch = rng.integers(0, batches, m)
        # A batch's courses fall in its share of the working year (after the New Year holiday,
        # before December, so a December snapshot never sees a course dated after it).
        start = (dt.date(year, 1, 10) - _EPOCH).days
        span = (dt.date(year, 12, 1) - dt.date(year, 1, 10)).days / batches
        day = (start + np.floor((batch + rng.random(m)) * span)).astype(np.int32)
        hours_opts = [list(map(float, tp["hours"][t])) for t in _TOPICS]
        width = max(len(h) for h in hours_opts)
        hours_tab = np.array([h + [h[-1]] * (width - len(h)) for h in hours_opts])
        hours_len = np.array([len(h) for h in hours_opts])
        hours = hours_tab[topic, np.floor(rng.random(m) * hours_len[topic]).astype(np.int64)]
        course_labels = [
            f"{tp['course_prefix'][t]}{year}-{b + 1:02d}" for t in _TOPICS for b in range(batches)
        ]
        course = pl.Series(course_labels, dtype=pl.Utf8).gather(topic.astype(np.int64) * batches
                                                                 + batch)  # fmt: skip
        # Date order; a stable radix sort on the day of year keeps it deterministic and fast.
        order = np.argsort((day - start).astype(np.int16), kind="stable")  # radix sort
        frame = pl.DataFrame(
            {
                "staff_id": state["staff_id"].gather(idx[order]),
                "date": pl.Series(day[order], dtype=pl.Int32).cast(pl.Date),
                "topic": pl.Series(list(_TOPICS), dtype=pl.Utf8).gather(topic[order]),
                "course": course.gather(order),
                "hours": pl.Series(hours[order], dtype=pl.Float64),
            }
        )
        return frame


def _staff_ids(nums: np.ndarray) -> pl.Series:
    """'CB00000001'...: strings, so leading zeros survive every format."""
    ids = pl.Series(nums + 1)
    return pl.select(
        pl.lit(STAFF_ID_PREFIX) + ids.cast(pl.Utf8).str.zfill(STAFF_ID_DIGITS)
    ).to_series()


def _years(years: range | tuple | list) -> list[int]:
    if isinstance(years, tuple) and len(years) == 2 and years[1] >= years[0]:
        out = list(range(int(years[0]), int(years[1]) + 1))
    else:
        out = [int(y) for y in years]
    if not out or out != list(range(out[0], out[0] + len(out))):
        raise UserError(
            "Các năm báo cáo phải liên tiếp, ví dụ 2021-2025.",
            "Snapshot years must be consecutive, e.g. 2021-2025.",
            where=f"years={years!r}",
        )
    return out


def iter_generate(
    people: int,
    years: range | tuple | list = DEFAULT_YEARS,
    seed: int = DEFAULT_SEED,
    params: SynthParams | Path | str | None = None,
):
    """Yield ``(year, staff, training_updates)`` per snapshot year, then stop.

    The generator form keeps only one year's frames alive, for very large ``people``.
    Use :func:`generate_units` for the units table of the same call.
    """
    p = _params(params)
    ys = _years(years)
    if people < 1:
        raise UserError(
            "Số người phải lớn hơn 0.", "people must be at least 1.", where=f"people={people}"
        )
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 1]))
    layout = _layout(p, people)
    model = _Model(p, layout, rng)
    all_slots = np.arange(model.n)
    state = model.draw(all_slots, ys[0], hire=False)
    # Courses already under way on the first roster (they end in a later year).
    model.start_studies(state, all_slots, ys[0],
                        float(p["dynamics"]["study_in_progress_at_start"]))  # fmt: skip
    for k, year in enumerate(ys):
        if k:
            model.advance(state, year)
        yield year, model.staff_frame(state, year), model.training_frame(state, year, k)


def generate_units(people: int, params: SynthParams | Path | str | None = None) -> pl.DataFrame:
    """The canonical units table for ``people`` (same layout as :func:`generate`)."""
    units = _layout(_params(params), people).units
    return units.select([pl.col(c).cast(t) for c, t in schema.UNIT_COLUMNS.items()])


def generate(
    people: int | None = None,
    years: range | tuple | list = DEFAULT_YEARS,
    seed: int = DEFAULT_SEED,
    params: SynthParams | Path | str | None = None,
) -> dict[str, pl.DataFrame]:
    """Canonical frames ``staff``, ``training_updates``, ``units`` for a synthetic district.

    ``people`` is the headcount of every snapshot (default: one base district, ~2,600);
    ``years`` a range or an inclusive ``(first, last)`` tuple. Same seed -> identical frames.
    """
    p = _params(params)
    people = base_size(p) if people is None else int(people)
    staff, training = [], []
    for _, s, t in iter_generate(people, years, seed, p):
        staff.append(s)
        training.append(t)
    return {
        "staff": pl.concat(staff, rechunk=False),
        "training_updates": pl.concat(training, rechunk=False),
        "units": generate_units(people, p),
    }


# --- writing what users have -------------------------------------------------------------------


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def _excel_serial(day: dt.date) -> int:
    return (day - EXCEL_EPOCH).days


def _vietnamese(p: SynthParams, table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Canonical codes -> the Vietnamese values users write (booleans as 'x' / empty)."""
    vals = p["values"]
    yes = vals["boolean"][True]
    no = vals["boolean"][False] or None
    explicit_no = vals.get("explicit_false", {})
    exprs = []
    for col, dtype in frame.schema.items():
        e = pl.col(col)
        vocab = {"studying_education": "education", "studying_political_theory":
                 "political_theory", "topic": "topic", "level": "level"}.get(col, col)  # fmt: skip
        if dtype == pl.Boolean:
            # Empty means "no" for most ticks; where empty means "not given" the "no" is written.
            e = pl.when(e).then(pl.lit(yes)).when(~e).then(pl.lit(explicit_no.get(col, no)))
        elif vocab in vals and vocab != "boolean" and dtype == pl.Utf8:
            labels = [v if v != "" else None for v in vals[vocab].values()]
            try:
                # Codes -> positions -> labels: ~2x faster than a hash replace on millions.
                pos = frame[col].cast(pl.Enum(list(vals[vocab]))).to_physical()
                e = pl.lit(pl.Series(labels, dtype=pl.Utf8).gather(pos))
            except pl.exceptions.InvalidOperationError:
                # A value outside the vocabulary (frames not from generate()): kept as is.
                e = e.replace(dict(zip(vals[vocab], labels, strict=True)))
        elif col == "aliases":
            e = e.list.join("; ")
        exprs.append(e.alias(col))
    return frame.select(exprs)


@dataclass
class _Dirt:
    """Cell edits for one table: column -> {row: value}, plus rows to append."""

    edits: dict[str, dict[int, Any]]
    append: list[int]
    log: list[dict[str, Any]]


def _pick_rows(rng: np.random.Generator, n: int, want: int) -> list[int]:
    if n == 0:
        return []
    draw = rng.integers(0, n, size=min(max(want * 20, 200), 4 * n + 200))
    _, first = np.unique(draw, return_index=True)
    return [int(x) for x in draw[np.sort(first)]]


def _dirt_share(count: int, kind_index: int, k: int, n_years: int) -> int:
    """How many of ``count`` dirty cells of one kind go to year number ``k``.

    Spread over the years (offset per kind so small counts do not all land in the first year).
    """
    return sum(1 for j in range(count) if (j + kind_index) % n_years == k)


def _plan_staff_dirt(
    p: SynthParams,
    staff: pl.DataFrame,
    units: pl.DataFrame,
    rng: np.random.Generator,
    counts: dict[str, int],
    done: dict[str, int] | None = None,
) -> _Dirt:
    """Choose the dirty cells of one year's staff rows (row numbers local to ``staff``).

    ``done``: cells of each kind planned in earlier years, so the variants keep rotating.
    """
    done = done or {}
    d = p["dirt"]
    cand = _pick_rows(rng, staff.height, sum(counts.values()))
    used: set[int] = set()
    edits: dict[str, dict[int, Any]] = {}
    log: list[dict[str, Any]] = []
    rows = staff.with_row_index("_i").filter(pl.col("_i").is_in(cand))
    by_row = {r["_i"]: r for r in rows.iter_rows(named=True)}
    vals = p["values"]

    def take(pred=lambda r: True) -> dict | None:
        for i in cand:
            if i not in used and pred(by_row[i]):
                used.add(i)
                return by_row[i]
        return None

    def edit(kind: str, r: dict, col: str, value: Any) -> None:
        edits.setdefault(col, {})[r["_i"]] = value
        log.append(dict(table="staff", kind=kind, row=r["_i"], column=col, value=str(value),
                        staff_id=r["staff_id"], snapshot_year=r["snapshot_year"]))  # fmt: skip

    append = []
    for _ in range(counts.get("duplicate", 0)):
        r = take()
        if r:
            append.append(r["_i"])
            log.append(dict(table="staff", kind="duplicate", row=staff.height + len(append) - 1,
                            column="", value="", staff_id=r["staff_id"],
                            snapshot_year=r["snapshot_year"]))  # fmt: skip
    syn = d["synonyms"]
    cols = list(syn)
    for j in range(done.get("synonym", 0), done.get("synonym", 0) + counts.get("synonym", 0)):
        for c in cols[j % len(cols) :] + cols[: j % len(cols)]:
            targets = list(syn[c])
            wanted = targets[(j // len(cols)) % len(targets)]
            r = take(lambda r, c=c, w=wanted: r[c] == w) or take(lambda r, c=c: r[c] in syn[c])
            if r:
                choices = syn[c][r[c]]
                edit("synonym", r, c, choices[j % len(choices)])
                break
    for j in range(done.get("nfd_text", 0), done.get("nfd_text", 0) + counts.get("nfd_text", 0)):
        if j % 2 == 0:
            r = take(lambda r: _nfd(r["full_name"] or "") != (r["full_name"] or ""))
            if r:
                edit("nfd_text", r, "full_name", _nfd(r["full_name"]))
        else:
            r = take(lambda r: r["education"] in ("intermediate", "university", "college"))
            if r:
                edit("nfd_text", r, "education", _nfd(vals["education"][r["education"]]))
    for _ in range(counts.get("birth_date_text", 0)):
        r = take()
        if r:
            edit("birth_date_text", r, "birth_date", r["birth_date"].strftime("%d/%m/%Y"))
    for _ in range(counts.get("birth_date_serial", 0)):
        r = take()
        if r:
            edit("birth_date_serial", r, "birth_date", _excel_serial(r["birth_date"]))
    unknown = d["unknown_values"]
    for j in range(
        done.get("unknown_value", 0), done.get("unknown_value", 0) + counts.get("unknown_value", 0)
    ):
        r = take()
        if r:
            u = unknown[j % len(unknown)]
            edit("unknown_value", r, u["column"], u["value"])
    if counts.get("unit_by_name", 0):
        unit_names = dict(zip(units["code"], units["name"], strict=True))
        unit_alias = dict(zip(units["code"], units["aliases"].to_list(), strict=True))
    for j in range(
        done.get("unit_by_name", 0), done.get("unit_by_name", 0) + counts.get("unit_by_name", 0)
    ):
        r = take(lambda r: r["unit"] in unit_names)
        if r:
            aliases = unit_alias[r["unit"]] or []
            value = aliases[0] if (j % 2 and aliases) else unit_names[r["unit"]]
            edit("unit_by_name", r, "unit", value)
    return _Dirt(edits, append, log)


def _plan_training_dirt(
    p: SynthParams, training: pl.DataFrame, rng: np.random.Generator, counts: dict[str, int]
) -> _Dirt:
    """Choose the dirty dates of one year's training rows (row numbers local)."""
    cand = _pick_rows(rng, training.height, sum(counts.values()))
    dates = training["date"]
    ids = training["staff_id"]
    edits: dict[str, dict[int, Any]] = {"date": {}}
    log: list[dict[str, Any]] = []
    it = iter(cand)
    for kind in ("training_date_text", "training_date_serial"):
        for _ in range(counts.get(kind, 0)):
            i = next(it, None)
            if i is None:
                break
            day = dates[i]
            value = day.strftime("%d/%m/%Y") if kind == "training_date_text" else _excel_serial(day)
            edits["date"][i] = value
            log.append(dict(table="training_updates", kind=kind, row=i, column="date",
                            value=str(value), staff_id=ids[i], snapshot_year=None))  # fmt: skip
    return _Dirt(edits, [], log)


def _departed_rows(p: SynthParams, year: int, n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "staff_id": [p["dirt"]["departed_staff_id"]] * n,
            "date": [dt.date(year, 3, 15)] * n,
            "topic": ["law"] * n,
            "course": [f"{p['training']['course_prefix']['law']}{year}-01"] * n,
            "hours": [8.0] * n,
        },
        schema=schema.TRAINING_COLUMNS,
    )


def _apply_text_edits(
    frame: pl.DataFrame, edits: dict[str, dict[int, Any]], as_text: tuple[str, ...] = ()
) -> pl.DataFrame:
    """Scatter string edits; columns in ``as_text`` (dates) become ISO text even if unedited."""
    cols = {c: frame[c].cast(pl.Utf8) for c in as_text if c in frame.columns}
    for col, cell in edits.items():
        if not cell:
            continue
        s = cols.get(col, frame[col])
        if s.dtype != pl.Utf8:
            s = s.cast(pl.Utf8)
        # Not Series.scatter: it writes in place, into the caller's frames.
        pick = np.arange(s.len(), dtype=np.int64)
        pick[list(cell)] = s.len() + np.arange(len(cell))
        cols[col] = pl.concat(
            [s, pl.Series([str(v) for v in cell.values()], dtype=pl.Utf8)]
        ).gather(pick)
    return frame.with_columns(**cols) if cols else frame


def _headers(p: SynthParams, table: str, frame: pl.DataFrame, vietnamese: bool) -> pl.DataFrame:
    if not vietnamese:
        return frame
    return frame.rename(p["headers"][table])


def _write_xlsx(path: Path, sheets: dict[str, tuple[pl.DataFrame, dict[str, dict[int, Any]]]]):
    """One workbook; ``edits`` are typed cell overrides (text dates, serial numbers)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, (frame, edits) in sheets.items():
        ws = wb.create_sheet(name)
        header = []
        for col in frame.columns:
            cell = WriteOnlyCell(ws, value=col)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        date_cols = [j for j, t in enumerate(frame.dtypes) if t == pl.Date]
        pos = {c: j for j, c in enumerate(frame.columns)}
        over = {(i, pos[c]): v for c, cells in edits.items() for i, v in cells.items()}
        for i, row in enumerate(frame.iter_rows()):
            out: list[Any] = [None if v == "" else v for v in row]
            for j in date_cols:
                if out[j] is not None:
                    cell = WriteOnlyCell(ws, value=out[j])
                    cell.number_format = "dd/mm/yyyy"
                    out[j] = cell
            if over:
                for j in range(len(out)):
                    if (i, j) in over:
                        out[j] = over[(i, j)]
            ws.append(out)
    wb.save(path)


class _DatasetWriter:
    """Writes one snapshot year at a time, so a national-size dataset never sits in memory.

    Dirt is planned per year (counts spread over the years by ``_dirt_share``), so writing
    ``generate()``'s frames and streaming ``iter_generate()`` give the same files.
    """

    def __init__(self, p: SynthParams, out_dir: Path, fmt: str, vietnamese: bool, dirt: bool,
                 seed: int, years: list[int], units: pl.DataFrame, split: bool,
                 workbook_name: str) -> None:  # fmt: skip
        if fmt not in ("xlsx", "parquet", "csv"):
            raise UserError(
                f"Định dạng '{fmt}' không được hỗ trợ (xlsx, parquet, csv).",
                f"Format '{fmt}' is not supported (xlsx, parquet, csv).",
                where="--format",
            )
        self.p, self.fmt, self.vietnamese, self.dirt = p, fmt, vietnamese, dirt
        self.out = Path(out_dir)
        self.out.mkdir(parents=True, exist_ok=True)
        self.years, self.units, self.split = years, units, split
        self.workbook_name = workbook_name
        self.rng = np.random.default_rng(np.random.SeedSequence([int(seed), 2]))
        self.rows = {"staff": 0, "training_updates": 0, "units": units.height}
        self.log: list[dict[str, Any]] = []
        self.files: list[str] = []
        self.keep: dict[str, list] = {"staff": [], "training_updates": []}
        # Year files are written by one background thread while the next year is generated
        # (polars releases the GIL while it encodes parquet).
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.pending: list[Future] = []
        # Text dates must be one column type across every file of a table.
        self.text_dates = dirt and fmt != "xlsx"

    def _counts(self, k: int, kinds: tuple[str, ...]) -> dict[str, int]:
        if not self.dirt:
            return {}
        d, n = self.p["dirt"], len(self.years)
        out = {}
        for kind in kinds:
            ki = _DIRT_COUNTS.index(kind)
            if kind == "duplicate":  # in the second year: an old snapshot re-pasted
                out[kind] = int(d[kind]) if k == min(1, n - 1) else 0
            else:
                out[kind] = _dirt_share(int(d[kind]), ki, k, n)
        return out

    def add_year(self, year: int, staff: pl.DataFrame, training: pl.DataFrame) -> None:
        k = self.years.index(year)
        p = self.p
        staff_kinds = ("synonym", "nfd_text", "birth_date_text", "birth_date_serial",
                       "unknown_value", "duplicate", "unit_by_name")  # fmt: skip
        s_dirt = _Dirt({}, [], [])
        t_dirt = _Dirt({}, [], [])
        if self.dirt:
            done = {kind: 0 for kind in _DIRT_COUNTS}
            for entry in self.log:
                done[entry["kind"]] += 1
            s_dirt = _plan_staff_dirt(p, staff, self.units, self.rng,
                                      self._counts(k, staff_kinds), done)  # fmt: skip
            t_dirt = _plan_training_dirt(p, training, self.rng, self._counts(
                k, ("training_date_text", "training_date_serial")))  # fmt: skip
            n_departed = int(p["dirt"]["departed_training"]) if k == 0 else 0
            if n_departed:
                for j in range(n_departed):
                    t_dirt.log.append(dict(table="training_updates", kind="departed_training",
                                           row=training.height + j, column="staff_id",
                                           value=p["dirt"]["departed_staff_id"],
                                           staff_id=p["dirt"]["departed_staff_id"],
                                           snapshot_year=None))  # fmt: skip
                training = pl.concat([training, _departed_rows(p, year, n_departed)])
        staff_vi = _vietnamese(p, "staff", staff)
        if s_dirt.append:
            # An exact copy after the last row of its year, as a re-pasted line would be.
            staff_vi = pl.concat([staff_vi, staff_vi[s_dirt.append]])
        training_vi = _vietnamese(p, "training_updates", training)
        for table, frame, dirt, date_col in (
            ("staff", staff_vi, s_dirt, "birth_date"),
            ("training_updates", training_vi, t_dirt, "date"),
        ):
            offset = self.rows[table]
            for entry in dirt.log:
                entry["row"] += offset
            self.log.extend(dirt.log)
            if self.fmt == "xlsx":
                text = {c: v for c, v in dirt.edits.items() if c != date_col}
                frame = _apply_text_edits(frame, text)
                typed = {offset + i: v for i, v in dirt.edits.get(date_col, {}).items()}
                self.keep[table].append((frame, typed))
            else:
                as_text = (date_col,) if self.text_dates else ()
                frame = _apply_text_edits(frame, dirt.edits, as_text)
                if self.split:
                    self._drain(keep=1)
                    self.pending.append(
                        self.pool.submit(self._write, f"{table}_{year}", table, frame)
                    )
                else:
                    self.keep[table].append((frame, {}))
            self.rows[table] += frame.height

    def _write(self, name: str, table: str, frame: pl.DataFrame) -> None:
        frame = _headers(self.p, table, frame, self.vietnamese)
        path = self.out / f"{name}.{self.fmt}"
        if self.fmt == "parquet":
            frame.write_parquet(path)
        else:
            frame.write_csv(path)
        self.files.append(path.name)

    def _drain(self, keep: int = 0) -> None:
        while len(self.pending) > keep:
            self.pending.pop(0).result()  # re-raises a write error here

    def finish(self) -> dict[str, Any]:
        self._drain()
        self.pool.shutdown()
        p = self.p
        units_vi = _vietnamese(p, "units", self.units)
        if self.fmt == "xlsx":
            sheets = {}
            for table, date_col in (("staff", "birth_date"), ("training_updates", "date")):
                parts = self.keep[table]
                frame = pl.concat([f for f, _ in parts]) if parts else pl.DataFrame()
                typed = {i: v for _, t in parts for i, v in t.items()}
                sheets[table] = (
                    _headers(p, table, frame, self.vietnamese),
                    {_hdr(p, table, date_col, self.vietnamese): typed},
                )
            sheets["units"] = (_headers(p, "units", units_vi, self.vietnamese), {})
            path = self.out / self.workbook_name
            _write_xlsx(path, sheets)
            self.files.append(path.name)
            for entry in self.log:
                entry["excel_row"] = entry["row"] + 2  # 1-based, after the header row
        else:
            for table in ("staff", "training_updates"):
                if self.keep[table]:
                    self._write(table, table, pl.concat([f for f, _ in self.keep[table]]))
            self._write("units", "units", units_vi)
        counts = {k: 0 for k in _DIRT_COUNTS}
        for entry in self.log:
            counts[entry["kind"]] += 1
        return {
            "format": self.fmt,
            "out_dir": str(self.out),
            "files": sorted(self.files),
            "rows": dict(self.rows),
            "dirt": counts if self.dirt else {},
            "dirt_cells": self.log,
        }


def write_dataset(
    tables: dict[str, pl.DataFrame],
    out_dir: Path | str,
    fmt: str = "xlsx",
    vietnamese_headers: bool = True,
    dirt: bool = True,
    seed: int = DEFAULT_SEED,
    params: SynthParams | Path | str | None = None,
    split_staff: bool | None = None,
    workbook_name: str = "sample_district.xlsx",
) -> dict[str, Any]:
    """Write ``tables`` (canonical frames from :func:`generate`) the way users have them.

    ``fmt``: ``xlsx`` (one workbook, sheets staff / training_updates / units), ``parquet`` or
    ``csv`` (one file per table; staff and training split per year as ``staff_YYYY.*`` and
    ``training_updates_YYYY.*`` when over a million staff rows or when ``split_staff``).
    Values are written in Vietnamese (``values`` in params/synth.yaml), with Vietnamese
    headers unless ``vietnamese_headers=False``. With ``dirt`` a seeded handful of dirty cells
    is injected (dates become text columns in parquet/csv). Returns metadata: ``files``,
    ``rows`` (per table, as written), ``dirt`` (count per kind) and ``dirt_cells`` (one dict per
    dirty cell: table, kind, row = 0-based row in the table as written with all years in order,
    column, value, staff_id, snapshot_year; ``excel_row`` for xlsx).
    """
    p = _params(params)
    staff, training, units = tables["staff"], tables["training_updates"], tables["units"]
    if fmt == "xlsx" and staff.height > XLSX_MAX_ROWS:
        raise UserError(
            f"{staff.height:,} dòng là quá nhiều cho một tệp Excel.",
            f"{staff.height:,} rows are too many for an Excel file.",
            where="--format xlsx",
            fix_vi="Dùng --format parquet.",
            fix_en="Use --format parquet.",
        )
    years = sorted(int(y) for y in staff["snapshot_year"].unique())
    split = split_staff if split_staff is not None else staff.height > SPLIT_STAFF_ROWS
    writer = _DatasetWriter(p, Path(out_dir), fmt, vietnamese_headers, dirt, seed, years,
                            units, split, workbook_name)  # fmt: skip
    t_year = training["date"].dt.year()
    # Training rows dated outside the snapshot years go with the first year.
    t_year = pl.select(pl.when(t_year.is_in(years)).then(t_year).otherwise(years[0])).to_series()
    for year in years:
        writer.add_year(
            year,
            staff.filter(pl.col("snapshot_year") == year),
            training.filter(t_year == year),
        )
    return writer.finish()


def write_generated(
    out_dir: Path | str,
    people: int | None = None,
    years: range | tuple | list = DEFAULT_YEARS,
    seed: int = DEFAULT_SEED,
    fmt: str = "parquet",
    vietnamese_headers: bool = True,
    dirt: bool = True,
    params: SynthParams | Path | str | None = None,
    split_staff: bool | None = None,
    workbook_name: str = "sample_district.xlsx",
) -> dict[str, Any]:
    """``write_dataset(generate(...), ...)`` one year at a time: same files, a year's memory.

    Use this for benchmark sizes (2.5 million people x 5 years).
    """
    p = _params(params)
    people = base_size(p) if people is None else int(people)
    ys = _years(years)
    if fmt == "xlsx" and people * len(ys) > XLSX_MAX_ROWS:
        raise UserError(
            f"{people * len(ys):,} dòng là quá nhiều cho một tệp Excel.",
            f"{people * len(ys):,} rows are too many for an Excel file.",
            where="--format xlsx",
            fix_vi="Dùng --format parquet.",
            fix_en="Use --format parquet.",
        )
    split = split_staff if split_staff is not None else people * len(ys) > SPLIT_STAFF_ROWS
    units = generate_units(people, p)
    writer = _DatasetWriter(p, Path(out_dir), fmt, vietnamese_headers, dirt, seed, ys, units,
                            split, workbook_name)  # fmt: skip
    for year, staff, training in iter_generate(people, ys, seed, p):
        writer.add_year(year, staff, training)
    return writer.finish()


def _hdr(p: SynthParams, table: str, col: str, vietnamese: bool) -> str:
    return p["headers"][table][col] if vietnamese else col


# --- command line ------------------------------------------------------------------------------


def _parse_years(text: str) -> range:
    try:
        if "-" in text:
            a, b = text.split("-", 1)
            return range(int(a), int(b) + 1)
        return range(int(text), int(text) + 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"years must look like 2021-2025, got {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    """``synth --people N --years 2021-2025 --seed S --out DIR [--format xlsx|parquet|csv]``."""
    ap = argparse.ArgumentParser(prog="python -m tools.synth")
    ap.add_argument("--people", type=int, default=None)
    ap.add_argument("--years", type=_parse_years, default=DEFAULT_YEARS)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--format", choices=("xlsx", "parquet", "csv"), default=None)
    ap.add_argument("--clean", action="store_true", help="no injected dirt")
    args = ap.parse_args(argv)
    meta = write_generated(
        args.out,
        people=args.people,
        years=args.years,
        seed=args.seed,
        fmt=args.format or ("xlsx" if (args.people or 0) <= 20_000 else "parquet"),
        dirt=not args.clean,
    )
    print(
        f"Đã tạo dữ liệu mẫu / Synthetic data written: {args.out} ({meta['format']}) {meta['rows']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
