"""The labelled NLU cases (tests/data/nlu/cases.jsonl) against the real Understander."""

from __future__ import annotations

from collections import Counter

import pytest

from assistant.nlu.understand import Understander
from assistant.resources import intents_dir
from tests.helpers_nlu import Outcome, load_cases, load_known_failures, run_cases, slot_cases

CASES = load_cases()
KNOWN = load_known_failures()


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    return run_cases(Understander(intents_dir()), CASES)


def test_enough_cases_in_both_styles() -> None:
    assert len(CASES) >= 500
    typed = [c for c in CASES if any(ch.isupper() or ch.isdigit() or ch in ".,!?" for ch in c.text)]
    assert 0.12 <= len(typed) / len(CASES) <= 0.3
    assert len({c.key for c in CASES}) == len(CASES), "duplicate case"


def test_every_unlisted_case_passes(outcomes: list[Outcome]) -> None:
    failing = [f"{o.case.key} -> {o.intent} {o.slots} (expected {o.case.intent} {o.case.slots})"
               for o in outcomes if not o.ok and o.case.key not in KNOWN]
    assert not failing, "\n".join(failing)


def test_known_failures_still_fail(outcomes: list[Outcome]) -> None:
    by_key = {o.case.key: o for o in outcomes}
    unknown = sorted(k for k in KNOWN if k not in by_key)
    assert not unknown, f"known failures that are not cases: {unknown}"
    fixed = sorted(k for k in KNOWN if by_key[k].ok)
    assert not fixed, f"these pass now, remove them from known_failures.txt: {fixed}"


def test_accuracy_targets(outcomes: list[Outcome]) -> None:
    intent_accuracy = sum(o.intent_ok for o in outcomes) / len(outcomes)
    with_slots = slot_cases(outcomes)
    slot_accuracy = sum(o.slots_ok for o in with_slots) / len(with_slots)
    assert intent_accuracy >= 0.97
    assert slot_accuracy >= 0.95


def test_confidence_is_meaningful(outcomes: list[Outcome]) -> None:
    """Null results carry low confidence; recognised ones at least the threshold."""
    for outcome in outcomes:
        if outcome.intent is None:
            assert outcome.confidence < 0.6
        else:
            assert 0.6 <= outcome.confidence <= 1.0


def test_cases_cover_every_expectation() -> None:
    assert set(Counter(c.expect for c in CASES)) == {"none", "yes_no", "scale", "free_text"}
