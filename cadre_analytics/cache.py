"""A content-addressed cache of stage results, so a rerun redoes only what changed.

Every key is a SHA-256 over everything that could change the value (the input bytes' SHA-256,
the contract or parameter files used, the package and library versions), so an entry can never be
stale: a changed input simply has another key.  The cache is only a shortcut: a miss, an entry
that cannot be read, or a folder that cannot be written behaves exactly like no cache at all.

The entries hold personal data (parsed staff records), so the folder is 0700 and files 0600,
like ``OUT/restricted``.  ``make clean`` deletes it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import polars as pl

from cadre_analytics import __version__

log = logging.getLogger(__name__)


class Cache:
    """Entries live in ``root/<namespace>/<key>.<kind>``; writes are atomic (rename)."""

    def __init__(self, root: Path | str):
        self.root = Path(root).absolute()
        self.writable = True

    @staticmethod
    def key(*parts: object) -> str:
        """SHA-256 of the parts as JSON (sorted keys; other objects by ``str``) and of the
        package's own code, so an entry made by other code (an update between two yearly runs)
        is never reused, whatever the version number says."""
        payload = [__version__, code_fingerprint(), *parts]
        text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _path(self, namespace: str, key: str, kind: str) -> Path:
        if not namespace.replace("_", "").isalnum() or not key.isalnum():
            raise ValueError(f"bad cache namespace or key: {namespace!r} {key!r}")
        return self.root / namespace / f"{key}.{kind}"

    def get_bytes(self, namespace: str, key: str, kind: str = "bin") -> bytes | None:
        path = self._path(namespace, key, kind)
        try:
            return path.read_bytes()
        except OSError:
            return None

    def put_bytes(self, namespace: str, key: str, data: bytes, kind: str = "bin") -> None:
        if not self.writable:
            return
        path = self._path(namespace, key, kind)
        try:
            for folder in (self.root, path.parent):
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                os.chmod(folder, 0o700)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # 0600
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(tmp, path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
        except OSError as exc:  # a full disk or a read-only folder only costs speed
            log.warning("cache not written (%s); results are recomputed each run", exc)
            self.writable = False

    def get_frame(self, namespace: str, key: str) -> pl.DataFrame | None:
        data = self.get_bytes(namespace, key, "parquet")
        if data is None:
            return None
        try:
            return pl.read_parquet(io.BytesIO(data))
        except Exception:  # a truncated or foreign file: a miss, and it is replaced
            self.discard(namespace, key, "parquet")
            return None

    def put_frame(self, namespace: str, key: str, frame: pl.DataFrame) -> None:
        buffer = io.BytesIO()
        frame.write_parquet(buffer, compression="lz4", statistics=False)
        self.put_bytes(namespace, key, buffer.getvalue(), "parquet")

    def get_json(self, namespace: str, key: str) -> Any | None:
        data = self.get_bytes(namespace, key, "json")
        if data is None:
            return None
        try:
            return json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            self.discard(namespace, key, "json")
            return None

    def put_json(self, namespace: str, key: str, value: Any) -> None:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        self.put_bytes(namespace, key, text.encode("utf-8"), "json")

    def discard(self, namespace: str, key: str, kind: str = "bin") -> None:
        with contextlib.suppress(OSError):
            self._path(namespace, key, kind).unlink()


def modules_fingerprint(package: Path) -> str:
    """SHA-256 over the names and bytes of every ``*.py`` below ``package``."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """This package's fingerprint (a few hundred KB, read once per process)."""
    return modules_fingerprint(Path(__file__).resolve().parent)


def open_cache(path: str | Path | None) -> Cache | None:
    """The cache at ``path``; None or "" means no caching."""
    if path is None or str(path) == "":
        return None
    return Cache(path)


def file_hash(paths: list[Path] | tuple[Path, ...]) -> str:
    """One SHA-256 over several files' names and bytes (e.g. a contracts folder)."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
