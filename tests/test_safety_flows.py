"""Crisis handling in every dialogue flow, the concern question, and the safety plan flow.

Real engine, real NLU, real TinyDB store in a temporary data dir.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from assistant.clock import SimulatedClock
from assistant.dialog.engine import Engine
from assistant.dialog.flows import default_registry
from assistant.dialog.flows.onboarding import OnboardingFlow
from assistant.dialog.flows.checkin import CheckinFlow
from assistant.dialog.flows.due import DueReminders
from assistant.dialog.flows.safety_plan import SafetyPlanFlow
from assistant.dialog.flows.who5 import Who5Flow
from assistant.dialog.turn import Turn
from assistant.store import Store, open_store
from assistant.store.records import SafetyPlan
from tests.conftest import run_cli
from tests.helpers_dialog import ZONE, prompts, understander
from tests.test_safety_content import OFFICIAL, _numbers

ACUTE = "ich will nicht mehr leben"
START = datetime(2026, 11, 27, 9, 0)


@pytest.fixture
def store(data_dir: Path) -> Store:
    opened = open_store(data_dir)
    opened.settings.update(address="du", country="DE", onboarding_done=True)
    yield opened
    opened.close()


def engine_for(store: Store, clock: SimulatedClock | None = None) -> Engine:
    return Engine(prompts(), understander(), clock or SimulatedClock(START, ZONE), store,
                  registry=default_registry())


def keys(turn: Turn) -> list[str]:
    return [reply.key for reply in turn.replies]


def assert_acute(turn: Turn, country: str = "DE") -> None:
    assert keys(turn)[0] == "safety.acute", keys(turn)
    assert f"safety.lines_{country}" in keys(turn)
    assert keys(turn)[-1] == "safety.offer_repeat"
    lines = next(r.text for r in turn.replies if r.key == f"safety.lines_{country}")
    assert _numbers(lines) == OFFICIAL[country]
    assert turn.expect.kind == "yes_no"


def levels(store: Store) -> list[str]:
    return [event.level for event in store.safety_events.all()]


# Each flow, reached through real utterances; then an acute utterance in the middle of it.
FLOWS = {
    "checkin": (["check in", "drei"], "checkin"),
    "exercise": (["ich möchte eine übung machen", "ich habe heute gemalt"], "exercise"),
    "step": (["hast du einen vorschlag"], "step"),
    "reminder": (["erinnere mich an den spaziergang"], "reminder_set"),
    "review": (["wie war meine woche"], None),  # one turn: it is over before anything else is said
    "learn": (["erkläre mir den teufelskreis"], "learn"),
    "support": (["ich brauche professionelle hilfe"], "support"),
    "feeling": (["mir geht es heute mies"], "offer"),
}


@pytest.mark.parametrize("name", FLOWS)
def test_acute_in_the_middle_of_a_flow_stops_it(store: Store, name: str) -> None:
    engine = engine_for(store)
    engine.start()
    setup, active = FLOWS[name]
    for text in setup:
        engine.handle(text)
    assert getattr(engine.flow, "name", None) == active
    assert_acute(engine.handle(ACUTE))
    assert engine.flow is not None and engine.flow.name == "crisis" and engine.interrupted is None
    # The person declines the numbers and talks on: the crisis flow listens, then ends; nothing resumes.
    assert keys(engine.handle("nein")) == ["safety.stay"]
    after = engine.handle("es ist einfach alles zu viel heute")
    assert keys(after)[0] in ("safety.listen", "safety.concern_ack"), keys(after)
    if engine.flow is not None:  # a concern question about that sentence: answer it
        after = engine.handle("nein")
    assert all(k.startswith(("safety.", "dialog.")) for k in keys(after)), keys(after)
    assert engine.flow is None and engine.interrupted is None
    assert "acute" in levels(store)


@pytest.mark.parametrize("flow", [Who5Flow, CheckinFlow, SafetyPlanFlow, OnboardingFlow],
                         ids=lambda cls: cls.__name__)
def test_acute_in_flows_started_by_the_engine_itself(store: Store, flow) -> None:
    engine = engine_for(store)
    engine.start()
    started = engine._begin(flow(CheckinFlow) if flow is OnboardingFlow else flow(), None)  # noqa: SLF001
    assert started.replies
    assert_acute(engine.handle("ich bring mich um"))
    assert engine.flow.name == "crisis" and engine.interrupted is None


def test_acute_while_a_due_reminder_waits_for_its_answer(store: Store) -> None:
    store.reminders.add("die Blumen gießen", START.replace(tzinfo=ZONE), created_at=START.replace(tzinfo=ZONE))
    engine = Engine(prompts(), understander(), SimulatedClock(START, ZONE), store, proactive=[DueReminders()])
    start = engine.start()
    assert any(key.startswith("reminders.due") for key in keys(start)), keys(start)
    assert_acute(engine.handle("ich will mich umbringen"))
    assert engine.flow.name == "crisis" and engine.interrupted is None
    engine.handle("nein")
    engine.handle("ich weiß nicht was ich sagen soll")
    assert engine.flow is None


def test_acute_during_the_concern_question_and_during_the_crisis_itself(store: Store) -> None:
    engine = engine_for(store)
    engine.start()
    engine.handle("check in")
    assert keys(engine.handle("ich kann nicht mehr")) == ["safety.concern_ack", "safety.concern_ask"]
    assert_acute(engine.handle("ich habe tabletten gesammelt"))
    assert engine.interrupted is None  # the check-in is gone for good
    assert_acute(engine.handle("ich springe von der brücke"))
    assert levels(store) == ["concern", "acute", "acute"]


@pytest.mark.parametrize("country, address", [("DE", "du"), ("AT", "sie"), ("CH", "du"), ("CH", "sie")])
def test_acute_response_per_country_and_address(store: Store, country: str, address: str) -> None:
    store.settings.update(country=country, address=address)
    engine = engine_for(store)
    engine.start()
    turn = engine.handle("ich will mich umbringen")
    assert_acute(turn, country)
    you = re.compile(r"\b(Sie|Ihnen)\b" if address == "sie" else r"\b(du|dir|dich)\b")
    assert you.search(turn.replies[0].text)
    slow = engine.handle("ja bitte")
    assert keys(slow) == [f"safety.slow_{country}", "safety.stay"]
    assert _numbers(slow.replies[0].text) == OFFICIAL[country]


def test_acute_reads_back_the_persons_safety_plan(store: Store) -> None:
    plan = SafetyPlan(coping_strategies=["Musik hören"], distractions=["in den Park gehen"],
                      people_to_ask=["Anna", "mein Bruder Tom"])
    store.safety_plan.save(plan, START.replace(tzinfo=ZONE))
    engine = engine_for(store)
    engine.start()
    turn = engine.handle(ACUTE)
    assert keys(turn) == ["safety.acute", "safety.lines_DE", "safety.plan_in_acute",
                          "safety.plan_people_in_acute", "safety.offer_repeat"]
    assert "Musik hören und in den Park gehen" in turn.text
    assert "Anna und mein Bruder Tom" in turn.text


def test_safety_events_keep_time_and_level_never_the_words(store: Store, data_dir: Path) -> None:
    engine = engine_for(store)
    engine.start()
    engine.handle("ich habe mir einen strick gekauft")
    event = store.safety_events.all()[0]
    assert event.level == "acute" and event.at.tzinfo is not None
    store.close()
    stored = "".join(p.read_text(encoding="utf-8", errors="replace") for p in data_dir.rglob("*") if p.is_file())
    assert "strick" not in stored.lower()


# -- the concern question -------------------------------------------------------------------


def _in_checkin(store: Store) -> Engine:
    engine = engine_for(store)
    engine.start()
    engine.handle("check in")
    engine.handle("drei")
    return engine


def test_concern_no_resumes_the_flow(store: Store) -> None:
    engine = _in_checkin(store)
    assert keys(engine.handle("alle wären besser dran ohne mich")) == ["safety.concern_ack", "safety.concern_ask"]
    assert keys(engine.handle("nein")) == ["safety.concern_no", "checkin.ask_energy"]
    assert levels(store) == ["concern"]


def test_concern_yes_escalates_to_acute(store: Store) -> None:
    engine = _in_checkin(store)
    engine.handle("es hat alles keinen sinn mehr")
    turn = engine.handle("ja")
    assert_acute(turn)
    assert engine.interrupted is None
    assert levels(store) == ["concern", "acute"]


def test_concern_denial_naming_the_topic_is_a_no(store: Store) -> None:
    engine = _in_checkin(store)
    engine.handle("ich bin allen nur eine last")
    turn = engine.handle("nein ich denke nicht daran mich umzubringen")
    assert keys(turn) == ["safety.concern_no", "checkin.ask_energy"]


@pytest.mark.parametrize("answer", ["weiß nicht", "hmm vielleicht"])
def test_concern_unclear_gives_the_lines_once_and_goes_on(store: Store, answer: str) -> None:
    engine = _in_checkin(store)
    engine.handle("ich halte das nicht mehr aus")
    turn = engine.handle(answer)
    assert keys(turn) == ["safety.concern_unclear", "safety.lines_DE", "checkin.ask_energy"]


def test_later_to_the_concern_question_gives_the_lines_and_rests(store: Store) -> None:
    engine = _in_checkin(store)
    engine.handle("ich halte das nicht mehr aus")
    turn = engine.handle("später")
    assert keys(turn) == ["safety.concern_unclear", "safety.lines_DE"]
    assert engine.flow is None


def test_after_acute_via_yes_no_old_flow_comes_back(store: Store) -> None:
    engine = _in_checkin(store)
    engine.handle("es ist alles so sinnlos")
    assert_acute(engine.handle("ja"))
    engine.handle("nein")
    engine.handle("danke dass du da bist")
    assert engine.flow is None
    turn = engine.handle("ich bin eine last für alle")
    assert keys(turn) == ["safety.concern_ack", "safety.concern_ask"]
    assert keys(engine.handle("nein")) == ["safety.concern_no"]  # nothing stale is resumed


def test_second_concern_soon_after_a_no_is_not_asked_again(store: Store) -> None:
    clock = SimulatedClock(START, ZONE)
    engine = engine_for(store, clock)
    engine.start()
    engine.handle("check in")
    engine.handle("ich kann nicht mehr")
    engine.handle("nein")
    assert keys(engine.handle("alles ist sinnlos")) == ["safety.concern_again", "checkin.ask_mood"]
    clock.advance(timedelta(hours=2))
    assert keys(engine.handle("alles ist sinnlos")) == ["safety.concern_ack", "safety.concern_ask"]
    assert levels(store) == ["concern", "concern", "concern"]


# -- the safety plan ------------------------------------------------------------------------

ANSWERS = ["ich ziehe mich zurück und schlafe schlecht", "Musik hören, duschen", "weiß nicht",
           "meine Schwester Anna", "Frau Dr. Berg", "die Tabletten gibt meine Schwester mir einzeln"]


def test_create_the_plan_part_by_part(store: Store) -> None:
    engine = engine_for(store)
    engine.start()
    assert keys(engine.handle("mein sicherheitsplan")) == ["safety.plan.none_yet"]
    assert keys(engine.handle("ja")) == ["safety.plan.intro", "safety.plan.ask_warning_signs"]
    turns = [engine.handle(answer) for answer in ANSWERS]
    assert keys(turns[2])[0] == "safety.plan.skipped"
    assert keys(turns[-1]) == ["safety.plan.noted", "safety.plan.saved"]
    plan = store.safety_plan.get()
    assert plan.warning_signs == ["ich ziehe mich zurück und schlafe schlecht"]
    assert plan.coping_strategies == ["Musik hören", "duschen"]
    assert plan.distractions == []
    assert plan.people_to_ask == ["meine Schwester Anna"]
    assert plan.professionals == ["Frau Dr. Berg"]
    assert plan.updated_at is not None
    assert engine.flow is None


def test_read_back_and_change_one_part(store: Store) -> None:
    store.safety_plan.save(SafetyPlan(warning_signs=["grübeln"], people_to_ask=["Anna"]),
                           START.replace(tzinfo=ZONE))
    engine = engine_for(store)
    engine.start()
    turn = engine.handle("lies mir meinen sicherheitsplan vor")
    assert keys(turn) == ["safety.plan.readback_intro", "safety.plan.readback_warning_signs",
                          "safety.plan.readback_people_to_ask", "safety.lines_DE", "safety.plan.ask_change"]
    assert "grübeln" in turn.text and "Anna" in turn.text
    assert keys(engine.handle("ja")) == ["safety.plan.ask_which"]
    assert keys(engine.handle("die menschen")) == ["safety.plan.ask_people_to_ask"]
    assert keys(engine.handle("Anna, Tom")) == ["safety.plan.updated"]
    assert store.safety_plan.get().people_to_ask == ["Anna", "Tom"]
    assert store.safety_plan.get().warning_signs == ["grübeln"]


def test_acute_while_creating_the_plan_keeps_what_was_said(store: Store) -> None:
    engine = engine_for(store)
    engine.start()
    engine.handle("ich möchte einen notfallplan machen")
    engine.handle("ja")
    engine.handle("ich schlafe nicht mehr")
    assert_acute(engine.handle("ich will sterben"))
    assert engine.flow.name == "crisis" and engine.interrupted is None
    assert store.safety_plan.get().warning_signs == ["ich schlafe nicht mehr"]


def test_support_without_the_plan_topic_stays_support(store: Store) -> None:
    engine = engine_for(store)
    engine.start()
    turn = engine.handle("wo finde ich eine selbsthilfegruppe")
    assert engine.flow is None or engine.flow.name != "safety_plan"
    assert not any(key.startswith("safety.plan.") for key in keys(turn))


# -- through the real chat process ----------------------------------------------------------


@pytest.mark.slow
def test_chat_answers_a_crisis_on_the_very_first_line(tmp_path: Path) -> None:
    """A fresh install starts with the onboarding; a crisis there still gets the full response."""
    proc = run_cli("chat", "--data-dir", str(tmp_path / "data"), "--now", "2026-11-27T09:00",
                   input="ich will mich umbringen\nja\n")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "0800 111 0 111" in proc.stdout and "112" in proc.stdout
    assert "Ich sage sie dir langsam. Die TelefonSeelsorge: 0800 111 0 111." in proc.stdout  # the repeat after "ja"
