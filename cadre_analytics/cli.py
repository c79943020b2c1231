"""Command line: ``python -m cadre_analytics report|validate ...`` (the Makefile calls it).

Errors a user can cause print one line (what, where, how to fix) and exit 2, never a traceback.
An unexpected failure prints one line pointing at a log file that holds the traceback.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from pathlib import Path

from cadre_analytics.errors import UserError

EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 3


def _year(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"YEAR phải là số năm, ví dụ 2025 / YEAR must be a year such as 2025 (got {text!r})"
        ) from None


class OneLineParser(argparse.ArgumentParser):
    """A wrong argument (YEAR=abc) is one line, like every other user error, not a usage text."""

    def error(self, message: str):
        self.exit(EXIT_USER_ERROR, f"LỖI / ERROR: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="python -m cadre_analytics",
        description="Chỉ tiêu chất lượng CBCCVC / cadre qualification-quota analytics",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    report = sub.add_parser("report", help="run the notebooks and write OUT/report.html")
    report.add_argument("--year", type=_year, required=True)
    report.add_argument("--data", type=Path, default=Path("data/sample"))
    report.add_argument("--out", type=Path)
    report.add_argument("--lang", default="vi")
    report.add_argument("--seed", type=int, default=2025)
    report.add_argument("--force", action="store_true", help="recompute even if up to date")
    report.add_argument("--crosswalk", type=Path, help="conversion table of units (CROSSWALK=)")

    validate = sub.add_parser("validate", help="check the input folder against the data contracts")
    validate.add_argument("--year", type=_year, required=True)
    validate.add_argument("--data", type=Path, default=Path("data/sample"))
    validate.add_argument("--out", type=Path)
    validate.add_argument("--lang", default="vi")
    validate.add_argument("--crosswalk", type=Path, help="conversion table of units (CROSSWALK=)")
    assumptions = sub.add_parser(
        "assumptions", help="write docs/assumptions.md (how the programme is read) from params/"
    )
    assumptions.add_argument("--out", type=Path, default=Path("docs/assumptions.md"))
    return parser


def cmd_report(args: argparse.Namespace) -> int:
    from cadre_analytics.pipeline import RunSettings, plan_log_line, plan_solves, run_report

    out = args.out = args.out or Path("reports") / str(args.year)
    settings = RunSettings(
        year=args.year,
        data_dir=args.data,
        out_dir=out,
        lang=args.lang,
        seed=args.seed,
        force=args.force,
        crosswalk=args.crosswalk or None,
    )
    started = time.perf_counter()
    html = run_report(settings)
    if html is None:
        print(
            f"Báo cáo {out / 'report.html'} đã cập nhật (dữ liệu và tham số không đổi); "
            "dùng FORCE=1 để chạy lại. / Report is up to date; use FORCE=1 to recompute."
        )
    else:
        size_kib = html.stat().st_size / 1024
        plan = plan_log_line(plan_solves(html.parent))  # one result line, the plan's solve in it
        print(
            f"Đã tạo báo cáo / Report written: {html} ({size_kib:,.0f} KiB, "
            f"{time.perf_counter() - started:.1f} s)" + (f". {plan}" if plan else "")
        )
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from cadre_analytics.output_folder import check_output_folder, staged_output
    from cadre_analytics.pipeline import RunSettings, check_settings

    # Not inside the report's folder: the next report replaces that folder whole.
    out = args.out = args.out or Path("reports") / "validation" / str(args.year)
    crosswalk = args.crosswalk or None
    check_settings(
        RunSettings(
            year=args.year, data_dir=args.data, out_dir=out, lang=args.lang, crosswalk=crosswalk
        )
    )
    check_output_folder(out, args.data)
    from cadre_analytics.ingest.years import stop_unless_year_present

    stop_unless_year_present(args.year, args.data)  # before the seconds of importing GX
    from cadre_analytics import contracts
    from cadre_analytics.ingest import read_inputs
    from cadre_analytics.outputs import write_validation_outputs

    result = contracts.validate_inputs(read_inputs(args.data, crosswalk=crosswalk), args.year)
    # Like the report: a stopped run leaves the previous validation outputs as they were.
    with staged_output(out.resolve(), "validation", args.data) as staging:
        write_validation_outputs(result, staging, lang=args.lang)
    print(contracts.format_reconciliation(result, lang=args.lang))
    hints = result.warnings.filter(result.warnings["rule"] == "crosswalk_available")
    for message in hints[f"message_{args.lang}"].to_list():
        print(message)  # which shipped crosswalk fits these units, and how to apply it
    print(f"Kết quả kiểm tra / Validation outputs: {out}")
    return 0


def cmd_assumptions(args: argparse.Namespace) -> int:
    from cadre_analytics import readings
    from cadre_analytics.params import load_quota_rules, load_readings

    rules = load_quota_rules()
    args.out.write_text(readings.assumptions_log(load_readings(rules), rules), encoding="utf-8")
    print(f"Đã ghi / Written: {args.out}")
    return 0


def _kept_output_note(args: argparse.Namespace) -> str:
    """Say that a failed run left the previous outputs as they were (it never half-writes)."""
    out = getattr(args, "out", None)
    if args.command in ("report", "validate") and out is not None and Path(out).exists():
        return f" [{out}: kết quả lần chạy trước giữ nguyên / previous outputs left unchanged]"
    return ""


COMMANDS = {
    "report": cmd_report,
    "validate": cmd_validate,
    "assumptions": cmd_assumptions,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UserError as exc:
        print(f"LỖI / ERROR: {exc.one_line()}{_kept_output_note(args)}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("Đã dừng / Interrupted.", file=sys.stderr)
        return 130
    except Exception:  # noqa: BLE001 - the one place that turns a bug into one clear line
        with tempfile.NamedTemporaryFile(
            "w", prefix="cadre_analytics-error-", suffix=".log", delete=False
        ) as log:
            traceback.print_exc(file=log)
        print(
            "LỖI NỘI BỘ / INTERNAL ERROR: chương trình gặp lỗi không mong đợi; chi tiết ở "
            f"{log.name} — hãy gửi tệp này cho nhóm phát triển / send this file to the developers.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL_ERROR
