"""Robustness to speech-recognition errors: the labelled cases with one synthetic ASR error each.

For 400 Vosk-style cases (fixed seed) one of: a short word dropped, one letter of a long word
replaced, or a long compound split in two. Prints the intent accuracy and the misses, and writes
bench/results/nlu_noise.json. Slots are not scored (the noise may change them).
"""

from __future__ import annotations

import dataclasses
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.nlu.understand import Understander  # noqa: E402
from assistant.resources import intents_dir  # noqa: E402
from tests.helpers_nlu import Case, load_cases, run_cases  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "nlu_noise.json"


def noisy(text: str, rng: random.Random) -> str:
    """The text with one ASR-like error."""
    words = text.split()
    kind = rng.random()
    if kind < 0.33:
        short = [i for i, w in enumerate(words) if len(w) <= 3]
        if short and len(words) > 2:
            del words[rng.choice(short)]
    elif kind < 0.66:
        long_words = [i for i, w in enumerate(words) if len(w) >= 6]
        if long_words:
            i = rng.choice(long_words)
            j = rng.randrange(1, len(words[i]) - 1)
            words[i] = words[i][:j] + rng.choice("aeiounrst") + words[i][j + 1:]
    else:
        compounds = [i for i, w in enumerate(words) if len(w) >= 10]
        if compounds:
            i = rng.choice(compounds)
            half = len(words[i]) // 2
            words[i:i + 1] = [words[i][:half], words[i][half:]]
    return " ".join(words)


def main() -> int:
    rng = random.Random(5)
    cases = [c for c in load_cases() if c.text == c.text.lower() and not any(ch.isdigit() for ch in c.text)
             and c.intent not in (None, "answer")]
    rng.shuffle(cases)
    chosen: list[Case] = [dataclasses.replace(c, text=noisy(c.text, rng)) for c in cases[:400]]
    outcomes = run_cases(Understander(intents_dir()), chosen)
    correct = sum(o.intent_ok for o in outcomes)
    misses = [f"{o.case.expect}|{o.case.text} -> {o.intent} (expected {o.case.intent})"
              for o in outcomes if not o.intent_ok]
    print(f"one synthetic ASR error per utterance: {correct}/{len(outcomes)} intents "
          f"({correct / len(outcomes):.1%})")
    for miss in misses:
        print("  ", miss)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"cases": len(outcomes), "intent_correct": correct, "misses": misses},
                                  ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
