"""Voice latency and memory benchmark.

1. Final transcript -> first audio sample of the reply, over 50 turns: the
   real voice loop (``VoiceLoop.answer``), the real engine, real espeak-ng
   synthesis through pyttsx3 and real playback through PortAudio into a
   PulseAudio null sink of a private server. Budget: <= 150 ms (p95 reported).
2. Peak resident memory of ``begleiter run`` with whatever Vosk model is
   available (the configured German model, else the Korean test model).

Usage: ``.venv/bin/python bench/latency.py`` (needs pulseaudio). Prints the
figures and writes ``bench/results/latency.json``.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers_audio import start_pulse, vosk_test_model  # noqa: E402

TURNS = 50
UTTERANCES = ("hallo", "danke", "mir geht es heute nicht so gut", "was kannst du",
              "erinnere mich morgen um neun an den spaziergang")
BUDGET_MS = 150.0
OUTPUT_LATENCY_MS: list[float] = []
"""The output stream's own latency (part of every figure above), as PortAudio reports it."""


class StopAfterFirstAudio:
    """A voice that stops each reply right after its first sample (keeps the run short)."""

    def __init__(self, speaker) -> None:
        self.speaker = speaker

    def say(self, text: str):
        job = self.speaker.say(text)

        def watch() -> None:
            while job.first_sample_at is None and not job.done.is_set():
                time.sleep(0.002)
            time.sleep(0.05)
            self.speaker.stop()
        threading.Thread(target=watch, daemon=True).start()
        return job

    def __getattr__(self, name: str):
        return getattr(self.speaker, name)


class SilentEars:
    def set_grammar(self, phrases) -> None: ...
    def hear(self, timeout: float): time.sleep(timeout)
    def mute(self) -> None: ...
    def unmute(self, holdoff_s: float) -> None: ...


def measure_latency(data_dir: Path) -> list[float]:
    """Final transcript -> first sample (ms) for each of :data:`TURNS` turns."""
    from assistant.app import build_app
    from assistant.loop import Commands, LoopOptions, VoiceLoop
    from assistant.resources import intents_dir
    from assistant.speech.playback import Playback
    from assistant.speech.stt import Heard
    from assistant.speech.tts import TTS_RATE, Speaker

    app = build_app(None, str(data_dir), None)
    playback = Playback(TTS_RATE)
    speaker = Speaker(playback)
    loop = VoiceLoop(app.engine(seed=3), SilentEars(), StopAfterFirstAudio(speaker),
                     Commands.from_intents(intents_dir()), LoopOptions(holdoff_s=0.0))
    loop.speak("Kurzer Test zum Aufwärmen.")
    for turn in range(TURNS):
        now = time.monotonic()
        loop.answer(Heard("final", UTTERANCES[turn % len(UTTERANCES)], now - 0.2, now))
    speaker.close()
    playback.close()
    OUTPUT_LATENCY_MS.append(playback.latency * 1000)
    return [lat.final_to_audio_ms for lat in loop.stats.latencies if lat.final_to_audio_ms is not None]


def peak_rss_of_run(env: dict[str, str], work: Path) -> tuple[float | None, str]:
    """Peak RSS (MB) of ``begleiter run`` after start-up, and which model it used."""
    from assistant.config import load_settings
    from assistant.speech.stt import is_model_dir
    german = load_settings().model_dir
    model = german if is_model_dir(german) else vosk_test_model()
    if model is None:
        return None, "none"
    config = work / "config.toml"
    config.write_text(f'[speech]\nmodel_dir = "{model}"\nactivation = "push_to_talk"\n', encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "run", "--config", str(config),
                             "--data-dir", str(work / "run-data")], cwd=ROOT, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=(work / "run.err").open("w", encoding="utf-8"))
    print("run:", proc.stdout.readline().strip(), file=sys.stderr)  # ready: model loaded, devices open
    proc.stdin.write("\n")
    proc.stdin.flush()
    time.sleep(4)
    status = Path(f"/proc/{proc.pid}/status").read_text(encoding="utf-8")
    peak = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=20)
    return peak / 1024, str(model)


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="begleiter-bench-"))
    pulse = start_pulse(work / "pulse")
    os.environ.update(pulse.env)                 # before PortAudio starts in this process
    try:
        latencies = sorted(measure_latency(work / "data"))
        rss, model = peak_rss_of_run(pulse.env, work)
    finally:
        pulse.stop()
    p50 = statistics.median(latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    result = {"turns": len(latencies), "final_to_first_audio_ms": {
                  "p50": round(p50, 1), "p95": round(p95, 1), "max": round(latencies[-1], 1),
                  "budget": BUDGET_MS, "within_budget": p95 <= BUDGET_MS,
                  "of_which_output_stream_latency": round(OUTPUT_LATENCY_MS[0], 1)},
              "run_peak_rss_mb": None if rss is None else round(rss, 1), "run_model": model,
              "rss_budget_mb_with_small_german_model": 350}
    print(json.dumps(result, indent=2, ensure_ascii=False))
    out = ROOT / "bench" / "results" / "latency.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
