"""The semantic layer alone: load time, memory, latency per utterance, and fuzzed input.

Measures on this machine, each in a fresh process where it matters:

- load: building the layer and waiting for the embedding model (background thread joined);
- memory: resident memory of a process before and after loading the layer and understanding
  1,000 utterances, split into anonymous memory and file-backed pages (the memory-mapped
  embedding table: shared, reclaimable page cache);
- latency: one uncached embedding + classification, single-threaded, p50/p95, which is also the
  basis of the Pi 4 estimate (a Pi 4 core is taken as about 4x slower than this one; an estimate);
- fuzz: 10,000 random utterances (random bytes, emoji, mixed scripts, 20,000-character lines)
  through the combined matcher: no exception, and the time per character for growing lengths.

Usage: python bench/semantic.py [--fuzz N]; prints and writes bench/results/semantic.json.
Timing never fails anything; it is only reported.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "semantic.json"
PI4_FACTOR = 4.0
"""A Raspberry Pi 4 core (Cortex-A72, 1.5 GHz) against this x86 core: an estimate, not a measurement."""

MEMORY = r"""
import json, sys
sys.path.insert(0, {root!r})
def status():
    out = {{}}
    for line in open('/proc/self/status'):
        key, _, value = line.partition(':')
        if key in ('VmRSS', 'RssAnon', 'RssFile', 'VmHWM'):
            out[key] = int(value.split()[0]) / 1024
    return out
from assistant.app import load_understander
from assistant.config import Settings, UnderstandingSettings
rules = load_understander(Settings(understanding=UnderstandingSettings(semantic=False)))
before = status()
from assistant.nlu.semantic import SemanticLayer
from assistant.resources import intents_dir
layer = SemanticLayer(intents_dir() / 'semantic', rules.semantic_words)
rules.semantic = layer
layer.embedder.wait()
loaded = status()
texts = [json.loads(l)['text'] for l in open({cases!r}, encoding='utf-8') if l.strip()][:1000]
for text in texts:
    rules.understand(text)
print(json.dumps({{'before': before, 'loaded': loaded, 'after_1000': status()}}))
"""


def memory() -> dict:
    code = MEMORY.format(root=str(ROOT), cases=str(ROOT / "tests" / "data" / "nlu" / "cases.jsonl"))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    raw = json.loads(proc.stdout.splitlines()[-1])
    before, after = raw["before"], raw["after_1000"]
    return {**raw, "layer_rss_mb": round(after["VmRSS"] - before["VmRSS"], 1),
            "layer_anon_mb": round(after["RssAnon"] - before["RssAnon"], 1),
            "layer_file_backed_mb": round(after["RssFile"] - before["RssFile"], 1)}


def fuzz_texts(count: int, rng: random.Random) -> list[str]:
    alphabet = ("abcdefghijklmnopqrstuvwxyzäöüß ÄÖÜ0123456789.,!?;:-'\"\t" "😀🙂❤️👍🏽中文日本語العربيةкириллицаελληνικά"
                "\u200b\u00a0\x00\x07\x1b")
    texts = []
    for i in range(count):
        kind = i % 4
        if kind == 0:
            texts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120))))
        elif kind == 1:
            texts.append(bytes(rng.randrange(256) for _ in range(rng.randint(0, 200))).decode("utf-8", "replace"))
        elif kind == 2:
            words = ["ich", "will", "nicht", "mehr", "erinnere", "mich", "um", "acht", "😀", "Straße", "leben"]
            texts.append(" ".join(rng.choice(words) for _ in range(rng.randint(1, 60))))
        else:
            texts.append("".join(rng.choice(alphabet) for _ in range(20_000)) if i % 100 == 3 else
                         " ".join(rng.choice(["hallo", "ja", "nein", "stopp", "weiß nicht"]) for _ in range(5)))
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz", type=int, default=10_000)
    args = parser.parse_args()
    from assistant.app import load_understander
    from assistant.config import Settings
    started = time.perf_counter()
    combined = load_understander(Settings())
    built = time.perf_counter() - started
    combined.semantic.embedder.wait()
    loaded = time.perf_counter() - started
    texts = [json.loads(line)["text"] for line in (ROOT / "tests" / "data" / "nlu" / "cases.jsonl")
             .read_text(encoding="utf-8").splitlines() if line.strip()][::5]
    samples = []
    for round_ in range(2):
        for text in texts:
            fresh = f"{text} {'z' * (round_ + 1)}"
            t0 = time.perf_counter()
            combined.understand(fresh)
            samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    latency = {"calls": len(samples), "p50_ms": round(statistics.median(samples), 3),
               "p95_ms": round(samples[int(len(samples) * 0.95)], 3), "max_ms": round(samples[-1], 3)}
    latency["pi4_estimate_p95_ms"] = round(latency["p95_ms"] * PI4_FACTOR, 1)

    rng = random.Random(12)
    crashes, seconds = [], 0.0
    for text in fuzz_texts(args.fuzz, rng):
        t0 = time.perf_counter()
        try:
            result = combined.understand(text, rng.choice(("none", "yes_no", "scale", "free_text")),
                                         question="Wie geht es dir heute?")
            assert result.safety in ("none", "concern", "acute")
        except Exception as error:  # noqa: BLE001 - counted and reported
            crashes.append(f"{type(error).__name__}: {error}"[:200])
        seconds += time.perf_counter() - t0
    scaling = []
    for size in (1_000, 5_000, 20_000, 80_000):
        text = ("heute war ein langer tag und ich habe viel nachgedacht " * (size // 55 + 1))[:size]
        t0 = time.perf_counter()
        combined.understand(text)
        scaling.append({"chars": size, "ms": round((time.perf_counter() - t0) * 1000, 1)})
    result = {"machine": platform.platform(), "python": platform.python_version(),
              "build_s": round(built, 3), "ready_s": round(loaded, 3), "latency_uncached": latency,
              "memory": memory(),
              "fuzz": {"utterances": args.fuzz, "crashes": len(crashes), "examples": crashes[:5],
                       "total_s": round(seconds, 1)},
              "scaling": scaling}
    print(json.dumps(result, ensure_ascii=False, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
