"""Determinism that strict nbval and the byte-for-byte export test do not prove on their own.

``tests/test_figures_fresh.py`` checks that two exports give identical bytes, and strict nbval
that each notebook reproduces its stored outputs. Both compare two runs on one machine on one
day, so they miss what only differs across machines, days or contributors:

* randomness that is seeded somewhere other than :data:`bering.SEED` (or not at all, and happens
  to be unused in the cells nbval compares), or reads the wall clock or the OS entropy pool;
* timestamps in the figure files (equal within a day, different tomorrow);
* machine paths stored in notebook outputs (equal here, different on every other machine);
* notebook files growing past 1 MB, timing metadata or widget state in the stored notebooks.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import struct
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

import bering
from bering import export, paths

REPO = paths.REPO_ROOT
PACKAGE = sorted((REPO / "bering").glob("*.py"))
NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb"))
FIGURES = paths.committed_figures_dir()
MAX_NOTEBOOK_BYTES = 1_000_000

# ---------------------------------------------------------------------------------------------
# Randomness comes from bering.SEED, and only from it

#: numpy.random names that build a generator from a seed (everything else there is global state)
NP_SEEDED = {
    "default_rng",
    "Generator",
    "SeedSequence",
    "RandomState",
    "PCG64",
    "PCG64DXSM",
    "Philox",
    "SFC64",
    "MT19937",
    "BitGenerator",
}
#: calls whose result differs on every run, whatever the seed
NONDETERMINISTIC = {
    "os.urandom",
    "uuid.uuid1",
    "uuid.uuid4",
    "random.SystemRandom",
    "secrets.token_bytes",
    "secrets.token_hex",
    "secrets.token_urlsafe",
    "secrets.choice",
    "secrets.randbelow",
    "secrets.randbits",
}
#: wall-clock reads; allowed only in modules that time a run for the console, never in an output
CLOCK = {
    "datetime.datetime.now",
    "datetime.datetime.today",
    "datetime.datetime.utcnow",
    "datetime.date.today",
    "time.time",
    "time.time_ns",
    "time.localtime",
    "time.gmtime",
    "time.ctime",
    "time.asctime",
    "time.strftime",
    "pandas.Timestamp.now",
    "pandas.Timestamp.today",
    "pandas.Timestamp.utcnow",
    "numpy.datetime64",
}
# the site states its build date (SOURCE_DATE_EPOCH fixes it); nothing it writes is committed. data.py
# compares a file's change time with the clock only to decide whether its cached digest can be trusted
CLOCK_ALLOWED = {"runner.py", "bench.py", "__main__.py", "site.py", "data.py"}
SEED_KEYWORDS = {"seed", "random_state"}


@dataclass(frozen=True)
class Finding:
    where: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.where}:{self.line}: {self.message}"


def _mentions_seed(node: ast.AST | None) -> bool:
    return node is not None and any(
        (isinstance(n, ast.Name) and n.id == "SEED") or (isinstance(n, ast.Attribute) and n.attr == "SEED")
        for n in ast.walk(node)
    )


class RandomnessScan(ast.NodeVisitor):
    """Find random draws or seeds that do not come from ``bering.SEED``."""

    def __init__(self, where: str, allow_clock: bool = False):
        self.where, self.allow_clock = where, allow_clock
        self.aliases: dict[str, str] = {}
        self.findings: list[Finding] = []
        self.defaults: list[dict[str, ast.AST | None]] = [{}]  # parameters in scope -> default
        self.module_mentions_seed = False
        self.uses_generator = False

    # -- names ------------------------------------------------------------------------------
    def visit_Import(self, node):
        for alias in node.names:
            self.aliases[alias.asname or alias.name.split(".")[0]] = (
                alias.name if alias.asname else alias.name.split(".")[0]
            )

    def visit_ImportFrom(self, node):
        for alias in node.names:
            if node.module:
                self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def dotted(self, node) -> str | None:
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = self.aliases.get(node.id, node.id)
        name = ".".join([head, *reversed(parts)])
        return name.replace("np.", "numpy.", 1) if name.startswith("np.") else name

    # -- scopes -----------------------------------------------------------------------------
    def _function(self, node):
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        defaults = dict.fromkeys(a.arg for a in [*positional, *args.kwonlyargs])
        for arg, default in zip(positional[len(positional) - len(args.defaults) :], args.defaults):
            defaults[arg.arg] = default
        for arg, default in zip(args.kwonlyargs, args.kw_defaults):
            defaults[arg.arg] = default
        for name, default in defaults.items():
            if name in SEED_KEYWORDS and default is not None and not _mentions_seed(default):
                self.add(node, f"parameter '{name}' defaults to {ast.unparse(default)}, not to bering.SEED")
        self.defaults.append(defaults)
        self.generic_visit(node)
        self.defaults.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_AnnAssign(self, node):
        target = node.target.id if isinstance(node.target, ast.Name) else None
        if target in SEED_KEYWORDS and node.value is not None and not _mentions_seed(node.value):
            self.add(node, f"'{target}' is set to {ast.unparse(node.value)}, not to bering.SEED")
        self.generic_visit(node)

    def add(self, node, message):
        self.findings.append(Finding(self.where, getattr(node, "lineno", 0), message))

    # -- the seed a generator gets ----------------------------------------------------------
    def _seed_ok(self, expr: ast.AST) -> bool:
        if _mentions_seed(expr):
            return True
        if isinstance(expr, ast.Constant):
            return False
        names = {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}
        for scope in reversed(self.defaults):
            for name in names & set(scope):
                default = scope[name]
                if default is None or _mentions_seed(default):
                    return True  # a parameter: its default is SEED, or the caller must pass one
        # an attribute such as params.seed: the value is set where the object is made, which
        # this module must tie to SEED (checked by requiring the module to mention SEED)
        return isinstance(expr, ast.Attribute)

    def visit_Call(self, node):
        name = self.dotted(node.func) or ""
        seed = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg in SEED_KEYWORDS), None)
        short = name.rsplit(".", 1)[-1]
        if name.startswith("numpy.random.") and name.count(".") == 2:
            if short not in NP_SEEDED:
                self.add(
                    node,
                    f"{name}() draws from numpy's global state; use a generator made with "
                    "np.random.default_rng(bering.SEED)",
                )
            elif short in ("default_rng", "RandomState", "SeedSequence") or short in NP_SEEDED - {"Generator"}:
                self._check_seed(node, name, seed)
        elif name == "random.Random":
            self._check_seed(node, name, seed)
        elif name.startswith("random.") and name.count(".") == 1:
            self.add(
                node,
                f"{name}() draws from the random module's global state; use "
                "random.Random(bering.SEED) or a numpy generator",
            )
        elif name in NONDETERMINISTIC:
            self.add(node, f"{name}() differs on every run")
        elif name in CLOCK and not self.allow_clock:
            self.add(node, f"{name}() reads the clock; a stored output or figure would change every day")
        elif (
            isinstance(node.func, ast.Attribute)
            and node.func.attr in ("sample", "shuffle", "permutation")
            and not name.startswith(("random.", "numpy."))
        ):
            state = next((k.value for k in node.keywords if k.arg in SEED_KEYWORDS), None)
            receiver = node.func.value
            is_generator = isinstance(receiver, ast.Name) and re.search(r"rng|gen|random|stream", receiver.id, re.I)
            # random_state may be SEED, a seed parameter, or a variable holding a seeded generator
            if node.func.attr == "sample" and not is_generator and (state is None or isinstance(state, ast.Constant)):
                self.add(node, f"{ast.unparse(node.func)}() needs random_state derived from bering.SEED")
        for keyword in node.keywords:
            if (
                keyword.arg in SEED_KEYWORDS
                and isinstance(keyword.value, ast.Constant)
                and keyword.value.value is not None
            ):
                self.add(node, f"{keyword.arg}={keyword.value.value!r} is a second seed; derive it from bering.SEED")
        self.generic_visit(node)

    def _check_seed(self, node, name, seed):
        if seed is None or (isinstance(seed, ast.Constant) and seed.value is None):
            self.add(node, f"{name}() without a seed is seeded from the OS: pass bering.SEED")
        elif not self._seed_ok(seed):
            self.add(node, f"{name}({ast.unparse(seed)}) is not seeded from bering.SEED")
        else:
            self.uses_generator = True

    def visit_Name(self, node):
        if node.id == "SEED":
            self.module_mentions_seed = True

    def visit_Attribute(self, node):
        if node.attr == "SEED":
            self.module_mentions_seed = True
        self.generic_visit(node)


def scan_source(source: str, where: str, allow_clock: bool = False) -> list[Finding]:
    tree = ast.parse(source)
    scan = RandomnessScan(where, allow_clock)
    scan.visit(tree)
    findings = list(scan.findings)
    if scan.uses_generator and not scan.module_mentions_seed:
        findings.append(Finding(where, 1, "makes a random generator but never refers to bering.SEED"))
    literal = str(bering.SEED)
    for i, line in enumerate(source.splitlines(), start=1):
        if literal in line and not where.endswith("bering/__init__.py"):
            findings.append(Finding(where, i, f"the seed value {literal} is copied here; use bering.SEED"))
    return findings


def notebook_code(path: Path) -> str:
    """A notebook's code cells as one module (IPython magics dropped), for scanning."""
    nb = nbformat.read(path, as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    return "\n".join(re.sub(r"^\s*[%!].*$", "pass", cell, flags=re.M) for cell in cells)


def test_randomness_is_seeded_from_bering_seed_only():
    findings = []
    for module in PACKAGE:
        findings += scan_source(
            module.read_text(encoding="utf-8"), str(module.relative_to(REPO)), allow_clock=module.name in CLOCK_ALLOWED
        )
    for nb in NOTEBOOKS:
        findings += scan_source(notebook_code(nb), str(nb.relative_to(REPO)))
    assert not findings, "randomness or clock reads not tied to bering.SEED:\n" + "\n".join(map(str, findings))


@pytest.mark.parametrize(
    "source,expected",
    [
        ("import numpy as np\nx = np.random.normal(size=3)", "draws from numpy's global state"),
        ("import numpy as np\nrng = np.random.default_rng()", "without a seed is seeded from the OS"),
        ("import numpy as np\nrng = np.random.default_rng(42)", "is not seeded from bering.SEED"),
        ("from numpy.random import default_rng\nrng = default_rng(7)", "is not seeded from bering.SEED"),
        ("import random\nrandom.shuffle(items)", "random.shuffle() draws from the random module's global state"),
        ("import random\nr = random.Random()", "without a seed"),
        ("frame.sample(frac=0.5)", "needs random_state derived from bering.SEED"),
        ("frame.sample(n=3, random_state=1)", "random_state=1 is a second seed"),
        ("def simulate(n, seed=1):\n    pass", "parameter 'seed' defaults to 1"),
        ("import uuid\nname = uuid.uuid4().hex", "differs on every run"),
        ("from datetime import date\nstamp = date.today()", "reads the clock"),
        ("SEED_COPY = 20251017", "the seed value 20251017 is copied here"),
        ("import numpy as np\nrng = np.random.default_rng(params.seed)", "never refers to bering.SEED"),
    ],
)
def test_scanner_catches(source, expected):
    found = "\n".join(map(str, scan_source(source, "snippet.py")))
    assert expected in found, found


@pytest.mark.parametrize(
    "source",
    [
        "from bering import SEED\nimport numpy as np\nrng = np.random.default_rng(SEED)",
        "import bering\nimport numpy as np\nrng = np.random.default_rng(bering.SEED + 1)",
        "from bering import SEED\nimport numpy as np\ndef simulate(n, seed=SEED):\n"
        "    a, b = np.random.default_rng(seed).spawn(2)\n    return a.normal(size=n)",
        "from bering import SEED\nimport numpy as np\n"
        "def draw(rng: np.random.Generator, n):\n    return rng.normal(size=n)",
        "from bering import SEED\nframe.sample(frac=0.5, random_state=SEED)",
        "rng.permutation(5)\nrows = frame.sample(3, random_state=rng)",
    ],
)
def test_scanner_accepts(source):
    assert scan_source(source, "snippet.py") == []


# ---------------------------------------------------------------------------------------------
# Figure files carry no timestamps

FIGURE_SUFFIXES = (".svg", ".pdf", ".png", ".html")
#: metadata fields that hold a creation or modification time
STAMP_FIELDS = [
    rb"/CreationDate",
    rb"/ModDate",
    rb"<dc:date>",
    rb"xmp:CreateDate",
    rb"xmp:ModifyDate",
    rb"xmp:MetadataDate",
    rb"D:(19|20)\d{6}",
    rb"date:create",
    rb"date:modify",
]


def figure_files() -> list[Path]:
    if not FIGURES.exists():
        return []
    return sorted(p for p in FIGURES.iterdir() if p.suffix in FIGURE_SUFFIXES)


def png_chunks(raw: bytes) -> list[tuple[bytes, bytes]]:
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(raw):
        length, kind = struct.unpack(">I4s", raw[pos : pos + 8])
        chunks.append((kind, raw[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return chunks


def date_patterns(days: set[dt.date]) -> list[bytes]:
    out = []
    for day in sorted(days):
        out += [day.strftime(f).encode() for f in ("%Y-%m-%d", "%Y:%m:%d", "%Y%m%d", "%d %b %Y", "%b %d, %Y")]
    return out


def data_text() -> bytes:
    return b"\n".join(p.read_bytes() for p in sorted((REPO / "data").glob("*.csv")))


@pytest.mark.skipif(not figure_files(), reason="no figures exported yet")
def test_figure_files_carry_no_timestamps():
    today = dt.date.today()
    in_data = data_text()
    problems = []
    for path in figure_files():
        raw = path.read_bytes()
        for pattern in STAMP_FIELDS:
            if re.search(pattern, raw):
                problems.append(f"{path.name}: has a time field ({pattern.decode()})")
        if path.suffix == ".png":
            for kind, body in png_chunks(raw):
                key = body.split(b"\0", 1)[0].lower()
                if kind == b"tIME" or (
                    kind in (b"tEXt", b"iTXt", b"zTXt") and re.search(rb"date|time|creat|modif", key)
                ):
                    problems.append(f"{path.name}: PNG chunk {kind.decode()} {key.decode(errors='replace')}")
        # today's date, yesterday's (an export just after midnight) and the file's own date, unless
        # the data itself contains that date (a source accessed today, say)
        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime).date()
        for stamp in date_patterns({today, today - dt.timedelta(days=1), mtime}):
            if stamp in raw and stamp not in in_data:
                problems.append(f"{path.name}: contains the date {stamp.decode()}")
    assert not problems, "timestamps in figure files:\n" + "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# Stored notebooks: small, no machine paths, no timing metadata

MACHINE_PATHS = re.compile(
    r"(/work/|/root/|/home/|/tmp/|/Users/|/private/var/|/var/folders/|"
    r"site-packages|[A-Za-z]:\\\\Users|/opt/conda|/\.venv/)"
)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_under_1_mb(path):
    size = path.stat().st_size
    assert size < MAX_NOTEBOOK_BYTES, f"{path.name} is {size / 1e6:.2f} MB; store figures as files, not outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_stored_outputs_hold_no_machine_paths(path):
    nb = nbformat.read(path, as_version=4)
    problems = []
    for index, cell in enumerate(nb.cells, start=1):
        for output in cell.get("outputs", []):
            # base64 images are bytes, not text: "/tmp/" turns up in them by chance
            data = {
                k: v for k, v in output.get("data", {}).items() if not k.startswith("image/") or k == "image/svg+xml"
            }
            text = json.dumps({**output, "data": data}, ensure_ascii=False)
            for match in MACHINE_PATHS.finditer(text):
                context = text[max(0, match.start() - 40) : match.end() + 40]
                problems.append(f"cell {index}: {match.group(0)!r} in ...{context}...")
    metadata = json.dumps(nb.metadata, ensure_ascii=False)
    problems += [f"notebook metadata: {m.group(0)!r}" for m in MACHINE_PATHS.finditer(metadata)]
    assert not problems, f"{path.name} stores paths of the machine it ran on:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_stored_notebook_has_no_run_metadata(path):
    """No timing, no widget state, and execution counts 1..n: run top to bottom in one go."""
    nb = nbformat.read(path, as_version=4)
    assert "widgets" not in nb.metadata
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code:
        assert "execution" not in cell.metadata, f"{path.name}: cell {cell.get('id')} stores timing metadata"
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", f"{path.name}: a stored output is an error"
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), f"{path.name}: execution counts {counts} are not 1..n"


@pytest.mark.skipif(not (FIGURES / export.CATALOGUE).exists(), reason="no figures exported yet")
def test_figure_tables_hold_no_machine_paths():
    for name in (export.CATALOGUE, export.KEY_NUMBERS):
        text = (FIGURES / name).read_text(encoding="utf-8")
        assert not MACHINE_PATHS.search(text), f"{name} holds a machine path"
    for path in figure_files():
        if path.suffix in (".svg", ".html"):
            assert not MACHINE_PATHS.search(path.read_text(encoding="utf-8")), f"{path.name} holds a machine path"
