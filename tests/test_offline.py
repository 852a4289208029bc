"""The collection works offline: every notebook runs with the network blocked.

A ``sitecustomize.py`` put on ``PYTHONPATH`` loads into every Python process started with that
environment, each notebook's kernel included. It lets loopback through (the kernels talk to their
client over 127.0.0.1) and makes every other connection or host-name lookup fail, writing each
attempt to a log.

The guard wraps the test session's one execution of the notebooks: ``tests/conftest.py`` writes it
and puts it on ``PYTHONPATH`` before strict nbval starts the kernels, and the check here, which runs
after the notebooks, reads its log. (``network_namespace()`` below gives a loopback-only network
namespace where the machine allows it, for running a command with compiled code blocked too.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bering import export

GUARD = textwrap.dedent('''
    """Written by tests/test_offline.py: refuse network access beyond loopback, and log attempts."""
    import errno
    import ipaddress
    import os
    import socket
    import sys

    _LOG = os.environ.get("BERING_NET_GUARD_LOG")
    _LOCAL_NAMES = {"", "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


    def _command():
        try:
            with open("/proc/self/cmdline", "rb") as handle:
                return handle.read().replace(b"\\0", b" ").decode("utf-8", "replace").strip()
        except OSError:
            return " ".join(sys.argv)


    def _record(kind, detail):
        if _LOG:
            with open(_LOG, "a", encoding="utf-8") as handle:
                handle.write(f"{kind}\\t{os.getpid()}\\t{detail}\\t{_command()}\\n")


    def _is_local(host):
        if host is None:
            return True
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        host = str(host).split("%")[0].strip("[]").lower()
        if host in _LOCAL_NAMES:
            return True
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return False  # a name that would need a lookup
        if getattr(ip, "ipv4_mapped", None) is not None:
            ip = ip.ipv4_mapped
        return ip.is_loopback or ip.is_unspecified


    def _refuse(kind, target):
        _record("blocked", f"{kind} {target!r}")
        raise OSError(errno.ENETUNREACH, f"network access blocked by tests/test_offline.py: {kind} {target!r}")


    def _guard_address(kind, address):
        if isinstance(address, tuple) and address and not _is_local(address[0]):
            _refuse(kind, address)


    _connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex
    _sendto = socket.socket.sendto
    _getaddrinfo, _gethostbyname = socket.getaddrinfo, socket.gethostbyname
    _gethostbyname_ex = socket.gethostbyname_ex


    def connect(self, address):
        _guard_address("connect", address)
        return _connect(self, address)


    def connect_ex(self, address):
        _guard_address("connect_ex", address)
        return _connect_ex(self, address)


    def sendto(self, data, *args):
        _guard_address("sendto", args[-1] if args else None)
        return _sendto(self, data, *args)


    def getaddrinfo(host, *args, **kwargs):
        if not _is_local(host):
            _record("blocked", f"getaddrinfo {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, f"name lookup blocked by tests/test_offline.py: {host!r}")
        return _getaddrinfo(host, *args, **kwargs)


    def gethostbyname(host):
        if not _is_local(host):
            _refuse("gethostbyname", host)
        return _gethostbyname(host)


    def gethostbyname_ex(host):
        if not _is_local(host):
            _refuse("gethostbyname_ex", host)
        return _gethostbyname_ex(host)


    socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = connect, connect_ex, sendto
    socket.getaddrinfo, socket.gethostbyname, socket.gethostbyname_ex = getaddrinfo, gethostbyname, gethostbyname_ex
    _record("armed", "")

    # chain to the sitecustomize this one shadows, if any
    _here = os.path.dirname(os.path.abspath(__file__))
    import importlib.machinery
    import importlib.util
    for _entry in sys.path:
        if os.path.abspath(_entry or ".") == _here:
            continue
        _other = os.path.join(os.path.abspath(_entry or "."), "sitecustomize.py")
        try:
            with open(_other, encoding="utf-8") as _fh:
                if "Written by tests/test_offline.py" in _fh.read(300):
                    continue  # another copy of this guard (a nested guarded run): never chain in a loop
        except OSError:
            pass
        _spec = importlib.machinery.PathFinder.find_spec("sitecustomize", [_entry or "."])
        if _spec is not None:
            _module = importlib.util.module_from_spec(_spec)
            _spec.loader.exec_module(_module)
            break
''')


def write_guard(folder: Path) -> Path:
    """Write the guard as ``folder/sitecustomize.py``; put ``folder`` on ``PYTHONPATH`` to arm it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    return folder


@pytest.fixture
def guarded_env(tmp_path):
    """An environment whose Python processes load the guard; returns (env, log path)."""
    folder = write_guard(tmp_path / "net_guard")
    log = tmp_path / "net_guard.log"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), env.get("PYTHONPATH")]))
    env["BERING_NET_GUARD_LOG"] = str(log)
    env.pop("BERING_FIGURES_DIR", None)
    return env, log


def entries(log: Path, kind: str) -> list[str]:
    if not log.exists():
        return []
    return [line for line in log.read_text(encoding="utf-8").splitlines() if line.startswith(kind + "\t")]


def network_namespace() -> list[str] | None:
    """A command prefix that runs in a new network namespace with loopback up, if this machine allows."""
    if not (shutil.which("unshare") and shutil.which("ip")):
        return None
    prefix = ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]
    try:
        probe = subprocess.run(
            [*prefix, sys.executable, "-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()"],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return prefix if probe.returncode == 0 else None


PROBE = """
import socket, threading
server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen()
threading.Thread(target=server.accept, daemon=True).start()
socket.create_connection(server.getsockname(), timeout=5).close()    # loopback: allowed
failures = 0
for attempt in (lambda: socket.create_connection(("192.0.2.1", 80), timeout=1),
                lambda: socket.getaddrinfo("pypi.org", 443),
                lambda: socket.socket(socket.AF_INET6).connect(("2001:db8::1", 80)),
                lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("192.0.2.1", 53))):
    try:
        attempt()
    except OSError:
        failures += 1
print(failures)
"""


def test_guard_lets_loopback_through_and_blocks_and_logs_the_rest(guarded_env):
    env, log = guarded_env
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "4"
    assert len(entries(log, "armed")) == 1
    blocked = entries(log, "blocked")
    assert len(blocked) == 4, blocked
    assert any("192.0.2.1" in b for b in blocked) and any("pypi.org" in b for b in blocked)


@pytest.mark.after_notebooks
@pytest.mark.slow
def test_every_notebook_ran_offline(notebook_run, capsys):
    if not notebook_run.complete():
        pytest.skip("checks the session's notebook run: run the whole suite with --nbval (./tasks.sh test)")
    log = notebook_run.guard_log
    notebooks = notebook_run.expected
    with capsys.disabled():
        print(f"\n[offline] {len(notebooks)} notebook(s) ran under the Python network guard")
    assert entries(log, "blocked") == [], "network access was attempted:\n" + "\n".join(entries(log, "blocked"))
    armed = entries(log, "armed")
    # one kernel per notebook loaded the guard
    assert sum("ipykernel" in line for line in armed) >= len(notebooks), armed
    catalogue = export.catalogue(notebook_run.figures)
    listed = {f for files in catalogue["files"] for f in files.split(";")}
    assert listed and all((notebook_run.figures / f).exists() for f in listed)
    assert (notebook_run.figures / export.KEY_NUMBERS).exists()
