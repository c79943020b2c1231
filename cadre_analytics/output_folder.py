"""The output folder OUT: checked before a run, written into a staging folder beside it, and
swapped into place only when everything succeeded.

OUT is replaced only when it is absent, empty, or a folder this tool wrote: its manifest says so
and lists every file in it. Anything else — the user's documents, the input folder, a file — is
refused with one line, because replacing OUT deletes what was there.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import tempfile
from pathlib import Path

from cadre_analytics.errors import UserError

MANIFEST = "manifest.json"
# Written into every manifest; with the list of files it is how a later run recognises OUT.
WRITTEN_BY = "cadre_analytics"
# A staging folder names the process that writes it, so a later run can tell a killed one.
STAGING_PID = ".pid"
# OSError numbers that are the environment's doing (disk full, read-only, no permission).
ENVIRONMENT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}


def _files_in(folder: Path) -> list[str]:
    return sorted(
        str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() or p.is_symlink()
    )


def read_manifest(folder: Path) -> dict | None:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def foreign_files(folder: Path) -> list[str] | None:
    """Files in ``folder`` that this tool did not write there; None if it is not ours at all.

    Ours means: a manifest marked as written by this tool (or, from version 0.1, a manifest
    with a run key beside a report) whose file list names every file present."""
    manifest = read_manifest(folder)
    if manifest is None:
        return None
    if manifest.get("written_by") != WRITTEN_BY:
        legacy = "run_key" in manifest and (folder / "report.html").is_file()
        return [] if legacy else None
    listed = set(manifest.get("files", ())) | {MANIFEST}
    return [name for name in _files_in(folder) if name not in listed]


def _refuse(where: Path, vi: str, en: str, fix_vi: str, fix_en: str) -> UserError:
    return UserError(vi, en, where=f"OUT={where}", fix_vi=fix_vi, fix_en=fix_en)


def check_output_folder(out_dir: Path, data_dir: Path | None = None) -> None:
    """Refuse an OUT whose replacement would destroy something that is not a report."""
    out = Path(out_dir).resolve()
    fix_vi = "chọn một thư mục mới hoặc thư mục báo cáo cũ, ví dụ OUT=reports/2025."
    fix_en = "choose a new folder or an earlier report folder, e.g. OUT=reports/2025."
    if data_dir is not None:
        data = Path(data_dir).resolve()
        if out == data or out.is_relative_to(data) or data.is_relative_to(out):
            raise _refuse(
                out,
                "thư mục kết quả trùng, nằm trong hoặc chứa thư mục dữ liệu DATA.",
                "the output folder is, is inside, or contains the data folder DATA.",
                "đặt OUT ở ngoài DATA, ví dụ OUT=reports/2025.",
                "put OUT outside DATA, e.g. OUT=reports/2025.",
            )
    if out.exists() and not out.is_dir():
        raise _refuse(
            out,
            "đây là một tệp, không phải thư mục; chương trình không ghi đè tệp.",
            "this is a file, not a folder; it is never overwritten.",
            fix_vi,
            fix_en,
        )
    if out.suffix.lower() in (".html", ".htm", ".csv", ".xlsx"):
        raise _refuse(
            out,
            "OUT là thư mục chứa báo cáo, không phải tên tệp báo cáo.",
            "OUT is the folder that holds the report, not the report's file name.",
            fix_vi,
            fix_en,
        )
    if out.is_dir() and any(out.iterdir()):
        foreign = foreign_files(out)
        if foreign is None:
            raise _refuse(
                out,
                "thư mục đã có tệp và không phải báo cáo do chương trình này tạo; "
                "chạy tiếp sẽ xoá các tệp đó nên đã dừng.",
                "the folder holds files and is not a report this tool wrote; replacing it "
                "would delete them, so the run stopped.",
                fix_vi,
                fix_en,
            )
        if foreign:
            shown = ", ".join(foreign[:3]) + (" …" if len(foreign) > 3 else "")
            raise _refuse(
                out,
                f"thư mục báo cáo có tệp không do chương trình tạo ({shown}); "
                "chạy tiếp sẽ xoá chúng nên đã dừng.",
                f"the report folder holds files this tool did not write ({shown}); "
                "replacing it would delete them, so the run stopped.",
                "chuyển các tệp đó đi nơi khác, hoặc chọn OUT khác.",
                "move those files elsewhere, or choose another OUT.",
            )


def record_files(folder: Path, kind: str) -> None:
    """Mark ``folder`` as written by this tool: the manifest lists every file in it."""
    manifest = read_manifest(folder) or {}
    files = [name for name in _files_in(folder) if name != MANIFEST]
    manifest.update(written_by=WRITTEN_BY, kind=kind, files=files)
    (folder / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )


def publish(staging: Path, out_dir: Path) -> None:
    """Swap the finished staging folder into OUT; the old OUT is removed only afterwards, and
    only if it is still a folder this tool wrote (it is checked again here, at the last moment)."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    previous = None
    if out_dir.exists():
        check_output_folder(out_dir)
        previous = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        os.replace(out_dir, previous)
    os.replace(staging, out_dir)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


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


def environment_stop(exc: OSError, out_dir: Path) -> UserError | None:
    """A full disk or an unwritable OUT as one line (None for any other OSError)."""
    if exc.errno not in ENVIRONMENT_ERRNOS:
        return None
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        vi, en = "ổ đĩa đã đầy", "the disk is full"
        fix_vi, fix_en = "giải phóng dung lượng rồi chạy lại.", "free some space and run again."
    else:
        vi, en = "không ghi được vào thư mục kết quả", "the output folder cannot be written"
        fix_vi = "chọn OUT ở nơi bạn có quyền ghi."
        fix_en = "choose an OUT where you may write."
    return UserError(
        f"{vi}; báo cáo trước (nếu có) giữ nguyên.",
        f"{en}; the previous report (if any) is left as it was.",
        where=f"OUT={out_dir}",
        fix_vi=fix_vi,
        fix_en=fix_en,
    )


@contextlib.contextmanager
def staged_output(out_dir: Path, kind: str = "report", data_dir: Path | None = None):
    """A fresh staging folder beside OUT, published as OUT only if the block succeeds."""
    check_output_folder(out_dir, data_dir)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(out_dir)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
        os.chmod(staging, 0o755)
        (staging / STAGING_PID).write_text(str(os.getpid()))
    except OSError as exc:
        raise (environment_stop(exc, out_dir) or exc) from None
    try:
        yield staging
        (staging / STAGING_PID).unlink()
        record_files(staging, kind)
        publish(staging, out_dir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise (environment_stop(exc, out_dir) or exc) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
