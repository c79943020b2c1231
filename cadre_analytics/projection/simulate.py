"""The stock-and-flow over cohorts, year by year, for one scenario.

For each year Y = YEAR+1 … 2030, as of 31 December Y, in this order:

1. retirement: cohorts whose ``leave_year`` is Y leave (the statutory retirement date falls
   before 31 December Y; someone retiring on 31 December Y is still counted in Y);
2. courses in progress due in Y complete (Binomial(n, completion rate) of the cohort move to
   the cohort with the raised level; a course due after retirement never counts);
3. other exits: Binomial(n, the age band's annual rate) of each cohort leave;
4. early exits (streamlining): Binomial(n, the rate of the cohort's staff group and years left
   to retirement) leave; unless the scenario replaces them, their posts are cut;
5. leadership posts (:mod:`.posts`): empty posts of each (unit, staff type) group are given to
   the planning pool, then to others meeting the post's standard;
6. recruitment: leavers are replaced (or the staffing-cut path is followed) within each
   (unit, staff type) group, never above its YEAR headcount; hires are split over their staff
   group's hire mix by a multinomial draw;
7. planned training: ``per_year`` completions given to eligible cohorts, latest retirement
   first.

State: people per cohort and draw (cohorts x draws). A deterministic scenario (every
probability 0 or 1) is one exact run. Draws run in batches so memory stays bounded.

:func:`expected_path` runs the same steps once on expected (fractional) counts: each event
takes the cohort's size times its probability, hires split by the hire mix's shares. It gives
the unit rows of a Monte Carlo scenario without any draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from cadre_analytics.projection.model import Cohorts
from cadre_analytics.projection.scenarios import ScenarioArrays

BATCH_ELEMENTS = 2_000_000  # cohorts x draws held at once (16 MB of counts: reused memory)
MIN_BATCH = 16
FIRST_CANDIDATES = 64  # planned courses: candidates looked at first (then 4x as many)


@dataclass
class SimResult:
    """Counts per projected year. ``all_num``/``all_den``: year x indicator x draw (the whole
    scope); ``unit_num``/``unit_den``: year x unit pair, the mean over draws (exact when
    deterministic; ``project`` gives a Monte Carlo scenario those of :func:`expected_path`,
    its draws running on cohorts with the units merged); ``kept``: year -> people per cohort
    and, per start cohort, the cohort its members are in (-1: left) — deterministic runs only."""

    all_num: np.ndarray
    all_den: np.ndarray
    unit_num: np.ndarray
    unit_den: np.ndarray
    kept: dict[int, tuple[np.ndarray, np.ndarray]]


def _add_rows(x: np.ndarray, rows: np.ndarray, values: np.ndarray) -> None:
    """x[rows] += values, where ``rows`` may repeat."""
    if np.unique(rows).size == rows.size:
        x[rows] += values
    else:
        np.add.at(x, rows, values)


def _split(rng: np.random.Generator, n: np.ndarray, p) -> np.ndarray:
    """How many of ``n`` people (cohort x draw) each see an event of probability ``p`` (one
    per cohort, or one for all), independently: Binomial(n, p) in every cell.

    Drawn per distinct probability: the people of all those cells together see
    Binomial(total, p) events, falling on a uniformly chosen subset of them — the same
    distribution as one binomial per cell, at a cost that follows the events."""
    p_row = np.broadcast_to(np.asarray(p, dtype=np.float64).reshape(-1), (n.shape[0],))
    out = np.zeros_like(n)
    certain = p_row >= 1
    if certain.any():
        out[certain] = n[certain]
    for value in np.unique(p_row[(p_row > 0) & (p_row < 1)]):
        rows = np.flatnonzero(p_row == value)
        cells = n[rows].reshape(-1)
        ends = np.cumsum(cells)  # people numbered cell by cell
        total = int(ends[-1]) if ends.size else 0
        if total == 0:
            continue
        chosen = rng.choice(total, size=rng.binomial(total, value), replace=False)
        cell = np.searchsorted(ends, chosen, side="right")
        out[rows] = np.bincount(cell, minlength=cells.size).reshape(-1, n.shape[1])
    return out


def _group_matrix(cohorts: Cohorts) -> sparse.csr_matrix:
    """Group x cohort: 1 where the cohort belongs to the (unit, staff type) group."""
    return sparse.csr_matrix(
        (np.ones(cohorts.size), (cohorts.group, np.arange(cohorts.size))),
        shape=(len(cohorts.group_size), cohorts.size),
    )


class _Run:
    """One batch of draws: the state and the steps of a year."""

    def __init__(self, cohorts: Cohorts, arrays: ScenarioArrays, rng, draws: int, by_group):
        self.c, self.s, self.rng = cohorts, arrays, rng
        self.expected = rng is None  # expected counts instead of draws
        self.by_group = by_group  # group x cohort: sums people per (unit, staff type)
        dtype = np.float64 if self.expected else np.int64
        self.x = np.repeat(cohorts.start_count[:, None], draws, axis=1).astype(dtype)
        n_start = int((cohorts.start_count > 0).sum())
        # the start cohorts are the first rows of the cohort table
        self.members = np.arange(n_start) if arrays.deterministic else None

    def move(self, src: np.ndarray, dst: np.ndarray, k: np.ndarray) -> None:
        """``k`` people (cohort x draw) from cohorts ``src`` to ``dst`` (-1: they leave)."""
        whole = None
        if self.members is not None:
            whole = (k == self.x[src]).all(axis=1) & (k.sum(axis=1) > 0)
        self.x[src] -= k
        stay = dst >= 0
        if stay.any():
            _add_rows(self.x, dst[stay], k[stay])
        if whole is not None and whole.any():
            # exact runs: people follow their cohort when all of it moves
            where = np.arange(self.c.size)
            where[src[whole]] = dst[whole]
            inside = self.members >= 0
            self.members[inside] = where[self.members[inside]]

    def group_sums(self) -> np.ndarray:
        if self.expected:
            return self.by_group @ self.x
        return np.rint(self.by_group @ self.x).astype(np.int64)

    def split(self, n: np.ndarray, p) -> np.ndarray:
        """People of ``n`` who see an event of probability ``p``: drawn, or expected."""
        if self.expected:
            return n * np.asarray(p, dtype=np.float64).reshape(-1, 1)
        return _split(self.rng, n, p)

    def year(self, i: int, y: int) -> None:
        c, s = self.c, self.s
        before = self.group_sums() if s.hire_cohort is not None else None
        idx = np.flatnonzero(c.leave_year == y)
        if idx.size:
            self.move(idx, np.full(idx.size, -1), self.x[idx].copy())
        for a, due in c.due.items():
            idx = np.flatnonzero(due == y)
            if idx.size:
                self.move(idx, c.completes[a][idx], self.split(self.x[idx], s.completion))
        rate = s.exit_rate[i]
        idx = np.flatnonzero(rate > 0)
        idx = idx[self.x[idx].any(axis=1)]  # cohorts empty in every draw see no exit
        if idx.size:
            self.move(idx, np.full(idx.size, -1), self.split(self.x[idx], rate[idx]))
        cut = self.early_exits(i)
        if s.posts is not None:
            self.appoint()
        if before is not None:
            # courses and appointments move people within their group: the group totals fall
            # by the leavers
            alive = self.group_sums()
            self.hire(i, before - alive - cut, alive)
        for p in s.planned:
            if p.from_year <= y <= p.to_year and p.per_year > 0 and p.candidates.size:
                self.train(p, y)

    def early_exits(self, i: int) -> np.ndarray | int:
        """Early leavers of year ``i`` leave; returns those whose post is cut (group x draw)."""
        s = self.s
        if s.early_rate is None:
            return 0
        rate = s.early_rate[i]
        idx = np.flatnonzero(rate > 0)
        idx = idx[self.x[idx].any(axis=1)]
        if not idx.size:
            return 0
        k = self.split(self.x[idx], rate[idx])
        self.move(idx, np.full(idx.size, -1), k)
        if s.early_replaced:
            return 0
        shape = (len(self.c.group_size), idx.size)
        by_group = sparse.csr_matrix(
            (np.ones(idx.size), (self.c.group[idx], np.arange(idx.size))), shape=shape
        )
        cut = by_group @ k
        return cut if self.expected else np.rint(cut).astype(np.int64)

    def appoint(self) -> None:
        """Empty leadership posts, kind by kind, to the candidates of each group in order."""
        p = self.s.posts
        for k in range(len(p.holders)):
            if not p.src[k].size:
                continue
            held = p.holders[k] @ self.x
            empty = np.maximum(p.seats[k][:, None] - held, 0)
            if not self.expected:
                empty = np.rint(empty).astype(np.int64)
            # only the candidates of groups with an empty post (in some draw)
            open_groups = empty.any(axis=1)
            look = open_groups[p.src_group[k]]
            if not look.any():
                continue
            src, dest, group = p.src[k][look], p.dest[k][look], p.src_group[k][look]
            have = self.x[src]
            total = np.cumsum(have, axis=0)
            # people before each candidate within its group: candidates are group-major
            first = np.r_[0, np.flatnonzero(np.diff(group)) + 1]
            start = np.repeat(first, np.diff(np.r_[first, src.size]))
            before = total - have - (total[start] - have[start])
            take = np.clip(empty[group] - before, 0, have)
            if take.any():
                self.move(src, dest, take)

    def hire(self, i: int, leavers: np.ndarray, alive: np.ndarray) -> None:
        c, s = self.c, self.s
        hires = leavers
        if s.headcount_target is not None:
            need = np.maximum(0, s.headcount_target[i][:, None] - alive)
            hires = np.where(s.cut_groups[:, None], need, hires)
        hires = np.minimum(hires, c.group_size[:, None] - alive)  # free places only
        hires = np.where(s.hire_p.sum(axis=1)[:, None] > 0, np.maximum(hires, 0), 0)
        if not hires.any():
            return
        p = s.hire_p[:, None, :]
        if self.expected:
            split = hires[:, :, None] * p
        elif s.hire_p.shape[1] == 1 or s.deterministic:
            split = hires[:, :, None] * np.round(p).astype(np.int64)
        else:
            split = self.rng.multinomial(hires, p)  # group x draw x combination
        dest = s.hire_cohort[i].reshape(-1)
        flat = split.transpose(0, 2, 1).reshape(-1, self.x.shape[1])
        ok = dest >= 0
        _add_rows(self.x, dest[ok], flat[ok])

    def train(self, p, y: int) -> None:
        """``per_year`` completions, latest retirement first. Only the first candidates, as
        far as they hold ``per_year`` people in every draw, can be chosen: look no further."""
        ok = self.c.leave_year[p.candidates] > y
        src, dst = p.candidates[ok], p.dest[ok]
        end = min(src.size, FIRST_CANDIDATES)
        have = self.x[src[:end]]
        while end < src.size and (have.sum(axis=0) < p.per_year).any():
            end = min(src.size, 4 * end)
            have = self.x[src[:end]]
        before = np.cumsum(have, axis=0) - have  # taken by cohorts earlier in the order
        take = np.clip(p.per_year - before, 0, have)
        if take.any():
            self.move(src[:end], dst[:end], take)


def simulate(
    cohorts: Cohorts,
    arrays: ScenarioArrays,
    rng: np.random.Generator,
    keep_years: tuple[int, ...] = (),
) -> SimResult:
    """Run the scenario ``arrays.draws`` times (once when deterministic)."""
    years, draws = cohorts.years, arrays.draws
    n_ind = cohorts.pop.shape[1]
    all_num = np.zeros((len(years), n_ind, draws), dtype=np.int64)
    all_den = np.zeros_like(all_num)
    n_pairs = len(cohorts.pairs_unit)
    unit_num = np.zeros((len(years), n_pairs))
    unit_den = np.zeros((len(years), n_pairs))
    kept = {}
    # people per flag pattern first (one entry per cohort), then per indicator
    flags = np.hstack([cohorts.pop, cohorts.num])
    bits = np.packbits(flags, axis=1).astype(np.uint64)
    if bits.shape[1] <= 8:  # up to 32 indicators: one integer per pattern, a fast unique
        code = (bits << (np.uint64(8) * np.arange(bits.shape[1], dtype=np.uint64))).sum(axis=1)
        _, first, pattern_of = np.unique(code, return_index=True, return_inverse=True)
        patterns = flags[first]
    else:
        patterns, pattern_of = np.unique(flags, axis=0, return_inverse=True)
    by_pattern = sparse.csr_matrix(
        (np.ones(cohorts.size), (pattern_of.reshape(-1), np.arange(cohorts.size))),
        shape=(len(patterns), cohorts.size),
    )
    pop_p, num_p = patterns[:, :n_ind].T.astype(np.int64), patterns[:, n_ind:].T.astype(np.int64)
    # at least MIN_BATCH draws at once: below that the per-step overhead dominates
    batch = min(draws, max(MIN_BATCH, BATCH_ELEMENTS // max(cohorts.size, 1)))
    by_group = _group_matrix(cohorts)
    for lo in range(0, draws, batch):
        run = _Run(cohorts, arrays, rng, min(batch, draws - lo), by_group)
        for i, y in enumerate(years):
            run.year(i, y)
            per_pattern = np.rint(by_pattern @ run.x).astype(np.int64)
            all_num[i, :, lo : lo + batch] = num_p @ per_pattern
            all_den[i, :, lo : lo + batch] = pop_p @ per_pattern
            total = run.x.sum(axis=1).astype(np.float64)
            unit_num[i] += cohorts.pair_num @ total
            unit_den[i] += cohorts.pair_pop @ total
            if y in keep_years and run.members is not None:
                kept[y] = (run.x[:, 0].copy(), run.members.copy())
    return SimResult(all_num, all_den, unit_num / draws, unit_den / draws, kept)


def expected_path(cohorts: Cohorts, arrays: ScenarioArrays) -> tuple[np.ndarray, np.ndarray]:
    """Expected numerator and denominator per projected year and unit pair (year x pair):
    the scenario's steps on fractional counts, no draws."""
    by_group = _group_matrix(cohorts)
    run = _Run(cohorts, arrays, None, 1, by_group)
    n_pairs = len(cohorts.pairs_unit)
    unit_num = np.zeros((len(cohorts.years), n_pairs))
    unit_den = np.zeros((len(cohorts.years), n_pairs))
    for i, y in enumerate(cohorts.years):
        run.year(i, y)
        unit_num[i] = cohorts.pair_num @ run.x[:, 0]
        unit_den[i] = cohorts.pair_pop @ run.x[:, 0]
    return unit_num, unit_den
