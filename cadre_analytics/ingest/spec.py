"""Loads the column, vocabulary and rule files in ``data_contracts/`` into typed objects.

These files are data a Board may edit (a new header spelling, a new synonym), so every mistake in
them is a clear :class:`ParamsError` naming the file and the entry, never a KeyError later on.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from cadre_analytics.errors import ParamsError
from cadre_analytics.params import DEFAULT_CONTRACTS_DIR, check_keys, expect_type, load_yaml
from cadre_analytics.schema import TABLES

KINDS = ("id", "text", "int", "float", "date", "bool", "vocab", "unit", "list")
GRADES = ("stop", "quarantine", "warn")

# Old and new Vietnamese tone placement ("hoà"/"hòa", "thuý"/"thúy") both occur in HR exports;
# matching keys use one form so either spelling matches.  Only keys are folded, never values.
_TONE_OLD = [
    "oà",
    "oá",
    "oả",
    "oã",
    "oạ",
    "oè",
    "oé",
    "oẻ",
    "oẽ",
    "oẹ",
    "uỳ",
    "uý",
    "uỷ",
    "uỹ",
    "uỵ",
]
_TONE_NEW = [
    "òa",
    "óa",
    "ỏa",
    "õa",
    "ọa",
    "òe",
    "óe",
    "ỏe",
    "õe",
    "ọe",
    "ùy",
    "úy",
    "ủy",
    "ũy",
    "ụy",
]
# Zero-width characters pasted from web forms; and Icelandic eth (Ð, U+00D0), which some
# keyboards and legacy-encoding converters produce instead of Vietnamese Đ (U+0110).
_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad"]


def clean_text(value: str) -> str:
    """NFC, invisible characters removed, whitespace collapsed and trimmed (case kept)."""
    text = unicodedata.normalize("NFC", value)
    for ch in _INVISIBLE:
        text = text.replace(ch, "")
    return " ".join(text.split())


def fold(value: str) -> str:
    """Matching key: cleaned, case-folded, eth -> đ, one tone placement."""
    text = clean_text(value).lower().replace("ð", "đ")
    for old, new in zip(_TONE_OLD, _TONE_NEW, strict=True):
        text = text.replace(old, new)
    return text


def clean_expr(expr: pl.Expr) -> pl.Expr:
    """Polars twin of :func:`clean_text` (empty -> null)."""
    out = (
        expr.str.normalize("NFC")
        .str.replace_many(_INVISIBLE, [""] * len(_INVISIBLE))
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    return pl.when(out.str.len_bytes() > 0).then(out)


def fold_expr(expr: pl.Expr) -> pl.Expr:
    """Polars twin of :func:`fold` applied to already-cleaned text."""
    return (
        expr.str.to_lowercase()
        .str.replace_all("ð", "đ", literal=True)
        .str.replace_many(_TONE_OLD, _TONE_NEW)
    )


def strip_marks(key: str) -> str:
    """Folded key without diacritics ("viên chức" -> "vien chuc"), for a second-chance match:
    many exports are typed without Vietnamese marks."""
    text = unicodedata.normalize("NFD", key.replace("đ", "d"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def strip_marks_expr(expr: pl.Expr) -> pl.Expr:
    """Polars twin of :func:`strip_marks` applied to an already-folded key."""
    return (
        expr.str.replace_all("đ", "d", literal=True)
        .str.normalize("NFD")
        .str.replace_all(r"\p{Mn}", "")
    )


def loose_keys(exact: dict[str, str]) -> dict[str, str]:
    """Mark-free key -> code, keeping only keys that point at a single code; exact keys win."""
    found: dict[str, set[str]] = {}
    for key, code in exact.items():
        found.setdefault(strip_marks(key), set()).add(code)
    return {k: next(iter(v)) for k, v in found.items() if len(v) == 1}


def fold_header(value: str) -> str:
    """Header key: folded, with a trailing '*' or ':' (template decorations) removed."""
    return fold(value).rstrip("*: ").strip()


def strip_parenthesised(key: str) -> str:
    """'ngày sinh (dd/mm/yyyy)' -> 'ngày sinh': second chance for annotated headers."""
    return " ".join(re.sub(r"\([^)]*\)", " ", key).split())


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    headers: tuple[str, ...]  # as written in columns.yaml; the first is the primary header
    kind: str
    required: bool = False
    not_null: bool = False
    vocabulary: str | None = None
    empty: str | bool | None = None  # value an empty cell stands for (None: null)

    @property
    def primary_header(self) -> str:
        return self.headers[0] if self.headers else self.name


@dataclass(frozen=True)
class TableSpec:
    name: str
    names: tuple[str, ...]
    columns: dict[str, ColumnSpec]

    def header_keys(self) -> dict[str, str]:
        """Folded header -> canonical column."""
        keys: dict[str, str] = {}
        for col in self.columns.values():
            for header in (col.name, *col.headers):
                keys[fold_header(header)] = col.name
        return keys


@dataclass(frozen=True)
class Vocabulary:
    name: str
    codes: tuple[str, ...]
    synonyms: dict[str, str]  # folded spelling -> code (codes included)
    ranks: dict[str, int] = field(default_factory=dict)
    loose: dict[str, str] = field(default_factory=dict)  # spelling without marks -> code
    labels: dict[str, str] = field(default_factory=dict)  # code -> first listed spelling


@dataclass(frozen=True)
class Rule:
    rule: str
    grade: str
    message_vi: str
    message_en: str
    fix_vi: str
    fix_en: str
    title_vi: str
    title_en: str


# Shares and counts the checks across files and years compare against (rules.yaml
# 'thresholds'); a Board with a reason may change them there.
THRESHOLDS = {
    # a snapshot year sharing fewer of its people with the previous one changed its IDs
    "min_people_shared_with_previous_year": 0.5,
    # more of the report year's staff rows quarantined than this is a broken export, not dirt
    "max_report_year_quarantined_share": 0.05,
    # ... once at least this many rows are quarantined (3 of 40 rows is no pattern)
    "min_report_year_quarantined_rows": 10,
}


@dataclass(frozen=True)
class ContractSpec:
    directory: Path
    tables: dict[str, TableSpec]
    vocabularies: dict[str, Vocabulary]
    booleans: dict[str, bool]  # folded spelling -> value
    rules: dict[str, Rule]
    thresholds: dict[str, float] = field(default_factory=lambda: dict(THRESHOLDS))


def _strings(value, *, file: Path, where: str) -> list[str]:
    if not isinstance(value, list):
        raise ParamsError(
            f"'{where}' phải là một danh sách.", f"'{where}' must be a list.", where=str(file)
        )
    out = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise ParamsError(
                f"'{where}' có phần tử {item!r} không phải chuỗi; hãy đặt trong dấu nháy.",
                f"'{where}' has a non-string item {item!r}; put it in quotes.",
                where=str(file),
            )
        out.append(str(item))
    return out


def _load_columns(path: Path, vocab_names: set[str]) -> dict[str, TableSpec]:
    doc = check_keys(load_yaml(path), required={"tables"}, file=path, where="columns.yaml")
    tables = check_keys(doc["tables"], required=set(TABLES), file=path, where="tables")
    out: dict[str, TableSpec] = {}
    for table, body in tables.items():
        body = check_keys(body, required={"names", "columns"}, file=path, where=table)
        columns: dict[str, ColumnSpec] = {}
        seen: dict[str, str] = {}
        for name, col in body["columns"].items():
            where = f"{table}.{name}"
            col = check_keys(
                col,
                required={"headers", "kind"},
                optional={"required", "not_null", "vocabulary", "empty"},
                file=path,
                where=where,
            )
            kind = col["kind"]
            if kind not in KINDS:
                raise ParamsError(
                    f"'{where}.kind' = {kind!r} không hợp lệ (được phép: {', '.join(KINDS)}).",
                    f"'{where}.kind' = {kind!r} is invalid (allowed: {', '.join(KINDS)}).",
                    where=str(path),
                )
            vocab = col.get("vocabulary")
            if kind == "vocab" and vocab not in vocab_names:
                raise ParamsError(
                    f"'{where}.vocabulary' = {vocab!r} không có trong vocabularies.yaml.",
                    f"'{where}.vocabulary' = {vocab!r} is not in vocabularies.yaml.",
                    where=str(path),
                )
            headers = tuple(_strings(col["headers"], file=path, where=f"{where}.headers"))
            for header in (name, *headers):
                key = fold_header(header)
                if seen.get(key, name) != name:
                    raise ParamsError(
                        f"Tên cột '{header}' dùng cho cả '{seen[key]}' và '{name}'.",
                        f"Header '{header}' is listed for both '{seen[key]}' and '{name}'.",
                        where=str(path),
                    )
                seen[key] = name
            empty = col.get("empty", False if kind == "bool" else None)
            columns[name] = ColumnSpec(
                name=name,
                headers=headers,
                kind=kind,
                required=bool(col.get("required", False)),
                not_null=bool(col.get("not_null", False)),
                vocabulary=vocab,
                empty=empty,
            )
        names = tuple(_strings(body["names"], file=path, where=f"{table}.names"))
        out[table] = TableSpec(name=table, names=(table, *names), columns=columns)
    return out


def _load_vocabularies(path: Path) -> tuple[dict[str, Vocabulary], dict[str, bool]]:
    doc = check_keys(
        load_yaml(path), required={"booleans", "vocabularies"}, file=path, where="vocabularies"
    )
    flags = check_keys(doc["booleans"], required={"true", "false"}, file=path, where="booleans")
    booleans: dict[str, bool] = {}
    for label, value in (("true", True), ("false", False)):
        for spelling in [label, *_strings(flags[label], file=path, where=f"booleans.{label}")]:
            key = fold(spelling)
            if booleans.get(key, value) != value:
                raise ParamsError(
                    f"'{spelling}' vừa là đúng vừa là sai trong 'booleans'.",
                    f"'{spelling}' is listed as both true and false in 'booleans'.",
                    where=str(path),
                )
            booleans[key] = value
    vocabularies: dict[str, Vocabulary] = {}
    for name, codes in doc["vocabularies"].items():
        if not isinstance(codes, dict):
            raise ParamsError(
                f"Danh mục '{name}' phải là bảng mã: cách viết.",
                f"Vocabulary '{name}' must map codes to spellings.",
                where=str(path),
            )
        synonyms: dict[str, str] = {}
        ranks: dict[str, int] = {}
        labels: dict[str, str] = {}
        for code, entry in codes.items():
            where = f"{name}.{code}"
            entry = check_keys(
                entry, required={"synonyms"}, optional={"rank"}, file=path, where=where
            )
            if "rank" in entry:
                ranks[str(code)] = int(entry["rank"])
            spellings = _strings(entry["synonyms"], file=path, where=where)
            labels[str(code)] = spellings[0] if spellings else str(code)
            for spelling in [str(code), *_strings(entry["synonyms"], file=path, where=where)]:
                key = fold(spelling)
                if synonyms.get(key, str(code)) != str(code):
                    raise ParamsError(
                        f"Cách viết '{spelling}' thuộc cả '{synonyms[key]}' và '{code}' ({name}).",
                        f"Spelling '{spelling}' maps to both '{synonyms[key]}' and '{code}' "
                        f"({name}).",
                        where=str(path),
                    )
                synonyms[key] = str(code)
        vocabularies[name] = Vocabulary(
            name=name,
            codes=tuple(str(c) for c in codes),
            synonyms=synonyms,
            ranks=ranks,
            loose=loose_keys(synonyms),
            labels=labels,
        )
    return vocabularies, booleans


def _load_thresholds(doc: dict, path: Path) -> dict[str, float]:
    given = check_keys(
        doc.get("thresholds") or {}, optional=set(THRESHOLDS), file=path, where="thresholds"
    )
    out = dict(THRESHOLDS)
    for key, value in given.items():
        value = expect_type(value, (int, float), file=path, where=f"thresholds.{key}")
        is_share = not key.endswith("_rows")
        if value < 0 or (is_share and value > 1):
            raise ParamsError(
                f"'thresholds.{key}' = {value} phải nằm trong khoảng 0–1 (số dòng: ≥ 0).",
                f"'thresholds.{key}' = {value} must lie between 0 and 1 (row counts: >= 0).",
                where=str(path),
            )
        out[key] = value
    return out


def _load_rules(path: Path) -> tuple[dict[str, Rule], dict[str, float]]:
    doc = check_keys(
        load_yaml(path), required={"rules"}, optional={"thresholds"}, file=path, where="rules.yaml"
    )
    rules: dict[str, Rule] = {}
    for rule, body in doc["rules"].items():
        fields = {"grade", "message_vi", "message_en", "fix_vi", "fix_en", "title_vi", "title_en"}
        body = check_keys(body, required=fields, file=path, where=rule)
        if body["grade"] not in GRADES:
            raise ParamsError(
                f"'{rule}.grade' phải là một trong {', '.join(GRADES)}.",
                f"'{rule}.grade' must be one of {', '.join(GRADES)}.",
                where=str(path),
            )
        rules[rule] = Rule(rule=rule, **{k: str(body[k]) for k in fields})
    return rules, _load_thresholds(doc, path)


def load_contract_spec(contracts_dir: Path | str = DEFAULT_CONTRACTS_DIR) -> ContractSpec:
    """Read columns.yaml, vocabularies.yaml and rules.yaml from ``contracts_dir``."""
    directory = Path(contracts_dir)
    vocabularies, booleans = _load_vocabularies(directory / "vocabularies.yaml")
    tables = _load_columns(directory / "columns.yaml", set(vocabularies))
    for table in tables.values():
        for col in table.columns.values():
            vocab = vocabularies.get(col.vocabulary or "")
            if vocab and col.empty is not None and col.empty not in vocab.codes:
                raise ParamsError(
                    f"'{table.name}.{col.name}.empty' = {col.empty!r} không phải mã của "
                    f"'{vocab.name}'.",
                    f"'{table.name}.{col.name}.empty' = {col.empty!r} is not a code of "
                    f"'{vocab.name}'.",
                    where=str(directory / "columns.yaml"),
                )
    rules, thresholds = _load_rules(directory / "rules.yaml")
    return ContractSpec(directory, tables, vocabularies, booleans, rules, thresholds)
