"""The district's units and their slots (posts): each slot is held by one person at a time."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from tools.synth.params import SynthParams, resolve_params


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _base_units(p: SynthParams, timeline: bool = False) -> list[dict[str, Any]]:
    """The units of one district, in code order, with their kind, size and minority share.

    ``home``: the commune a commune or a school stands in (its code), for the reorganisation.
    With ``timeline`` the communes carry their official codes rather than X01...
    """
    units: list[dict[str, Any]] = []
    codes = [str(c["code"]) if timeline else f"X{i:02d}" for i, c in enumerate(p["communes"], 1)]
    for c, code in zip(p["communes"], codes, strict=True):
        alias = "TT " + c["short"] if c["kind"] == "town" else c["short"]
        units.append(dict(code=code, name=c["name"], level="commune", kind=c["kind"],
                          size=c["size"], minority=c["minority"], extra=[], home=code,
                          aliases=[f"UBND {_lower_first(c['name'])}", alias]))  # fmt: skip
    for i, a in enumerate(p["agencies"], start=1):
        units.append(dict(code=f"H{i:02d}", name=a["name"], level="district", kind=a["kind"],
                          size=a["size"], minority=a["minority"],
                          extra=a.get("extra_roles", []), aliases=[a["alias"]],
                          home=None))  # fmt: skip
    service = [dict(s, alias_list=[s["alias"]], home=None) for s in p["service_units"]]
    for school in p["schools"]:
        for c, code in zip(p["communes"], codes, strict=True):
            service.append(dict(name=f"{school['prefix']} {c['short']}", kind=school["kind"],
                                size=school["size"],
                                minority=c["minority"] * p["school_minority_factor"],
                                alias_list=[f"{school['alias_prefix']} {c['short']}"],
                                home=code))  # fmt: skip
    width = max(2, len(str(len(service))))
    for i, s in enumerate(service, start=1):
        units.append(dict(code=f"S{i:0{width}d}", name=s["name"], level="district",
                          kind=s["kind"], size=s["size"], minority=s["minority"], extra=[],
                          aliases=s["alias_list"], home=s["home"]))  # fmt: skip
    return units


def base_size(params: SynthParams | Path | str | None = None) -> int:
    """Number of posts in one base district (the default ``people``)."""
    return sum(u["size"] for u in _base_units(resolve_params(params)))


def _largest_remainder(quota: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Integer counts per row of ``quota`` (rows x cols) summing to ``total`` per row."""
    base = np.floor(quota).astype(np.int64)
    short = total - base.sum(axis=1)
    order = np.argsort(-(quota - base), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(quota.shape[1])[None, :], axis=1)
    return base + (rank < short[:, None])


@dataclass
class SlotLayout:
    units: pl.DataFrame  # canonical units + kind, size, district, home, prefix, suffix
    slot_unit: np.ndarray  # unit row per slot
    slot_role: np.ndarray  # role id per slot
    slot_position: pl.Series  # position text per slot
    roles: list[dict[str, Any]]  # role id -> role spec (+ profile name, kind)


def _district_units(base: list[dict[str, Any]], sizes: np.ndarray, n_districts: int):
    """The base district's units repeated ``n_districts`` times (codes ``D01-``... when > 1).

    ``prefix``/``suffix`` (what a repeat adds to codes and names) and ``home`` (the commune's
    code, without prefix) let the reorganisation name each repeat's new xã the same way.
    """
    width = len(str(n_districts))
    cols: dict[str, list] = {
        k: []
        for k in (
            "code",
            "name",
            "level",
            "aliases",
            "kind",
            "minority",
            "district",
            "home",
            "prefix",
            "suffix",
        )
    }
    for d in range(n_districts):
        prefix = f"D{d + 1:0{width}d}-" if n_districts > 1 else ""
        suffix = f" (huyện {d + 1:0{width}d})" if n_districts > 1 else ""
        for u in base:
            for key, value in (("code", prefix + u["code"]), ("name", u["name"] + suffix),
                               ("level", u["level"]), ("kind", u["kind"]),
                               ("aliases", "; ".join(a + suffix for a in u["aliases"])),
                               ("minority", u["minority"]), ("district", d), ("home", u["home"]),
                               ("prefix", prefix), ("suffix", suffix)):  # fmt: skip
                cols[key].append(value)
    return pl.DataFrame(
        {**cols, "size": sizes}, schema_overrides={"size": pl.Int64, "home": pl.Utf8}
    ).with_columns(pl.col("aliases").str.split("; "))


def slot_layout(p: SynthParams, people: int, timeline: bool = False) -> SlotLayout:
    base = _base_units(p, timeline)
    base_total = sum(u["size"] for u in base)
    n_districts = max(1, round(people / base_total))
    sizes = np.tile(np.array([u["size"] for u in base], dtype=np.float64), n_districts)
    sizes = _largest_remainder((sizes * people / sizes.sum())[None, :], np.array([people]))[0]
    units = _district_units(base, sizes, n_districts)
    n_units = units.height
    kinds = units["kind"].to_list()
    extras = [u["extra"] for u in base] * n_districts

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
    return SlotLayout(units, slot_unit, slot_role, slot_position, roles)
