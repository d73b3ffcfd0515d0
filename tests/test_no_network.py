"""No command except the model set-up opens a network socket.

Each command runs in a real process with an audit hook that aborts on any
IPv4/IPv6 socket, connect or name lookup, then converses for real.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

GUARD = r"""
import os, socket, sys
def guard(event, args):
    if event == "socket.__new__" and args[1] in (socket.AF_INET, socket.AF_INET6):
        os.write(2, b"NETWORK USED: " + event.encode() + b"\n"); os._exit(99)
    if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.connect"):
        os.write(2, b"NETWORK USED: " + event.encode() + b"\n"); os._exit(99)
sys.addaudithook(guard)
from assistant.cli import main
sys.exit(main(sys.argv[1:]))
"""

CONVERSATION = "\n".join([
    "hallo", "ich möchte einen check-in machen", "vier", "wenig", "nein", "nein danke",
    "erkläre mir warum ich mich zurückziehe", "stopp", "erinnere mich morgen um neun an den spaziergang",
    "ja", "welche erinnerungen habe ich", "wie war meine woche", "hilfe", "tschüss",
]) + "\n"


def guarded(*args: str, input: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", GUARD, *args], input=input, capture_output=True,
                          text=True, cwd=ROOT, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home()),
                               "PULSE_SERVER": "unix:/nonexistent"})


def test_the_guard_really_catches_network_use() -> None:
    result = subprocess.run([sys.executable, "-c", GUARD.replace(
        "from assistant.cli import main", "socket.getaddrinfo('localhost', 80)\nfrom assistant.cli import main")],
        capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 99 and "NETWORK USED" in result.stderr


@pytest.mark.parametrize("args", [
    ("chat", "--now", "2026-11-27T09:00", "--seed", "3"),
    ("nlu", "--jsonl", "--now", "2026-11-27T09:00"),
    ("--now", "2026-11-27T09:00"),
])
def test_conversations_never_touch_the_network(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = guarded(*args, "--data-dir", str(tmp_path / "d"), input=CONVERSATION)
    assert "NETWORK USED" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_other_commands_never_touch_the_network(tmp_path: Path) -> None:
    from tests.test_cli import subcommands
    for command in subcommands():
        if command in ("setup", "chat", "nlu", "run", "forget", "install-service", "remove-service"):
            continue
        extra = ("hallo",) if command in ("say",) else ()
        result = guarded(command, "--data-dir", str(tmp_path / "d"), *extra)
        assert "NETWORK USED" not in result.stderr, command
