"""The ansible-core version matrix of wsfc.csv: every core that ``meta/runtime.yml`` claims, on this machine's Pythons.

``make test`` runs the whole suite on the main version (ansible-core 2.19 on Python 3.11, in ``.venv``); then
``make matrix`` (``nox -s matrix``) runs, for each other core, one session in a virtual environment of its own
with the newest patch of that core that installs from PyPI:

* the unit tests, from the collection as ``ansible-galaxy`` of that core builds and installs it;
* ``ansible-test sanity`` of that core (every test it offers a collection; its pip bootstrap made to work
  offline by ``.ci/prepare_ansible_test.py``, as ``make sanity`` does);
* against the lab, through that core's ``ansible-playbook``, on each connection the lab serves (``winrm`` and
  ``psrp``, switched by ``WSFC_LAB_CONNECTION`` as ``tests/integration/conftest.py`` reads it): the
  ``cluster_info`` driver (``tests/integration/modules/test_cluster_info.py``), one full ``csv_backup`` run
  (``tests/integration/roles/test_csv_backup_run.py``, the balanced run and its clean-up checks) and the
  secrets test (``tests/integration/roles/test_secrets.py``: a ``-vvvvv`` run writes the password nowhere);
* no deprecation warning: every playbook of those runs logs to one file (``ANSIBLE_LOG_PATH``), which must hold
  no ``[DEPRECATION WARNING]``.

``nox -s matrix`` starts those sessions (``nox -s core-2.16`` ...) two at a time (``-- --jobs N``; each lab takes
free ports), each logging to ``<build>/matrix/<session>.log``, and prints the table of what ran and passed.
``nox -s core-2.18`` runs one core alone. Everything installs from PyPI; the interpreters are this machine's
(``PATH``, else pyenv's ``~/.pyenv/versions``).

Each core runs on a Python its controller supports (ansible-core's support matrix: 2.16 and 2.17 take 3.10-3.12,
2.18 and 2.19 3.11-3.13, 2.20 and 2.21 3.12-3.14), spread so that every interpreter here is used.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
BUILD = Path(os.environ.get("WSFC_BUILD", ROOT / "build")).resolve()
RESULTS = BUILD / "matrix"

# (ansible-core minor version, Python): the main version first (make test runs it in .venv), then the others.
MAIN = ("2.19", "3.11")
CORES = (("2.16", "3.11"), ("2.17", "3.12"), ("2.18", "3.13"), ("2.20", "3.12"), ("2.21", "3.13"))
# The connections the lab serves, and the transport its inventory sets for each (lab/wsfc_lab/inventory.py).
CONNECTIONS = {"winrm": "ntlm, HTTP, message encryption", "psrp": "negotiate (NTLM), HTTP, message encryption"}
# What each target `make test` runs before the matrix covers on the main version: (connection, transport, what).
MAIN_TARGETS = {
    "units": ("-", "-", "unit tests"),
    "lab-tests": ("-", "-", "lab tests"),
    "sanity": ("-", "-", "ansible-test sanity"),
    "lint": ("-", "-", "ansible-lint"),
    "changelog": ("-", "-", "changelog lint"),
    "integration": ("winrm", CONNECTIONS["winrm"], "every integration test"),
    "psrp-tests": ("psrp", CONNECTIONS["psrp"], "cluster_info, csv_backup run, connection faults"),
    "kerberos-tests": ("winrm, psrp", "kerberos (a KDC on loopback)", "lab Kerberos tests, cluster_info"),
}

# The integration tests every core runs: cluster_info, one whole csv_backup run, the secrets search.
INTEGRATION = (
    "tests/integration/modules/test_cluster_info.py",
    "tests/integration/roles/test_csv_backup_run.py::test_balanced_reads_every_csv_once_and_locally",
    "tests/integration/roles/test_csv_backup_run.py::test_balanced_leaves_the_cluster_as_it_found_it",
    "tests/integration/roles/test_secrets.py",
    # node data never templated (CVE-2024-11079's data flow): what matters most on the older cores
    "tests/integration/roles/test_template_names.py",
)
# pypsrp for the psrp connection (README: "only for ansible_connection: psrp").
TEST_REQUIREMENTS = ("pytest>=8", "hypothesis>=6.100", "pyyaml>=6", "pypsrp>=0.8")

nox.options.sessions = ["matrix"]
nox.options.envdir = str(BUILD / "nox")
if hasattr(nox.options, "download_python"):  # newer nox can fetch a missing Python: never, here
    nox.options.download_python = "never"
nox.options.error_on_missing_interpreters = True


def interpreter(version):
    """This machine's Python ``version`` (``3.12``): ``python3.12`` on PATH, else pyenv's newest 3.12.x."""
    found = shutil.which("python%s" % version)
    if found and subprocess.run([found, "-c", ""], capture_output=True, check=False).returncode == 0:
        return found
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates = glob.glob(os.path.join(root, "versions", version + ".*", "bin", "python" + version))
    if not candidates:
        return version  # nox reports it as missing
    return max(candidates, key=_version_of)


def _version_of(path):
    """``[3, 12, 1]`` for ``.../versions/3.12.1/bin/python3.12``."""
    return [int(part) for part in path.split("/versions/")[1].split("/")[0].split(".") if part.isdigit()]


def session_name(core):
    return "core-%s" % core


def core_spec(core):
    """The newest patch of ``core`` (``2.16``): ``ansible-core>=2.16,<2.17``."""
    major, minor = core.split(".")
    return "ansible-core>=%s.%s,<%s.%d" % (major, minor, major, int(minor) + 1)


class Steps:
    """What one session ran: each step's connection, outcome and duration, saved for the table."""

    def __init__(self, session, core, python):
        self.session = session
        self.record = {"session": session.name, "core": core, "python": python, "steps": [], "started": time.time()}

    def run(self, name, *args, connection="-", **kwargs):
        """Run one step (a command); record it; go on with the next step even when it fails."""
        started = time.time()
        try:
            self.session.run(*args, **kwargs)
            ok = True
        except nox.command.CommandFailed:
            ok = False
        self.add(name, ok, time.time() - started, connection)
        return ok

    def add(self, name, ok, seconds, connection="-"):
        self.record["steps"].append({"step": name, "ok": ok, "seconds": round(seconds, 1), "connection": connection})

    def save(self, **extra):
        self.record.update(extra, seconds=round(time.time() - self.record.pop("started"), 1))
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / ("%s.json" % self.session.name)).write_text(json.dumps(self.record, indent=1))
        failed = ["%s (%s)" % (step["step"], step["connection"]) if step["connection"] != "-" else step["step"]
                  for step in self.record["steps"] if not step["ok"]]
        if failed:
            self.session.error("failed on ansible-core %s: %s" % (self.record["core"], ", ".join(failed)))


def deprecations(log):
    """The ``[DEPRECATION WARNING]`` lines of an ansible log file (none when there is no file)."""
    try:
        text = Path(log).read_text(errors="replace")
    except OSError:
        return []
    return [line for line in text.splitlines() if "DEPRECATION WARNING" in line]


def _install(session, core):
    """The core, the collection's requirements, the test tools and the lab (from a copy: several sessions install
    it at once, and an install writes build files into the folder it installs from)."""
    session.install(core_spec(core), "-r", str(ROOT / "requirements.txt"), *TEST_REQUIREMENTS)
    lab = Path(session.create_tmp()) / "lab-source"
    shutil.rmtree(lab, ignore_errors=True)
    shutil.copytree(ROOT / "lab", lab, ignore=shutil.ignore_patterns(".work", "*.egg-info", "build", "__pycache__"))
    session.install("-e", str(lab))  # editable, as in .venv: the lab finds its topologies beside its code
    return session.run("python", "-c", "import ansible.release; print(ansible.release.__version__)",
                       silent=True).strip()


def _collection(session, tmp):
    """Build the collection with this core's ansible-galaxy and install it (what users of this core would get)."""
    shutil.rmtree(tmp / "dist", ignore_errors=True)
    shutil.rmtree(tmp / "collections", ignore_errors=True)
    session.run("ansible-galaxy", "collection", "build", "--output-path", str(tmp / "dist"), str(ROOT), silent=True)
    tarball = glob.glob(str(tmp / "dist" / "wsfc-csv-*.tar.gz"))[0]
    # --force and this session's own collections path: ansible-galaxy skips an install ("Nothing to do") when the
    # collection is already in a configured path, such as the main build's that `make` exports.
    session.run("ansible-galaxy", "collection", "install", "--force", "-p", str(tmp / "collections"), tarball,
                silent=True, env={"ANSIBLE_COLLECTIONS_PATH": str(tmp / "collections")})
    return tmp / "collections"


def run_core(session, core, python):
    """One core: install, build, then units, sanity and the lab runs (see the module docstring)."""
    steps = Steps(session, core, python)
    version = _install(session, core)
    tmp = Path(session.create_tmp())
    collections = _collection(session, tmp)
    collection = collections / "ansible_collections" / "wsfc" / "csv"
    env = {"ANSIBLE_COLLECTIONS_PATH": str(collections), "PYTHONPATH": str(collections),
           "HYPOTHESIS_STORAGE_DIRECTORY": str(tmp / "hypothesis"), "ANSIBLE_NOCOLOR": "1",
           "ANSIBLE_HOST_KEY_CHECKING": "False", "ANSIBLE_DEPRECATION_WARNINGS": "True"}
    pytest = ("python", "-m", "pytest", "-p", "no:cacheprovider", "-q")

    with session.chdir(collection):
        steps.run("units", *pytest, "--basetemp", str(tmp / "pytest-units"), "tests/unit", env=env)

    # ansible-test tests only tracked files of the git repository around a collection: a copy outside any
    # repository is tested in full (as `make sanity` does).
    # The copy must be outside this repository: build/ is inside it (and ignored by git), so ansible-test, finding
    # the repository around a copy there, would skip every target. /tmp/wsfc-csv-sanity-<uid>-<session>, as make's.
    outside = Path(tempfile.gettempdir()) / ("wsfc-csv-sanity-%d-%s" % (os.getuid(), session.name))
    sanity = outside / "ansible_collections" / "wsfc" / "csv"
    shutil.rmtree(outside, ignore_errors=True)
    shutil.copytree(collection, sanity, symlinks=True)
    session.run("python", str(ROOT / ".ci" / "prepare_ansible_test.py"), silent=True)
    with session.chdir(sanity):
        started = time.time()
        try:
            output = session.run("ansible-test", "sanity", "--venv", "--python", python, "--color", "no", env=env,
                                 silent=True)
            ok = "All targets skipped" not in (output or "")  # a sanity run that tested nothing has not passed
            session.log(output or "")
        except nox.command.CommandFailed:
            ok = False
        steps.add("sanity", ok, time.time() - started)

    for connection in CONNECTIONS:
        log = tmp / ("ansible-%s.log" % connection)
        if log.exists():
            log.unlink()
        lab_env = dict(env, WSFC_LAB_CONNECTION=connection, ANSIBLE_LOG_PATH=str(log))
        with session.chdir(ROOT / "tests" / "integration"):
            steps.run("cluster_info, csv_backup run, secrets, template names", *pytest, "--basetemp",
                      str(tmp / ("pytest-%s" % connection)), *[str(ROOT / test) for test in INTEGRATION],
                      env=lab_env, connection=connection)
        found = deprecations(log)
        for line in found[:20]:
            session.log("%s: %s" % (connection, line))
        steps.add("no deprecation warning", not found and log.exists(), 0, connection)
    steps.save(version=version)


def _define_core_sessions():
    for core, python in CORES:
        def session_function(session, core=core, python=python):
            run_core(session, core, python)
        session_function.__doc__ = ("ansible-core %s on Python %s: units, sanity; cluster_info, csv_backup, secrets on "
                                    "%s" % (core, python, " and ".join(CONNECTIONS)))
        nox.session(name=session_name(core), python=interpreter(python), venv_backend="venv",
                    default=False)(session_function)


_define_core_sessions()


# ---- the whole matrix ---------------------------------------------------------------------------------------

def _run_session(name, log):
    """Run one core's session in its own nox process, its output in ``log``; return (name, rc, seconds)."""
    started = time.time()
    with open(log, "w", encoding="utf-8") as handle:
        rc = subprocess.call([sys.executable, "-m", "nox", "-f", str(ROOT / "noxfile.py"), "--envdir",
                              nox.options.envdir, "-s", name], stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT,
                             env=dict(os.environ, WSFC_BUILD=str(BUILD)))
    return name, rc, time.time() - started


def rows(record):
    """The table rows of one core's record: one for what needs no node, one per connection."""
    steps = record.get("steps") or []
    version = record.get("version") or record["core"]
    if not steps:
        return [(version, record["python"], "-", "-", record.get("ran", "-"), "yes" if record.get("passed") else "no",
                 _minutes(record.get("seconds")))]
    out = []
    for connection in ["-"] + [c for c in CONNECTIONS if any(s["connection"] == c for s in steps)]:
        mine = [s for s in steps if s["connection"] == connection]
        if not mine:
            continue
        failed = [s["step"] for s in mine if not s["ok"]]
        out.append((version, record["python"], connection, CONNECTIONS.get(connection, "-"),
                    ", ".join(s["step"] for s in mine), "no: " + ", ".join(failed) if failed else "yes",
                    _minutes(sum(s["seconds"] for s in mine))))
    return out


def _minutes(seconds):
    return "%dm%02ds" % divmod(int(seconds), 60) if seconds is not None else "-"


def table(all_rows):
    """The matrix as a text table."""
    header = ("ansible-core", "Python", "connection", "transport", "what ran", "passed", "time")
    widths = [max(len(str(row[i])) for row in all_rows + [header]) for i in range(len(header))]

    def line(row):
        return " | ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip()
    return "\n".join([line(header), "-+-".join("-" * width for width in widths)] + [line(row) for row in all_rows])


def main_rows(targets):
    """The main version's rows: what the ``make test`` targets that ran before the matrix covered."""
    version = _main_version()
    grouped = {}
    for target in targets:
        if target in MAIN_TARGETS:
            connection, transport, what = MAIN_TARGETS[target]
            grouped.setdefault((connection, transport), []).append(what)
    return [(version, MAIN[1], connection, transport, "make test: " + ", ".join(whats), "yes", "-")
            for (connection, transport), whats in grouped.items()]


@nox.session(python=False)
def matrix(session):
    """Every core but the main one, two sessions at a time (``-- --jobs N``), then the table (``-- --main-passed
    TARGET...`` adds the main version's rows: the make test targets that passed). ``make test`` splits it in two:
    ``-- --sessions-only`` runs the sessions beside the main checks, ``-- --table-only`` prints the table after."""
    args = list(session.posargs)
    jobs = int(args[args.index("--jobs") + 1]) if "--jobs" in args else 2
    main_targets = args[args.index("--main-passed") + 1:] if "--main-passed" in args else []
    names = [session_name(core) for core, dummy in CORES]
    if "--table-only" in args:  # make test: the sessions ran beside the main checks (--sessions-only)
        outcomes = [_outcome_of(name) for name in names]
        started = _started_of()
    else:
        RESULTS.mkdir(parents=True, exist_ok=True)
        for old in list(RESULTS.glob("core-*.json")) + list(RESULTS.glob("outcome-*.json")):
            old.unlink()
        started = time.time()
        (RESULTS / "started.json").write_text(json.dumps({"started": started}))
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            outcomes = list(pool.map(lambda name: _run_session(name, RESULTS / ("%s.log" % name)), names))
        for name, rc, seconds in outcomes:
            (RESULTS / ("outcome-%s.json" % name)).write_text(json.dumps({"rc": rc, "seconds": seconds}))
        if "--sessions-only" in args:
            for name, rc, dummy in outcomes:
                if rc:
                    session.log("%s failed; the end of %s:\n%s" % (name, RESULTS / ("%s.log" % name),
                                                                   _tail(RESULTS / ("%s.log" % name))))
            if any(rc for dummy, rc, dummy2 in outcomes):
                session.error("the matrix failed on: %s" % ", ".join(name for name, rc, dummy in outcomes if rc))
            return
    all_rows = main_rows(main_targets)
    for name, rc, seconds in outcomes:
        path = RESULTS / ("%s.json" % name)
        if path.exists():
            record = json.loads(path.read_text())
        else:  # the session stopped before it ran its steps (an install failed): its log says why
            core = name.split("-", 1)[1]
            record = {"core": core, "python": dict(CORES)[core], "ran": "setup failed (see %s)" % path.with_suffix(
                ".log"), "passed": False, "seconds": seconds}
        all_rows.extend(rows(record))
        if rc:
            session.log("%s failed; the end of %s:\n%s" % (name, RESULTS / ("%s.log" % name),
                                                           _tail(RESULTS / ("%s.log" % name))))
    text = table(all_rows)
    minutes, seconds = divmod(int(time.time() - started), 60)
    title = "ansible-core version matrix (wall time %dm%02ds, %d sessions at a time):" % (minutes, seconds, jobs)
    text = title + "\n" + text
    (RESULTS / "table.txt").write_text(text + "\n")
    print("\n" + text + "\n")
    if any(rc for dummy, rc, dummy2 in outcomes):
        session.error("the matrix failed on: %s" % ", ".join(name for name, rc, dummy in outcomes if rc))


def _outcome_of(name):
    """(name, rc, seconds) of a session an earlier ``--sessions-only`` run ran (rc 1 when it left no outcome)."""
    try:
        outcome = json.loads((RESULTS / ("outcome-%s.json" % name)).read_text())
    except (OSError, ValueError):
        return name, 1, None
    return name, outcome["rc"], outcome["seconds"]


def _started_of():
    try:
        return json.loads((RESULTS / "started.json").read_text())["started"]
    except (OSError, ValueError, KeyError):
        return time.time()


def _main_version():
    try:
        from ansible.release import __version__  # the Python running nox is the main version's (.venv)
        return __version__
    except ImportError:
        return MAIN[0]


def _tail(path, lines=60):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
