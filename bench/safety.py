"""Safety detector benchmark: quality on tests/data/safety/cases.toml, latency, scaling.

Measures on this machine:

- acute recall, concern recall (concern or acute), false-alarm rate on ``none`` cases;
- p50/p95/max latency of one ``assess`` call, warm (all cases, several rounds) and cold
  (each utterance the first time a fresh detector sees it: fuzzy look-ups not cached);
- loading the rules;
- time for inputs of 10,000 to 100,000 characters (should grow linearly).

- side by side, rules alone versus rules + semantic layer: acute recall (strict), acute caught
  (acute or concern), concern recall and false alarms on the own, dev and sealed blind sets
  (bench/sets.py), and the warm latency of the combined judgement.

Usage: python bench/safety.py [--rounds N] [--show-blind-misses]; prints the figures and writes
bench/results/safety.json. Timing never fails anything; it is only reported.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.nlu.safety import load_detector  # noqa: E402

CASES = ROOT / "tests" / "data" / "safety" / "cases.toml"
RESULTS = ROOT / "bench" / "results" / "safety.json"


def _ms(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"p50_ms": round(statistics.median(ordered) * 1000, 4),
            "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 4),
            "max_ms": round(ordered[-1] * 1000, 4), "samples": len(ordered)}


def quality(cases: dict) -> dict:
    detector = load_detector()
    acute = [t for t in cases["acute"] if detector.assess(t) == "acute"]
    concern = [t for t in cases["concern"] if detector.assess(t) in ("concern", "acute")]
    escalated = [t for t in cases["concern"] if detector.assess(t) == "acute"]
    alarms = [t for t in cases["none"] if detector.assess(t) != "none"]
    known = [t for t in cases.get("known_misses", []) if detector.assess(t) != "acute"]
    return {"acute_cases": len(cases["acute"]), "acute_recall": round(len(acute) / len(cases["acute"]), 4),
            "concern_cases": len(cases["concern"]),
            "concern_recall": round(len(concern) / len(cases["concern"]), 4),
            "concern_escalated_to_acute": len(escalated),
            "none_cases": len(cases["none"]),
            "false_alarm_rate": round(len(alarms) / len(cases["none"]), 4), "false_alarms": alarms,
            "known_misses": known, "nlu_everyday": everyday(detector)}


def everyday(detector) -> dict:
    """Alarms on the NLU team's everyday utterances (an independent none set)."""
    path = ROOT / "tests" / "data" / "nlu" / "cases.jsonl"
    if not path.is_file():
        return {}
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    alarms = [t for t in texts if detector.assess(t) != "none"]
    return {"utterances": len(texts), "alarms": len(alarms), "examples": alarms[:10]}


def latency(texts: list[str], rounds: int) -> dict:
    started = time.perf_counter()
    detector = load_detector()
    load_s = time.perf_counter() - started
    cold: list[float] = []
    for text in texts:
        started = time.perf_counter()
        detector.assess(text)
        cold.append(time.perf_counter() - started)
    warm: list[float] = []
    cpu: list[float] = []
    for _ in range(rounds):
        for text in texts:
            started, started_cpu = time.perf_counter(), time.thread_time()
            detector.assess(text)
            cpu.append(time.thread_time() - started_cpu)
            warm.append(time.perf_counter() - started)
    return {"load_rules_ms": round(load_s * 1000, 2), "cold": _ms(cold), "warm": _ms(warm),
            "warm_cpu": _ms(cpu)}


def scaling() -> list[dict]:
    detector = load_detector()
    sentence = "heute war ich kurz draussen, habe einen kaffee getrunken und mit anna telefoniert. "
    rows = []
    for size in (10_000, 25_000, 50_000, 100_000):
        text = (sentence * (size // len(sentence) + 1))[:size] + " ich will nicht mehr leben"
        started = time.perf_counter()
        level = detector.assess(text)
        seconds = time.perf_counter() - started
        rows.append({"chars": size, "ms": round(seconds * 1000, 1), "level": level,
                     "us_per_1000_chars": round(seconds * 1e6 / (size / 1000), 1)})
    return rows


def side_by_side(show_blind: bool) -> dict:
    """Rules alone and combined on own, dev and blind; blind misses only when asked for."""
    from bench.sets import safety_set, score_safety, side_by_side as score_sets, understanders
    layers = understanders()
    out = score_sets(safety_set, score_safety,
                     [("acute recall", "acute_recall"), ("acute caught", "acute_caught"),
                      ("concern recall", "concern_recall"), ("false alarms", "false_alarm_rate")],
                     layers, show_blind)
    combined = layers["combined"]
    texts = [c.text for c in safety_set("dev")]
    for text in texts:
        combined.safety_parts(text)  # warm-up (the embedding cache is then bypassed below)
    samples = []
    for round_ in range(3):
        for text in texts:
            started = time.perf_counter()
            combined.safety_parts(f"{text} {round_}")  # a new text each time: no cached embedding
            samples.append(time.perf_counter() - started)
    out["combined_latency"] = _ms(samples)
    print(f"combined safety judgement, warm, uncached: p50 {out['combined_latency']['p50_ms']} ms, "
          f"p95 {out['combined_latency']['p95_ms']} ms")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--show-blind-misses", action="store_true",
                        help="print the blind set's misses (afterwards it is no longer blind for the reader)")
    args = parser.parse_args()
    cases = tomllib.loads(CASES.read_text(encoding="utf-8"))
    texts = [t for name in ("acute", "concern", "at_most_concern", "none") for t in cases[name]]
    result = {"machine": platform.platform(), "python": platform.python_version(),
              "quality": quality(cases), "latency": latency(texts, args.rounds), "scaling": scaling()}
    print(json.dumps(result, ensure_ascii=False, indent=2))
    result["side_by_side"] = side_by_side(args.show_blind_misses)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
