"""Reading a parameter file is bounded: aliases cannot expand without limit, a file cannot be
huge, and no error message repeats a huge value."""

from __future__ import annotations

import time

import pytest

from cadre_analytics.errors import ParamsError
from cadre_analytics.params import load_quota_rules, load_yaml, yaml_io

# Nine levels of ten aliases each: 10**9 strings once expanded, a few hundred bytes on disk.
BOMB = (
    "a: &a ["
    + ",".join(["'lol'"] * 10)
    + "]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 10) + "]\n"
        for i in range(8)
    )
)


def test_alias_bomb_is_refused_fast_with_a_short_message(tmp_path):
    path = tmp_path / "quotas.yaml"
    path.write_text(BOMB, encoding="utf-8")
    for loader in (load_yaml, load_quota_rules):
        start = time.perf_counter()
        with pytest.raises(ParamsError) as info:
            loader(path)
        assert time.perf_counter() - start < 1.0
        message = info.value.one_line()
        assert str(path) in message and "alias" in message and len(message) < 400


def test_a_few_aliases_are_still_allowed(tmp_path):
    # params/synth.yaml shares role lists between unit kinds with anchors.
    path = tmp_path / "x.yaml"
    path.write_text("base: &b [1, 2]\nother: *b\n", encoding="utf-8")
    assert load_yaml(path) == {"base": [1, 2], "other": [1, 2]}


def test_self_referring_alias_is_refused(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: &a [*a]\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="refers to itself"):
        load_yaml(path)


def test_oversized_file_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(yaml_io, "MAX_FILE_BYTES", 100)
    path = tmp_path / "x.yaml"
    path.write_text("a: " + "1" * 200 + "\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="too large"):
        load_yaml(path)


def test_shown_cuts_long_values_and_never_expands_containers():
    assert yaml_io.shown("abc") == "'abc'"
    assert len(yaml_io.shown("x" * 10_000)) == yaml_io.MAX_SHOWN_CHARS
    nested = [[["x"] * 1000] * 1000] * 1000  # a billion items if printed
    assert yaml_io.shown(nested) == "<list, 1000 items>"
