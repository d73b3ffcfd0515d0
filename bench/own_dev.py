"""Own and dev figures only, rules alone versus combined, for NLU and safety.

For an artefact retrained after the sealed blind set already judged its predecessor: the
blind set is not scored again here (bench/nlu.py and bench/safety.py do score it). Run it in
a worktree of the old commit and here to compare two artefacts side by side.

Usage: python bench/own_dev.py; prints the table and writes bench/results/own_dev.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sets import nlu_set, safety_set, score_nlu, score_safety, table, understanders  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "own_dev.json"
COLUMNS = [("intents", "intent_accuracy"), ("slots", "slot_accuracy"), ("acute recall", "acute_recall"),
           ("acute caught", "acute_caught"), ("concern recall", "concern_recall"),
           ("false alarms", "false_alarm_rate")]


def main() -> None:
    layers = understanders()
    rows, out = [], {}
    for name in ("own", "dev"):
        for layer, understander in layers.items():
            safety = score_safety(understander, safety_set(name))
            figures = {**safety, "safety_cases": safety["cases"], **score_nlu(understander, nlu_set(name))}
            figures.pop("misses", None)  # "cases" is the NLU count; "safety_cases" the safety one
            rows.append((name, layer, figures))
            out[f"{name}/{layer}"] = figures
    print(table(rows, COLUMNS))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
