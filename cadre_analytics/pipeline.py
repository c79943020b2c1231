"""Runs the notebooks in order into a staging folder and publishes it only when all succeeded.

A failed run leaves the previous OUT untouched. Parameters reach papermill as a typed dict
(its ``-p`` guessing would turn a unit code "01" into the integer 1).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cadre_analytics import __version__
from cadre_analytics.errors import UserError
from cadre_analytics.params import DEFAULT_PARAMS_DIR, PROJECT_ROOT, params_hash
from cadre_analytics.provenance import git_commit, sha256_file

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
KERNEL_NAME = "cadre-analytics"
KERNEL_QUIET = ["--IPKernelApp.log_level=CRITICAL"]
REPORT_NOTEBOOKS = ("01_ingest_validate", "02_indicators", "03_projection", "04_report")
LANGUAGES = ("vi", "en")
# A staging folder names the process that writes it, so a later run can tell a killed one.
STAGING_PID = ".pid"


@dataclass
class RunSettings:
    year: int
    data_dir: Path
    out_dir: Path
    lang: str = "vi"
    seed: int = 2025
    force: bool = False
    notebooks: tuple[str, ...] = REPORT_NOTEBOOKS
    durations: dict[str, float] = field(default_factory=dict)


def check_settings(settings: RunSettings) -> None:
    """Refuse settings a user can get wrong, with one clear line each."""
    if settings.lang not in LANGUAGES:
        raise UserError(
            f"Ngôn ngữ báo cáo '{settings.lang}' không hỗ trợ (chọn vi hoặc en).",
            f"Report language '{settings.lang}' is not supported (use vi or en).",
            where="REPORT_LANG",
        )
    if not 2000 <= settings.year <= 2100:
        raise UserError(
            f"Năm báo cáo {settings.year} không hợp lệ.",
            f"Report year {settings.year} is not valid.",
            where="YEAR",
            fix_vi="dùng năm có 4 chữ số, ví dụ YEAR=2025.",
            fix_en="use a four-digit year, e.g. YEAR=2025.",
        )
    if not settings.data_dir.is_dir():
        raise UserError(
            "Không tìm thấy thư mục dữ liệu.",
            "Data folder not found.",
            where=f"DATA={settings.data_dir}",
            fix_vi="chỉ ra thư mục chứa staff, training_updates, units.",
            fix_en="point DATA at the folder holding staff, training_updates, units.",
        )


def input_fingerprint(data_dir: Path) -> list[dict]:
    """Every file in DATA with its SHA-256: what the up-to-date check and the manifest record."""
    files = sorted(
        p for p in Path(data_dir).rglob("*") if p.is_file() and not p.name.startswith(".")
    )
    return [
        {"path": str(p.relative_to(data_dir)), "bytes": p.stat().st_size, "sha256": sha256_file(p)}
        for p in files
    ]


def run_key(settings: RunSettings, inputs: list[dict], parameters_hash: str) -> str:
    """What makes two runs identical: inputs, parameters, code version, year, language."""
    payload = json.dumps(
        {
            "inputs": inputs,
            "params": parameters_hash,
            "version": __version__,
            "commit": git_commit(),
            "year": settings.year,
            "lang": settings.lang,
            "seed": settings.seed,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def is_up_to_date(out_dir: Path, key: str) -> bool:
    manifest = out_dir / "manifest.json"
    if not (manifest.exists() and (out_dir / "report.html").exists()):
        return False
    try:
        return json.loads(manifest.read_text(encoding="utf-8")).get("run_key") == key
    except (OSError, ValueError):
        return False


def notebook_parameters(name: str, settings: RunSettings, staging: Path) -> dict:
    """The typed parameters each notebook's `parameters` cell declares."""
    common = {"out_dir": str(staging), "year": int(settings.year), "lang": settings.lang}
    if name == "01_ingest_validate":
        return {**common, "data_dir": str(settings.data_dir.resolve())}
    if name == "03_projection":
        return {**common, "seed": int(settings.seed)}
    return common


def execute_notebook(name: str, settings: RunSettings, staging: Path) -> None:
    """Execute one notebook, on a kernel of its own, into ``staging/notebooks``."""
    executed_dir = staging / "notebooks"
    executed_dir.mkdir(parents=True, exist_ok=True)
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        papermill.execute_notebook(
            str(NOTEBOOKS_DIR / f"{name}.ipynb"),
            str(executed_dir / f"{name}.ipynb"),
            parameters=notebook_parameters(name, settings, staging),
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            log_output=False,
            cwd=str(NOTEBOOKS_DIR),
            # The kernel's own log (plain-TCP notice, interrupt at shutdown) is not for the
            # user's terminal; a failing cell still reaches us through papermill.
            extra_arguments=KERNEL_QUIET,
        )
    except PapermillExecutionError as exc:
        # A user error raised inside the notebook (InputStop, ParamsError, ...) arrives here as
        # its class name and message: show that one line, not the kernel's traceback.
        if exc.ename in {"UserError", "InputStop", "ParamsError"}:
            raise UserError(exc.evalue, exc.evalue) from None
        raise


def publish(staging: Path, out_dir: Path) -> None:
    """Swap the finished staging folder into OUT; the old OUT is removed only afterwards."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    previous = None
    if out_dir.exists():
        previous = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        os.replace(out_dir, previous)
    os.replace(staging, out_dir)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


def tool_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    names = [
        "polars",
        "great-expectations",
        "papermill",
        "nbconvert",
        "altair",
        "vl-convert-python",
    ]
    found = {"python": sys.version.split()[0]}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "missing"
    return found


def write_manifest(staging: Path, settings: RunSettings, inputs: list[dict], key: str) -> None:
    reconciliation_path = staging / "reconciliation.csv"
    row_counts = None
    if reconciliation_path.exists():
        import polars as pl

        row_counts = pl.read_csv(reconciliation_path).to_dicts()
    manifest = {
        "run_key": key,
        "year": settings.year,
        "lang": settings.lang,
        "seed": settings.seed,
        "data_dir": settings.data_dir.name,
        "inputs": inputs,
        "row_counts": row_counts,
        "params_hash": params_hash(DEFAULT_PARAMS_DIR),
        "package_version": __version__,
        "git_commit": git_commit(),
        "tools": tool_versions(),
        "durations_seconds": {k: round(v, 3) for k, v in settings.durations.items()},
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (staging / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_staging(out_dir: Path) -> list[Path]:
    """Delete staging/old folders beside OUT left by a run that was killed.

    They may hold quarantine rows and restricted/ person-level files, so they must not linger.
    A folder whose run is still alive (its pid answers) is left alone.
    """
    removed = []
    if not out_dir.parent.is_dir():
        return removed
    for path in out_dir.parent.glob(f".{out_dir.name}.*"):
        kind, _, tag = path.name[len(out_dir.name) + 2 :].partition("-")
        if kind == "tmp":
            pid_file = path / STAGING_PID
            pid = int(pid_file.read_text()) if pid_file.exists() else None
        elif kind == "old":
            pid = int(tag) if tag.isdigit() else None
        else:
            continue
        if pid is not None and pid != os.getpid() and _pid_alive(pid):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


@contextlib.contextmanager
def staged_output(out_dir: Path):
    """A fresh staging folder beside OUT, published as OUT only if the block succeeds."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    os.chmod(staging, 0o755)
    (staging / STAGING_PID).write_text(str(os.getpid()))
    try:
        yield staging
        (staging / STAGING_PID).unlink()
        publish(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def run_report(settings: RunSettings) -> Path | None:
    """Run every notebook and render OUT/report.html. Returns None when already up to date."""
    check_settings(settings)
    # Notebooks run with the notebooks folder as working directory: hand them absolute paths.
    settings.data_dir = settings.data_dir.resolve()
    settings.out_dir = settings.out_dir.resolve()
    inputs = input_fingerprint(settings.data_dir)
    key = run_key(settings, inputs, params_hash(DEFAULT_PARAMS_DIR))
    if not settings.force and is_up_to_date(settings.out_dir, key):
        return None
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    with staged_output(settings.out_dir) as staging:
        for name in settings.notebooks:
            started = time.perf_counter()
            if name == "04_report":
                # The report's provenance footer reads the manifest: write it before, and
                # again at the end with every duration.
                write_manifest(staging, settings, inputs, key)
            execute_notebook(name, settings, staging)
            settings.durations[name] = time.perf_counter() - started
        from cadre_analytics.report.render import render_html

        started = time.perf_counter()
        render_html(
            staging / "notebooks" / "04_report.ipynb", staging / "report.html", settings.lang
        )
        settings.durations["render_html"] = time.perf_counter() - started
        write_manifest(staging, settings, inputs, key)
    return settings.out_dir / "report.html"
