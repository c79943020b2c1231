"""Runs the notebooks in order into a staging folder and publishes it only when all succeeded.

A failed run leaves the previous OUT untouched. Parameters reach papermill as a typed dict
(its ``-p`` guessing would turn a unit code "01" into the integer 1).
"""

from __future__ import annotations

import ast
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
from typing import Any

from cadre_analytics import __version__
from cadre_analytics.errors import UserError
from cadre_analytics.params import DEFAULT_PARAMS_DIR, PROJECT_ROOT, params_hash
from cadre_analytics.provenance import git_commit, sha256_file

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
KERNEL_NAME = "cadre-analytics"
REPORT_NOTEBOOKS = ("01_ingest_validate", "02_indicators", "03_projection", "04_report")
LANGUAGES = ("vi", "en")
# A staging folder names the process that writes it, so a later run can tell a killed one.
STAGING_PID = ".pid"
# Kernels booting ahead of the running notebook: one is enough to hide the boot on two cores.
KERNELS_AHEAD = 1


@dataclass
class RunSettings:
    year: int
    data_dir: Path
    out_dir: Path
    lang: str = "vi"
    seed: int = 2025
    force: bool = False
    # reusable results of unchanged inputs (cadre_analytics.cache); None = no caching
    cache_dir: Path | None = None
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
    cache = str(settings.cache_dir) if settings.cache_dir else ""
    if name == "01_ingest_validate":
        return {**common, "data_dir": str(settings.data_dir.resolve()), "cache_dir": cache}
    if name == "04_report":
        return {**common, "cache_dir": cache}
    if name == "03_projection":
        return {**common, "seed": int(settings.seed)}
    return common


@contextlib.contextmanager
def kernel_output_to(log_path: Path):
    """Send what kernels print on stderr (transport warnings, shutdown noise) to a log file.

    Kernels are child processes that inherit file descriptor 2, so it is redirected at the OS
    level for the duration; the user's terminal shows only our own messages.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with open(log_path, "ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def skip_optional_iri_checker() -> None:
    """Keep jsonschema from loading its optional IRI format checker in this process.

    papermill and nbconvert import nbformat, which imports jsonschema, which loads
    ``rfc3987_syntax`` when it is installed (JupyterLab's dependencies bring it); building its
    grammar takes about 1.6 s here, a quarter of a district report. No notebook schema uses the
    ``iri`` formats, and jsonschema treats a missing checker as an optional extra not installed.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # None in sys.modules = ImportError


def notebook_imports(path: Path) -> list[str]:
    """The import statements of a notebook's code cells, in order."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse("".join(cell["source"]))
        except SyntaxError:
            continue
        found += [ast.unparse(n) for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    return found


class KernelPool:
    """Kernels started ahead of their notebook, so one boots and imports its notebook's modules
    on the second core while the previous notebook runs (about 0.7 s a kernel here). Each
    notebook still gets a fresh kernel of its own."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self._kernels: dict[str, Any] = {}
        self._log = None

    def start(self, name: str) -> None:
        if name in self._kernels:
            return
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        if self._log is None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in close()
        imports = notebook_imports(NOTEBOOKS_DIR / f"{name}.ipynb")
        manager = AsyncKernelManager(kernel_name=KERNEL_NAME)
        try:
            run_sync(manager.start_kernel)(
                cwd=str(NOTEBOOKS_DIR),
                stdout=self._log,
                stderr=self._log,
                extra_arguments=[f"--IPKernelApp.exec_lines={json.dumps(imports)}"],
            )
        except Exception:  # papermill starts its own kernel and reports any problem itself
            return
        self._kernels[name] = manager

    def take(self, name: str):
        """The kernel started for ``name`` (the caller shuts it down), or None."""
        return self._kernels.pop(name, None)

    @staticmethod
    def shutdown(manager) -> None:
        from jupyter_core.utils import run_sync

        with contextlib.suppress(Exception):
            run_sync(manager.shutdown_kernel)(now=True)

    def close(self) -> None:
        for name in list(self._kernels):
            self.shutdown(self._kernels.pop(name))
        if self._log is not None:
            self._log.close()
            self._log = None


def execute_notebook(
    name: str,
    settings: RunSettings,
    staging: Path,
    kernels: KernelPool | None = None,
    upcoming: tuple[str, ...] = (),
) -> None:
    """Execute one notebook into ``staging/notebooks``; with ``kernels``, on a kernel started
    ahead (if there is one) while the kernels of ``upcoming`` notebooks start booting."""
    executed_dir = staging / "notebooks"
    executed_dir.mkdir(parents=True, exist_ok=True)
    manager = None
    if kernels is not None:
        kernels.start(name)
        manager = kernels.take(name)
        for later in upcoming:
            kernels.start(later)
    # Imported after the kernels are launched, so they boot while it loads.
    skip_optional_iri_checker()
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        with kernel_output_to(executed_dir / "kernel.log"):
            papermill.execute_notebook(
                str(NOTEBOOKS_DIR / f"{name}.ipynb"),
                str(executed_dir / f"{name}.ipynb"),
                parameters=notebook_parameters(name, settings, staging),
                kernel_name=KERNEL_NAME,
                progress_bar=False,
                log_output=False,
                cwd=str(NOTEBOOKS_DIR),
                **({"km": manager} if manager is not None else {}),
            )
    except PapermillExecutionError as exc:
        # A user error raised inside the notebook (InputStop, ParamsError, ...) arrives here as
        # its class name and message: show that one line, not the kernel's traceback.
        if exc.ename in {"UserError", "InputStop", "ParamsError"}:
            raise UserError(exc.evalue, exc.evalue) from None
        raise
    finally:
        if manager is not None:
            KernelPool.shutdown(manager)


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
    if settings.cache_dir is not None:
        settings.cache_dir = settings.cache_dir.resolve()
    inputs = input_fingerprint(settings.data_dir)
    key = run_key(settings, inputs, params_hash(DEFAULT_PARAMS_DIR))
    if not settings.force and is_up_to_date(settings.out_dir, key):
        return None
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    with staged_output(settings.out_dir) as staging:
        kernels = KernelPool(staging / "notebooks" / "kernel.log")
        try:
            for position, name in enumerate(settings.notebooks):
                started = time.perf_counter()
                if name == "04_report":
                    # The report's provenance footer reads the manifest: write it before, and
                    # again at the end with every duration.
                    write_manifest(staging, settings, inputs, key)
                upcoming = settings.notebooks[position + 1 : position + 1 + KERNELS_AHEAD]
                execute_notebook(name, settings, staging, kernels=kernels, upcoming=upcoming)
                settings.durations[name] = time.perf_counter() - started
        finally:
            kernels.close()
        from cadre_analytics.report.render import render_html

        started = time.perf_counter()
        render_html(
            staging / "notebooks" / "04_report.ipynb", staging / "report.html", settings.lang
        )
        settings.durations["render_html"] = time.perf_counter() - started
        write_manifest(staging, settings, inputs, key)
    return settings.out_dir / "report.html"
