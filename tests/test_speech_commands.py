"""The speech commands on the command line: help texts, errors, and the default command."""

from __future__ import annotations

import os
import subprocess
import sys
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


def test_without_any_audio_device_the_speech_commands_say_so(tmp_path: Path) -> None:
    from tests.helpers_audio import NO_MODEL_REASON, vosk_test_model
    (tmp_path / "runtime").mkdir()
    no_devices = {"HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(tmp_path / "runtime"),
                  "PULSE_SERVER": f"unix:{tmp_path / 'no-server'}"}     # no sound server reachable
    probe = subprocess.run([sys.executable, "-c", "import sounddevice; print(len(sounddevice.query_devices()))"],
                           env={**os.environ, **no_devices}, capture_output=True, text=True, timeout=30)
    if probe.stdout.strip() != "0":
        pytest.skip("this machine has a sound card, so there is no device-free environment")
    proc = run_cli("say", "Hallo", env=no_devices)
    assert proc.returncode == 2 and proc.stderr.strip() == "Ich finde keinen Lautsprecher."
    model = vosk_test_model()
    if model is None:
        pytest.skip(NO_MODEL_REASON)
    config = tmp_path / "config.toml"
    config.write_text(f'[speech]\nmodel_dir = "{model}"\n', encoding="utf-8")
    proc = run_cli("run", "--config", str(config), "--data-dir", str(tmp_path / "d"), env=no_devices)
    assert proc.returncode == 2 and proc.stderr.strip() == "Ich finde kein Mikrofon."
    proc = run_cli("--config", str(config), "--data-dir", str(tmp_path / "d"), input="", env=no_devices)
    no_microphone = load_prompts(prompts_dir())["system.no_microphone"].variants("du")
    assert proc.returncode == 0 and proc.stdout.splitlines()[0] in no_microphone

