"""The export run: all-or-nothing replacement of the figures folder."""

from __future__ import annotations

import nbformat
import pytest

from bering import runner

GOOD = """\
from bering import export
import matplotlib.pyplot as plt
fig, ax = plt.subplots()
ax.plot([1, 2], [3, 4])
out = export.Exporter("01_tiny")
out.figure(fig, "01_line", title="A line rises", alt="Line from 3 to 4 over two steps.", source="test")
out.number("tiny_value", 42, "count", "a test number")
"""


def make_notebook(path, *cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, path)
    return path


@pytest.fixture
def target(tmp_path):
    folder = tmp_path / "figures"
    folder.mkdir()
    (folder / "old_figure.png").write_bytes(b"previous")
    return folder


def test_success_replaces_folder_and_keeps_notebooks_unchanged(tmp_path, target):
    nb = make_notebook(tmp_path / "01_tiny.ipynb", GOOD)
    before = nb.read_bytes()
    timings = runner.export_all(target, [nb], progress=False)
    assert [name for name, _ in timings] == ["01_tiny.ipynb"]
    names = sorted(p.name for p in target.iterdir())
    assert names == ["01_line.csv", "01_line.pdf", "01_line.png", "01_line.svg", "catalogue.csv", "key_numbers.csv"]
    assert "tiny_value,42,count,01_tiny" in (target / "key_numbers.csv").read_text()
    assert nb.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".figures-")]


def test_failure_names_notebook_and_cell_and_keeps_previous_contents(tmp_path, target):
    good = make_notebook(tmp_path / "01_tiny.ipynb", GOOD)
    bad = make_notebook(tmp_path / "02_bad.ipynb", "x = 1", "raise ValueError('planted failure')")
    with pytest.raises(runner.NotebookFailed, match=r"02_bad.ipynb failed at cell 2 \(raise ValueError\('planted failure'\)\): "
                                                   r"ValueError: planted failure$"):
        runner.export_all(target, [good, bad], progress=False)
    assert sorted(p.name for p in target.iterdir()) == ["old_figure.png"]
    assert (target / "old_figure.png").read_bytes() == b"previous"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".figures-")]


def test_interrupt_keeps_previous_contents(tmp_path, target, monkeypatch):
    nb = make_notebook(tmp_path / "01_tiny.ipynb", GOOD)
    calls = []

    def interrupted(path, out_dir, env=None):
        calls.append(path)
        (out_dir / "half_written.png").write_bytes(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "execute_notebook", interrupted)
    with pytest.raises(KeyboardInterrupt):
        runner.export_all(target, [nb], progress=False)
    assert calls and sorted(p.name for p in target.iterdir()) == ["old_figure.png"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".figures-")]


def test_order_puts_overview_last(tmp_path):
    for name in ("00_overview", "02_b", "01_a"):
        make_notebook(tmp_path / f"{name}.ipynb", "1")
    assert [p.stem for p in runner.notebook_order(tmp_path)] == ["01_a", "02_b", "00_overview"]
