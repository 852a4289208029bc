"""The build: incremental, parallel, atomic, and clear about every failure.

These tests run small notebooks made up here (a kernel start each, about a second), never the
collection's own; the ones that start kernels are marked ``kernel``.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from bering import runner

REPO = Path(__file__).resolve().parent.parent

GOOD = """\
from bering import export
import matplotlib.pyplot as plt
fig, ax = plt.subplots()
ax.plot([1, 2], [3, 4])
out = export.Exporter("01_tiny")
out.figure(fig, "01_line", title="A line rises", alt="Line from 3 to 4 over two steps.", source="test")
out.number("tiny_value", 42, "count", "a test number")
"""

kernel = pytest.mark.slow


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


def names(folder):
    return sorted(p.name for p in Path(folder).iterdir())


def leftovers(folder):
    return [p.name for p in Path(folder).iterdir() if p.name.startswith(".figures-")]


# ---------------------------------------------------------------------------------------------
# Discovery and dependencies (no kernel)


def test_order_is_by_number_overview_included_and_finds_notebooks_by_pattern(tmp_path):
    for name in ("00_overview", "02_b", "01_a", "06_economic_case"):
        make_notebook(tmp_path / f"{name}.ipynb", "1")
    make_notebook(tmp_path / "scratch.ipynb", "1")
    assert [p.stem for p in runner.notebook_order(tmp_path)] == ["00_overview", "01_a", "02_b", "06_economic_case"]


def _bench_page(path, per_notebook):
    cold = {
        "phase": "cold",
        "median_s": 1.0,
        "min_s": 1.0,
        "max_s": 1.0,
        "peak_bytes": 1,
        "max_peak_bytes": 1,
        "runs": 1,
        "ok": True,
        "per_notebook": per_notebook,
        "detail": "",
    }
    block = f"<!-- BEGIN bench -->\nresults\n<!-- bench-data {json.dumps({'cold': cold})} -->\n<!-- END bench -->\n"
    path.write_text("# Performance\n\n" + block + "\nprose kept\n", encoding="utf-8")
    return path


def test_longest_expected_first_from_the_cache_then_the_benchmark_then_number_order(tmp_path):
    notebooks = [make_notebook(tmp_path / f"{name}.ipynb", "1") for name in ("00_a", "01_b", "02_c", "03_d", "04_e")]
    cache = tmp_path / "cache"
    entry = runner.Entry(cache / "01_b")
    entry.folder.mkdir(parents=True)
    entry.record_path.write_text(json.dumps({"seconds": 5.0}), encoding="utf-8")
    # the benchmark's cold times count only where the cache has no record of the notebook's last run
    page = _bench_page(tmp_path / "performance.md", {"00_a.ipynb": 2.0, "01_b.ipynb": 90.0, "03_d.ipynb": 30.0})
    expected = runner.expected_seconds(notebooks, cache, page)
    assert {p.name: s for p, s in expected.items()} == {
        "00_a.ipynb": 2.0,
        "01_b.ipynb": 5.0,
        "02_c.ipynb": None,
        "03_d.ipynb": 30.0,
        "04_e.ipynb": None,
    }
    ordered = runner.longest_first(notebooks, expected)
    assert [p.stem for p in ordered] == ["03_d", "01_b", "00_a", "02_c", "04_e"]
    # no page, an unreadable block: no expectation, and the build keeps number order
    assert runner.benchmarked_seconds(tmp_path / "missing.md") == {}
    (tmp_path / "broken.md").write_text('<!-- BEGIN bench -->\n<!-- bench-data {"cold": {}} -->\n<!-- END bench -->')
    assert runner.benchmarked_seconds(tmp_path / "broken.md") == {}
    none = runner.expected_seconds(notebooks, tmp_path / "empty", tmp_path / "missing.md")
    assert runner.longest_first(notebooks, none) == notebooks


def test_the_committed_benchmark_gives_the_notebooks_a_cold_time():
    """A cold build (no cache) orders the collection by the committed benchmark's times (a notebook
    added since the last benchmark simply starts after the others)."""
    from bering import bench

    assert runner._BENCH_DATA.pattern.startswith("^" + bench.DATA_PREFIX)  # the line bench writes
    seconds = runner.benchmarked_seconds()
    assert seconds and set(seconds) <= {p.name for p in runner.notebook_order()}
    assert all(s > 0 for s in seconds.values())


def test_the_build_lets_kernels_in_longest_expected_first(tmp_path, monkeypatch):
    import asyncio

    notebooks = [make_notebook(tmp_path / f"{name}.ipynb", "1") for name in ("00_a", "01_b", "02_c")]
    page = _bench_page(tmp_path / "performance.md", {"00_a.ipynb": 1.0, "01_b.ipynb": 3.0, "02_c.ipynb": 2.0})
    monkeypatch.setattr(runner, "BENCH_PAGE", page)
    started = []

    async def one(self, path, before, gate):
        async with gate:
            started.append(path.stem)
            await asyncio.sleep(0)

    monkeypatch.setattr(runner._Build, "one", one)
    build = runner._Build(notebooks, force=True, jobs=1, timeout=10, cache_dir=tmp_path / "cache", progress=None)
    asyncio.run(build.run())
    assert started == ["01_b", "02_c", "00_a"]


def test_readers_of_other_notebooks_outputs_are_found_through_imports(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "reads.py").write_text("from . import export\nx = export.key_number('k')\n")
    (package / "middle.py").write_text("from . import reads\n")
    (package / "plain.py").write_text("from . import export\nexport.Exporter('01_x')\n")
    direct = make_notebook(tmp_path / "01_direct.ipynb", "from bering import export\nexport.catalogue()")
    through = make_notebook(tmp_path / "02_through.ipynb", "%matplotlib inline\nfrom bering import middle")
    plain = make_notebook(tmp_path / "03_plain.ipynb", "import bering.plain")
    assert runner.reads_outputs(direct, package)
    assert runner.reads_outputs(through, package)
    assert not runner.reads_outputs(plain, package)


def test_source_digest_sees_code_markdown_and_tags_but_not_outputs(tmp_path):
    nb = nbformat.read(make_notebook(tmp_path / "01_a.ipynb", "x = 1"), as_version=4)
    base = runner.source_digest(nb)
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="1")]
    nb.cells[0].execution_count = 4
    assert runner.source_digest(nb) == base
    nb.cells[0].metadata["tags"] = ["raises-exception"]
    assert runner.source_digest(nb) != base


def test_merge_keeps_only_each_notebooks_own_rows_sorted_like_the_exporter(tmp_path):
    a, b, out = tmp_path / "a", tmp_path / "b", tmp_path / "out"
    for folder in (a, b, out):
        folder.mkdir()
    header = "key,value,unit,notebook,description\n"
    (a / "key_numbers.csv").write_text(header + "zeta,1,count,01_a,z\nalpha,2,count,01_a,a\n")
    # b was seeded with a's rows and added its own
    (b / "key_numbers.csv").write_text(header + "alpha,2,count,01_a,a\nbeta,3,count,02_b,b\n")
    (a / "01_f.png").write_bytes(b"png")
    runner.merge_outputs(out, [("02_b", b), ("01_a", a)])
    assert (out / "key_numbers.csv").read_text() == (
        header + "alpha,2,count,01_a,a\nzeta,1,count,01_a,z\nbeta,3,count,02_b,b\n"
    )
    assert names(out) == ["01_f.png", "key_numbers.csv"]


# ---------------------------------------------------------------------------------------------
# The folder swap (no kernel)


def test_swap_is_one_exchange_with_normal_permissions(tmp_path, target):
    staging = tmp_path / ".figures-staging-x"
    staging.mkdir(mode=0o700)
    (staging / "new.png").write_bytes(b"new")
    os.chmod(staging / "new.png", 0o600)
    (target / ".gitkeep").write_text("")
    old_umask = os.umask(0o022)
    try:
        runner.swap_in(staging, target)
    finally:
        os.umask(old_umask)
    assert names(target) == [".gitkeep", "new.png"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o755
    assert stat.S_IMODE((target / "new.png").stat().st_mode) == 0o644
    assert not staging.exists() and not leftovers(tmp_path)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_exchange_swaps_two_folders_in_one_call(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "in_a").write_text("")
    (b / "in_b").write_text("")
    assert runner.exchange(a, b) is True
    assert names(a) == ["in_b"] and names(b) == ["in_a"]
    with pytest.raises(FileNotFoundError, match="cannot exchange"):
        runner.exchange(tmp_path / "nope", b)


def test_read_only_target_is_refused_before_anything_runs(tmp_path, target):
    if os.geteuid() == 0:
        pytest.skip("root can write into read-only folders; the check uses os.access, which says so")
    os.chmod(target, 0o555)
    try:
        with pytest.raises(runner.BuildError, match="not writable"):
            with runner.locked_target(target):
                pass
    finally:
        os.chmod(target, 0o755)


def test_a_file_where_the_folder_should_be_is_refused(tmp_path):
    blocker = tmp_path / "figures"
    blocker.write_text("not a folder")
    with pytest.raises(runner.BuildError, match="is not a folder; nothing was run"):
        with runner.locked_target(blocker):
            pass


def test_stale_staging_folders_are_cleaned_and_a_second_build_is_locked_out(tmp_path, target):
    (tmp_path / ".figures-staging-abc").mkdir()
    (tmp_path / ".figures-old-123").mkdir()
    with runner.locked_target(target):
        assert not leftovers(tmp_path)
        with pytest.raises(runner.BuildError, match="another build is writing"):
            with runner.locked_target(target):
                pass


KILLER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from bering import runner
    staging, target = Path(sys.argv[1]), Path(sys.argv[2])
    with runner.locked_target(target):
        staging.mkdir()
        for i in range(200):
            (staging / f"f{i:03}.txt").write_text("new")
        print("ready", flush=True)
        runner.swap_in(staging, target)
    print("swapped", flush=True)
""")


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.15, 0.3, 0.45, 0.7])
def test_kill_9_at_any_moment_leaves_the_old_or_the_new_folder_complete(tmp_path, delay):
    """The swap runs in a child that pauses 0.2 s at each step (BERING_SWAP_PAUSE); it is killed
    with SIGKILL after ``delay`` seconds, before, during and after the exchange."""
    target = tmp_path / "figures"
    target.mkdir()
    for i in range(100):
        (target / f"old{i:03}.txt").write_text("old")
    env = {**os.environ, "BERING_SWAP_PAUSE": "0.2"}
    child = subprocess.Popen(
        [sys.executable, "-c", KILLER, str(tmp_path / ".figures-staging-t"), str(target)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert child.stdout.readline().strip() == "ready"
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait()
    got = names(target)
    old = [f"old{i:03}.txt" for i in range(100)]
    new = [f"f{i:03}.txt" for i in range(200)]
    assert got in (old, new), f"killed after {delay} s: {len(got)} files"
    if got == new:
        assert stat.S_IMODE(target.stat().st_mode) == 0o777 & ~current_umask()
    # the next run cleans up whatever the killed one left
    with runner.locked_target(target):
        pass
    assert not leftovers(tmp_path)


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---------------------------------------------------------------------------------------------
# Executing (each test starts one or a few small kernels)


@kernel
def test_success_replaces_folder_and_keeps_notebooks_unchanged(tmp_path, target):
    nb = make_notebook(tmp_path / "01_tiny.ipynb", GOOD)
    before = nb.read_bytes()
    timings = runner.export_all(target, [nb], progress=False)
    assert [name for name, _ in timings] == ["01_tiny.ipynb"]
    assert names(target) == [
        "01_line.csv",
        "01_line.pdf",
        "01_line.png",
        "01_line.svg",
        "catalogue.csv",
        "key_numbers.csv",
    ]
    assert "tiny_value,42,count,01_tiny" in (target / "key_numbers.csv").read_text()
    assert nb.read_bytes() == before
    assert stat.S_IMODE(target.stat().st_mode) == 0o777 & ~current_umask()
    assert not leftovers(tmp_path)


@kernel
def test_failure_names_notebook_and_cell_and_keeps_previous_contents(tmp_path, target):
    good = make_notebook(tmp_path / "01_tiny.ipynb", GOOD)
    bad = make_notebook(tmp_path / "02_bad.ipynb", "x = 1", "raise ValueError('planted failure')")
    expected = r"02_bad.ipynb failed at cell 2 \(raise ValueError\('planted failure'\)\): ValueError: planted failure$"
    with pytest.raises(runner.NotebookFailed, match=expected):
        runner.export_all(target, [good, bad], progress=False)
    assert names(target) == ["old_figure.png"]
    assert (target / "old_figure.png").read_bytes() == b"previous"
    assert not leftovers(tmp_path)


@kernel
def test_hung_cell_names_notebook_and_cell_and_the_timeout(tmp_path, target):
    nb = make_notebook(tmp_path / "01_slow.ipynb", "x = 1", "import time\ntime.sleep(60)")
    start = time.perf_counter()
    with pytest.raises(
        runner.NotebookFailed,
        match=r"01_slow.ipynb failed at cell 2 \(import time\): "
        r"still running after 2 s \(raise --timeout",
    ):
        runner.build([nb], out_dir=target, store=False, timeout=2, cache_dir=tmp_path / "cache")
    assert time.perf_counter() - start < 30
    assert names(target) == ["old_figure.png"]


@kernel
def test_dead_kernel_names_notebook_and_cell(tmp_path, target):
    nb = make_notebook(tmp_path / "01_dies.ipynb", "x = 1", "import os\nos._exit(1)")
    with pytest.raises(runner.NotebookFailed, match=r"01_dies.ipynb failed at cell 2 \(import os\): the kernel died"):
        runner.build([nb], out_dir=target, store=False, cache_dir=tmp_path / "cache")
    assert names(target) == ["old_figure.png"]


def kernels_of(pid: int) -> list[int]:
    """Processes whose command line names ipykernel and that descend from ``pid`` or were started by it
    in their own session (the kernel's parent is ``pid``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))
        if ppid == pid and "ipykernel" in cmd:
            found.append(int(entry.name))
    return found


@kernel
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_gives_the_runners_message_exit_130_and_no_kernel_left(tmp_path, sig):
    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    make_notebook(notebooks / "01_sleepy.ipynb", "import time\nprint('started', flush=True)\ntime.sleep(120)")
    out = tmp_path / "figures"
    out.mkdir()
    (out / "old.png").write_bytes(b"old")
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from bering import runner
        try:
            runner.build([Path({str(notebooks / "01_sleepy.ipynb")!r})], out_dir=Path({str(out)!r}), store=False,
                         cache_dir=Path({str(tmp_path / "cache")!r}), progress=lambda line: print(line, flush=True))
        except runner.Interrupted as exc:
            print("INTERRUPTED", exc.signame, flush=True)
            sys.exit(130)
    """)
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO
    )
    deadline = time.time() + 60
    while time.time() < deadline and not kernels_of(child.pid):
        time.sleep(0.2)
    assert kernels_of(child.pid), "no kernel started"
    time.sleep(1.5)
    kernel_pids = kernels_of(child.pid)
    child.send_signal(sig)
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 130, stderr
    assert f"INTERRUPTED {sig.name}" in stdout
    assert "Traceback" not in stderr, stderr
    for pid in kernel_pids:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    assert names(out) == ["old.png"]


@kernel
def test_command_line_interrupt_exits_130_with_its_own_message(tmp_path):
    """``python -m bering update`` on SIGTERM: the runner's message, status 130, no traceback."""
    env = {**os.environ, "BERING_FIGURES_DIR": str(tmp_path / "figures")}
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bering",
            "update",
            "--no-store",
            "--force",
            "--jobs",
            "1",
            "--cache-dir",
            str(tmp_path / "cache"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    deadline = time.time() + 120
    while time.time() < deadline and not kernels_of(child.pid):
        time.sleep(0.2)
    time.sleep(1)
    child.send_signal(signal.SIGTERM)
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 130, stdout + stderr
    assert "build interrupted (SIGTERM): every kernel was stopped" in stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "figures").exists()


# ---------------------------------------------------------------------------------------------
# Incremental builds: each kind of input, changed, makes the notebook run again


@pytest.fixture
def project(tmp_path, monkeypatch):
    """Two independent notebooks and one that reads their key numbers, a data folder, a helper
    module outside the installation, and a cache."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").write_text("x\n1\n")
    (data / "b.csv").write_text("x\n2\n")
    helpers = tmp_path / "helpers"
    helpers.mkdir()
    (helpers / "tinyhelper.py").write_text("FACTOR = 10\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(helpers), os.environ.get("PYTHONPATH")])))
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    reader = "import pandas as pd\nfrom bering import export\n"
    make_notebook(
        nbs / "01_a.ipynb",
        reader + f"v = pd.read_csv({str(data / 'a.csv')!r}).x.sum()",
        "import tinyhelper\nexport.Exporter('01_a').number('a_value', v * tinyhelper.FACTOR, 'count', 'a')",
    )
    make_notebook(
        nbs / "02_b.ipynb",
        reader + f"v = pd.read_csv({str(data / 'b.csv')!r}).x.sum()",
        "export.Exporter('02_b').number('b_value', v, 'count', 'b')",
    )
    make_notebook(
        nbs / "03_sum.ipynb",
        "from bering import export",
        "total = export.key_number('a_value') + export.key_number('b_value')\n"
        "export.Exporter('03_sum').number('total', total, 'count', 'sum of a and b')\ntotal",
    )
    return tmp_path


def build(project, **kwargs):
    notebooks = runner.notebook_order(project / "notebooks")
    return runner.build(notebooks, out_dir=project / "figures", cache_dir=project / "cache", **kwargs)


def key_numbers(project):
    return (project / "figures" / "key_numbers.csv").read_text()


@kernel
def test_incremental_build_reruns_exactly_what_each_change_touches(project):
    first = build(project)
    assert first.executed == ["01_a.ipynb", "02_b.ipynb", "03_sum.ipynb"]
    assert "total,12,count,03_sum" in key_numbers(project)
    stored = nbformat.read(project / "notebooks" / "03_sum.ipynb", as_version=4)
    assert stored.cells[1].outputs[0]["data"]["text/plain"] == "12.0"
    assert "execution" not in stored.cells[1].metadata

    # nothing changed: no kernel at all (how long that takes is measured by bering bench, not here)
    again = build(project)
    assert again.executed == [] and not again.figures_changed and again.stored == []
    assert all(o.reason == "unchanged" for o in again.outcomes)

    # a data file read by one notebook: that notebook, and the one that reads its key numbers
    (project / "data" / "b.csv").write_text("x\n5\n")
    after_data = build(project)
    assert after_data.executed == ["02_b.ipynb", "03_sum.ipynb"]
    reasons = {o.notebook: o.reason for o in after_data.outcomes}
    assert reasons["02_b.ipynb"] == f"input changed: {project / 'data' / 'b.csv'}"
    assert "total,15,count,03_sum" in key_numbers(project)

    # a module it imports (outside the package too)
    (project / "helpers" / "tinyhelper.py").write_text("FACTOR = 100\n")
    assert build(project).executed == ["01_a.ipynb", "03_sum.ipynb"]
    assert "total,105,count,03_sum" in key_numbers(project)

    # the notebook's own source
    path = project / "notebooks" / "02_b.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("A note."))
    nbformat.write(nb, path)
    assert build(project).executed == ["02_b.ipynb"]  # its numbers did not change, so 03 stays

    # a key number that a reader reads (the analysis it calls) changed
    (project / "data" / "a.csv").write_text("x\n2\n")
    assert build(project).executed == ["01_a.ipynb", "03_sum.ipynb"]

    # force
    assert build(project, force=True).executed == ["01_a.ipynb", "02_b.ipynb", "03_sum.ipynb"]


@kernel
def test_a_package_module_and_a_setting_are_inputs(project, monkeypatch):
    build(project)
    record = json.loads((project / "cache" / "01_a" / "record.json").read_text())
    modules = [Path(f).name for f in record["files"]]
    assert "export.py" in modules and "tinyhelper.py" in modules and "a.csv" in modules
    assert "b.csv" not in modules
    monkeypatch.setenv("BERING_SCENARIO_TEST", "other")
    rerun = build(project)
    assert rerun.executed == ["01_a.ipynb", "02_b.ipynb", "03_sum.ipynb"]
    assert rerun.outcomes[0].reason == "setting changed: BERING_SCENARIO_TEST"


@kernel
def test_stale_stored_outputs_are_named_with_the_fixing_command(project):
    notebooks = runner.notebook_order(project / "notebooks")
    assert runner.stale_notebooks(notebooks, project / "cache") is None
    build(project)
    assert runner.stale_notebooks(notebooks, project / "cache") == {}
    (project / "data" / "a.csv").write_text("x\n9\n")
    stale = runner.stale_notebooks(notebooks, project / "cache")
    assert set(stale) == {"01_a", "03_sum"}
    message = runner.stale_message(stale)
    assert "run ./tasks.sh update to fix" in message and "01_a: input changed" in message


@kernel
def test_independent_notebooks_run_in_parallel(tmp_path):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    for i in (1, 2):
        make_notebook(nbs / f"0{i}_nap.ipynb", "import time\ntime.sleep(4)")
    start = time.perf_counter()
    report = runner.build(
        runner.notebook_order(nbs), out_dir=tmp_path / "figures", store=False, jobs=2, cache_dir=tmp_path / "cache"
    )
    wall = time.perf_counter() - start
    assert sum(o.seconds for o in report.outcomes) > 8
    assert wall < sum(o.seconds for o in report.outcomes) - 2, wall


@kernel
def test_kernels_talk_over_ipc_and_the_build_prints_no_tcp_warning(tmp_path):
    """A kernel on TCP without CurveZMQ keys warns "Kernel is running over TCP without encryption"
    on its standard error, which the build's output inherits; the runner's kernels use Unix sockets."""
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    path = make_notebook(
        nbs / "01_transport.ipynb",
        "from ipykernel.kernelapp import IPKernelApp\nprint(IPKernelApp.instance().transport)",
    )
    script = (
        "import sys\nfrom pathlib import Path\nfrom bering import runner\n"
        "runner.build([Path(sys.argv[1])], out_dir=Path(sys.argv[2]), cache_dir=Path(sys.argv[3]), jobs=1, "
        "progress=print)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path), str(tmp_path / "figures"), str(tmp_path / "cache")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "01_transport.ipynb" in done.stdout  # the build's progress lines are there
    assert "without encryption" not in done.stdout + done.stderr
    stored = nbformat.read(path, as_version=4)
    assert stored.cells[0].outputs[0]["text"] == "ipc\n"


@kernel
def test_a_failing_nbval_cell_names_the_command_that_refreshes_stored_outputs(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(1 + 1)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="3\n")]  # stale
    nb.cells = [cell]
    path = tmp_path / "01_stale.ipynb"
    nbformat.write(nb, path)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "tests"), os.environ.get("PYTHONPATH")])),
    }
    env.pop("BERING_FIGURES_DIR", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "conftest",
            "--nbval",
            "--nbval-current-env",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            str(path),
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "how to fix" in done.stdout and "01_stale.ipynb: stored outputs differ" in done.stdout
    assert "run ./tasks.sh update" in done.stdout


def test_table_names_spelled_out_in_the_runner_are_the_exporters():
    from bering import export

    assert runner.TABLES == (export.CATALOGUE, export.KEY_NUMBERS)


def test_fingerprints_see_content_and_missing_files(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("x\n1\n")
    first = runner.fingerprint([a])
    a.write_text("x\n2\n")
    assert runner.fingerprint([a]) != first
    a.unlink()
    assert runner.fingerprint([a]) not in (first, None)
    data = tmp_path / "data"
    (data / "geo").mkdir(parents=True)
    (data / "geo" / "land.geojson").write_text("{}")
    before = runner.data_fingerprint(data)
    (data / "geo" / "land.geojson").write_text("{ }")
    assert runner.data_fingerprint(data) != before
    runner.set_marker("validated", {"k": "v"}, tmp_path / "cache")
    assert runner.marker("validated", tmp_path / "cache") == {"k": "v"}
    assert runner.marker("absent", tmp_path / "cache") == {}


def test_hidden_entries_never_change_a_folder_listing(tmp_path):
    # Lab makes .ipynb_checkpoints beside the notebooks; a notebook that lists the folder is not stale
    (tmp_path / "01_a.ipynb").write_text("{}")
    before = runner.listing_digest(tmp_path)
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".01_a.ipynb.swp").write_text("")
    assert runner.listing_digest(tmp_path) == before
    (tmp_path / "02_b.ipynb").write_text("{}")
    assert runner.listing_digest(tmp_path) != before


def test_a_notebook_read_by_another_counts_by_its_sources_not_its_stored_outputs(tmp_path):
    """The overview reads each notebook's title; the build then stores fresh outputs into those
    notebook files. Outputs (and execution counts) must not make the reader stale; a changed cell must."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 01 · A question"), nbformat.v4.new_code_cell("1 + 1")]
    path = tmp_path / "01_alpha.ipynb"
    nbformat.write(nb, path)
    before = runner.input_digest(path)
    assert before == runner.source_digest(nb)

    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
    nb.cells[1].execution_count = 1
    nbformat.write(nb, path)
    assert runner.input_digest(path) == before

    nb.cells[0].source = "# 01 · Another question"
    nbformat.write(nb, path)
    assert runner.input_digest(path) != before

    data = tmp_path / "table.csv"
    data.write_text("a\n1\n", encoding="utf-8")
    assert runner.input_digest(data) == runner.sha256_file(data)
    assert runner.input_digest(tmp_path / "missing.ipynb") is None
    broken = tmp_path / "02_broken.ipynb"
    broken.write_text("not json", encoding="utf-8")
    assert runner.input_digest(broken) == runner.sha256_file(broken)
