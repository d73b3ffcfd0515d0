"""The safety detector against its case data (tests/data/safety/cases.toml) and its own rules.

Acute recall must be 100 % on every case and on typed and Vosk-style variants of it;
false alarms on the ``none`` cases must stay at or below 3 %.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest

from assistant.errors import DataFileError
from assistant.nlu import safety
from assistant.nlu.safety import load_detector
from assistant.resources import intents_dir
from tests.conftest import run_cli

CASES_FILE = Path(__file__).parent / "data" / "safety" / "cases.toml"
CASES = tomllib.loads(CASES_FILE.read_text(encoding="utf-8"))
DETECTOR = load_detector()
MAX_FALSE_ALARM_RATE = 0.03


def _typed(text: str) -> str:
    """How someone might type it: capital first letter, umlauts as ae/oe/ue, ß as ss, a full stop."""
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    return text[:1].upper() + text[1:] + "."


def _vosk(text: str) -> str:
    """How Vosk would give it: lower case, no punctuation."""
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch.isspace())


def test_case_file_is_big_enough_and_has_no_duplicates() -> None:
    everything = [t for name in ("acute", "concern", "at_most_concern", "none") for t in CASES[name]]
    assert len(everything) >= 250
    folded = [" ".join(_vosk(t).split()) for t in everything]
    duplicates = {t for t in folded if folded.count(t) > 1}
    assert not duplicates


@pytest.mark.parametrize("text", CASES["acute"])
def test_every_acute_case_is_acute(text: str) -> None:
    assert DETECTOR.assess(text) == "acute", DETECTOR.explain(text)


@pytest.mark.parametrize("text", CASES["acute"])
def test_acute_survives_typing_and_transcription(text: str) -> None:
    assert DETECTOR.assess(_typed(text)) == "acute"
    assert DETECTOR.assess(_vosk(text)) == "acute"
    assert DETECTOR.assess(text.upper()) == "acute"


@pytest.mark.parametrize("text", CASES["concern"])
def test_every_concern_case_is_at_least_concern(text: str) -> None:
    assert DETECTOR.assess(text) in ("concern", "acute"), DETECTOR.explain(text)


def test_concern_cases_are_mostly_not_escalated() -> None:
    """Indirect signs get the gentle question, not the crisis numbers (a few escalations are fine)."""
    escalated = [t for t in CASES["concern"] if DETECTOR.assess(t) == "acute"]
    assert len(escalated) <= len(CASES["concern"]) // 10, escalated


@pytest.mark.parametrize("text", CASES["at_most_concern"])
def test_idioms_with_a_dark_edge_are_never_acute(text: str) -> None:
    assert DETECTOR.assess(text) != "acute", DETECTOR.explain(text)


def test_false_alarm_rate_on_none_cases() -> None:
    alarms = [t for t in CASES["none"] if DETECTOR.assess(t) != "none"]
    rate = len(alarms) / len(CASES["none"])
    assert rate <= MAX_FALSE_ALARM_RATE, alarms


def test_everyday_utterances_of_the_nlu_cases_stay_calm() -> None:
    """An independent source: the NLU team's 1,900 everyday utterances (none of them a crisis)."""
    nlu_cases = Path(__file__).parent / "data" / "nlu" / "cases.jsonl"
    if not nlu_cases.is_file():
        pytest.skip("tests/data/nlu/cases.jsonl is not there")
    texts = [json.loads(line)["text"] for line in nlu_cases.read_text(encoding="utf-8").splitlines() if line.strip()]
    alarms = [t for t in texts if DETECTOR.assess(t) != "none"]
    assert len(alarms) <= len(texts) // 100, alarms


def test_the_assistants_own_sentences_are_never_acute() -> None:
    """Every prompt outside the crisis texts: explanations of depression must not read as a crisis."""
    from assistant.dialog.prompts import load_prompts
    from assistant.resources import prompts_dir

    book = load_prompts(prompts_dir())
    texts = [t for key in book.keys() if not key.startswith("safety.")
             for t in (*book[key].du, *book[key].sie)]
    assert len(texts) > 300
    acute = [t for t in texts if DETECTOR.assess(t) == "acute"]
    assert not acute


def test_known_misses_are_still_misses() -> None:
    """The known-misses list may only shrink: a case that now works moves to ``acute``."""
    fixed = [t for t in CASES.get("known_misses", []) if DETECTOR.assess(t) == "acute"]
    assert not fixed, f"now detected, move them to acute: {fixed}"


@pytest.mark.parametrize("text", CASES["none"])
def test_none_cases_stay_calm_when_typed(text: str) -> None:
    """Typing instead of speaking does not turn an everyday sentence into an alarm."""
    assert DETECTOR.assess(_typed(text)) == DETECTOR.assess(_vosk(text))


@pytest.mark.parametrize("pattern", [p for p in DETECTOR.rules.patterns if p.examples], ids=lambda p: p.id)
def test_every_pattern_example_reaches_its_level(pattern) -> None:
    for example in pattern.examples:
        hits = {hit.pattern for hit in DETECTOR.explain(example)}
        level = DETECTOR.assess(example)
        assert pattern.id in hits or level == pattern.level or level == "acute", (example, hits)


@pytest.mark.parametrize("idiom", DETECTOR.rules.idioms, ids=lambda p: p.id)
def test_every_idiom_example_is_calm(idiom) -> None:
    assert idiom.examples, f"idiom {idiom.id} needs examples"
    for example in idiom.examples:
        assert DETECTOR.assess(example) in ("none", "concern"), (example, DETECTOR.explain(example))


def test_negation_lowers_acute_to_concern_but_never_to_none() -> None:
    assert DETECTOR.assess("ich will mich umbringen") == "acute"
    assert DETECTOR.assess("ich will mich nicht umbringen") == "concern"
    assert DETECTOR.assess("ich habe keine suizidgedanken") == "concern"
    assert DETECTOR.assess("ich weiß nicht ob ich mich umbringen soll") == "acute"
    assert DETECTOR.assess("ich will nicht reden ich will sterben") == "acute"


def test_idiom_hides_only_its_own_words() -> None:
    assert DETECTOR.assess("ich lach mich tot") == "none"
    assert DETECTOR.assess("ich lach mich tot, aber ich will mich umbringen") == "acute"


def test_story_talk_stays_calm_but_first_person_does_not() -> None:
    assert DETECTOR.assess("im film springt er von der brücke") == "none"
    assert DETECTOR.assess("ich springe von der brücke wie im film") == "acute"


def test_empty_and_odd_input_is_none() -> None:
    for text in ("", "   ", "...", "?!", "1234", "\x00\x01", "ä ö ü ß", "🙂"):
        assert DETECTOR.assess(text) == "none"


def test_very_long_input_is_assessed_whole() -> None:
    calm = "heute war ich spazieren und habe einen kaffee getrunken " * 1800
    assert len(calm) > 100_000
    assert DETECTOR.assess(calm) == "none"
    assert DETECTOR.assess(calm + "ich will nicht mehr leben") == "acute"
    assert DETECTOR.assess("x" * 100_000) == "none"
    assert DETECTOR.assess("ich " + "a" * 100_000 + " will mich umbringen") == "acute"


def test_module_entry_point_loads_once() -> None:
    assert safety.assess("ich bring mich um") == "acute"
    assert safety.detector() is safety.detector()


# -- malformed data ---------------------------------------------------------------------------


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "safety"
    shutil.copytree(intents_dir() / "safety", folder)
    return folder


@pytest.mark.parametrize("file, old, new, key", [
    ("acute_thoughts.toml", 'seq = "@self @kill"', 'seq = "@self @nosuchclass"', "self_kill"),
    ("acute_thoughts.toml", 'id = "self_kill"', 'id = "self kill"', "pattern[0].id"),
    ("concern.toml", 'level = "concern"', 'level = "medium"', "level"),
    ("idioms.toml", "gap = 1", "gap = 9", "gap"),
    ("acute_thoughts.toml", "negatable = true", 'negatable = "ja"', "negatable"),
    ("lexicon.toml", "fuzzy_score = 86", "fuzzy_score = 20", "settings.fuzzy_score"),
    ("lexicon.toml", 'self = ["mich"', 'self = [1, "mich"', "classes.self"),
    ("acute_thoughts.toml", 'id = "want_kill"', 'id = "self_kill"', "self_kill"),
    ("lexicon.toml", 'nich = "nicht"', 'nich = "nicht mehr"', "aliases.nich"),
    ("lexicon.toml", "[aliases]", "aliases = 3\n[unused]", "aliases"),
])
def test_malformed_data_names_file_and_key(rules_copy: Path, file: str, old: str, new: str, key: str) -> None:
    path = rules_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_detector(rules_copy)
    assert file in str(caught.value) and key in str(caught.value)


def test_dialect_spellings_are_read_as_the_standard_word(rules_copy: Path) -> None:
    """"i bring mi um" is acute only through the aliases; without them it is not."""
    assert DETECTOR.assess("i bring mi um") == "acute"
    assert DETECTOR.assess("ich will nich mehr leben") == "acute"
    lexicon = rules_copy / "lexicon.toml"
    text = lexicon.read_text(encoding="utf-8")
    lexicon.write_text(text[:text.index("[aliases]")], encoding="utf-8")
    plain = load_detector(rules_copy)
    assert plain.assess("ich will nich mehr leben") == "none"


def test_broken_toml_and_missing_lexicon(rules_copy: Path) -> None:
    (rules_copy / "acute_wish.toml").write_text("level = [", encoding="utf-8")
    with pytest.raises(DataFileError, match="acute_wish.toml"):
        load_detector(rules_copy)
    (rules_copy / "lexicon.toml").unlink()
    with pytest.raises(DataFileError, match="lexicon.toml"):
        load_detector(rules_copy)


# -- through the real command line ------------------------------------------------------------


@pytest.mark.slow
def test_nlu_jsonl_carries_the_safety_level() -> None:
    picks = {"acute": CASES["acute"][::6], "concern": CASES["concern"][::6], "none": CASES["none"][::6]}
    lines = [(level, text) for level, texts in picks.items() for text in texts]
    proc = run_cli("nlu", "--jsonl", input="".join(text + "\n" for _, text in lines))
    assert proc.returncode == 0, proc.stderr
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(results) == len(lines)
    alarms = []
    for (level, text), result in zip(lines, results):
        assert result["text"] == text
        if level == "acute":
            assert result["safety"] == "acute" and result["intent"] == "crisis", result
        elif level == "concern":
            assert result["safety"] in ("concern", "acute"), result
        elif result["safety"] != "none":
            alarms.append(text)
    # The semantic layer (on in the product) may ask the kind question on a few ordinary lines:
    # its thresholds allow 1 % on all none cases (semantic_training.OWN_FALSE_ALARMS); on this
    # sample at most 2 %.
    assert len(alarms) <= len(picks["none"]) * 2 // 100, alarms
