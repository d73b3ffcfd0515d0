"""Store benchmark: write latency with empty, one-year and five-year data.

Synthetic daily use (per day: 3 check-ins, 3 steps, 4 journal entries,
40 spoken prompts, a safety event now and then, WHO-5 every two weeks) is
written straight into the on-disk format, then real writes go through the
public store API at the end of the last year, when the current year's file is
largest (the end of a 31-day month). Prints a table and writes bench/results/store.json.

    .venv/bin/python bench/store.py [--writes 200] [--out bench/results/store.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.store import open_store  # noqa: E402
from assistant.store.atomic import encode, new_document, write_atomic  # noqa: E402
from assistant.store.database import CORE_FILE, STORE_DIR, history_name  # noqa: E402
from assistant.store.history import period_of  # noqa: E402
from assistant.store.records import (CheckIn, JournalEntry, PromptUse, Reminder,  # noqa: E402
                                     SafetyEvent, Step, Who5Result)

ZONE = ZoneInfo("Europe/Berlin")
FIRST_YEAR = 2021
WORDS = ("heute war ich müde aber ich habe kurz mit meiner schwester telefoniert und das "
         "hat gut getan obwohl ich erst keine lust hatte vielleicht gehe ich morgen raus").split()


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def synthetic_day(day: datetime, rng: random.Random) -> dict[str, list[Any]]:
    """One day of plausible use as records (not yet stored)."""
    at = lambda hour: day.replace(hour=hour, minute=rng.randrange(60))  # noqa: E731
    out: dict[str, list[Any]] = {"checkins": [], "steps": [], "journal": [], "prompt_history": [],
                                 "safety_events": [], "who5": []}
    for hour in (8, 13, 19):
        out["checkins"].append(CheckIn(at(hour), rng.randrange(11), rng.randrange(11),
                                       rng.random() < .4, _text(rng, 6)))
        step = Step(f"steps.s{rng.randrange(34)}", _text(rng, 5), at(hour), state="accepted",
                    accepted_at=at(hour))
        if rng.random() < .5:
            step.state, step.done_at = "done", at(hour)
        out["steps"].append(step)
    for index in range(4):
        out["journal"].append(JournalEntry(at(20), f"ex{index}", f"exercise.q{index}",
                                           _text(rng, 30)))
    for _ in range(40):
        out["prompt_history"].append(PromptUse(f"checkin.ask_{rng.randrange(60)}",
                                               rng.randrange(4), at(rng.randrange(8, 22))))
    if rng.random() < 1 / 30:
        out["safety_events"].append(SafetyEvent(at(22), "concern"))
    if day.toordinal() % 14 == 0:
        out["who5"].append(Who5Result(at(9), 13, 52, [3, 2, 4, 1, 3]))
    return out


def fill(base: Path, days: int, seed: int = 7) -> datetime:
    """Write ``days`` of synthetic history into ``base/store``; returns the last day."""
    folder = base / STORE_DIR
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    rng = random.Random(seed)
    start = datetime(FIRST_YEAR, 1, 1, tzinfo=ZONE)
    months: dict[str, dict[str, Any]] = {}
    for offset in range(days):
        day = start + timedelta(days=offset)
        document = months.setdefault(period_of(day), new_document("history"))
        for table, records in synthetic_day(day, rng).items():
            rows = document.setdefault(table, {})
            for record in records:
                rows[str(len(rows) + 1)] = record.to_doc()
    for period, document in months.items():
        write_atomic(folder / history_name(period), encode(document))
    core = new_document("core")
    last = start + timedelta(days=max(days - 1, 0))
    core["reminders"] = {str(i): Reminder(f"Erinnerung {i}", last.replace(hour=9), "daily",
                                          created_at=last).to_doc() for i in range(1, 11)}
    write_atomic(folder / CORE_FILE, encode(core))
    return last


def _operations(store: Any, now: datetime) -> list[Callable[[], Any]]:
    step = store.steps.offer("steps.bench", "Kurz schreiben", now)
    reminder = store.reminders.active()[0] if store.reminders.active() else \
        store.reminders.add("Bench", now + timedelta(hours=1))
    return [lambda: store.checkins.add(now, mood=5, energy=4, contact=True),
            lambda: store.journal.add(now, "bench", "exercise.q", "Ein kurzer Gedanke von heute."),
            lambda: store.prompt_history.record("checkin.ask_mood", 1, now),
            lambda: store.steps.accept(step.id, now),
            lambda: store.reminders.update(reminder.id, times_spoken=3)]


def measure(label: str, days: int, writes: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        last = fill(base, days) if days else datetime(FIRST_YEAR, 12, 31, tzinfo=ZONE)
        now = last.replace(hour=21, minute=0)
        started = time.perf_counter()
        store = open_store(base)
        open_ms = (time.perf_counter() - started) * 1000
        operations = _operations(store, now)
        latencies = []
        for index in range(writes):
            started = time.perf_counter()
            operations[index % len(operations)]()
            latencies.append((time.perf_counter() - started) * 1000)
        store.close()
        files = sorted((base / STORE_DIR).iterdir())
        sizes = {p.name: p.stat().st_size for p in files if not p.name.endswith(".lock")}
    latencies.sort()
    return {"scenario": label, "days": days, "writes": writes, "open_ms": round(open_ms, 1),
            "p50_ms": round(statistics.median(latencies), 2),
            "p95_ms": round(latencies[int(len(latencies) * .95) - 1], 2),
            "max_ms": round(latencies[-1], 2),
            "largest_file_bytes": max(sizes.values()),
            "total_bytes": sum(sizes.values()), "files": len(sizes)}


def one_file_cost(days: int, repeats: int = 5) -> float:
    """What one whole-file rewrite costs if all ``days`` lived in a single file (ms)."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        fill(base, days)
        merged = new_document("history")
        for path in sorted((base / STORE_DIR).glob("history-*.json")):
            for table, rows in json.loads(path.read_text(encoding="utf-8")).items():
                if table != "meta":
                    target = merged.setdefault(table, {})
                    target.update({f"{path.stem}-{k}": v for k, v in rows.items()})
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            write_atomic(base / "single.json", encode(merged))
            timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "store.json"))
    args = parser.parse_args()
    five_years = (datetime(FIRST_YEAR + 5, 1, 1) - datetime(FIRST_YEAR, 1, 1)).days
    scenarios = [("empty", 0), ("1 year", 365), ("5 years", five_years)]
    rows = [measure(label, days, args.writes) for label, days in scenarios]
    print(f"{'scenario':<9} {'open ms':>8} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
          f"{'largest':>10} {'total':>11} files")
    for row in rows:
        print(f"{row['scenario']:<9} {row['open_ms']:>8} {row['p50_ms']:>7} {row['p95_ms']:>7} "
              f"{row['max_ms']:>7} {row['largest_file_bytes']:>10} {row['total_bytes']:>11} "
              f"{row['files']:>5}")
    single = one_file_cost(five_years)
    print(f"for comparison, one whole-file rewrite of all 5 years in a single file: {single} ms")
    result = {"benchmark": "store", "machine": platform.machine(), "python": platform.python_version(),
              "budget_ms_per_write_5y": 30, "scenarios": rows, "single_file_5y_write_ms": single}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
