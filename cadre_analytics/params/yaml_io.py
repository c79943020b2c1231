"""Reading YAML parameter files safely, and turning what is wrong in them into one line.

Parameter files are edited by hand and may come from anyone, so reading one is bounded: the file
size is capped, aliases may not expand into more than a bounded number of nodes (a "billion
laughs" file is refused before it is built), and no value shown in an error is longer than a
short excerpt.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from cadre_analytics.errors import ParamsError

M = TypeVar("M", bound=BaseModel)

# The largest parameter file today (params/synth.yaml) is about 32 KB.
MAX_FILE_BYTES = 2_000_000
# Nodes a document may hold once its aliases are expanded; the bundled files hold a few thousand.
MAX_EXPANDED_NODES = 200_000
# Characters of a value quoted in an error message.
MAX_SHOWN_CHARS = 60

# libyaml's safe loader when present: the same documents, about ten times faster to parse
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def cut(text: str) -> str:
    """A text cut to a short excerpt, so a huge value never floods a message."""
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 1] + "…"


def shown(value: Any) -> str:
    """``repr(value)`` as a short excerpt; a container is never expanded in full."""
    if isinstance(value, dict | list | tuple | set):
        return f"<{type(value).__name__}, {len(value)} items>"
    return cut(repr(value))


def _expanded_size(node: yaml.Node, memo: dict[int, int], open_: set[int]) -> int:
    """Nodes in the tree once aliases are expanded, counted on the shared graph (never built)."""
    key = id(node)
    if key in memo:
        return memo[key]
    if key in open_:
        raise RecursionError("alias refers to itself")
    open_.add(key)
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(child, memo, open_) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            size += _expanded_size(k, memo, open_) + _expanded_size(v, memo, open_)
    open_.discard(key)
    memo[key] = size
    return size


def _too_big(path: Path, vi: str, en: str) -> ParamsError:
    return ParamsError(
        vi,
        en,
        where=str(path),
        fix_vi="viết giá trị ra trực tiếp, bỏ bớt bí danh (&, *).",
        fix_en="write the values out, with fewer aliases (&, *).",
    )


def _parse(text: str, path: Path) -> Any:
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            size = _expanded_size(node, {}, set())
        except RecursionError:
            raise _too_big(
                path,
                "Tệp tham số có bí danh YAML tự tham chiếu.",
                "Parameter file has a YAML alias that refers to itself.",
            ) from None
        if size > MAX_EXPANDED_NODES:
            raise _too_big(
                path,
                f"Tệp tham số quá lớn khi mở rộng bí danh YAML (hơn {MAX_EXPANDED_NODES:,} nút).",
                f"Parameter file expands past {MAX_EXPANDED_NODES:,} nodes through YAML aliases.",
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def load_yaml(path: Path) -> Any:
    """Read one YAML file safely; a missing, oversized or malformed file is a ParamsError."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ParamsError(
                f"Tệp tham số quá lớn ({size:,} byte, tối đa {MAX_FILE_BYTES:,}).",
                f"Parameter file is too large ({size:,} bytes, at most {MAX_FILE_BYTES:,}).",
                where=str(path),
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParamsError(
            f"Không tìm thấy tệp tham số {path}.",
            f"Parameter file {path} not found.",
            where=str(path),
        ) from None
    except (UnicodeDecodeError, IsADirectoryError):
        raise ParamsError(
            "Tệp tham số không phải văn bản UTF-8.",
            "Parameter file is not UTF-8 text.",
            where=str(path),
        ) from None
    try:
        return _parse(text, path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" dòng {mark.line + 1}" if mark else ""
        line_en = f" line {mark.line + 1}" if mark else ""
        raise ParamsError(
            f"Tệp tham số sai cú pháp YAML{line}.",
            f"Parameter file is not valid YAML{line_en}.",
            where=str(path),
        ) from None


def check_keys(
    mapping: Any,
    *,
    required: set[str] | frozenset[str] = frozenset(),
    optional: set[str] | frozenset[str] = frozenset(),
    file: Path | str,
    where: str,
) -> dict:
    """Check that ``mapping`` is a dict with every required key and no unknown key."""
    if not isinstance(mapping, dict):
        raise ParamsError(
            f"'{where}' phải là một bảng khóa: giá trị.",
            f"'{where}' must be a mapping of key: value.",
            where=str(file),
        )
    missing = sorted(set(required) - set(mapping))
    if missing:
        raise ParamsError(
            f"Thiếu khóa '{missing[0]}' trong '{where}'.",
            f"Missing key '{missing[0]}' in '{where}'.",
            where=str(file),
        )
    unknown = sorted(map(str, set(mapping) - set(required) - set(optional)))
    if unknown:
        allowed = ", ".join(sorted(set(required) | set(optional)))
        key = cut(unknown[0])
        raise ParamsError(
            f"Khóa không hợp lệ '{key}' trong '{where}' (được phép: {allowed}).",
            f"Unknown key '{key}' in '{where}' (allowed: {allowed}).",
            where=str(file),
        )
    return mapping


def expect_type(value: Any, types: type | tuple[type, ...], *, file: Path | str, where: str) -> Any:
    """Check a value's type (bool is not accepted where a number is expected)."""
    wanted = types if isinstance(types, tuple) else (types,)
    is_bool = isinstance(value, bool)
    if not isinstance(value, wanted) or (is_bool and bool not in wanted):
        names = " hoặc ".join(t.__name__ for t in wanted)
        names_en = " or ".join(t.__name__ for t in wanted)
        raise ParamsError(
            f"Giá trị '{where}' = {shown(value)} phải có kiểu {names}.",
            f"Value '{where}' = {shown(value)} must be of type {names_en}.",
            where=str(file),
        )
    return value


# --- typed models: pydantic's findings as one bilingual line -----------------------------------

# Every parameter model forbids unknown keys (a misspelt key must stop the run, not be ignored).
MODEL_CONFIG = ConfigDict(extra="forbid", frozen=True)


def fail(vi: str, en: str) -> PydanticCustomError:
    """An error raised inside a model validator; its two messages reach the user as written."""
    return PydanticCustomError("params", "{en}", {"vi": vi, "en": en})


def params_error(file: Path | str, where: str, vi: str, en: str) -> ParamsError:
    """The usual one-line error: the file, then the key path and what is wrong with it."""
    prefix = f"'{where}': " if where else ""
    return ParamsError(f"{prefix}{vi}", f"{prefix}{en}", where=str(file))


def _key_path(doc: Any, loc: tuple) -> list[str]:
    """The key path of an error in the user's words: list items by their ``id`` when they have
    one, and none of pydantic's own union/validator tags (they are not keys of the file)."""
    parts: list[str] = []
    node = doc
    for step in loc:
        if isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
            item_id = node.get("id") if isinstance(node, dict) else None
            if isinstance(item_id, str) and parts:
                parts[-1] = f"{parts[-1]}.{cut(item_id)}"
            else:
                parts[-1:] = [f"{parts[-1]}[{step}]" if parts else f"[{step}]"]
        elif isinstance(node, dict):
            match = next((k for k in node if k == step or str(k) == str(step)), None)
            if match is None:
                if step == loc[-1]:
                    parts.append(cut(str(step)))
                continue
            node = node[match]
            parts.append(cut(str(match)))
    return parts


# pydantic's error types that need no detail beyond what the value should be
_KINDS = {
    "int_type": ("phải là số nguyên", "must be a whole number"),
    "int_parsing": ("phải là số nguyên", "must be a whole number"),
    "int_from_float": ("phải là số nguyên", "must be a whole number"),
    "float_type": ("phải là một số", "must be a number"),
    "float_parsing": ("phải là một số", "must be a number"),
    "string_type": ("phải là chữ", "must be text"),
    "bool_type": ("phải là true hoặc false", "must be true or false"),
    "dict_type": ("phải là một bảng khóa: giá trị", "must be a mapping of key: value"),
    "model_type": ("phải là một bảng khóa: giá trị", "must be a mapping of key: value"),
    "list_type": ("phải là danh sách", "must be a list"),
    "string_too_short": ("không được để trống", "must not be empty"),
    "string_pattern_mismatch": ("không được để trống", "must not be empty"),
}

# bounds of a value or a list, with the limit pydantic reports
_BOUNDS = {
    "less_than_equal": ("phải ≤ {le}", "must be <= {le}"),
    "greater_than_equal": ("phải ≥ {ge}", "must be >= {ge}"),
    "less_than": ("phải < {lt}", "must be < {lt}"),
    "greater_than": ("phải > {gt}", "must be > {gt}"),
    "too_long": (
        "có quá nhiều mục (tối đa {max_length})",
        "has too many items (at most {max_length})",
    ),
    "string_too_long": (
        "quá dài (tối đa {max_length} ký tự)",
        "is too long (at most {max_length} characters)",
    ),
    "too_short": (
        "có quá ít mục (ít nhất {min_length})",
        "has too few items (at least {min_length})",
    ),
}


def _describe(error: dict, doc: Any) -> tuple[str, str]:
    kind, ctx = error["type"], error.get("ctx") or {}
    parts = _key_path(doc, error["loc"])
    if kind == "params":
        return ctx["vi"], ctx["en"]
    if kind in ("missing", "extra_forbidden"):
        key, parent = (parts[-1], ".".join(parts[:-1])) if parts else ("?", "")
        parent = parent or "(đầu tệp)"
        parent_en = ".".join(parts[:-1]) or "(top level)"
        if kind == "missing":
            return f"Thiếu khóa '{key}' trong '{parent}'.", f"Missing key '{key}' in '{parent_en}'."
        return (
            f"Khóa không hợp lệ '{key}' trong '{parent}'.",
            f"Unknown key '{key}' in '{parent_en}'.",
        )
    value = shown(error.get("input"))
    if kind in _BOUNDS:
        vi, en = (text.format(**ctx) for text in _BOUNDS[kind])
        return f"= {value} {vi}.", f"= {value} {en}."
    if kind in _KINDS:
        vi, en = _KINDS[kind]
        return f"= {value} {vi}.", f"= {value} {en}."
    if kind == "literal_error":
        allowed = ctx.get("expected", "")
        return (
            f"= {value} không hợp lệ (được phép: {allowed.replace(' or ', ', ')}).",
            f"= {value} is not valid (allowed: {allowed}).",
        )
    return f"= {value} không hợp lệ ({error['msg']}).", f"= {value} is not valid ({error['msg']})."


def validate(model: type[M], doc: Any, file: Path | str) -> M:
    """``model`` checked against a file's document; the first problem is a ParamsError that
    names the file and the key path."""
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(_key_path(doc, error["loc"]))
        vi, en = _describe(error, doc)
        if error["type"] in ("missing", "extra_forbidden"):
            raise ParamsError(vi, en, where=str(file)) from None
        if vi.startswith("= "):  # a bad value: name the key it sits under first
            vi, en = f"'{where or '(tệp)'}' {vi}", f"'{where or '(file)'}' {en}"
            raise ParamsError(vi, en, where=str(file)) from None
        raise params_error(file, where, vi, en) from None
