"""Our number and time parsing against ovos-number-parser and ovos-date-parser, on our cases.

Not a dependency: install the two libraries into the venv only to run this
(``.venv/bin/pip install ovos-number-parser ovos-date-parser``).
Cases: every case of tests/data/nlu/cases.jsonl with a ``value`` slot (numbers,
incl. scale words) or a ``when`` slot (times). Prints the figures and writes
bench/results/nlu_libraries.json.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import time as dt_time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.nlu.numbers import round_half_up  # noqa: E402
from assistant.nlu.understand import Understander  # noqa: E402
from assistant.resources import intents_dir  # noqa: E402
from tests.helpers_nlu import load_cases  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "nlu_libraries.json"
DEFAULT_TIME = dt_time(9, 0)
"""Our default for a day without a clock time; given to ovos too, to be fair."""


def _timed(function, *args):
    started = time.perf_counter()
    try:
        value = function(*args)
    except Exception:  # a library crash counts as a wrong answer
        value = None
    return value, (time.perf_counter() - started) * 1000


def main() -> int:
    try:
        from ovos_date_parser import extract_datetime
        from ovos_number_parser import extract_number
    except ImportError:
        print("ovos-number-parser / ovos-date-parser are not installed; see the docstring.")
        return 1
    ours = Understander(intents_dir())
    cases = load_cases()
    numbers = [c for c in cases if "value" in c.slots]
    times = [c for c in cases if c.slots.get("when")]
    report: dict = {}
    for name, chosen in (("numbers", numbers), ("times", times)):
        ok_ours = ok_ovos = 0
        ms_ours = ms_ovos = 0.0
        wrong: list[str] = []
        for case in chosen:
            result, spent = _timed(ours.understand, case.text, case.expect, case.moment())
            ms_ours += spent
            key = "value" if name == "numbers" else "when"
            ok_ours += result is not None and result.slots.get(key) == case.slots[key]
            if name == "numbers":
                found, spent = _timed(extract_number, case.text, "de-de")
                answer = round_half_up(found) if isinstance(found, (int, float)) and found is not False else None
            else:
                found, spent = _timed(extract_datetime, case.text, "de-de", case.moment(), DEFAULT_TIME)
                answer = found[0].strftime("%Y-%m-%dT%H:%M") if found else None
            ms_ovos += spent
            if answer == case.slots[key]:
                ok_ovos += 1
            elif len(wrong) < 12:
                wrong.append(f"{case.text!r}: ovos {answer}, expected {case.slots[key]}")
        report[name] = {"cases": len(chosen), "ours_correct": ok_ours, "ovos_correct": ok_ovos,
                        "ours_ms_per_case": round(ms_ours / len(chosen), 3),
                        "ovos_ms_per_case": round(ms_ovos / len(chosen), 3), "ovos_wrong_examples": wrong}
        print(f"{name}: {len(chosen)} cases; ours {ok_ours} correct ({ms_ours / len(chosen):.2f} ms/case, "
              f"whole understand), ovos {ok_ovos} correct ({ms_ovos / len(chosen):.2f} ms/case)")
        for line in wrong:
            print("   ", line)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
