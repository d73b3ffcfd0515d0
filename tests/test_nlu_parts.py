"""Unit tests of the NLU stages: templates, normalisation, numbers, times, content, matching."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from assistant.nlu import safety
from assistant.nlu.normalize import fold, tokenize
from assistant.nlu.numbers import scale_number, word_value
from assistant.nlu.reminders import extract_what, find_position
from assistant.nlu.templates import TemplateError, expand
from assistant.nlu.times import find_when
from assistant.nlu.understand import Understander
from assistant.resources import intents_dir

BERLIN = ZoneInfo("Europe/Berlin")
THURSDAY = datetime(2026, 11, 26, 14, 0, tzinfo=BERLIN)


@pytest.fixture(scope="module")
def nlu() -> Understander:
    return Understander(intents_dir())


def test_template_alternatives_optionals_and_rules() -> None:
    assert sorted(expand("(hör|hören sie) [jetzt] auf", {})) == [
        "hör auf", "hör jetzt auf", "hören sie auf", "hören sie jetzt auf"]
    assert expand("erinner[e] mich", {}) == ["erinner mich", "erinnere mich"]
    from assistant.nlu.templates import parse, Alternatives
    rules = {"gruss": (Alternatives((parse("hallo"), parse("hi")), False),)}
    assert expand("<gruss> du", rules) == ["hallo du", "hi du"]
    with pytest.raises(TemplateError):
        expand("(a|b", {})


def test_normalisation_folds_typed_and_spoken_alike() -> None:
    assert fold("Hör auf!") == fold("hoer auf") == "hoer auf"
    assert fold("Äh, also ja ja") == "ja"
    assert fold("Grüß   dich\t") == fold("gruess dich")
    assert tokenize("um 20:30").folded == ("um", "20", "uhr", "30")
    assert tokenize("Ähm Übung").shown == ("übung",)
    assert fold("\x00\x07 ja 🙂") == "ja"
    assert fold("Jaaa!") == "ja"
    assert fold("neeein") == "nein"


@pytest.mark.parametrize("text, value", [
    ("vier", 4), ("so eine vier", 4), ("eine glatte zehn", 10), ("zwischen fünf und sechs", 6),
    ("fünfeinhalb", 6), ("null", 0), ("eins", 1), ("7", 7), ("5 komma 5", 6), ("zwei bis drei", 3),
    ("ich würde sagen acht", 8), ("zwo", 2), ("hundert", None), ("keine ahnung", None),
    ("achtzig prozent", 8), ("so fünfzig prozent", 5),
])
def test_scale_numbers(text: str, value: int | None) -> None:
    assert scale_number(tokenize(text).folded) == value


def test_number_words_up_to_hundred() -> None:
    assert word_value("einundzwanzig") == 21
    assert word_value("fuenfundvierzig") == 45
    assert word_value("dreissig") == 30
    assert word_value("neunundneunzig") == 99
    assert word_value("anderthalb") == 1.5


@pytest.mark.parametrize("text, when, repeat", [
    ("morgen früh um sieben", "2026-11-27T07:00", None),
    ("heute abend um acht", "2026-11-26T20:00", None),
    ("um halb acht", "2026-11-26T19:30", None),
    ("um viertel vor zehn", "2026-11-26T21:45", None),
    ("um dreiviertel neun", "2026-11-26T20:45", None),
    ("zwanzig uhr dreißig", "2026-11-26T20:30", None),
    ("in zwanzig minuten", "2026-11-26T14:20", None),
    ("in zwei stunden", "2026-11-26T16:00", None),
    ("übermorgen", "2026-11-28T09:00", None),
    ("am montag um vierzehn uhr", "2026-11-30T14:00", None),
    ("am donnerstag", "2026-12-03T09:00", None),
    ("jeden tag um acht", "2026-11-27T08:00", "daily"),
    ("jeden morgen", "2026-11-27T08:00", "daily"),
    ("werktags um sieben", "2026-11-27T07:00", "weekdays"),
    ("jeden sonntag", "2026-11-29T09:00", "weekly"),
    ("um fünf nach halb acht", "2026-11-26T19:35", None),
    ("heute um sechs", "2026-11-26T18:00", None),
    ("in einer halben stunde", "2026-11-26T14:30", None),
    ("heute nacht um elf", "2026-11-26T23:00", None),
    ("am ersten dezember", "2026-12-01T09:00", None),
    ("am zehnten um acht", "2026-12-10T08:00", None),
    ("am 3. um 9:30", "2026-12-03T09:30", None),
    ("am zwanzigsten januar", "2027-01-20T09:00", None),
    ("am montagabend", "2026-11-30T19:00", None),
])
def test_times(text: str, when: str, repeat: str | None) -> None:
    found = find_when(tokenize(text).folded, THURSDAY)
    assert found is not None and (found.iso(), found.repeat) == (when, repeat)


def test_no_time_in_plain_words() -> None:
    assert find_when(tokenize("guten morgen").folded, THURSDAY) is None
    assert find_when(tokenize("ich habe zwei katzen").folded, THURSDAY) is None


def test_weekend_and_late_evening_roll_forward() -> None:
    late = datetime(2026, 11, 26, 21, 30, tzinfo=BERLIN)
    assert find_when(tokenize("um acht").folded, late).iso() == "2026-11-27T08:00"
    friday = datetime(2026, 11, 27, 9, 0, tzinfo=BERLIN)
    assert find_when(tokenize("werktags um acht").folded, friday).iso() == "2026-11-30T08:00"


@pytest.mark.parametrize("text, what", [
    ("erinnere mich morgen um neun an den spaziergang mit anna", "spaziergang mit anna"),
    ("erinnere mich daran meine schwester anzurufen", "meine schwester anrufen"),
    ("erinnere mich dass ich meine tabletten nehme", "meine tabletten nehmen"),
    ("kannst du mich morgen an den arzttermin erinnern", "arzttermin"),
    ("erinnere mich morgen daran aufzuräumen", "aufräumen"),
    ("erinnere mich bitte", None),
    ("ich will nicht vergessen morgen den arzt anzurufen", "den arzt anrufen"),
    ("ich brauche die erinnerung fürs tagebuch nicht mehr", "tagebuch"),
    ("eine erinnerung für morgen zum yoga", "yoga"),
    ("erinnere mich dass ich zum arzt muss", "zum arzt"),
])
def test_reminder_content(text: str, what: str | None) -> None:
    tokens = tokenize(text)
    found = find_when(tokens.folded, THURSDAY)
    assert extract_what(tokens.shown, tokens.folded, found.used if found else frozenset()) == what


def test_positions() -> None:
    assert find_position(tokenize("lösche die zweite").folded) == 2
    assert find_position(tokenize("die letzte erinnerung").folded) == -1
    assert find_position(tokenize("nummer drei").folded) == 3
    assert find_position(tokenize("die erinnerung an anna").folded) is None


def test_regional_forms_are_standardised(nlu: Understander) -> None:
    tokens = nlu.matcher.standardise(tokenize("i mog ned gell"))
    assert tokens.folded == ("ich", "mag", "nicht")
    assert nlu.understand("heit ned", "none", THURSDAY).intent == "later"
    assert nlu.understand("passt scho", "yes_no", THURSDAY).intent == "yes"


def test_split_compounds_are_joined(nlu: Understander) -> None:
    joined = nlu.matcher.join_compounds(tokenize("eine selbst hilfe gruppe über morgen"))
    assert joined.folded == ("eine", "selbsthilfegruppe", "uebermorgen")
    assert joined.shown == ("eine", "selbsthilfegruppe", "übermorgen")
    assert nlu.matcher.join_compounds(tokenize("wie so")).folded == ("wie", "so")
    comparatives = nlu.matcher.join_compounds(tokenize("bitte laut er und spät er leise er"))
    assert comparatives.shown == ("bitte", "lauter", "und", "später", "leiser")
    assert nlu.matcher.join_compounds(tokenize("weil er kommt")).folded == ("weil", "er", "kommt")


def test_a_second_weekday_does_not_move_the_first() -> None:
    found = find_when(tokenize("jeden dienstag und donnerstag").folded, THURSDAY)
    assert found is not None and found.iso() == "2026-12-01T09:00" and found.repeat == "weekly"


def test_free_text_only_takes_whole_commands(nlu: Understander) -> None:
    assert nlu.understand("ich will aufhören zu grübeln", "free_text", THURSDAY).intent == "answer"
    assert nlu.understand("hör auf", "free_text", THURSDAY).intent == "stop"
    assert nlu.understand("ich will aufhören zu grübeln", "free_text").slots == {
        "text": "ich will aufhören zu grübeln"}


def test_expectation_changes_the_reading(nlu: Understander) -> None:
    assert nlu.understand("richtig gut", "scale", THURSDAY).slots == {"value": 9}
    assert nlu.understand("richtig gut", "none", THURSDAY).intent == "feeling"
    assert nlu.understand("ja ich war draußen", "yes_no", THURSDAY).intent == "yes"
    assert nlu.understand("nein lieber morgen", "yes_no", THURSDAY).intent == "later"
    assert nlu.understand("nein heute nicht", "yes_no", THURSDAY).intent == "no"
    assert nlu.understand("eigentlich schon", "yes_no", THURSDAY).intent == "yes"
    assert nlu.understand("gar nicht", "scale", THURSDAY).slots == {"value": 0}
    assert nlu.understand("gar nicht", "yes_no", THURSDAY).intent == "no"
    assert nlu.understand("erinnere mich später daran", "none", THURSDAY).intent == "later"


@pytest.mark.parametrize("text, expect, intent", [
    ("hab ich nicht gemacht", "yes_no", "no"),
    ("ich habe es nicht geschafft", "yes_no", "no"),
    ("ich will keine übung", "none", "no"),
    ("ich bin nicht glücklich", "none", "feeling"),
    ("ich will nicht mehr grübeln", "free_text", "answer"),
    ("hab ich gemacht", "yes_no", "done"),
])
def test_negation_is_not_ignored(nlu: Understander, text: str, expect: str, intent: str) -> None:
    assert nlu.understand(text, expect, THURSDAY).intent == intent


def test_question_cues_need_the_question_word_first(nlu: Understander) -> None:
    assert nlu.understand("warum bin ich so müde", "none", THURSDAY).intent == "learn"
    assert nlu.understand("ich bin traurig und weiß nicht warum", "none", THURSDAY).intent == "feeling"


def test_nonsense_is_null_with_low_confidence(nlu: Understander) -> None:
    result = nlu.understand("die katze schläft auf dem sofa", "none", THURSDAY)
    assert result.intent is None and result.confidence < 0.6 and result.slots == {}


def test_safety_runs_first_and_acute_wins(nlu: Understander, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def fake(text: str) -> tuple[str, None]:
        seen.append(text)
        return ("acute" if "x" in text else "concern"), None

    monkeypatch.setattr(safety, "judge", fake)
    result = nlu.understand("stopp x", "free_text", THURSDAY)
    assert (result.intent, result.confidence, result.safety) == ("crisis", 1.0, "acute")
    assert nlu.understand("hallo", "none", THURSDAY).safety == "concern"
    assert nlu.understand("", "none", THURSDAY).safety == "concern"
    assert seen == ["stopp x", "hallo", ""]


def test_unknown_expectation_is_rejected(nlu: Understander) -> None:
    with pytest.raises(ValueError):
        nlu.understand("ja", "maybe")


def test_grammar_for_yes_no_and_scale(nlu: Understander) -> None:
    yes_no = nlu.grammar("yes_no")
    scale = nlu.grammar("scale")
    assert {"ja", "nein", "nö", "stopp", "wiederhole", "hilfe", "später", "langsamer"} <= set(yes_no)
    assert {"null", "fünf", "zehn", "geht so", "richtig gut", "stopp", "später"} <= set(scale)
    assert "ja" not in scale and "fünf" not in yes_no
    assert all(len(p.split()) <= 3 and p == p.strip() for p in yes_no + scale)

    class Expect:
        kind = "scale"
    assert nlu.grammar(Expect()) == scale


def test_linear_on_long_input(nlu: Understander) -> None:
    result = nlu.understand("ja " * 50_000, "none", THURSDAY)
    assert result.intent == "yes"


def test_clean_handles_long_letter_runs_and_glued_digits() -> None:
    """A 100,000-letter run with a digit at the end: the splitting stays linear (it once was quadratic)."""
    from assistant.nlu.normalize import clean
    assert clean("ab" * 50_000 + "7") == "ab" * 50_000 + " 7"
    assert clean("9uhr30") == "9 uhr 30"
