"""Scoring the NLU and safety sets side by side: rules alone versus rules + semantic layer.

Three kinds of set, reported separately and never mixed:

- own: the project's case files (tests/data/nlu/cases.jsonl, tests/data/safety/cases.toml); the rules
  were tuned on them and the semantic layer was trained on them, so they only show nothing broke;
- dev: tests/data/*/dev/cases.jsonl; thresholds were chosen on them;
- blind: tests/data/*/blind/cases.jsonl, sealed; only aggregate figures are printed (``--show-blind-misses``
  prints the misses, and after that the set is no longer blind for whoever read them).

Used by bench/nlu.py and bench/safety.py.
"""

from __future__ import annotations

import json
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers_nlu import load_cases, slots_equal  # noqa: E402

DATA = ROOT / "tests" / "data"
SETS = ("own", "dev", "blind")


def understanders() -> dict[str, Any]:
    """``rules`` (the rules alone) and ``combined`` (rules + semantic layer), built once."""
    from assistant.app import load_understander
    from assistant.config import Settings, UnderstandingSettings
    rules = load_understander(Settings(understanding=UnderstandingSettings(semantic=False)))
    combined = load_understander(Settings())
    combined.semantic.embedder.wait()
    return {"rules": rules, "combined": combined}


@dataclass(frozen=True)
class SafetyCase:
    text: str
    level: str
    expect: str = "none"
    question: str = ""
    kind: str = ""


def safety_set(name: str) -> list[SafetyCase]:
    if name == "own":
        raw = tomllib.loads((DATA / "safety" / "cases.toml").read_text(encoding="utf-8"))
        return [SafetyCase(t, level) for level in ("acute", "concern", "none") for t in raw[level]]
    path = DATA / "safety" / name / "cases.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [SafetyCase(r["text"], r["level"], r.get("expect", "none"), r.get("question", ""), r.get("kind", ""))
            for r in rows]


def score_safety(understander: Any, cases: list[SafetyCase]) -> dict[str, Any]:
    results = [(case, understander.safety_parts(case.text, case.expect, case.question).level) for case in cases]

    def share(level: str, accept: Callable[[str], bool]) -> tuple[int, int]:
        inside = [got for case, got in results if case.level == level]
        return sum(1 for got in inside if accept(got)), len(inside)

    acute, n_acute = share("acute", lambda got: got == "acute")
    caught, _ = share("acute", lambda got: got != "none")
    concern, n_concern = share("concern", lambda got: got != "none")
    alarms, n_none = share("none", lambda got: got != "none")
    misses = [(case, got) for case, got in results
              if (case.level == "none") != (got == "none") or (case.level == "acute" and got != "acute")]
    return {"cases": len(cases), "acute_cases": n_acute, "acute_recall": _rate(acute, n_acute),
            "acute_caught": _rate(caught, n_acute), "concern_cases": n_concern,
            "concern_recall": _rate(concern, n_concern), "none_cases": n_none,
            "false_alarm_rate": _rate(alarms, n_none),
            "misses": [{"text": c.text, "expect": c.expect, "question": c.question, "level": c.level, "got": got}
                       for c, got in misses]}


def nlu_set(name: str):
    path = DATA / "nlu" / "cases.jsonl" if name == "own" else DATA / "nlu" / name / "cases.jsonl"
    return load_cases(path)


def score_nlu(understander: Any, cases) -> dict[str, Any]:
    right, slot_right, slot_cases, misses = 0, 0, 0, []
    for case in cases:
        result = understander.understand(case.text, case.expect, case.moment())
        ok = result.intent == case.intent
        right += ok
        if case.slots:
            slot_cases += 1
            slot_ok = ok and slots_equal(case.slots, {k: v for k, v in result.slots.items() if k in case.slots})
            slot_right += slot_ok
        else:
            slot_ok = True
        if not (ok and slot_ok):
            misses.append({"text": case.text, "expect": case.expect, "intent": case.intent, "got": result.intent,
                           "slots": case.slots, "got_slots": result.slots})
    return {"cases": len(cases), "intent_accuracy": _rate(right, len(cases)), "slot_cases": slot_cases,
            "slot_accuracy": _rate(slot_right, slot_cases), "misses": misses}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def table(rows: list[tuple[str, str, dict[str, Any]]], columns: list[tuple[str, str]]) -> str:
    """A plain text table: one row per (set, layer)."""
    head = f"{'set':6} {'layer':9} {'cases':>6} " + " ".join(f"{title:>14}" for title, _ in columns)
    lines = [head, "-" * len(head)]
    for set_name, layer, figures in rows:
        cells = []
        for _, key in columns:
            value = figures.get(key)
            cells.append(f"{value:>14.1%}" if isinstance(value, float) else f"{'-':>14}")
        lines.append(f"{set_name:6} {layer:9} {figures['cases']:>6} " + " ".join(cells))
    return "\n".join(lines)


def side_by_side(load: Callable[[str], Any], score: Callable[[Any, Any], dict[str, Any]],
                 columns: list[tuple[str, str]], layers: dict[str, Any], show_blind: bool) -> dict[str, Any]:
    """Score every set with every layer, print the table (and the blind misses only when asked)."""
    rows, out = [], {}
    for name in SETS:
        cases = load(name)
        for layer, understander in layers.items():
            figures = score(understander, cases)
            rows.append((name, layer, figures))
            if name == "blind" and not show_blind:
                figures = {k: v for k, v in figures.items() if k != "misses"}
            out[f"{name}/{layer}"] = figures
    print(table(rows, columns))
    if show_blind:
        for name, layer, figures in rows:
            if name == "blind":
                print_misses(f"blind misses, {layer}", figures["misses"])
    return out


def print_misses(title: str, misses: list[dict[str, Any]]) -> None:
    print(f"\n{title}: {len(misses)}")
    for miss in misses:
        print("  ", json.dumps(miss, ensure_ascii=False))
