"""The command line: help, chat over pipes, errors without tracebacks."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import build_parser
from tests.conftest import ROOT, run_cli


def subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


def test_help_lists_every_command() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for name in subcommands():
        assert name in result.stdout
    assert "--data-dir" in result.stdout and "--now" in result.stdout


@pytest.mark.parametrize("command", subcommands())
def test_every_subcommand_has_complete_help(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: begleiter " + command in result.stdout
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    assert sub.description, f"{command} has no description"
    for action in sub._actions:
        if action.dest != "help" and action.option_strings:
            assert action.help, f"{command} {action.option_strings} has no help text"


def read_line(proc: subprocess.Popen, timeout: float = 20) -> str:
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, "no reply within the timeout: output is not flushed per turn"
    return proc.stdout.readline().decode("utf-8")


def test_chat_answers_turn_by_turn_over_a_pipe(tmp_path: Path) -> None:
    """Each reply arrives before the next line is written: nothing waits for EOF."""
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "chat", "--data-dir", str(tmp_path / "d"),
                             "--now", "2026-11-27T09:00", "--seed", "1"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=ROOT, env=os.environ.copy())
    try:
        assert read_line(proc).strip()  # the opening prompt
        for line in ("hallo", "danke"):
            proc.stdin.write((line + "\n").encode("utf-8"))
            proc.stdin.flush()
            assert read_line(proc).strip()
    finally:
        proc.stdin.close()
        proc.wait(timeout=20)
    assert proc.returncode == 0


def test_python_dash_m_and_the_console_script_are_the_same_program() -> None:
    script = Path(sys.executable).parent / "begleiter"
    if not script.exists():
        pytest.skip("console script not installed in this environment")
    direct = subprocess.run([str(script), "--help"], capture_output=True, text=True)
    assert direct.stdout == run_cli("--help").stdout


def test_unwritable_data_dir_is_one_german_sentence(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = run_cli("chat", "--data-dir", str(blocker / "sub"), input="hallo\n")
    assert result.returncode != 0
    assert "Datenordner" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_now_is_one_german_sentence(tmp_path: Path) -> None:
    result = run_cli("chat", "--data-dir", str(tmp_path / "d"), "--now", "gestern", input="")
    assert result.returncode != 0
    assert "Zeitangabe" in result.stderr and "Traceback" not in result.stderr


def test_options_before_and_after_the_subcommand(tmp_path: Path) -> None:
    before = run_cli("--data-dir", str(tmp_path / "a"), "chat", input="")
    after = run_cli("chat", "--data-dir", str(tmp_path / "b"), input="")
    assert before.returncode == after.returncode == 0
    assert (tmp_path / "a").is_dir() and (tmp_path / "b").is_dir()


def test_no_subcommand_explains_and_falls_back_to_chat(tmp_path: Path) -> None:
    result = run_cli("--data-dir", str(tmp_path / "d"), input="hallo\n",
                     env={"PULSE_SERVER": "unix:/nonexistent"})
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert "schreiben wir" in lines[0]
    assert len(lines) >= 3  # the reason, the opening prompt, the answer to "hallo"
