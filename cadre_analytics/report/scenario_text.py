"""The projection scenarios in plain words: one sentence per scenario, built from its
parameters, for the method section.

A leader reads "new hires: 90 % university, 10 % master's" and not the file's keys; every word
comes from the string catalogue, and the numbers from ``params/scenarios/``.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from cadre_analytics.params import DEFAULT_PARAMS_DIR
from cadre_analytics.params.scenarios import PlannedCourse, Scenario, load_scenarios
from cadre_analytics.report import fmt
from cadre_analytics.report.settings import scope_words
from cadre_analytics.report.strings import t, t_or
from cadre_analytics.report.tables import scenario_label


def _pct(share: float, lang: str) -> str:
    return fmt.percent(share, lang, 0 if round(share * 100, 6).is_integer() else 1)


def _bands(starts: tuple[int, ...], lang: str) -> list[str]:
    """Age bands as words: ``(30, 40, 50)`` -> under 30, 30–39, 40–49, 50 and over."""
    if not starts:
        return [t("scenario_text.band_all", lang)]
    bands = [t("scenario_text.band_first", lang, age=starts[0])]
    bands += [
        t("scenario_text.band_mid", lang, low=lo, high=hi - 1)
        for lo, hi in zip(starts, starts[1:], strict=False)
    ]
    return bands + [t("scenario_text.band_last", lang, age=starts[-1])]


def _exits(s: Scenario, lang: str) -> str:
    if s.exits_source == "history":
        return t(
            "scenario_text.exits_history", lang, bands=", ".join(_bands(s.age_band_starts, lang))
        )
    if s.exits_source == "rates":
        rates = [
            t("scenario_text.band_rate", lang, rate=_pct(r, lang), band=b)
            for r, b in zip(s.exit_rates, _bands(s.age_band_starts, lang), strict=False)
        ]
        return t("scenario_text.exits_rates", lang, rates=", ".join(rates))
    return t("scenario_text.exits_none", lang)


def _staff_types(types: tuple[str, ...] | None, lang: str) -> str:
    return ", ".join(t_or(f"plain.staff_type.{x}", lang, x) for x in types or ())


def _recruitment(s: Scenario, lang: str) -> list[str]:
    if s.recruitment == "none":
        return [t("scenario_text.recruit_none", lang)]
    if s.recruitment == "replace_leavers":
        parts = [t("scenario_text.recruit_replace", lang, age=s.hire_age)]
    elif isinstance(s.headcount_ratio, dict):
        path = ", ".join(
            t("scenario_text.path_step", lang, ratio=_pct(r, lang), year=y)
            for y, r in sorted(s.headcount_ratio.items())
        )
        parts = [t("scenario_text.recruit_path_years", lang, path=path, age=s.hire_age)]
    else:
        parts = [t("scenario_text.recruit_path_quota", lang, age=s.hire_age)]
    if s.headcount_staff_types:
        parts[0] += " " + t(
            "scenario_text.only_types", lang, types=_staff_types(s.headcount_staff_types, lang)
        )
    mix = _hire_mix(s.hire_mix, lang)
    if mix:
        parts.append(t("scenario_text.hire_mix", lang, mix=", ".join(mix)))
    elif s.hire_profiles:
        parts.append(_profiles(s, lang))
    return parts


def _profiles(s: Scenario, lang: str) -> str:
    """New hires per staff group, their levelled qualifications only (what they lack is not
    listed; yes/no fields are in the parameters file)."""
    groups = []
    for group, mix in s.hire_profiles.items():
        levels = {a: v for a, v in mix.items() if isinstance(v, dict)}
        kept = {a: {lv: p for lv, p in v.items() if lv != "none"} for a, v in levels.items()}
        words = _hire_mix({a: v for a, v in kept.items() if v}, lang)
        name = t_or(f"plain.staff_group.{group}", lang, group)
        groups.append(t("scenario_text.profile", lang, group=name, mix=", ".join(words)))
    return t("scenario_text.hire_profiles", lang, profiles=", ".join(groups))


def _posts_and_early_exits(s: Scenario, lang: str) -> list[str]:
    parts = []
    if s.refill_posts:
        parts.append(t("scenario_text.refill_posts", lang))
    early = s.early_exits
    if early is not None:
        rates = [r for group in early.rates.values() for r in group]
        low, high = _pct(min(rates, default=0), lang), _pct(max(rates, default=0), lang)
        key = "early_exits_replaced" if early.replaced else "early_exits"
        years = {"from_year": early.from_year, "to_year": early.to_year}
        parts.append(t(f"scenario_text.{key}", lang, low=low, high=high, **years))
    return parts


def _hire_mix(mix: dict, lang: str) -> list[str]:
    out = []
    for attr, value in mix.items():
        if isinstance(value, dict):
            out += [
                t(
                    "scenario_text.mix_part",
                    lang,
                    share=_pct(share, lang),
                    what=level_word(attr, lv, lang),
                )
                for lv, share in sorted(value.items(), key=lambda kv: -kv[1])
                if share > 0
            ]
        else:
            what = t_or(f"plain.hire_flag.{attr}", lang, attr.replace("_", " "))
            out.append(t("scenario_text.mix_part", lang, share=_pct(value, lang), what=what))
    return out


def level_word(attribute: str, level: str, lang: str) -> str:
    """A qualification level in words (``education`` ``master`` -> "thạc sĩ")."""
    return t_or(f"plain.{attribute}.{level}", lang, str(level).replace("_", " "))


def _population(population: str, units: dict[str, str], lang: str) -> str:
    if population == "ALL":
        return t("scenario_text.pop_all", lang, **scope_words(lang))
    if population.startswith("level:"):
        return t_or(f"scenario_text.pop_{population.split(':', 1)[1]}", lang, population)
    return t("scenario_text.pop_unit", lang, unit=units.get(population, population))


def _training(s: Scenario, units: dict[str, str], lang: str) -> list[str]:
    if not s.planned:
        return [t("scenario_text.training_none", lang)]

    def one(p: PlannedCourse) -> str:
        course = s.courses.get(p.course)
        name = getattr(course, f"label_{lang}", None) or p.course
        who = _population(p.population, units, lang)
        if p.staff_types:
            who += " " + t(
                "scenario_text.only_types", lang, types=_staff_types(p.staff_types, lang)
            )
        return t(
            "scenario_text.training",
            lang,
            per_year=fmt.number(p.per_year, lang),
            course=name,
            population=who,
            from_year=p.from_year,
            to_year=p.to_year,
        )

    return [one(p) for p in s.planned]


def scenario_sentence(s: Scenario, lang: str, units: dict[str, str] | None = None) -> str:
    """«Label»: what happens after the report year under this scenario, in one sentence."""
    parts = [
        t("scenario_text.completion", lang, rate=_pct(s.course_completion_rate, lang)),
        _exits(s, lang),
        *_recruitment(s, lang),
        *_posts_and_early_exits(s, lang),
        *_training(s, units or {}, lang),
    ]
    if s.has_rates:
        parts.append(t("scenario_text.draws", lang, draws=fmt.number(s.draws, lang)))
    return t(
        "scenario_text.sentence",
        lang,
        label=scenario_label(s.name, lang),
        parts=t("scenario_text.join", lang).join(parts),
    )


def scenarios_block(
    lang: str, units: dict[str, str] | None = None, params_dir: Path = DEFAULT_PARAMS_DIR
) -> str:
    """The method section's scenario paragraph: a heading and one sentence per scenario."""
    scenarios = load_scenarios(params_dir / "scenarios")
    items = "".join(f"<li>{escape(scenario_sentence(s, lang, units))}</li>" for s in scenarios)
    return (
        f"<h3>{escape(t('method.scenarios_heading', lang))}</h3>"
        f'<p>{escape(t("scenario_text.intro", lang))}</p><ul class="scenarios">{items}</ul>'
    )
