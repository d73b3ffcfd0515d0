"""Shared by the NLU tests and bench/nlu.py: loading the test cases and scoring results."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "nlu"
ZONE = ZoneInfo("Europe/Berlin")
DEFAULT_NOW = "2026-11-26T14:00"
"""A Thursday afternoon; every case without ``now`` is resolved against it."""


@dataclass(frozen=True)
class Case:
    """One labelled utterance."""

    text: str
    expect: str
    now: str
    intent: str | None
    slots: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Identifies the case in the known-failures file."""
        return f"{self.expect}|{self.text}"

    def moment(self) -> datetime:
        return datetime.strptime(self.now, "%Y-%m-%dT%H:%M").replace(tzinfo=ZONE)


def load_cases(path: Path = DATA / "cases.jsonl") -> list[Case]:
    cases: list[Case] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        raw = json.loads(line)
        cases.append(Case(raw["text"], raw.get("expect", "none"), raw.get("now", DEFAULT_NOW),
                          raw["intent"], raw.get("slots", {})))
    return cases


def load_known_failures(path: Path = DATA / "known_failures.txt") -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line for line in lines if line.strip() and not line.startswith("#")}


def slots_equal(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    """Equal after dropping empty (None) values on both sides."""
    def clean(slots: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in slots.items() if v is not None}
    return clean(expected) == clean(actual)


@dataclass(frozen=True)
class Outcome:
    """How one case went."""

    case: Case
    intent: str | None
    slots: dict[str, Any]
    confidence: float

    @property
    def intent_ok(self) -> bool:
        return self.intent == self.case.intent

    @property
    def slots_ok(self) -> bool:
        return self.intent_ok and slots_equal(self.case.slots, self.slots)

    @property
    def ok(self) -> bool:
        return self.slots_ok


def run_cases(understander: Any, cases: list[Case]) -> list[Outcome]:
    outcomes = []
    for case in cases:
        result = understander.understand(case.text, case.expect, case.moment())
        outcomes.append(Outcome(case, result.intent, result.slots, result.confidence))
    return outcomes


def slot_cases(outcomes: list[Outcome]) -> list[Outcome]:
    """The cases that carry slots (the slot accuracy is measured on these)."""
    return [o for o in outcomes if o.case.slots]
