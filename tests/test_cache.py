"""The result cache: content-addressed, private, and never worse than no cache."""

import os
import stat

import polars as pl

from cadre_analytics.cache import Cache, file_hash, open_cache


def test_no_path_means_no_cache():
    assert open_cache(None) is None
    assert open_cache("") is None


def test_frame_round_trip_and_private_files(tmp_path):
    cache = Cache(tmp_path / "c")
    frame = pl.DataFrame({"id": ["a", "b"], "n": [1, None]})
    key = Cache.key("staff", "abc")
    assert cache.get_frame("parsed", key) is None
    cache.put_frame("parsed", key, frame)
    assert cache.get_frame("parsed", key).equals(frame)
    entry = tmp_path / "c" / "parsed" / f"{key}.parquet"
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "c").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "c" / "parsed").stat().st_mode) == 0o700


def test_key_depends_on_every_part_and_order():
    assert Cache.key("a", 1) == Cache.key("a", 1)
    assert Cache.key("a", 1) != Cache.key("a", 2)
    assert Cache.key("a", 1) != Cache.key(1, "a")
    assert Cache.key({"x": 1, "y": 2}) == Cache.key({"y": 2, "x": 1})


def test_corrupt_entry_is_a_miss_and_removed(tmp_path):
    cache = Cache(tmp_path)
    key = Cache.key("k")
    cache.put_bytes("parsed", key, b"not parquet", "parquet")
    assert cache.get_frame("parsed", key) is None
    assert not (tmp_path / "parsed" / f"{key}.parquet").exists()
    cache.put_bytes("verdicts", key, b"{broken", "json")
    assert cache.get_json("verdicts", key) is None


def test_unwritable_folder_behaves_like_no_cache(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = Cache(blocker / "sub")  # a folder below a file cannot be made
    cache.put_json("verdicts", Cache.key("k"), {"a": 1})
    assert cache.get_json("verdicts", Cache.key("k")) is None
    assert not cache.writable


def test_json_round_trip(tmp_path):
    cache = Cache(tmp_path)
    cache.put_json("svg", "ab12", {"svg": "<svg/>", "n": 3})
    assert cache.get_json("svg", "ab12") == {"svg": "<svg/>", "n": 3}


def test_file_hash_changes_with_content_and_name(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("x: 1")
    b.write_text("y: 2")
    first = file_hash([a, b])
    assert first == file_hash([b, a])
    b.write_text("y: 3")
    assert file_hash([a, b]) != first
    os.rename(b, tmp_path / "c.yaml")
    assert file_hash([a, tmp_path / "c.yaml"]) != first


def test_key_changes_with_the_package_code(monkeypatch):
    from cadre_analytics import cache as cache_module

    before = Cache.key("staff", "abc")
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "other code")
    assert Cache.key("staff", "abc") != before


def test_modules_fingerprint_changes_with_any_module(tmp_path):
    from cadre_analytics.cache import modules_fingerprint

    (tmp_path / "sub").mkdir()
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "sub" / "b.py").write_text("y = 2\n")
    (tmp_path / "notes.txt").write_text("not code")
    first = modules_fingerprint(tmp_path)
    (tmp_path / "notes.txt").write_text("still not code")
    assert modules_fingerprint(tmp_path) == first
    (tmp_path / "sub" / "b.py").write_text("y = 3\n")  # a nested module changed
    assert modules_fingerprint(tmp_path) != first
