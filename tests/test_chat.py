"""``begleiter chat`` as a real process: the scripted scenarios, pipes and flushing."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.clock import NOW_FORMAT
from assistant.store import open_store
from tests.conftest import ROOT, run_cli
from tests.helpers_dialog import Script, all_scripts, prepare_store, run_script, stored_mismatch

CHAT_SCRIPTS = [script for script in all_scripts() if script.chat]


def _sessions(script: Script) -> list[tuple[str, list[str]]]:
    """Per session: the --now value and the utterances."""
    sessions: list[tuple[str, list[str]]] = []
    moment = script.now
    for step in script.turns:
        if step.silence:
            raise ValueError(f"{script.name}: chat scripts cannot hold a silence (the voice loop's event)")
        if step.say is None:
            moment += step.after
            sessions.append((moment.strftime(NOW_FORMAT), []))
        else:
            if step.after:
                raise ValueError(f"{script.name}: chat scripts cannot move the clock inside a session")
            sessions[-1][1].append(step.say)
    return sessions


@pytest.mark.slow
@pytest.mark.parametrize("script", CHAT_SCRIPTS, ids=lambda script: script.name)
def test_scenario_through_chat(script: Script, tmp_path: Path) -> None:
    """The real process says exactly what the engine says for the same seed and store."""
    expected = run_script(script, tmp_path / "engine")
    data_dir = tmp_path / "chat"
    prepare_store(data_dir, script).close()
    for (now, utterances), turns in zip(_sessions(script), expected.sessions):
        result = run_cli("chat", "--data-dir", str(data_dir), "--now", now, "--seed", str(script.seed),
                         input="".join(f"{line}\n" for line in utterances))
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        lines = result.stdout.splitlines()
        assert lines == [text for texts in turns for text in texts]
    with open_store(data_dir) as store:
        assert not stored_mismatch(store, script.stored)


def _read_block(proc: subprocess.Popen, lines: int, timeout: float = 20.0) -> list[str]:
    """Read ``lines`` lines from the process without closing its stdin (unbuffered pipe)."""
    got: list[str] = []
    while len(got) < lines:
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        if not ready:
            raise AssertionError(f"no reply within {timeout} s; got {got}")
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"chat ended early; got {got}")
        got.append(line.decode("utf-8").rstrip("\n"))
    return got


@pytest.mark.slow
def test_chat_answers_each_line_at_once_over_a_pipe(tmp_path: Path) -> None:
    """Another program can converse turn by turn: every reply arrives before the next line is sent."""
    data_dir = tmp_path / "data"
    with open_store(data_dir) as store:
        store.settings.update(address="du", country="DE", onboarding_done=True)
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "chat", "--data-dir", str(data_dir),
                             "--now", "2026-11-27T09:00", "--seed", "3"], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ}, bufsize=0)
    try:
        start = _read_block(proc, 2)
        assert start[1].endswith("?")
        proc.stdin.write("ja\n".encode())
        proc.stdin.flush()
        first = _read_block(proc, 2)
        assert "null bis zehn" in first[1] or "zehn" in first[1]
        proc.stdin.write("stopp\n".encode())
        proc.stdin.flush()
        assert len(_read_block(proc, 1)) == 1
        proc.stdin.write("tschüss\n".encode())
        proc.stdin.flush()
        _read_block(proc, 1)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_chat_with_bad_input_never_crashes(tmp_path: Path) -> None:
    garbage = b"\xff\xfe kaputt\n\n   \n" + "🙂🙂\n".encode() + b"x" * 5000 + b"\n\x00\x07\n"
    result = run_cli("chat", "--data-dir", str(tmp_path / "data"), "--now", "2026-11-27T09:00",
                     "--seed", "1", input=garbage)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stdout.splitlines()) >= 4
