"""Runs the notebooks in order into a staging folder and publishes it only when all succeeded.

A failed run leaves the previous OUT untouched. Parameters reach papermill as a typed dict
(its ``-p`` guessing would turn a unit code "01" into the integer 1).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cadre_analytics import __version__
from cadre_analytics.errors import UserError
from cadre_analytics.output_folder import check_output_folder, environment_stop, staged_output
from cadre_analytics.params import (
    DEFAULT_CONTRACTS_DIR,
    DEFAULT_PARAMS_DIR,
    PROJECT_ROOT,
    SAMPLE_DATA_DIR,
    params_hash,
)
from cadre_analytics.provenance import git_commit, sha256_file

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
KERNEL_NAME = "cadre-analytics"
KERNEL_QUIET = ["--IPKernelApp.log_level=CRITICAL"]
# 05_plan runs before the report, which reads its tables (04 kept its number: it is the report).
REPORT_NOTEBOOKS = ("01_ingest_validate", "02_indicators", "03_projection", "05_plan", "04_report")
LANGUAGES = ("vi", "en")
# How an OSError from inside a kernel names the environment's faults (its errno is lost there).
ENVIRONMENT_MESSAGES = {
    "No space left on device": errno.ENOSPC,
    "Disk quota exceeded": errno.EDQUOT,
    "Read-only file system": errno.EROFS,
    "Permission denied": errno.EACCES,
}


@dataclass
class RunSettings:
    year: int
    data_dir: Path
    out_dir: Path
    lang: str = "vi"
    seed: int = 2025
    force: bool = False
    notebooks: tuple[str, ...] = REPORT_NOTEBOOKS
    crosswalk: Path | None = None  # a conversion table of units (CROSSWALK=file)
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
    if settings.crosswalk is not None and not Path(settings.crosswalk).is_file():
        raise UserError(
            "Không tìm thấy bảng chuyển đổi đơn vị.",
            "Crosswalk file not found.",
            where=f"CROSSWALK={settings.crosswalk}",
            fix_vi="chỉ ra tệp CSV, ví dụ data_contracts/crosswalks/di_linh_2025.csv.",
            fix_en="point CROSSWALK at a CSV, e.g. data_contracts/crosswalks/di_linh_2025.csv.",
        )


def input_fingerprint(data_dir: Path) -> list[dict]:
    """The tables' own files in DATA with their SHA-256: what the up-to-date check and the
    manifest record. Other files in DATA (notes, other folders) are neither read nor named."""
    from cadre_analytics.ingest.readers import find_sources
    from cadre_analytics.ingest.spec import load_contract_spec

    found = find_sources(Path(data_dir), load_contract_spec(DEFAULT_CONTRACTS_DIR))
    files = sorted({source.path for sources in found.values() for source in sources})
    return [
        {"path": str(p.relative_to(data_dir)), "bytes": p.stat().st_size, "sha256": sha256_file(p)}
        for p in files
    ]


def tree_hash(folder: Path, patterns: tuple[str, ...]) -> str:
    """SHA-256 over the names and bytes of the files matching ``patterns`` under ``folder``."""
    digest = hashlib.sha256()
    paths = sorted({p for pattern in patterns for p in Path(folder).rglob(pattern) if p.is_file()})
    for path in paths:
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def run_key(settings: RunSettings, inputs: list[dict], parameters_hash: str) -> str:
    """What makes two runs identical: inputs, parameters, data contracts, the code and its
    notebooks (hashed, so an uncommitted edit counts too), year, language, seed."""
    payload = json.dumps(
        {
            "inputs": inputs,
            "params": parameters_hash,
            "contracts": tree_hash(DEFAULT_CONTRACTS_DIR, ("*",)),
            "code": tree_hash(PROJECT_ROOT / "cadre_analytics", ("*.py", "*.yaml", "*.css")),
            "notebooks": tree_hash(NOTEBOOKS_DIR, ("*.ipynb",)),
            "version": __version__,
            "year": settings.year,
            "lang": settings.lang,
            "seed": settings.seed,
            "crosswalk": _crosswalk_fingerprint(settings.crosswalk),
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _crosswalk_fingerprint(path: Path | None) -> dict | None:
    if path is None:
        return None
    return {"path": Path(path).name, "sha256": sha256_file(Path(path))}


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
        crosswalk = str(Path(settings.crosswalk).resolve()) if settings.crosswalk else ""
        return {**common, "data_dir": str(settings.data_dir.resolve()), "crosswalk": crosswalk}
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
            raise UserError.formatted(exc.evalue) from None
        if exc.ename in {"OSError", "PermissionError"}:
            code = next((n for n in ENVIRONMENT_MESSAGES if n in exc.evalue), None)
            if code is not None:
                stop = environment_stop(OSError(ENVIRONMENT_MESSAGES[code], code), settings.out_dir)
                raise stop from None
        raise


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


def plan_solves(out_dir: Path) -> list[dict] | None:
    """How the nomination plan's solves went (plan_solver.csv), for the manifest and the log."""
    if not (Path(out_dir) / "plan_solver.csv").exists():
        return None
    from cadre_analytics.outputs import read_table

    solver = read_table(out_dir, "plan_solver").rename({"message_en": "message"})
    keep = ["stage", "status", "mip_gap", "seconds", "plan_from", "time_limit_seconds", "message"]
    return solver.select(keep).to_dicts()


def plan_log_line(solves: list[dict] | None) -> str | None:
    """One line for the terminal: the plan's solver status, time and gap, or why no plan."""
    if not solves:
        return None
    if solves[0]["status"] == "error":
        return f"Kế hoạch cử đi học / Nomination plan: none ({solves[0]['message']})"
    gaps = [s["mip_gap"] for s in solves if s["mip_gap"] is not None]
    statuses = ", ".join(s["status"] for s in solves)
    seconds = sum(s["seconds"] or 0 for s in solves)
    gap = f", gap {max(gaps):.1%}" if gaps else ""
    return f"Kế hoạch cử đi học / Nomination plan: {statuses} ({seconds:.1f} s{gap})"


def write_manifest(staging: Path, settings: RunSettings, inputs: list[dict], key: str) -> None:
    reconciliation_path = staging / "reconciliation.csv"
    row_counts = None
    if reconciliation_path.exists():
        import polars as pl

        row_counts = pl.read_csv(reconciliation_path).to_dicts()
    manifest = {
        "run_key": key,
        "kind": "report",
        "year": settings.year,
        "lang": settings.lang,
        "seed": settings.seed,
        "data_dir": settings.data_dir.name,
        "sample_data": Path(settings.data_dir).resolve() == SAMPLE_DATA_DIR.resolve(),
        "inputs": inputs,
        "crosswalk": _crosswalk_fingerprint(settings.crosswalk),
        "row_counts": row_counts,
        "plan_solves": plan_solves(staging),
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


def run_report(settings: RunSettings) -> Path | None:
    """Run every notebook and render OUT/report.html. Returns None when already up to date."""
    check_settings(settings)
    # Notebooks run with the notebooks folder as working directory: hand them absolute paths.
    settings.data_dir = settings.data_dir.resolve()
    settings.out_dir = settings.out_dir.resolve()
    check_output_folder(settings.out_dir, settings.data_dir)
    from cadre_analytics.ingest.years import stop_unless_year_present

    # A YEAR with no staff row stops here, before the notebooks start their imports.
    stop_unless_year_present(settings.year, settings.data_dir)
    inputs = input_fingerprint(settings.data_dir)
    key = run_key(settings, inputs, params_hash(DEFAULT_PARAMS_DIR))
    if not settings.force and is_up_to_date(settings.out_dir, key):
        return None
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    with staged_output(settings.out_dir, "report", settings.data_dir) as staging:
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
