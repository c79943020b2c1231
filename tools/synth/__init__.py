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
    synth.generate(timeline=True)   # the bundled sample: the 2025 reorganisation (timeline.py)

All calibration numbers live in ``params/synth.yaml``. Everything is vectorised over people:
the only Python loops run over years, unit kinds, roles and categories.

Model: the district has a fixed number of *slots* (posts) per unit; each slot is held by one
person at a time. A slot's role (position, staff type, leadership) is fixed; when its holder
retires or leaves, a new hire takes it in the same year, so each roster has exactly ``people``
rows (with the timeline: until the reorganisation, after which posts that left the scope are
off the roster).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tools.synth.layout import SlotLayout, base_size, slot_layout
from tools.synth.model import generate, generate_units, iter_generate
from tools.synth.params import (
    DEFAULT_PARAMS_FILE,
    DEFAULT_SEED,
    DEFAULT_YEARS,
    SynthParams,
    load_synth_params,
)
from tools.synth.timeline import EPOCH_COLUMNS, Reorganisation, reorganise, units_valid_on
from tools.synth.writing import write_dataset, write_generated

__all__ = [
    "DEFAULT_PARAMS_FILE",
    "DEFAULT_SEED",
    "DEFAULT_YEARS",
    "EPOCH_COLUMNS",
    "Reorganisation",
    "SlotLayout",
    "SynthParams",
    "base_size",
    "generate",
    "generate_units",
    "iter_generate",
    "load_synth_params",
    "main",
    "reorganise",
    "slot_layout",
    "units_valid_on",
    "write_dataset",
    "write_generated",
]


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
    ap.add_argument(
        "--timeline", action="store_true", help="follow the 2025 reorganisation (the sample)"
    )
    args = ap.parse_args(argv)
    meta = write_generated(
        args.out,
        people=args.people,
        years=args.years,
        seed=args.seed,
        fmt=args.format or ("xlsx" if (args.people or 0) <= 20_000 else "parquet"),
        dirt=not args.clean,
        timeline=args.timeline,
    )
    print(
        f"Đã tạo dữ liệu mẫu / Synthetic data written: {args.out} ({meta['format']}) {meta['rows']}"
    )
    return 0
