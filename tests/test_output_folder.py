"""OUT is replaced only when it is absent, empty, or a report folder this tool wrote."""

import errno
import json
from pathlib import Path

import pytest

from cadre_analytics import output_folder, pipeline
from cadre_analytics.errors import UserError


def _fake_run(monkeypatch) -> None:
    """Notebooks and rendering replaced by two files, so a whole run takes milliseconds."""

    def notebook(name, settings, staging, **_):
        (staging / "notebooks").mkdir(exist_ok=True)
        (staging / "notebooks" / f"{name}.ipynb").write_text("{}")

    def render(_notebook, out_html, _lang):
        Path(out_html).write_text("<html>new</html>")

    import cadre_analytics.report.render as render_module

    monkeypatch.setattr(pipeline, "execute_notebook", notebook)
    monkeypatch.setattr(render_module, "render_html", render)


def _run(tmp_path: Path, out: Path, data: Path | None = None) -> Path | None:
    data = data or tmp_path / "data"
    data.mkdir(exist_ok=True)
    settings = pipeline.RunSettings(year=2025, data_dir=data, out_dir=out, force=True)
    return pipeline.run_report(settings)


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in folder.rglob("*") if p.is_file()}


def test_a_folder_of_documents_is_refused_and_left_as_it_was(tmp_path, monkeypatch):
    _fake_run(monkeypatch)
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "letter.docx").write_text("dear")
    (documents / "sub").mkdir()
    (documents / "sub" / "a.txt").write_text("a")
    with pytest.raises(UserError, match="không phải báo cáo"):
        _run(tmp_path, documents)
    assert _tree(documents) == {"letter.docx": "dear", "sub/a.txt": "a"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Documents", "data"]


@pytest.mark.parametrize("where", ["same", "inside", "around"])
def test_out_and_data_never_overlap(tmp_path, monkeypatch, where):
    _fake_run(monkeypatch)
    data = tmp_path / "data"
    data.mkdir()
    (data / "staff.csv").write_text("Mã cán bộ\n1\n")
    out = {"same": data, "inside": data / "report", "around": tmp_path}[where]
    with pytest.raises(UserError, match="DATA"):
        _run(tmp_path, out, data)
    assert _tree(data) == {"staff.csv": "Mã cán bộ\n1\n"}


def test_a_file_at_out_is_refused(tmp_path, monkeypatch):
    _fake_run(monkeypatch)
    out = tmp_path / "report.pdf"
    out.write_text("keep me")
    with pytest.raises(UserError, match="là một tệp"):
        _run(tmp_path, out)
    assert out.read_text() == "keep me"


def test_out_named_like_the_report_file_is_refused(tmp_path, monkeypatch):
    _fake_run(monkeypatch)
    with pytest.raises(UserError, match="không phải tên tệp"):
        _run(tmp_path, tmp_path / "reports" / "report.html")
    assert not (tmp_path / "reports" / "report.html").exists()


def test_an_empty_folder_and_then_its_own_report_are_replaced(tmp_path, monkeypatch):
    _fake_run(monkeypatch)
    out = tmp_path / "out"
    out.mkdir()
    assert _run(tmp_path, out) == out.resolve() / "report.html"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["written_by"] == "cadre_analytics" and manifest["kind"] == "report"
    # every file of the folder is listed, so a later run can tell ours from the user's
    assert set(manifest["files"]) == set(_tree(out)) - {"manifest.json"}
    (out / "report.html").write_text("old")
    _run(tmp_path, out)
    assert (out / "report.html").read_text() == "<html>new</html>"


def test_a_report_folder_with_a_file_of_the_users_is_refused(tmp_path, monkeypatch):
    _fake_run(monkeypatch)
    out = tmp_path / "out"
    _run(tmp_path, out)
    (out / "ghi chú của tôi.txt").write_text("mine")
    with pytest.raises(UserError, match="ghi chú của tôi.txt"):
        _run(tmp_path, out)
    assert (out / "ghi chú của tôi.txt").read_text() == "mine"
    assert (out / "report.html").exists()


def test_a_report_of_the_previous_version_is_still_recognised(tmp_path, monkeypatch):
    _fake_run(monkeypatch)
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("v0.1")
    (out / "manifest.json").write_text(json.dumps({"run_key": "abc", "year": 2025}))
    _run(tmp_path, out)
    assert (out / "report.html").read_text() == "<html>new</html>"
    # a manifest alone, with no report beside it, is not enough
    other = tmp_path / "other"
    other.mkdir()
    (other / "manifest.json").write_text(json.dumps({"run_key": "abc"}))
    (other / "data.xlsx").write_text("x")
    with pytest.raises(UserError):
        _run(tmp_path, other)


def test_a_full_disk_is_one_line_and_the_old_report_stays(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("old")
    (out / "manifest.json").write_text(json.dumps({"run_key": "k"}))
    with pytest.raises(UserError, match="ổ đĩa đã đầy") as stop:
        with output_folder.staged_output(out) as staging:
            (staging / "part.csv").write_text("x")
            raise OSError(errno.ENOSPC, "No space left on device")
    assert "disk is full" in stop.value.one_line()
    assert _tree(out) == {"report.html": "old", "manifest.json": json.dumps({"run_key": "k"})}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_an_unwritable_parent_is_one_line(tmp_path, monkeypatch):
    def refuse(*_a, **_k):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(output_folder.tempfile, "mkdtemp", refuse)
    with pytest.raises(UserError, match="không ghi được"):
        with output_folder.staged_output(tmp_path / "out"):
            pass


def test_a_stop_from_a_notebook_is_printed_once():
    line = "staff.csv, dòng 4: thiếu ngày sinh / missing birth date"
    assert UserError.formatted(line).one_line() == line


def test_up_to_date_key_covers_contracts_and_ignores_other_files(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    (data / "staff.csv").write_text("a\n1\n")
    (data / "notes.docx").write_text("n")
    (data / "old").mkdir()
    (data / "old" / "staff.csv").write_text("b\n")
    inputs = pipeline.input_fingerprint(data)
    assert [entry["path"] for entry in inputs] == ["staff.csv"]
    settings = pipeline.RunSettings(year=2025, data_dir=data, out_dir=tmp_path / "out")
    before = pipeline.run_key(settings, inputs, "p")
    (data / "notes.docx").write_text("changed")
    assert pipeline.run_key(settings, pipeline.input_fingerprint(data), "p") == before

    contracts = tmp_path / "contracts"
    contracts.mkdir()
    (contracts / "vocabularies.yaml").write_text("a: 1\n")
    monkeypatch.setattr(pipeline, "DEFAULT_CONTRACTS_DIR", contracts)
    first = pipeline.run_key(settings, inputs, "p")
    (contracts / "vocabularies.yaml").write_text("a: 2\n")
    assert pipeline.run_key(settings, inputs, "p") != first
