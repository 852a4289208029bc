"""The benchmark's pieces, without timing anything: import parsing, arithmetic, rendering."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
import sys
import time

import nbformat
import pytest

from bering import bench


def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(c[3:]) if c.startswith("md:") else nbformat.v4.new_code_cell(c) for c in cells
    ]
    return nb


def test_import_statements_keep_only_imports():
    cell = (
        "%matplotlib inline\n"
        "from bering import data, money, notebook, timeline\n"
        "import numpy as np, pandas\n"
        "from os.path import (join,\n    dirname)\n"
        "out = notebook.start('01_x')\n"
        "if True:\n    import json\n"
    )
    assert bench.import_statements(cell) == [
        "from bering import data, money, notebook, timeline",
        "import numpy as np, pandas",
        "from os.path import join, dirname",
    ]


def test_import_statements_survive_a_syntax_error():
    assert bench.import_statements("import pandas as pd\nfrom bering import data\nx = (") == [
        "import pandas as pd",
        "from bering import data",
    ]


def test_imports_cell_is_the_code_cell_after_the_heading():
    nb = notebook(
        "md:# 01 · title",
        "x = 1",
        "md:## Imports\nAll logic lives in bering.",
        "from bering import data\nout = 1",
        "import json",
    )
    assert bench.imports_cell(nb) == "from bering import data\nout = 1"
    fallback = notebook("md:# title", "x = 1", "import json\nprint(json)")
    assert bench.imports_cell(fallback) == "import json\nprint(json)"
    assert bench.imports_cell(notebook("x = 1")) == ""


def test_floor_notebook_runs_the_imports_and_nothing_else(tmp_path):
    path = tmp_path / "01_x.ipynb"
    nbformat.write(notebook("md:## Imports", "from bering import data, notebook\n\nout = notebook.start('01_x')"), path)
    floor = bench.floor_notebook(path)
    assert [c.source for c in floor.cells] == ["from bering import data, notebook"]


def measurement(phase, seconds, peak, per=None, ok=True, failed=()):
    return bench.Measurement(phase, seconds, peak, per or {}, ok, "", list(failed))


def test_summary_takes_medians_and_ratios_divide_by_the_floor():
    runs = [
        measurement("floor", s, p, {"a.ipynb": s / 2, "b.ipynb": s / 2}) for s, p in [(10, 100), (12, 300), (30, 200)]
    ]
    runs += [measurement("cold", s, p, {"a.ipynb": s - 5, "b.ipynb": 5}) for s, p in [(15, 400), (18, 500), (16, 450)]]
    summary = bench.summarise(runs)
    floor, nbs = summary["floor"], summary["cold"]
    assert (floor.median_s, floor.min_s, floor.max_s) == (12, 10, 30)
    assert floor.peak_bytes == 200 and floor.max_peak_bytes == 300
    assert floor.per_notebook == {"a.ipynb": 6, "b.ipynb": 6}
    assert nbs.median_s == 16 and nbs.per_notebook == {"a.ipynb": 11, "b.ipynb": 5}
    assert bench.ratio(nbs.median_s, floor.median_s) == pytest.approx(16 / 12)
    assert bench.ratio(1, 0) != bench.ratio(1, 0)  # NaN without a floor


def test_failed_runs_are_kept_out_of_the_median_but_flagged():
    runs = [
        measurement("floor", 10, 1),
        measurement("cold", 20, 1),
        measurement("cold", 1, 1, ok=False, failed=["03_x.ipynb"]),
    ]
    summary = bench.summarise(runs)["cold"]
    assert summary.median_s == 20 and summary.runs == 2
    assert not summary.ok and summary.failed_notebooks == ["03_x.ipynb"]


def test_table_sets_each_phase_against_its_own_base():
    gib = 2**30
    runs = [
        measurement("floor", 12, gib // 4, {"01_a.ipynb": 4, "02_b.ipynb": 8}),
        measurement("cold", 30, gib // 2, {"01_a.ipynb": 14, "02_b.ipynb": 20}),
        measurement("unchanged", 5, gib // 8),
        measurement("test", 70, 2 * gib),
        measurement("test_fast", 12, gib // 8, ok=False),
    ]
    text = bench.render_results(bench.summarise(runs), {"01_a.ipynb": 1_200_000}, {"unchanged": "executed: none"})
    rows = {line.split(" | ")[0].strip("| "): line for line in text.splitlines() if line.startswith("|")}
    cold = rows[bench.PHASE_LABELS["cold"]]
    assert "| 30.0 s |" in cold and "| summed floor | 2.50× | ≤ 3× | yes |" in cold and "512 MiB" in cold
    # one notebook's floor is 12 / 2 = 6 s
    unchanged = rows[bench.PHASE_LABELS["unchanged"] + ": executed: none"]
    assert "| floor of one notebook | 0.83× | ≤ 1× | yes |" in unchanged
    test = rows[bench.PHASE_LABELS["test"]]
    assert "| cold build | 2.33× | ≤ 2× | **no** |" in test and test.endswith("| **no** |")
    fast = rows[bench.PHASE_LABELS["test_fast"] + " (**failed**)"]
    assert "| cold build | 0.40× | ≤ 0.5× | **no** |" in fast  # fast enough, but it failed
    assert "| 01_a.ipynb | 4.0 s | 14.0 s | 3.50× |" in text
    assert "| 01_a.ipynb | 1200 kB | **no** |" in text


def test_update_output_is_parsed_for_what_ran():
    out = (
        "02_b.ipynb                               ran in 3.5 s\n"
        "2 of 3 notebook(s) executed (01_a.ipynb, 02_b.ipynb); figures/ replaced; 0 notebook file(s) stored\n"
    )
    assert bench.executed_notebooks(out) == ["01_a.ipynb", "02_b.ipynb"]
    assert {m.group(1): float(m.group(2)) for m in bench._RAN_RE.finditer(out)} == {"02_b.ipynb": 3.5}
    assert bench.executed_notebooks("0 of 3 notebook(s) executed (nothing changed); figures/ unchanged") == []


def test_the_edited_file_is_read_by_exactly_one_notebook_and_stays_valid_csv(tmp_path):
    import json

    data, cache = tmp_path / "data", tmp_path / "cache"
    data.mkdir()
    for name in ("shared.csv", "own.csv"):
        (data / name).write_text("id,x\na,1\nb,2\nc,3\n")
    for nb, files in (("01_a", ["shared.csv", "own.csv"]), ("02_b", ["shared.csv"])):
        (cache / nb).mkdir(parents=True)
        record = {"notebook": f"{nb}.ipynb", "files": {str(data / f): "x" for f in files}}
        (cache / nb / "record.json").write_text(json.dumps(record))
    edited, readers = bench.pick_edit(cache, data)
    assert edited == data / "own.csv" and readers == ["01_a.ipynb"]
    bench.swap_last_rows(edited)
    assert edited.read_text() == "id,x\na,1\nc,3\nb,2\n"


def test_with_an_overview_reading_everything_the_edit_picks_the_file_with_fewest_readers(tmp_path):
    import json

    data, cache = tmp_path / "data", tmp_path / "cache"
    data.mkdir()
    for name in ("shared.csv", "own.csv"):
        (data / name).write_text("id,x\na,1\nb,2\nc,3\n")
    records = (("00_o", ["shared.csv", "own.csv"]), ("01_a", ["shared.csv", "own.csv"]), ("02_b", ["shared.csv"]))
    for nb, files in records:
        (cache / nb).mkdir(parents=True)
        record = {"notebook": f"{nb}.ipynb", "files": {str(data / f): "x" for f in files}}
        (cache / nb / "record.json").write_text(json.dumps(record))
    edited, readers = bench.pick_edit(cache, data)
    assert edited == data / "own.csv" and readers == ["00_o.ipynb", "01_a.ipynb"]


def test_block_replacement_keeps_the_prose():
    block = bench.BEGIN + "\nnew numbers\n" + bench.END
    doc = f"# Performance\n\nintro\n\n{bench.BEGIN}\nold numbers\n{bench.END}\n\n## Findings\nkept\n"
    out = bench.replace_block(doc, block)
    assert "new numbers" in out and "old numbers" not in out
    assert out.startswith("# Performance\n\nintro\n\n") and out.endswith("## Findings\nkept\n")
    fresh = bench.replace_block(None, block)
    assert fresh.startswith("# Performance") and block in fresh
    appended = bench.replace_block("# Notes\n", block)
    assert appended == "# Notes\n\n" + block + "\n"


@contextlib.contextmanager
def child_holding_64_mib(measure):
    """A child process holding 64 MiB it has written to; yields ``measure(child's pid)`` once it
    shows them (or after 20 s)."""
    code = "import time; x = bytearray(64 * 2**20); x[::4096] = b'x' * len(x[::4096]); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 20
        alone = measure(child.pid)
        while alone < 64 * 2**20 and time.monotonic() < deadline:
            time.sleep(0.1)
            alone = measure(child.pid)
        yield child, alone
    finally:
        child.kill()
        child.wait()


def test_tree_memory_counts_children_with_and_without_psutil():
    with child_holding_64_mib(bench.tree_rss) as (child, alone):
        assert alone >= 64 * 2**20
        tree = bench.tree_rss(os.getpid())  # this process and the child
        assert tree >= alone + 10 * 2**20
        from_proc = bench.tree_rss(os.getpid(), use_psutil=False)
        assert abs(from_proc - tree) < 0.25 * tree


def test_machine_description_names_cpu_memory_and_versions():
    info = bench.machine()
    assert set(info) >= {"CPU", "cores", "memory", "OS", "Python", "packages"}
    assert "nbclient" in info["packages"] and info["Python"].startswith(platform.python_version())


def test_plan_lists_floor_code_without_running_kernels(tmp_path, capsys):
    path = tmp_path / "01_x.ipynb"
    nbformat.write(notebook("md:## Imports", "import json\nout = 1"), path)
    assert bench.main(["--plan", "--notebook", str(path)]) == 0
    assert capsys.readouterr().out == "01_x.ipynb:\n  import json\n"


def test_failed_test_ids_are_kept_from_pytests_summary():
    output = (
        "[gw1] [ 50%] FAILED tests/test_a.py::test_one\n"
        "=========================== short test summary info ============================\n"
        "FAILED tests/test_a.py::test_one - AssertionError: 1 != 2\n"
        "FAILED notebooks/00_overview.ipynb::Cell 3\n"
        "ERROR tests/test_b.py::test_two[x - y] - RuntimeError: boom\n"
        "FAILED tests/test_a.py::test_one - AssertionError: 1 != 2\n"
        "=================== 2 failed, 5 passed, 1 error in 3.00s ===================\n"
    )
    assert bench.failed_tests(output) == [
        "tests/test_a.py::test_one",
        "notebooks/00_overview.ipynb::Cell 3",
        "tests/test_b.py::test_two[x",  # a " - " inside a parameter id is cut there: pytest's own separator
    ]
    summary = bench.summarise([measurement("test", 9, 1, ok=False, failed=()), measurement("floor", 1, 1)])
    summary["test"].failed_tests = ["tests/test_a.py::test_one", "notebooks/00_overview.ipynb::Cell 3"]
    text = bench.render_results(summary, {})
    assert "Failed in the full test run: `tests/test_a.py::test_one`, `notebooks/00_overview.ipynb::Cell 3`." in text


def test_only_the_test_phases_are_measured_against_the_recorded_cold_build(tmp_path, monkeypatch):
    earlier = bench.summarise([measurement("floor", 10, 1, {"01_x.ipynb": 10}), measurement("cold", 40, 1)])
    info = {"CPU": "test"}
    doc = tmp_path / "performance.md"
    doc.write_text("# P\n\n" + bench.render_block(earlier, {}, 1, [], info, "2026-01-02") + "\n\nprose\n")
    asked = []

    def fake_measure(phase, notebooks):
        asked.append(phase)
        ok = phase == "test_fast"
        failed = [] if ok else ["tests/test_a.py::test_one"]
        return [bench.Measurement(phase, 60.0 if phase == "test" else 16.0, 5, {}, ok, "", failed_tests=failed)]

    monkeypatch.setattr(bench, "measure", fake_measure)
    monkeypatch.setattr(bench, "machine", lambda: dict(info))
    assert bench.main(["--only", "test", "--only", "test_fast", "--out", str(doc)]) == 1  # the test run failed
    assert asked == ["test", "test_fast"]  # no floor, no build
    text = doc.read_text()
    assert text.startswith("# P\n\n") and text.endswith("\n\nprose\n")
    rows = {line.split(" | ")[0].strip("| "): line for line in text.splitlines() if line.startswith("| ")}
    cold = rows[bench.PHASE_LABELS["cold"] + " (earlier run, 2026-01-02)"]
    assert "| 40.0 s |" in cold
    test = rows[bench.PHASE_LABELS["test"] + " (**failed**)"]
    assert "| cold build | 1.50× | ≤ 2× | **no** |" in test
    fast = rows[bench.PHASE_LABELS["test_fast"]]
    assert "| cold build | 0.40× | ≤ 0.5× | yes |" in fast
    assert "Failed in the full test run: `tests/test_a.py::test_one`." in text
    again, _ = bench.previous_results(text)
    assert again["test"].failed_tests == ["tests/test_a.py::test_one"] and again["cold"].earlier == "2026-01-02"


def test_the_bench_measures_every_notebook_the_build_finds(capsys):
    from bering import paths, runner

    found = sorted(p.name for p in paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    assert len(found) >= 7
    assert bench.main(["--plan"]) == 0
    planned = [line[:-1] for line in capsys.readouterr().out.splitlines() if line.endswith(".ipynb:")]
    assert sorted(planned) == found and planned == [p.name for p in runner.notebook_order()]


def test_the_memory_target_is_judged_on_the_summed_pss_when_it_was_measured():
    gib = 2**30
    shared = bench.Measurement("test", 70, 2 * gib, {}, True, "", [], peak_pss_bytes=gib)
    too_big = bench.Measurement("test_fast", 12, gib, {}, True, "", [], peak_pss_bytes=gib * 3 // 2)
    before = measurement("cold", 30, 2 * gib)  # a run from before PSS was sampled: RSS decides
    text = bench.render_results(bench.summarise([shared, too_big, before]), {})
    rows = {line.split(" | ")[0].strip("| "): line for line in text.splitlines() if line.startswith("|")}
    assert rows[bench.PHASE_LABELS["test"]].endswith("| 1.00 GiB, max 1.00 GiB (RSS 2.00 GiB, max 2.00 GiB) | yes |")
    assert rows[bench.PHASE_LABELS["test_fast"]].endswith(
        "| 1.50 GiB, max 1.50 GiB (RSS 1.00 GiB, max 1.00 GiB) | **no** |"
    )
    assert rows[bench.PHASE_LABELS["cold"]].endswith("| not measured (RSS 2.00 GiB, max 2.00 GiB) | **no** |")


def test_tree_pss_counts_a_child_s_private_memory_and_shares_the_rest():
    with child_holding_64_mib(bench.tree_pss) as (child, alone):
        assert alone >= 64 * 2**20
        assert alone <= bench.tree_rss(child.pid)  # shared pages count in part, never more than whole
        assert bench.tree_pss(os.getpid()) >= alone + 10 * 2**20  # this process and the child


def test_a_command_shorter_than_the_pss_interval_still_gets_its_peak_read():
    code = "import time; x = bytearray(200 * 2**20); x[::4096] = b'x' * len(x[::4096]); time.sleep(0.8)"
    wall, (rss, pss), code_, _ = bench._measure([sys.executable, "-c", code], dict(os.environ), None)
    assert code_ == 0 and wall < bench.PSS_INTERVAL_S + 1
    assert rss >= 200 * 2**20 and 150 * 2**20 <= pss <= rss
