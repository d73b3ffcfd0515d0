"""The speech commands: ``run``, ``say``, ``listen`` and ``setup``."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

from assistant.app import App, build_app
from assistant.config import Settings, load_settings
from assistant.errors import BegleiterError

log = logging.getLogger(__name__)


def echo_cancel_active() -> bool:
    """True when the sound server's default source is an echo-cancelled one."""
    from assistant.device import echo_cancel
    try:
        server = echo_cancel.sound_server()
        return bool(server and server.default_source in echo_cancel.echo_sources())
    except Exception:  # no pactl, no server: assume no cancellation
        return False


def check_vocabulary(model: Any, loop: Any) -> list[str]:
    """Words of the wake phrase and the yes/no and scale grammars the model lacks (logged)."""
    from assistant.dialog.turn import Expectation
    from assistant.speech.stt import missing_words
    phrases = [*loop.wake.grammar, *loop.commands.stop]
    for kind in ("yes_no", "scale"):
        phrases.extend(loop.grammar_for(Expectation(kind)) or [])
    missing = missing_words(model, phrases)
    if missing:
        shown = ", ".join(missing[:20]) + (f" and {len(missing) - 20} more" if len(missing) > 20 else "")
        log.warning("%d words missing from the model's vocabulary (dropped from grammars): %s",
                    len(missing), shown)
    return missing


def run_voice(args: argparse.Namespace, app: App | None = None) -> int:
    """``run``: the voice loop until Ctrl+C/SIGTERM (or end of input with push-to-talk).

    ``app`` is the one already built by the caller (the store allows one per data dir).
    """
    with contextlib.ExitStack() as cleanup:
        if app is None:
            app = cleanup.enter_context(build_app(args.config, args.data_dir, args.now))
        loop = _build_loop(app, cleanup)
        try:
            loop.speak(loop.mode_text("speech.ready"))
            return loop.run()
        except KeyboardInterrupt as stop:  # Ctrl+C: 0; SIGTERM (signals.Shutdown): its code
            loop.stopping.set()
            return getattr(stop, "exit_code", 0)


def _build_loop(app: App, cleanup: contextlib.ExitStack) -> Any:
    """Model, microphone, speaker and the loop around the engine; closers go to ``cleanup``."""
    from assistant.dialog.flows.due import asleep_reminders
    from assistant.loop import Commands, LoopOptions, VoiceLoop
    from assistant.speech.audio import Microphone
    from assistant.speech.playback import Playback
    from assistant.speech.ears import MicEars
    from assistant.speech.stt import Transcriber, is_model_dir, load_model
    from assistant.speech.tts import TTS_RATE, Speaker
    from assistant.speech.wake import PushToTalk

    speech = app.settings.speech
    engine = app.engine()
    if not is_model_dir(app.settings.model_dir):
        load_model(app.settings.model_dir)  # raises the German "no model" error
    microphone = Microphone(speech.input_device, on_notice=lambda key: print(engine.say(key).text, flush=True))
    playback = Playback(TTS_RATE, speech.output_device)  # devices are checked before the slow load
    cleanup.callback(playback.close)
    model = load_model(app.settings.model_dir)
    microphone.start()
    cleanup.callback(microphone.close)
    speaker = Speaker(playback, speech.rate, speech.volume)
    cleanup.callback(speaker.close)
    push = PushToTalk() if speech.activation == "push_to_talk" else None
    if push is not None:
        cleanup.callback(push.close)
    options = LoopOptions(activation=speech.activation, wake_phrase=speech.wake_phrase,
                          listen_timeout_s=speech.listen_timeout_s, barge_in=echo_cancel_active())
    loop = VoiceLoop(engine, MicEars(microphone, Transcriber(model, microphone.rate)), _Subtitled(speaker),
                     Commands.from_understander(app.understander), options, push)
    loop.due_reminders = lambda: asleep_reminders(engine)  # issue 7: due reminders while asleep
    check_vocabulary(model, loop)
    return loop


class _Subtitled:
    """A voice that also prints what it says, as a subtitle on the terminal (not under
    systemd, where stdout is the journal and replies may hold personal content)."""

    def __init__(self, speaker: Any) -> None:
        self._speaker = speaker
        self._print = not (os.environ.get("INVOCATION_ID") or os.environ.get("JOURNAL_STREAM"))

    def say(self, text: str) -> Any:
        if self._print:
            print(text, flush=True)
        return self._speaker.say(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._speaker, name)


class SpokenChat:
    """An engine for ``chat --speak``: each turn is printed at once and spoken meanwhile;
    the next utterance silences what is still being said."""

    def __init__(self, engine: Any, speaker: Any) -> None:
        self._engine = engine
        self._speaker = speaker
        self._job: Any = None

    def start(self) -> Any:
        return self._speak(self._engine.start())

    def handle(self, text: str) -> Any:
        self._speaker.stop()
        return self._speak(self._engine.handle(text))

    def _speak(self, turn: Any) -> Any:
        from assistant.loop import chosen_voice
        chosen = chosen_voice(self._engine)
        if chosen is not None:
            self._speaker.set_voice(*chosen)
        if turn.replies:
            self._job = self._speaker.say(turn.text)
        return turn

    def finish(self) -> None:
        """Let the last reply be spoken to the end."""
        if self._job is not None:
            self._job.done.wait()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)


@contextlib.contextmanager
def spoken_chat(engine: Any, settings: Settings) -> Iterator[SpokenChat]:
    """``chat --speak``: the engine wrapped so that every reply is also spoken."""
    from assistant.speech.playback import Playback
    from assistant.speech.tts import TTS_RATE, Speaker
    playback = Playback(TTS_RATE, settings.speech.output_device)
    speaker = Speaker(playback, settings.speech.rate, settings.speech.volume)
    try:
        chat = SpokenChat(engine, speaker)
        yield chat
        chat.finish()
    finally:
        speaker.close()
        playback.close()


def run_say(args: argparse.Namespace) -> int:
    """``say TEXT [--wav FILE]``: speak a text, or write it to a WAV file."""
    from assistant.speech.tts import TTS_RATE, Speaker, Synthesizer
    settings = load_settings(args.config, args.data_dir)
    text = " ".join(args.text).strip()
    if not text:
        raise BegleiterError("Bitte einen Text angeben, den ich sprechen soll.")
    if args.wav:
        path = Path(args.wav)
        if not path.parent.is_dir():
            raise BegleiterError(f"Den Ordner {path.parent} gibt es nicht.")
        seconds = Synthesizer(settings.speech.rate, settings.speech.volume).write_wav(text, path)
        print(f"{path}: {seconds:.1f} s", file=sys.stderr)
        return 0
    from assistant.speech.playback import Playback
    playback = Playback(TTS_RATE, settings.speech.output_device)
    speaker = Speaker(playback, settings.speech.rate, settings.speech.volume)
    try:
        speaker.say(text).done.wait()
    finally:
        speaker.close()
        playback.close()
    return 0


def run_listen(args: argparse.Namespace) -> int:
    """``listen --wav FILE [--grammar ...]``: print the transcript of a WAV file."""
    from assistant.speech.stt import load_model, missing_words, open_wav, transcribe_wav
    settings = load_settings(args.config, args.data_dir)
    path = Path(args.wav)
    open_wav(path).close()  # a wrong file is reported before the slow model load
    model = load_model(settings.model_dir)
    phrases = _grammar_phrases(args.grammar)
    if phrases is not None:
        missing = missing_words(model, phrases)
        if missing:
            print(f"Diese Wörter kennt das Modell nicht: {', '.join(missing)}", file=sys.stderr)
    print(" ".join(transcribe_wav(model, path, phrases)), flush=True)
    return 0


def _grammar_phrases(values: list[str] | None) -> list[str] | None:
    """``--grammar`` values: phrases separated by commas (or given several times)."""
    if not values:
        return None
    return [p.strip() for value in values for p in value.split(",") if p.strip()]


def run_setup(args: argparse.Namespace) -> int:
    """``setup [--from FILE_OR_DIR]``: install the model, check voice and devices."""
    from assistant.app import ensure_data_dir
    settings = load_settings(args.config, args.data_dir)
    ensure_data_dir(settings.data_dir)
    with tempfile.TemporaryDirectory(prefix="begleiter-setup-") as scratch:
        transcript = _install_model(args, settings, Path(scratch) / "probe.wav")
    print(f"Sprachmodell installiert in {settings.model_dir}.")
    print(f"Probe-Erkennung: „{transcript}“" if transcript else "Probe-Erkennung: (nichts erkannt)")
    _report_devices()
    return 0


def _install_model(args: argparse.Namespace, settings: Settings, sample: Path) -> str:
    from assistant.speech import model_setup
    from assistant.speech.tts import Synthesizer, VoiceError
    probe: Path | None = sample
    try:
        Synthesizer(settings.speech.rate, settings.speech.volume).write_wav(model_setup.VERIFY_PHRASE, sample)
        print("Deutsche Stimme (espeak-ng): in Ordnung.")
    except VoiceError as error:
        print(f"Deutsche Stimme: {error}")
        probe = None
    if args.source:
        return model_setup.install(Path(args.source).expanduser(), settings.model_dir, probe)
    print(f"Lade das Sprachmodell {model_setup.MODEL_NAME} herunter …", flush=True)
    return model_setup.fetch_and_install(settings.model_dir, sample_wav=probe)


def _report_devices() -> None:
    from assistant.speech.audio import has_input_device
    try:
        import sounddevice
        outputs = any(d["max_output_channels"] > 0 for d in sounddevice.query_devices())
    except Exception:
        outputs = False
    print("Mikrofon: gefunden." if has_input_device() else "Mikrofon: keins gefunden.")
    print("Lautsprecher: gefunden." if outputs else "Lautsprecher: keiner gefunden.")


def voice_ready(app: App) -> str | None:
    """Why the voice loop cannot start (a prompt key), or ``None`` when it can."""
    from assistant.speech.audio import has_input_device
    from assistant.speech.stt import is_model_dir
    if not is_model_dir(app.settings.model_dir):
        return "system.no_model"
    if not has_input_device():
        return "system.no_microphone"
    return None
