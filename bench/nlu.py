"""NLU benchmark: accuracy on tests/data/nlu, warm latency, cold start of ``nlu --jsonl``.

Measures on this machine:

- intent accuracy (all cases) and slot accuracy (cases that carry slots);
- p50/p95/max latency of one ``Understander.understand`` call, warm (all cases,
  several rounds, after one warm-up round);
- building the Understander in-process (template expansion, indexes);
- cold start: wall time of ``python -m assistant nlu --jsonl`` over 1,000 lines
  (process start, imports, loading, answering), and of an empty stdin;
- calibration: share of correct intents per confidence band.

- side by side, rules alone versus rules + semantic layer: intent and slot accuracy on the own,
  dev and sealed blind sets (bench/sets.py), and warm latency of both (new texts each round,
  so the embedding cache does not hide the model's cost).

Usage: python bench/nlu.py [--rounds N] [--cases FILE] [--show-blind-misses]; prints the figures and writes
bench/results/nlu.json. Timing never fails anything; it is only reported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.nlu.understand import Understander  # noqa: E402
from assistant.resources import intents_dir  # noqa: E402
from tests.helpers_nlu import DATA, load_cases, run_cases, slot_cases  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "nlu.json"
BANDS = ((0.0, 0.6), (0.6, 0.75), (0.75, 0.85), (0.85, 0.95), (0.95, 1.01))


def accuracy(understander: Understander, cases_file: Path) -> dict:
    outcomes = run_cases(understander, load_cases(cases_file))
    with_slots = slot_cases(outcomes)
    bands = []
    for low, high in BANDS:
        inside = [o for o in outcomes if low <= o.confidence < high]
        if inside:
            bands.append({"confidence": f"{low:.2f}-{min(high, 1.0):.2f}", "cases": len(inside),
                          "intent_correct": round(sum(o.intent_ok for o in inside) / len(inside), 3)})
    return {"cases": len(outcomes), "intent_accuracy": round(sum(o.intent_ok for o in outcomes) / len(outcomes), 4),
            "slot_cases": len(with_slots),
            "slot_accuracy": round(sum(o.slots_ok for o in with_slots) / len(with_slots), 4),
            "calibration": bands,
            "failures": [f"{o.case.key} -> {o.intent} {o.slots}" for o in outcomes if not o.ok]}


def latency(understander: Understander, rounds: int) -> dict:
    cases = load_cases()
    run_cases(understander, cases)  # warm-up: caches, branch predictors
    samples: list[float] = []
    cpu: list[float] = []
    for _ in range(rounds):
        for case in cases:
            moment = case.moment()
            started, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
            understander.understand(case.text, case.expect, moment)
            cpu.append((time.thread_time_ns() - started_cpu) / 1e6)
            samples.append((time.perf_counter_ns() - started) / 1e6)
    samples.sort()
    cpu.sort()
    return {"calls": len(samples), "p50_ms": round(statistics.median(samples), 3),
            "p95_ms": round(samples[int(len(samples) * 0.95)], 3),
            "p99_ms": round(samples[int(len(samples) * 0.99)], 3), "max_ms": round(samples[-1], 3),
            "cpu_p50_ms": round(statistics.median(cpu), 3), "cpu_p95_ms": round(cpu[int(len(cpu) * 0.95)], 3),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def load_time(runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        Understander(intents_dir())
        times.append(time.perf_counter() - started)
    return round(min(times), 4)


def cold_start(lines: int = 1000, runs: int = 3) -> dict:
    texts = [c.text for c in load_cases()]
    payload = "\n".join(texts[i % len(texts)] for i in range(lines)) + "\n"
    full, empty = [], []
    for _ in range(runs):
        for stdin, bucket in ((payload, full), ("", empty)):
            started = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "assistant", "nlu", "--jsonl"], cwd=ROOT,
                                  input=stdin.encode("utf-8"), capture_output=True, timeout=120)
            bucket.append(time.perf_counter() - started)
            if proc.returncode != 0:
                raise RuntimeError(proc.stderr.decode("utf-8", "replace"))
    return {"lines": lines, "jsonl_1000_lines_s": round(min(full), 3), "empty_stdin_s": round(min(empty), 3)}


def side_by_side(show_blind: bool, rounds: int) -> dict:
    """Rules alone and combined: accuracy on own, dev and blind, and warm latency, in one run."""
    from bench.sets import nlu_set, score_nlu, side_by_side as score_sets, understanders
    layers = understanders()
    out = score_sets(nlu_set, score_nlu, [("intents", "intent_accuracy"), ("slots", "slot_accuracy")],
                     layers, show_blind)
    cases = load_cases()
    for layer, understander in layers.items():  # alternating would be fairer still; both run back to back
        samples = []
        for round_ in range(rounds):
            for case in cases[::4]:
                text = f"{case.text} {'x' * (round_ + 1)}"  # new text: no cached embedding
                started = time.perf_counter_ns()
                understander.understand(text, case.expect, case.moment())
                samples.append((time.perf_counter_ns() - started) / 1e6)
        samples.sort()
        out[f"latency/{layer}"] = {"calls": len(samples), "p50_ms": round(statistics.median(samples), 3),
                                   "p95_ms": round(samples[int(len(samples) * 0.95)], 3),
                                   "max_ms": round(samples[-1], 3)}
        print(f"warm latency, {layer}: p50 {out[f'latency/{layer}']['p50_ms']} ms  "
              f"p95 {out[f'latency/{layer}']['p95_ms']} ms  ({len(samples)} calls)")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cases", type=Path, default=DATA / "cases.jsonl")
    parser.add_argument("--show-blind-misses", action="store_true",
                        help="print the blind set's misses (afterwards it is no longer blind for the reader)")
    args = parser.parse_args()
    understander = Understander(intents_dir())
    results = {"machine": platform.platform(), "python": platform.python_version(),
               "accuracy": accuracy(understander, args.cases), "latency_warm": latency(understander, args.rounds),
               "understander_build_s": load_time(), "cold_start": cold_start()}
    acc, lat, cold = results["accuracy"], results["latency_warm"], results["cold_start"]
    print(f"cases {acc['cases']}  intent accuracy {acc['intent_accuracy']:.2%}  "
          f"slot accuracy {acc['slot_accuracy']:.2%} ({acc['slot_cases']} cases with slots)")
    for band in acc["calibration"]:
        print(f"  confidence {band['confidence']}: {band['cases']:4} cases, {band['intent_correct']:.1%} correct")
    print(f"warm latency per utterance: p50 {lat['p50_ms']} ms  p95 {lat['p95_ms']} ms  "
          f"p99 {lat['p99_ms']} ms  max {lat['max_ms']} ms  ({lat['calls']} calls)")
    print(f"  CPU time per utterance: p50 {lat['cpu_p50_ms']} ms  p95 {lat['cpu_p95_ms']} ms  "
          f"(load average {lat['load_average']}; wall times grow on a busy machine)")
    print(f"building the Understander: {results['understander_build_s']} s")
    print(f"nlu --jsonl, 1000 lines incl. start-up: {cold['jsonl_1000_lines_s']} s  "
          f"(empty stdin: {cold['empty_stdin_s']} s)")
    for failure in acc["failures"]:
        print("  failing:", failure)
    results["side_by_side"] = side_by_side(args.show_blind_misses, max(1, args.rounds // 2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
