"""Logging: journal lines under systemd, a private rotating file otherwise, content redacted."""

from __future__ import annotations

import logging
import stat
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from assistant import logs
from assistant.config import load_settings
from tests.conftest import ROOT

UTTERANCE = "mir geht es heute richtig mies"


@pytest.fixture(autouse=True)
def _clean_root_logger(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("INVOCATION_ID", raising=False)
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    monkeypatch.delenv("BEGLEITER_DEBUG", raising=False)
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in before]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
    logs._debug["on"] = False


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_redact_hides_content_unless_debug_is_switched_on(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    settings = load_settings(None, tmp_path / "data")
    logs.setup_logging(settings, debug=False)
    hidden = logs.redact(UTTERANCE)
    assert UTTERANCE not in hidden and str(len(UTTERANCE)) in hidden
    monkeypatch.setenv("BEGLEITER_DEBUG", "1")
    assert logs.redact(UTTERANCE) == UTTERANCE
    monkeypatch.delenv("BEGLEITER_DEBUG")
    logs.setup_logging(settings, debug=True)
    assert logs.redact(UTTERANCE) == UTTERANCE


def test_file_log_is_private_rotates_and_never_holds_content(tmp_path: Path) -> None:
    settings = load_settings(None, tmp_path / "data")
    handler = logs.setup_logging(settings, debug=False)
    log_file = tmp_path / "data" / logs.LOG_FILE
    logging.getLogger("begleiter.test").warning("heard %s", logs.redact(UTTERANCE))
    handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "WARNING begleiter.test: heard <redacted" in text and UTTERANCE not in text
    assert _mode(log_file) == 0o600 and _mode(tmp_path / "data") == 0o700
    assert isinstance(handler, logs.PrivateRotatingFileHandler)
    handler.doRollover()
    logging.getLogger("begleiter.test").info("after rotation")
    handler.flush()
    assert _mode(log_file) == 0o600 and _mode(log_file.with_name(logs.LOG_FILE + ".1")) == 0o600
    assert "after rotation" in log_file.read_text(encoding="utf-8")


def test_a_second_set_up_replaces_the_handler(tmp_path: Path) -> None:
    settings = load_settings(None, tmp_path / "data")
    logs.setup_logging(settings)
    logs.setup_logging(settings)
    ours = [h for h in logging.getLogger().handlers if getattr(h, logs._HANDLER_TAG, False)]
    assert len(ours) == 1


def test_a_folder_that_cannot_be_written_does_not_stop_the_program(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    handler = logs.setup_logging(load_settings(None, blocker / "data"))
    assert isinstance(handler, logging.NullHandler)


JOURNAL_SCRIPT = """
import logging, sys
from assistant.config import load_settings
from assistant.logs import setup_logging, redact
setup_logging(load_settings(None, sys.argv[1]), debug=False)
log = logging.getLogger("begleiter.voice")
log.info("transcript %s", redact(sys.argv[2]))
log.error("microphone lost")
"""


@pytest.mark.slow
def test_under_systemd_lines_go_to_stderr_with_priority_and_without_time(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", JOURNAL_SCRIPT, str(tmp_path / "data"), UTTERANCE],
                          capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "INVOCATION_ID": "0123abcd", "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[0].startswith("<6>begleiter.voice: transcript <redacted")
    assert lines[1] == "<3>begleiter.voice: microphone lost"
    assert UTTERANCE not in proc.stderr
    assert not (tmp_path / "data" / logs.LOG_FILE).exists(), "no file when the journal takes the logs"


@pytest.mark.slow
def test_a_real_chat_logs_privately_and_never_what_was_said(tmp_path: Path) -> None:
    """chat sets up logging like every dialogue command: a 0600 file, no utterance text in it."""
    from tests.conftest import run_cli
    data = tmp_path / "d"
    secret = "mein geheimnis heißt zitronenfalter"
    result = run_cli("chat", "--data-dir", str(data), "--now", "2026-11-27T09:00",
                     input=f"hallo\n{secret}\ntschüss\n")
    assert result.returncode == 0, result.stderr
    log_file = data / "begleiter.log"
    assert log_file.exists()
    assert log_file.stat().st_mode & 0o777 == 0o600
    assert "zitronenfalter" not in log_file.read_text(encoding="utf-8")
