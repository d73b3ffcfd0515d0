"""Conversation scripts as data: load them, run them through the engine, check records.

A script (``tests/data/conversations/*.toml``)::

    description = "what it shows"
    now = "2026-11-27T09:00"      # local start time of the first session
    seed = 1
    onboarded = true              # false: the first session runs the onboarding
    address = "du"                # pre-set when onboarded
    country = "DE"

    [[turn]]                      # the start of a session (first turn is always one)
    start = true
    keys = ["social.welcome", "dialog.offer_checkin"]   # fnmatch patterns, exact order
    expect = "yes_no"             # optional: the expectation afterwards

    [[turn]]
    say = "ja"
    keys = ["checkin.intro", "checkin.ask_mood"]
    stored = {checkins = 0}       # optional: counts (int) or field subsets (list of tables)
    not_keys = ["steps.walk_*"]   # optional: patterns no reply key may match

    [[turn]]
    start = true
    after = "1d"                  # new session, clock moved on ("1d", "3h", "20m")

    [[turn]]
    silence = true                # the person says nothing (the voice loop's timeout)
    keys = ["dialog.silence_reoffer", "checkin.ask_mood"]   # the only turn that may be silent

    [stored]                      # at the end
    checkins = [{mood = 2, energy = 2, contact = false}]
"""

from __future__ import annotations

import fnmatch
import random
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from assistant.clock import SimulatedClock
from assistant.dialog.engine import Engine
from assistant.dialog.prompts import PromptBook, load_prompts
from assistant.dialog.turn import Turn
from assistant.nlu.understand import Understander
from assistant.resources import intents_dir, prompts_dir
from assistant.store import Store, open_store

CONVERSATIONS = Path(__file__).parent / "data" / "conversations"
ZONE = ZoneInfo("Europe/Berlin")
_DURATION = re.compile(r"^(\d+)([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}

_PROMPTS: PromptBook | None = None
_UNDERSTANDER: Understander | None = None


def prompts() -> PromptBook:
    global _PROMPTS
    if _PROMPTS is None:
        _PROMPTS = load_prompts(prompts_dir())
    return _PROMPTS


def understander() -> Understander:
    """What the product runs: the rules plus the semantic layer (loaded once per test session)."""
    global _UNDERSTANDER
    if _UNDERSTANDER is None:
        from assistant.app import load_understander
        from assistant.config import Settings
        _UNDERSTANDER = load_understander(Settings())
    return _UNDERSTANDER


@dataclass
class ScriptTurn:
    """One step of a script: a session start or an utterance, and what must follow."""

    say: str | None
    keys: list[str] | None
    """fnmatch patterns of the reply keys in order; None: not checked."""
    expect: str | None = None
    contains: list[str] = field(default_factory=list)
    """Texts the replies must contain (e.g. crisis numbers)."""
    finished: bool = False
    after: timedelta = timedelta()
    stored: dict[str, Any] = field(default_factory=dict)
    silence: bool = False
    """The person stays silent (:meth:`Engine.silence`) instead of saying something."""
    not_keys: list[str] = field(default_factory=list)
    """fnmatch patterns no reply key may match (e.g. day-time steps in the evening)."""


def squeeze(text: str) -> str:
    """Text without spaces and dashes: phone numbers spoken digit by digit
    ("0 8 0 0 – 1 1 1") compare equal to their written form ("0800 111")."""
    return re.sub(r"[\s\u2013-]+", "", text)


def turn_problems(step: ScriptTurn, turn: Turn) -> str:
    """Empty when ``turn`` is what ``step`` expects, else what differs."""
    problem = key_mismatch(step.keys, turn) if step.keys is not None else ""
    if step.expect and turn.expect.kind != step.expect:
        problem += f"\nexpected expectation {step.expect}, got {turn.expect.kind}"
    for pattern in step.not_keys:
        for reply in turn.replies:
            if fnmatch.fnmatchcase(reply.key, pattern):
                problem += f"\nthe reply {reply.key} must not come here ({pattern})"
    for text in step.contains:
        if squeeze(text) not in squeeze(turn.text):
            problem += f"\nexpected the text {text!r} in: {turn.text}"
    if step.finished != turn.finished:
        problem += f"\nexpected finished={step.finished}"
    return problem


@dataclass
class Script:
    name: str
    description: str
    now: datetime
    seed: int
    onboarded: bool
    address: str
    country: str
    turns: list[ScriptTurn]
    stored: dict[str, Any]
    chat: bool = False
    """Also run through the real ``chat`` process."""


def duration(text: str) -> timedelta:
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"bad duration {text!r} (use 1d, 3h, 20m)")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def load_script(path: Path) -> Script:
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    turns = []
    for item in raw["turn"]:
        if not item.get("start") and "say" not in item and not item.get("silence"):
            raise ValueError(f"{path.name}: a turn needs start = true, say or silence = true")
        keys = list(item["keys"]) if "keys" in item else None
        silence = bool(item.get("silence", False))
        turns.append(ScriptTurn(None if item.get("start") or silence else item["say"], keys, item.get("expect"),
                                list(item.get("contains", [])), bool(item.get("finished", False)),
                                duration(item.get("after", "0m")), dict(item.get("stored", {})), silence,
                                list(item.get("not_keys", []))))
    if turns[0].say is not None:
        raise ValueError(f"{path.name}: the first turn must be a session start")
    return Script(path.stem, raw.get("description", ""), datetime.fromisoformat(raw["now"]),
                  int(raw.get("seed", 1)), bool(raw.get("onboarded", True)), raw.get("address", "du"),
                  raw.get("country", "DE"), turns, dict(raw.get("stored", {})), bool(raw.get("chat", False)))


def all_scripts() -> list[Script]:
    return [load_script(path) for path in sorted(CONVERSATIONS.glob("*.toml"))]


def prepare_store(data_dir: Path, script: Script) -> Store:
    store = open_store(data_dir)
    if script.onboarded:
        store.settings.update(address=script.address, country=script.country, onboarding_done=True)
    return store


def new_engine(store: Store, clock: SimulatedClock, seed: int) -> Engine:
    """The engine as ``chat`` builds it, due reminders included."""
    from assistant.config import Settings
    from assistant.dialog.flows.due import DueReminders
    from assistant.dialog.reminder_book import ReminderPolicy
    policy = ReminderPolicy.from_settings(Settings().reminders)
    return Engine(prompts(), understander(), clock, store, rng=random.Random(seed), proactive=[DueReminders(policy)])


def key_mismatch(expected: list[str], turn: Turn) -> str:
    """Empty when the reply keys match the patterns in order, else a description."""
    got = [reply.key for reply in turn.replies]
    if len(got) == len(expected) and all(fnmatch.fnmatchcase(k, p) for k, p in zip(got, expected)):
        return ""
    return f"expected keys {expected}, got {got}\n  text: {turn.text}"


def _records(store: Store, name: str) -> list[Any]:
    if name == "settings":
        return [store.settings.get()]
    return getattr(store, name).all()


def stored_mismatch(store: Store, expected: dict[str, Any]) -> str:
    """Empty when the store holds what ``expected`` says (counts or field subsets, in order)."""
    problems = []
    for name, want in expected.items():
        records = _records(store, name)
        if isinstance(want, int):
            if len(records) != want:
                problems.append(f"{name}: expected {want} records, got {len(records)}")
            continue
        want_list = [want] if isinstance(want, dict) else want
        if len(records) != len(want_list):
            problems.append(f"{name}: expected {len(want_list)} records, got {len(records)}: {records}")
            continue
        for record, fields in zip(records, want_list):
            for key, value in fields.items():
                actual = getattr(record, key)
                ok = fnmatch.fnmatchcase(str(actual), value) if isinstance(value, str) else actual == value
                if not ok:
                    problems.append(f"{name}.{key}: expected {value!r}, got {actual!r}")
    return "\n".join(problems)


@dataclass
class Transcript:
    """What a script run produced: per session the list of turns' texts."""

    sessions: list[list[list[str]]] = field(default_factory=list)
    turns: list[tuple[list[str], list[str], bool]] = field(default_factory=list)
    """Every turn in order: its reply keys, its texts, and whether it was a replay the person
    asked for ("nochmal": the engine returns the last turn itself)."""


def run_script(script: Script, data_dir: Path) -> Transcript:
    """Run ``script`` in-process; raise AssertionError naming the first difference."""
    store = prepare_store(data_dir, script)
    clock = SimulatedClock(script.now, ZONE)
    transcript = Transcript()
    engine: Engine | None = None
    previous: Turn | None = None
    try:
        for number, step in enumerate(script.turns, 1):
            if step.silence:
                clock.advance(step.after)
                turn = engine.silence()
            elif step.say is None:
                clock.advance(step.after)
                engine = new_engine(store, clock, script.seed)
                turn = engine.start()
                transcript.sessions.append([])
            else:
                clock.advance(step.after)
                turn = engine.handle(step.say)
            transcript.sessions[-1].append([reply.text for reply in turn.replies])
            transcript.turns.append(([r.key for r in turn.replies], [r.text for r in turn.replies],
                                     turn is previous))
            previous = turn
            where = f"{script.name}, turn {number} ({step.say!r})"
            problem = turn_problems(step, turn) + stored_mismatch(store, step.stored)
            if problem:
                raise AssertionError(f"{where}: {problem}")
        problem = stored_mismatch(store, script.stored)
        if problem:
            raise AssertionError(f"{script.name}, stored at the end: {problem}")
    finally:
        store.close()
    return transcript
