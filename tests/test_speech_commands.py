"""The speech commands on the command line: help texts, errors, and the default command."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.dialog.prompts import load_prompts
from assistant.resources import prompts_dir
from tests.conftest import run_cli


@pytest.mark.parametrize("command, words", [
    ("run", ("Weckwort", "Eingabetaste", "Strg+C", "--data-dir", "--config", "--now")),
    ("say", ("TEXT", "--wav", "WAV-Datei")),
    ("listen", ("--wav", "--grammar", "16-Bit-Mono", "[unk]")),
    ("setup", ("--from", "FILE_OR_DIR", "vosk-model-small-de-0.15", "fortgesetzt")),
])
def test_help_is_complete_and_german(command: str, words: tuple[str, ...]) -> None:
    proc = run_cli(command, "--help")
    assert proc.returncode == 0
    for word in words:
        assert word in proc.stdout, (command, word)


def test_run_without_a_model_is_one_german_sentence(tmp_path: Path) -> None:
    proc = run_cli("run", "--data-dir", str(tmp_path / "data"))
    assert proc.returncode == 2
    assert "kein Vosk-Sprachmodell" in proc.stderr and "begleiter setup" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_listen_rejects_missing_and_wrong_files_before_loading_a_model(tmp_path: Path) -> None:
    (tmp_path / "x.wav").write_bytes(b"RIFF nonsense")
    for name, message in (("x.wav", "keine lesbare WAV-Datei"), ("fehlt.wav", "gibt es nicht")):
        proc = run_cli("listen", "--wav", str(tmp_path / name), "--data-dir", str(tmp_path / "d"))
        assert proc.returncode == 2 and message in proc.stderr
        assert "Traceback" not in proc.stderr


def test_no_subcommand_without_model_explains_and_chats(tmp_path: Path) -> None:
    proc = run_cli("--data-dir", str(tmp_path / "data"), input="hallo\n")
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    no_model = load_prompts(prompts_dir())["system.no_model"].variants("du")
    assert first in no_model
    assert len(proc.stdout.splitlines()) >= 3                     # then the chat: welcome and an answer


def test_a_microphone_name_that_matches_nothing_is_a_german_error() -> None:
    from assistant.speech.audio import AudioError, Microphone
    with pytest.raises(AudioError, match="kein Mikrofon, dessen Name „gibt-es-nicht“ enthält"):
        Microphone("gibt-es-nicht")

