"""SIGTERM (how systemd stops the service) ends Begleiter cleanly and loses nothing.

Real processes, real signals, the real store on disk.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from assistant import signals
from assistant.store import open_store
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def _read_line(proc: subprocess.Popen, timeout: float = 20) -> str:
    """One stdout line, or fail after ``timeout`` seconds (never hang the suite)."""
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    if not ready:
        proc.kill()
        pytest.fail(f"no output within {timeout} s")
    return proc.stdout.readline().decode("utf-8")


def _drain(proc: subprocess.Popen, quiet: float = 0.8) -> list[str]:
    """Every line until the process has been silent for ``quiet`` seconds."""
    lines = []
    while select.select([proc.stdout], [], [], quiet)[0]:
        line = proc.stdout.readline().decode("utf-8")
        if not line:
            break
        lines.append(line)
    return lines


def _snapshot(data_dir: Path) -> dict:
    with open_store(data_dir, read_only=True) as store:
        return {"settings": asdict(store.settings.get()),
                "reminders": [asdict(r) for r in store.reminders.all()],
                "journal": [asdict(e) for e in store.journal.all()],
                "checkins": [asdict(c) for c in store.checkins.all()]}


def test_sigterm_mid_conversation_exits_143_and_keeps_what_was_stored(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "chat", "--data-dir", str(data),
                             "--now", "2026-11-27T09:00", "--seed", "1"], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert _read_line(proc).strip(), "a first prompt"
        _drain(proc)
        for utterance in ("du", "deutschland", "hallo"):
            proc.stdin.write(f"{utterance}\n".encode("utf-8"))
            proc.stdin.flush()
            assert _read_line(proc).strip(), f"a reply to {utterance!r}"
            _drain(proc)
        before = _snapshot(data)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = proc.stderr.read().decode("utf-8", "replace")
    assert code == signals.EXIT_CODE, stderr
    assert "Traceback" not in stderr
    with open_store(data) as store:  # takes the lock again: the old process released it
        assert store.recoveries == [], "no damaged file to repair"
    assert _snapshot(data) == before


WRITER = """
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
from assistant.signals import Shutdown, install_sigterm_handler
from assistant.store import open_store

install_sigterm_handler()
store = open_store(sys.argv[1])
start = datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
try:
    for i in range(100000):
        store.journal.add(start + timedelta(minutes=i), exercise="soak", question="q", text=f"entry {i}")
        print(i, flush=True)
except Shutdown as stop:
    store.close()
    sys.exit(stop.exit_code)
"""


@pytest.mark.parametrize("delay", [0.05, 0.3, 0.9])
def test_sigterm_during_store_writes_loses_no_acknowledged_record(tmp_path: Path, delay: float) -> None:
    data = tmp_path / "data"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(data)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    acknowledged = [int(_read_line(proc))]
    time.sleep(delay)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    acknowledged += [int(line) for line in out.decode().split()]
    assert proc.returncode == signals.EXIT_CODE, err.decode("utf-8", "replace")
    assert b"Traceback" not in err
    with open_store(data) as store:
        texts = {entry.text for entry in store.journal.all()}
        assert store.recoveries == []
    missing = [i for i in acknowledged if f"entry {i}" not in texts]
    assert not missing, f"acknowledged but lost: {missing[:5]}"
    assert len(acknowledged) >= 1


def test_deferred_block_finishes_before_the_shutdown(tmp_path: Path) -> None:
    code = ("import os, signal, sys\n"
            "from assistant import signals\n"
            "signals.install_sigterm_handler()\n"
            "try:\n"
            "    with signals.deferred():\n"
            "        os.kill(os.getpid(), signal.SIGTERM)\n"
            "        print('block finished', flush=True)\n"
            "    print('never here', flush=True)\n"
            "except signals.Shutdown as stop:\n"
            "    print('shutdown', signals.shutdown_requested.is_set(), flush=True)\n"
            "    sys.exit(stop.exit_code)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert proc.stdout.splitlines() == ["block finished", "shutdown True"]
    assert proc.returncode == 143


def test_without_the_handler_sigterm_would_skip_cleanup() -> None:
    """The contrast that makes the handler necessary: plain Python dies without ``finally``."""
    code = ("import os, signal, time\n"
            "try:\n"
            "    os.kill(os.getpid(), signal.SIGTERM); time.sleep(5)\n"
            "finally:\n"
            "    print('cleaned up', flush=True)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert proc.returncode == -signal.SIGTERM and "cleaned up" not in proc.stdout
    assert os.name == "posix"
