"""Helpers for the store tests, and the crash-test writer process.

Run as ``python -m tests.helpers_store DATA_DIR START`` it is the writer the
fault-injection test kills: it opens the store, prints ``ready``, then performs
operations ``START, START+1, ...`` forever, printing ``ack N`` after each one
has returned (that is, after it is durable). ``python -m tests.helpers_store
open DATA_DIR`` just opens the store in a separate process and reports;
``zygote DATA_DIR`` forks such writers quickly (see :func:`zygote`).
"""

from __future__ import annotations

import os
import stat
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from assistant.store import SafetyPlan, Store, open_store

ZONE = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 26, 19, 30, tzinfo=ZONE)
OPERATIONS = ("journal", "checkin", "reminder", "step", "settings")


def fill_everything(store: Store, now: datetime = NOW) -> dict[str, list[str]]:
    """Put at least one record of every kind in ``store``; returns marker texts per kind."""
    earlier = now - timedelta(days=40)
    store.checkins.add(earlier, mood=2, energy=1, contact=False, note="Notiz-Alt-äöü")
    store.checkins.add(now, mood=7, energy=6, contact=True, note="Notiz-Neu")
    step = store.steps.offer("steps.message_friend", "Schritt-Anna-schreiben", now)
    store.steps.accept(step.id, now)
    store.steps.add("steps.walk", "Schritt-Spaziergang", earlier, state="declined")
    store.journal.add(now, "thought_journal", "exercise.tj.thought", "Tagebuch-Gedanke „ß“, mit Komma")
    store.journal.add(earlier, "bright_moment", "exercise.bm.ask", "Tagebuch-Licht\nzweite Zeile")
    store.reminders.add("Erinnerung-Tabletten", now + timedelta(hours=14), repeat="daily")
    store.reminders.add("Erinnerung-Gruppe", now + timedelta(days=3), repeat="weekly")
    store.settings.update(address="sie", country="AT", speech_rate=150, quiet_start="22:15",
                          paused_exercise={"exercise": "Pause-Übung", "turn": 2})
    store.prompt_history.record("checkin.ask_mood", 3, now)
    store.safety_events.add("concern", earlier)
    store.safety_plan.save(SafetyPlan(warning_signs=["Plan-Warnzeichen"],
                                      coping_strategies=["Plan-Tee"], distractions=["Plan-Park"],
                                      people_to_ask=["Plan-Schwester"], professionals=["Plan-Praxis"],
                                      safe_environment=["Plan-Sicher"]), now)
    store.who5.add(now, [1, 2, 3, 4, 5])
    return {"markers": ["Notiz-Alt-äöü", "Notiz-Neu", "Schritt-Anna-schreiben", "Schritt-Spaziergang",
                        "Tagebuch-Gedanke „ß“, mit Komma", "Tagebuch-Licht", "Erinnerung-Tabletten",
                        "Erinnerung-Gruppe", "Pause-Übung", "checkin.ask_mood", "Plan-Warnzeichen",
                        "Plan-Tee", "Plan-Park", "Plan-Schwester", "Plan-Praxis", "Plan-Sicher",
                        "22:15", "AT"]}


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def all_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def perform(store: Store, index: int) -> None:
    """Operation ``index`` of the crash-test writer (one or two durable writes)."""
    kind = OPERATIONS[index % len(OPERATIONS)]
    at = NOW + timedelta(days=index // 10, minutes=index % 10)  # spans months over a run
    if kind == "journal":
        store.journal.add(at, "crash", "q", f"op-{index}")
    elif kind == "checkin":
        store.checkins.add(at, mood=index % 11, note=f"op-{index}")
    elif kind == "reminder":
        store.reminders.add(f"op-{index}", at)
    elif kind == "step":
        step = store.steps.offer("steps.crash", f"op-{index}", at)
        store.steps.accept(step.id, at)
    else:
        store.settings.update(paused_exercise={"op": index})


def emit(text: str) -> None:
    """One line in one write(2): a kill can never leave half a line behind."""
    os.write(sys.stdout.fileno(), f"{text}\n".encode("utf-8"))


def writer(data_dir: str, start: int) -> None:
    store = open_store(Path(data_dir))
    emit("ready")
    index = start
    while True:
        perform(store, index)
        emit(f"ack {index}")
        index += 1




def opener(data_dir: str) -> int:
    """``python -m tests.helpers_store open DIR``: open the store, report, exit."""
    from assistant.errors import BegleiterError
    try:
        store = open_store(Path(data_dir))
    except BegleiterError as error:
        print(f"{type(error).__name__}: {error}", flush=True)
        return error.exit_code
    print(f"opened {store.recovery_notice}", flush=True)
    store.close()
    return 0


def zygote(data_dir: str) -> None:
    """``python -m tests.helpers_store zygote DIR``: fork writers fast, on request.

    Each stdin line ``spawn START`` forks a writer child (a real process with
    its own store, lock and file handles) and prints ``pid N``; the child then
    prints ``ready`` and ``ack ...`` lines on the same stdout. When the child
    has died (the test SIGKILLs it), ``dead`` is printed: every line the child
    wrote comes before it. Saves the interpreter start-up per kill.
    """
    for line in sys.stdin:
        start = int(line.split()[1])
        sys.stdout.flush()
        gate_read, gate_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(gate_write)
                os.read(gate_read, 1)  # wait until "pid N" is out, so lines never interleave
                writer(data_dir, start)
            finally:
                os._exit(1)
        os.close(gate_read)
        emit(f"pid {pid}")
        os.write(gate_write, b"g")
        os.close(gate_write)
        os.waitpid(pid, 0)
        emit("dead")


if __name__ == "__main__":
    if sys.argv[1] == "open":
        sys.exit(opener(sys.argv[2]))
    if sys.argv[1] == "zygote":
        zygote(sys.argv[2])
    else:
        writer(sys.argv[1], int(sys.argv[2]))
