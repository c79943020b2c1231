"""The 2025 reorganisation in the sample: Di Linh's 19 communes merged into 7 xã, the district
level ended on 30 June 2025 (``reorganisation`` in ``params/synth.yaml``).

The units table gets one row per unit *epoch*: ``valid_from`` (empty: since before the data),
``valid_to`` (the last day the unit existed; empty: still exists) and ``successor`` (the code of
the unit that took it over the next day; empty: none, it left the scope). A snapshot dated on or
after the effective day puts each person in the unit their post belongs to from then on, or
leaves them off the roster when their post left the scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from cadre_analytics import schema
from tools.synth.layout import SlotLayout
from tools.synth.params import SynthParams

EPOCH_COLUMNS: dict[str, pl.DataType] = {
    "valid_from": pl.Date,
    "valid_to": pl.Date,
    "successor": pl.Utf8,
}
UNIT_EPOCH_COLUMNS = {**schema.UNIT_COLUMNS, **EPOCH_COLUMNS}
# Posts a merged xã has one of: the named commune's holder keeps it, the others' become deputies.
HEADS = ("Bí thư", "Chủ tịch", "Phó Bí thư Thường trực")


@dataclass(frozen=True)
class Reorganisation:
    effective: dt.date  # the first day of the new units
    units: pl.DataFrame  # one row per unit epoch (UNIT_EPOCH_COLUMNS)
    slot_code: pl.Series  # each post's unit code from `effective` on (null: out of scope)
    slot_moved: np.ndarray  # a district body's post that became a commune civil servant's
    slot_deputy: np.ndarray  # a merged commune's Bí thư / Chủ tịch post, now a deputy's

    def applies(self, year: int) -> bool:
        """Whether the snapshot of 31 December ``year`` is dated after the reorganisation."""
        return dt.date(year, 12, 31) >= self.effective


def effective_day(p: SynthParams) -> dt.date:
    return dt.date.fromisoformat(str(p["reorganisation"]["effective"]))


def _new_communes(p: SynthParams, units: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The new xã of every repeat of the district, and old commune code -> new xã code."""
    r = p["reorganisation"]
    repeats = units.select("district", "prefix", "suffix").unique("district", maintain_order=True)
    new = pl.DataFrame(
        {
            "new": [str(c["code"]) for c in r["communes"]],
            "name": [c["name"] for c in r["communes"]],
            "short": [c["short"] for c in r["communes"]],
            "turn": list(range(len(r["communes"]))),
        }
    )
    merged = pl.DataFrame(
        {
            "home": [str(old) for c in r["communes"] for old in c["merged"]],
            "new": [str(c["code"]) for c in r["communes"] for _ in c["merged"]],
            "named_after": [
                str(old) == str(c["named_after"]) for c in r["communes"] for old in c["merged"]
            ],
        }
    )
    new = repeats.join(new, how="cross").with_columns(
        code=pl.col("prefix") + pl.col("new"),
        name=pl.col("name") + pl.col("suffix"),
        aliases=pl.concat_list(
            pl.lit("UBND xã ") + pl.col("short") + pl.col("suffix"),
            pl.col("short") + pl.col("suffix"),
        ),
    )
    return new, merged


def _epochs(p: SynthParams, units: pl.DataFrame, new: pl.DataFrame, succ: pl.Expr):
    """The units table: old epochs (ending the day before), new xã, schools' second epochs."""
    r = p["reorganisation"]
    start = effective_day(p)
    last_day = start - dt.timedelta(days=1)
    to_communes = pl.col("kind").is_in(list(r["to_communes"]))
    old = units.with_columns(
        valid_from=pl.lit(None, pl.Date),
        valid_to=pl.lit(last_day),
        successor=pl.when(pl.col("level") == "commune")
        .then(succ)
        .when(to_communes)
        .then(pl.col("code")),
    )
    schools = units.filter(to_communes).with_columns(
        level=pl.lit("commune"),
        valid_from=pl.lit(start),
        valid_to=pl.lit(None, pl.Date),
        successor=pl.lit(None, pl.Utf8),
    )
    new = new.with_columns(
        level=pl.lit("commune"),
        valid_from=pl.lit(start),
        valid_to=pl.lit(None, pl.Date),
        successor=pl.lit(None, pl.Utf8),
    )
    cols = [pl.col(c).cast(t) for c, t in UNIT_EPOCH_COLUMNS.items()]
    return pl.concat([old.select(cols), new.select(cols), schools.select(cols)])


def _moved_posts(p: SynthParams, layout: SlotLayout, st: np.ndarray, ld: np.ndarray):
    """District bodies' posts that moved to a new xã: ``moved_of_ten`` of every ten.

    District leaders and contract staff are never among them. The moved posts of each repeat
    of the district are handed to its new xã in turn (the first to the first xã listed...).
    Returns (moved mask, the xã's turn per post).
    """
    r = p["reorganisation"]
    units = layout.units
    body = (units["level"] == "district").to_numpy() & ~units["kind"].is_in(
        list(r["to_communes"]) + list(r["to_province"])
    ).to_numpy()
    unit = layout.slot_unit
    eligible = body[unit] & (st != schema.STAFF_TYPE.index("contract"))
    eligible &= ld != schema.LEADERSHIP.index("district")
    # Rank of each eligible post among its unit's eligible posts (slots are in unit order).
    idx = np.nonzero(eligible)[0]
    first = np.r_[True, unit[idx][1:] != unit[idx][:-1]]
    run_start = np.maximum.accumulate(np.where(first, np.arange(idx.size), 0))
    rank = np.arange(idx.size) - run_start
    moved_idx = idx[rank % 10 < int(r["moved_of_ten"])]
    moved = np.zeros(unit.size, dtype=bool)
    moved[moved_idx] = True
    # The turn counts within each repeat of the district.
    district = units["district"].to_numpy()[unit[moved_idx]]
    first_d = np.r_[True, district[1:] != district[:-1]]
    d_start = np.maximum.accumulate(np.where(first_d, np.arange(moved_idx.size), 0))
    turn = np.full(unit.size, -1, dtype=np.int64)
    turn[moved_idx] = (np.arange(moved_idx.size) - d_start) % len(r["communes"])
    return moved, turn


def reorganise(
    p: SynthParams, layout: SlotLayout, staff_type: np.ndarray, leadership: np.ndarray
) -> Reorganisation:
    """The reorganisation of ``layout``'s district(s); ``staff_type``/``leadership`` per post
    (indices into ``schema.STAFF_TYPE`` / ``schema.LEADERSHIP``)."""
    r = p["reorganisation"]
    units = layout.units
    new, merged = _new_communes(p, units)
    units = units.join(merged, on="home", how="left", maintain_order="left")
    succ = pl.col("prefix") + pl.col("new")
    epochs = _epochs(p, units, new, succ)
    moved, turn = _moved_posts(p, layout, staff_type, leadership)
    # Each post's unit from the effective day: a commune post's new xã, a school post's school,
    # a moved district post's xã; every other post left the scope (null).
    kind = units["kind"].to_numpy()[layout.slot_unit]
    district = units["district"].to_numpy()[layout.slot_unit]
    commune_code = units.select(
        pl.when(pl.col("level") == "commune").then(succ).otherwise(None)
    ).to_series()
    code = commune_code.gather(layout.slot_unit)
    school = np.isin(kind, list(r["to_communes"]))
    code = pl.select(
        pl.when(pl.lit(school)).then(pl.lit(units["code"].gather(layout.slot_unit))).otherwise(code)
    ).to_series()
    # A moved post's xã: number `turn` of its repeat's new xã (rows: repeat by repeat).
    n_new = len(r["communes"])
    new_code = new["code"].gather(np.where(moved, district * n_new + np.maximum(turn, 0), 0))
    code = pl.select(pl.when(pl.lit(moved)).then(pl.lit(new_code)).otherwise(code)).to_series()
    return Reorganisation(effective_day(p), epochs, code, moved, _deputies(units, layout))


def _deputies(units: pl.DataFrame, layout: SlotLayout) -> np.ndarray:
    """Posts of heads (Bí thư, Chủ tịch, the standing Phó Bí thư) in an old commune whose name
    the new xã did not take: the merged xã has one of each, the others become its deputies."""
    commune = (units["level"] == "commune").to_numpy()
    other = commune & ~units["named_after"].fill_null(False).to_numpy()
    head = layout.slot_position.str.contains(f"^(?:{'|'.join(HEADS)})")
    return other[layout.slot_unit] & head.to_numpy()


def on_roster(frame: pl.DataFrame, change: Reorganisation, p: SynthParams) -> pl.DataFrame:
    """One snapshot's staff rows (one per post, in post order) after the reorganisation."""
    moved = pl.lit(pl.Series(change.slot_moved))
    deputy = pl.lit(pl.Series(change.slot_deputy))
    frame = frame.with_columns(
        unit=pl.lit(change.slot_code),
        staff_type=pl.when(moved).then(pl.lit("civil_servant")).otherwise("staff_type"),
        position=pl.when(moved)
        .then(pl.lit(p["reorganisation"]["moved_position"]))
        .when(deputy)
        .then(
            pl.when(pl.col("position").str.starts_with("Phó Bí thư Thường trực"))
            .then(pl.col("position").str.replace("Phó Bí thư Thường trực", "Phó Bí thư"))
            .otherwise(pl.lit("Phó ") + pl.col("position"))
        )
        .otherwise("position"),
        key_leader=pl.when(moved | deputy).then(False).otherwise("key_leader"),
        leadership=pl.when(moved).then(pl.lit("none")).otherwise("leadership"),
        succession_planned=pl.when(moved).then(False).otherwise("succession_planned"),
    )
    return frame.filter(pl.col("unit").is_not_null())


def units_valid_on(units: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """The units valid on ``day`` (all of them when the table has no validity dates)."""
    if "valid_from" not in units.columns:
        return units
    return units.filter(
        (pl.col("valid_from").is_null() | (pl.col("valid_from") <= day))
        & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= day))
    )
