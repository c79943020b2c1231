"""The people: drawn, aged, trained, retired and replaced, one snapshot year at a time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from cadre_analytics import schema
from cadre_analytics.errors import UserError
from tools.synth import timeline as timeline_rules
from tools.synth.layout import SlotLayout, base_size, slot_layout
from tools.synth.params import DEFAULT_SEED, DEFAULT_YEARS, SynthParams, resolve_params

STAFF_ID_PREFIX = "CB"
STAFF_ID_DIGITS = 8

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

    def __init__(self, p: SynthParams, layout: SlotLayout, rng: np.random.Generator) -> None:
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


def year_list(years: range | tuple | list) -> list[int]:
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
    timeline: bool = False,
):
    """Yield ``(year, staff, training_updates)`` per snapshot year, then stop.

    The generator form keeps only one year's frames alive, for very large ``people``.
    Use :func:`generate_units` for the units table of the same call. With ``timeline`` the
    snapshots follow the 2025 reorganisation (``tools/synth/timeline.py``): from the first
    snapshot after it, people sit in the new units and posts that left the scope are off the
    roster (the random draws are those of the same call without it).
    """
    p = resolve_params(params)
    ys = year_list(years)
    if people < 1:
        raise UserError(
            "Số người phải lớn hơn 0.", "people must be at least 1.", where=f"people={people}"
        )
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 1]))
    layout = slot_layout(p, people, timeline)
    model = _Model(p, layout, rng)
    change = (
        timeline_rules.reorganise(p, layout, model.slot_staff_type, model.slot_leadership)
        if timeline
        else None
    )
    all_slots = np.arange(model.n)
    state = model.draw(all_slots, ys[0], hire=False)
    # Courses already under way on the first roster (they end in a later year).
    model.start_studies(state, all_slots, ys[0],
                        float(p["dynamics"]["study_in_progress_at_start"]))  # fmt: skip
    for k, year in enumerate(ys):
        if k:
            model.advance(state, year)
        staff, training = model.staff_frame(state, year), model.training_frame(state, year, k)
        if change is not None and change.applies(year):
            staff = timeline_rules.on_roster(staff, change, p)
            training = training.filter(pl.col("staff_id").is_in(staff["staff_id"].implode()))
        yield year, staff, training


def generate_units(
    people: int, params: SynthParams | Path | str | None = None, timeline: bool = False
) -> pl.DataFrame:
    """The canonical units table for ``people`` (same layout as :func:`generate`).

    With ``timeline``: one row per unit epoch, with ``timeline.EPOCH_COLUMNS``.
    """
    p = resolve_params(params)
    layout = slot_layout(p, people, timeline)
    if timeline:
        # The roles decide which district posts moved, not which units exist: none needed here.
        n = layout.slot_unit.size
        none = np.zeros(n, dtype=np.int8)
        return timeline_rules.reorganise(p, layout, none, none).units
    return layout.units.select([pl.col(c).cast(t) for c, t in schema.UNIT_COLUMNS.items()])


def generate(
    people: int | None = None,
    years: range | tuple | list = DEFAULT_YEARS,
    seed: int = DEFAULT_SEED,
    params: SynthParams | Path | str | None = None,
    timeline: bool = False,
) -> dict[str, pl.DataFrame]:
    """Canonical frames ``staff``, ``training_updates``, ``units`` for a synthetic district.

    ``people`` is the headcount of every snapshot (default: one base district, ~2,600);
    ``years`` a range or an inclusive ``(first, last)`` tuple. Same seed -> identical frames.
    ``timeline``: the snapshots follow the 2025 reorganisation (see :func:`iter_generate`).
    """
    p = resolve_params(params)
    people = base_size(p) if people is None else int(people)
    staff, training = [], []
    for _, s, t in iter_generate(people, years, seed, p, timeline):
        staff.append(s)
        training.append(t)
    return {
        "staff": pl.concat(staff, rechunk=False),
        "training_updates": pl.concat(training, rechunk=False),
        "units": generate_units(people, p, timeline),
    }
