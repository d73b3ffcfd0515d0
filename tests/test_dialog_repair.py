"""Conversation repair: topic switches from every expectation, help from every state,
the repair ladder, explanations and silence, through the real engine and understander.

The scripts in tests/data/conversations/repair_*.toml show each case as a conversation;
these tests sweep the combinations (every action intent x every expectation kind x du/Sie).
"""

from __future__ import annotations

import fnmatch
import random
from datetime import datetime
from pathlib import Path

import pytest

from assistant.clock import SimulatedClock
from assistant.dialog.engine import ASKED_AT_MOST, Engine, sure_request
from assistant.dialog.requests import load_requests
from assistant.resources import intents_dir
from assistant.store import Store, open_store
from tests.helpers_dialog import ZONE, prompts, understander

ACTION_UTTERANCES = {
    "checkin": "lass uns einen check-in machen",
    "exercise": "ich möchte eine übung machen",
    "suggest_step": "schlag mir einen kleinen schritt vor",
    "reminder_set": "erinnere mich übermorgen um neun an den arzttermin",
    "reminder_list": "welche erinnerungen habe ich",
    "reminder_cancel": "lösche meine erinnerung",
    "progress": "wie war meine woche",
    "learn": "erklär mir warum ich mich zurückziehe",
    "support": "wo finde ich eine selbsthilfegruppe",
    "forget_data": "lösche alle meine daten",
    "feeling": "mir geht es heute ziemlich mies",
}
"""One plain utterance per action intent of DESIGN.md (``done`` is left out: "erledigt" is
an answer to a step or a reminder, not a topic of its own)."""

PENDING = {
    # kind: (utterances that lead there, the flow then waiting, what must not be stored)
    "yes_no": (["nein", "erinnere mich morgen um zehn an die tabletten"], "reminder_set", "reminders"),
    "scale": (["ja"], "checkin", "checkins"),
    "free_text": (["nein", "ich möchte die übung ein ziel für diese woche machen"], "exercise", "journal"),
}
PARK_KEYS = ("dialog.parked", "dialog.parked_resume", "reminders.parked", "reminders.parked_what")


def engine_for(tmp_path: Path, address: str, now: str = "2026-11-27T09:00") -> tuple[Engine, Store]:
    store = open_store(tmp_path / "data")
    store.settings.update(address=address, country="DE", onboarding_done=True)
    clock = SimulatedClock(datetime.fromisoformat(now), ZONE)
    return Engine(prompts(), understander(), clock, store, rng=random.Random(3)), store


def keys(turn) -> list[str]:
    return [reply.key for reply in turn.replies]


def waiting(engine: Engine, kind: str) -> None:
    engine.start()
    for line in PENDING[kind][0]:
        engine.handle(line)
    assert engine.expect.kind == kind and engine.flow is not None and engine.flow.name == PENDING[kind][1]


@pytest.mark.parametrize("address", ["du", "sie"])
@pytest.mark.parametrize("kind", sorted(PENDING))
@pytest.mark.parametrize("intent", sorted(ACTION_UTTERANCES))
def test_a_topic_request_is_honoured_in_every_expectation(intent: str, kind: str, address: str,
                                                           tmp_path: Path) -> None:
    """The pending question is parked and the request honoured, unless it is a plausible answer:
    the flow's own topic, a feeling said to the mood question (its number is read), or, in free
    text, anything short of a sure request (an open answer may name a topic)."""
    engine, store = engine_for(tmp_path, address)
    try:
        waiting(engine, kind)
        pending_flow = engine.flow
        text = ACTION_UTTERANCES[intent]
        idle = engine.understander.understand(text, "none", engine.ctx.now())
        turn = engine.handle(text)
        said = keys(turn)
        table = PENDING[kind][2]
        if pending_flow.takes(idle):
            assert engine.flow is pending_flow, f"the flow's own topic left it: {said}"
            return
        if kind == "scale" and intent == "feeling":
            assert said == ["checkin.ask_energy"], f"the feeling is the mood answer: {said}"
            return
        if kind == "free_text" and (intent == "feeling" or not sure_request(idle)):
            assert [entry.text for entry in store.journal.all()] == [text], said
            return
        assert not [k for k in said if "unclear" in k], f"a hint instead of the new topic: {said}"
        assert engine.flow is not pending_flow, f"the pending question swallowed {intent!r}: {said}"
        assert any(k in PARK_KEYS for k in said), f"no word about the parked question: {said}"
        if intent == "feeling":
            assert said[0].startswith("feeling_dialog."), f"empathy comes first: {said}"
        if table != "journal" or intent != "exercise":
            assert len(getattr(store, table).all()) == 0, f"something was stored from a switch: {table}"
    finally:
        store.close()


@pytest.mark.parametrize("address", ["du", "sie"])
@pytest.mark.parametrize("kind", [*sorted(PENDING), "none", "crisis", "concern"])
@pytest.mark.parametrize("line", ["notfallnummer", "welche nummer kann ich anrufen",
                                  "ich brauche sofort hilfe", "gib mir die nummer der telefonseelsorge"])
def test_asking_for_a_number_gives_it_first_in_every_state(line: str, kind: str, address: str,
                                                            tmp_path: Path) -> None:
    engine, store = engine_for(tmp_path, address)
    try:
        if kind in PENDING:
            waiting(engine, kind)
        elif kind == "crisis":
            engine.handle("ich will mich umbringen")
        elif kind == "concern":
            engine.handle("es hat doch alles keinen sinn mehr")
        before = engine.flow
        turn = engine.handle(line)
        assert keys(turn)[0] == "safety.number_DE", keys(turn)
        assert "0800 111 0 111" in turn.replies[0].text.replace(" – ", " ")
        assert len(turn.replies) <= 4, "the number, the person's own plan at most, then one question"
        assert turn.replies[-1].text.rstrip().endswith("?"), "at most one offer, and it is a question"
        if before is not None:
            assert engine.flow is before, "the question that waited still waits"
    finally:
        store.close()


@pytest.mark.parametrize("kind", sorted(PENDING))
def test_no_question_is_asked_a_fourth_time(kind: str, tmp_path: Path) -> None:
    """Whatever is said, a question is asked at most three times, then the dialogue moves on."""
    engine, store = engine_for(tmp_path, "du")
    try:
        waiting(engine, kind)
        question = engine.last.replies[-1].key
        asked = 1
        texts = [engine.last.text]
        for noise in ("quietsch", "blubb", "hmm", "brumm", "pling"):
            turn = engine.handle(noise)
            texts.append(turn.text)
            if question in keys(turn) or "dialog.way_out" in " ".join(keys(turn)):
                asked += 1
            else:
                break
        assert asked <= ASKED_AT_MOST, f"{question} asked {asked} times"
        assert all(a != b for a, b in zip(texts, texts[1:])), "a reply replayed word for word"
    finally:
        store.close()


def test_was_meinst_du_explains_the_question_instead_of_repeating_it(tmp_path: Path) -> None:
    engine, store = engine_for(tmp_path, "sie")
    try:
        waiting(engine, "scale")
        turn = engine.handle("was meinen sie")
        assert keys(turn) == ["checkin.ask_mood_explain", "checkin.ask_mood"]
        assert "Ihnen" in turn.text
    finally:
        store.close()


def test_silence_after_a_question_reoffers_once_then_drops_it(tmp_path: Path) -> None:
    engine, store = engine_for(tmp_path, "du")
    try:
        waiting(engine, "scale")
        first = engine.silence()
        assert keys(first) == ["dialog.silence_reoffer", "checkin.ask_mood"]
        second = engine.silence()
        assert keys(second) == [] and engine.flow is None  # dropped without a word
        assert engine.silence().replies == ()
        assert store.checkins.all() == []
    finally:
        store.close()


def test_an_answer_after_silence_starts_the_count_again(tmp_path: Path) -> None:
    engine, store = engine_for(tmp_path, "du")
    try:
        waiting(engine, "scale")
        engine.silence()
        engine.handle("fünf")
        assert keys(engine.silence())[0] == "dialog.silence_reoffer"
    finally:
        store.close()


def test_silence_after_the_concern_question_gives_the_lines_once(tmp_path: Path) -> None:
    engine, store = engine_for(tmp_path, "du")
    try:
        engine.start()
        engine.handle("es hat doch alles keinen sinn mehr")
        turn = engine.silence()
        assert keys(turn) == ["safety.concern_silence", "safety.lines_DE"]
        assert engine.flow is None and engine.silence().replies == ()
    finally:
        store.close()


@pytest.mark.parametrize("text, expected", [
    ("meine tochter hat angerufen", True), ("ich hab mit der nachbarin geredet", True),
    ("nein aber mein bruder hat geschrieben", True), ("ich habe mit niemandem gesprochen", False),
    ("keiner hat angerufen", False), ("blaues fahrrad", None), ("ja", None),
    ("ja meine tochter hat angerufen aber nur kurz nicht lange", True), ("meine tochter hat nicht angerufen", False),
    ("nein ich war nur spazieren", None)])
def test_a_contact_is_read_from_who_did_what(text: str, expected: bool | None) -> None:
    assert load_requests(intents_dir() / "dialog").names_contact(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("was meinst du", True), ("keine ahnung was du meinst", True), ("wie bitte", True),
    ("was meinst du wie wird das wetter morgen", False), ("wie geht es dir", False)])
def test_only_a_short_was_meinst_du_asks_for_an_explanation(text: str, expected: bool) -> None:
    requests = load_requests(intents_dir() / "dialog")
    assert requests.asks_to_explain(text) is expected
    assert requests.asks_something_else(text) is (not expected and "meinst" in text)


@pytest.mark.parametrize("text, intent, expected", [
    ("notfallnummer", None, True), ("streich die erinnerung nummer zwei", "reminder_cancel", False),
    ("ich habe die nummer von meiner schwester gewählt", None, False),
    ("wer kann mir helfen", "support", False), ("ich brauche sofort hilfe", "help", True)])
def test_help_now_is_read_only_where_it_is_asked_for(text: str, intent: str | None, expected: bool) -> None:
    assert load_requests(intents_dir() / "dialog").asks_for_help_now(text, intent) is expected


def test_a_broken_requests_file_is_a_german_error_naming_the_key(tmp_path: Path) -> None:
    from assistant.errors import DataFileError
    sections = {"help_now": 'cues = ["notruf"]\nwith_intents = ["help"]\nrequest_cues = ["seelsorge"]',
                "explain": 'cues = []\nrepair_words = ["nochmal"]',
                "bare_answers": 'yes = ["ja"]\nno = ["nein"]', "contact": 'verbs = ["angerufen"]\nnegations = ["nie"]',
                "who5": 'cues = ["fragebogen"]\nwith_intents = ["none"]'}
    (tmp_path / "requests.toml").write_text("".join(f"[{k}]\n{v}\n" for k, v in sections.items()), encoding="utf-8")
    with pytest.raises(DataFileError, match="Schlüssel „cues“"):
        load_requests(tmp_path)
    load_requests.cache_clear()
    (tmp_path / "requests.toml").write_text('[help_now]\ncues = ["notruf"\n', encoding="utf-8")
    with pytest.raises(DataFileError, match="kein gültiges TOML"):
        load_requests(tmp_path)
    load_requests.cache_clear()


def test_every_repair_prompt_exists_in_both_forms() -> None:
    book = prompts()
    for key in ("dialog.parked", "dialog.parked_resume", "dialog.parked_feeling", "dialog.moving_on_end",
                "dialog.silence_reoffer", "dialog.off_topic", "dialog.unsure_idle",
                *(f"dialog.way_out_{k}" for k in ("yes_no", "scale", "other")),
                *(f"dialog.explain_{k}" for k in ("yes_no", "scale", "free_text", "other")),
                *(f"safety.number_{c}" for c in ("DE", "AT", "CH"))):
        assert book[key].variants("du") and book[key].variants("sie"), key
    assert fnmatch.fnmatch(book["safety.number_AT"].variants("sie")[0], "*142*144*")


NOISE = ("quietschende gummiente", "blubb", "brumm brumm", "pling", "tröööt")

MISREAD = {
    # flow: (lines that lead to its question, what must stay empty, or a check of the store)
    "checkin mood": (["ja"], lambda store: all(c.mood is None for c in store.checkins.all())),
    "reminder confirmation": (["nein", "erinnere mich morgen um zehn an die tabletten"],
                              lambda store: store.reminders.all() == []),
    "reminder cancel": (["nein", "erinnere mich morgen um zehn an die tabletten", "ja", "lösche meine erinnerung"],
                        lambda store: [r.state for r in store.reminders.all()] == ["active"]),
    "step offer": (["nein", "schlag mir einen kleinen schritt vor"],
                   lambda store: all(s.state == "offered" for s in store.steps.all())),
    "safety plan offer": (["nein", "mein sicherheitsplan"],
                          lambda store: not any(getattr(store.safety_plan.get(), p) for p in store.safety_plan.get().PARTS)),
}


@pytest.mark.parametrize("flow", sorted(MISREAD))
def test_a_misread_answer_is_never_stored(flow: str, tmp_path: Path) -> None:
    """Noise to a flow's question stores nothing; the ladder moves on after the third asking."""
    lines, nothing_stored = MISREAD[flow]
    engine, store = engine_for(tmp_path, "du")
    try:
        engine.start()
        for line in lines:
            engine.handle(line)
        assert engine.flow is not None, f"{flow}: no question is waiting"
        for noise in NOISE:
            engine.handle(noise)
            assert nothing_stored(store), f"{flow}: {noise!r} was stored"
            if engine.flow is None:
                break
    finally:
        store.close()


@pytest.mark.parametrize("leads_to, nothing_stored", [
    (["nein", "schlag mir einen kleinen schritt vor"], lambda store: [s.state for s in store.steps.all()] == ["offered"]),
    (["nein", "erinnere mich morgen um zehn an die tabletten"], lambda store: store.reminders.all() == []),
])
def test_silence_stores_nothing_the_person_did_not_say(leads_to, nothing_stored, tmp_path: Path) -> None:
    engine, store = engine_for(tmp_path, "du")
    try:
        engine.start()
        for line in leads_to:
            engine.handle(line)
        engine.silence()
        last = engine.silence()
        assert engine.flow is None and nothing_stored(store)
        if store.reminders.all() == [] and "erinnere" in leads_to[-1]:
            assert "nicht gespeichert" in last.text, "the person hears the reminder was not saved"
    finally:
        store.close()


@pytest.mark.parametrize("line", ["was meinst du, soll ich da wirklich anrufen", "was meinst du wird es jemals besser",
                                  "was meinst du", "was meinst du", "was meinst du"])
def test_the_crisis_flows_never_say_off_topic_or_move_on(line: str, tmp_path: Path) -> None:
    engine, store = engine_for(tmp_path, "du")
    try:
        engine.start()
        engine.handle("ich will mich umbringen")
        for _ in range(4):
            said = keys(engine.handle(line))
            assert not {"dialog.off_topic", "dialog.moving_on_end"} & set(said), said
            assert engine.flow is not None and engine.flow.name == "crisis"
    finally:
        store.close()


@pytest.mark.parametrize("kind", ["concern", "yes_no"])
def test_a_number_asked_for_after_ja_or_nein_is_given(kind: str, tmp_path: Path) -> None:
    engine, store = engine_for(tmp_path, "du")
    try:
        engine.start()
        if kind == "concern":
            engine.handle("es hat doch alles keinen sinn mehr")
        turn = engine.handle("nein, aber gib mir bitte die notfallnummer")
        assert keys(turn)[0] == "safety.number_DE", keys(turn)
    finally:
        store.close()


@pytest.mark.parametrize("expect_kind, lines, answer", [
    ("free_text", ["nein", "ich möchte die übung ein ziel für diese woche machen"],
     "ich will endlich jemanden anrufen, den ich lange nicht gesprochen habe"),
    ("free_text", ["nein", "ich möchte die übung ein ziel für diese woche machen"],
     "ich habe letzte woche die telefonseelsorge angerufen"),
])
def test_an_answer_that_names_a_phone_call_is_no_help_request(expect_kind: str, lines: list[str], answer: str,
                                                             tmp_path: Path) -> None:
    engine, store = engine_for(tmp_path, "du")
    try:
        engine.start()
        for line in lines:
            engine.handle(line)
        assert engine.expect.kind == expect_kind
        turn = engine.handle(answer)
        assert "safety.number_DE" not in keys(turn)
        assert [entry.text for entry in store.journal.all()] == [answer]
    finally:
        store.close()


def test_a_feeling_at_the_contact_question_keeps_mood_and_energy(tmp_path: Path) -> None:
    engine, store = engine_for(tmp_path, "du")
    try:
        engine.start()
        for line in ("ja", "drei", "wenig"):
            engine.handle(line)
        turn = engine.handle("wie war meine woche")
        assert "checkin.parked" in keys(turn)
        assert [(c.mood, c.energy, c.contact) for c in store.checkins.all()] == [(3, 2, None)]
    finally:
        store.close()


@pytest.mark.parametrize("text, expected", [
    ("ein bisschen", None), ("ja zwei mal", None), ("null", 0), ("vier", 4), ("nein null", None)])
def test_only_a_bare_number_to_the_step_question_is_read_as_the_mood(text: str, expected: int | None) -> None:
    from assistant.dialog.flows.checkin import _only_a_number
    assert _only_a_number(text) == expected


def test_yes_to_the_crisis_offer_with_the_word_numbers_gives_them_slowly(tmp_path: Path) -> None:
    engine, store = engine_for(tmp_path, "du")
    try:
        engine.start()
        engine.handle("ich will mich umbringen")
        assert keys(engine.handle("ja sag mir die nummern nochmal"))[0] == "safety.slow_DE"
    finally:
        store.close()
