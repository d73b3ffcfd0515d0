"""Validator for intents/*.toml: coverage, no shared phrases, clear errors for broken files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.errors import DataFileError
from assistant.nlu.phrases import load_intents
from assistant.resources import intents_dir
from tests.helpers_nlu import ROOT, load_cases

DESIGN_INTENTS = {
    "stop", "repeat", "help", "later", "slower", "faster", "louder", "quieter",
    "greeting", "goodbye", "thanks",
    "checkin", "exercise", "suggest_step", "done", "reminder_set", "reminder_list", "reminder_cancel",
    "progress", "learn", "support", "forget_data", "feeling",
    "yes", "no", "scale_answer", "skip", "next", "answer", "crisis",
}
WITHOUT_PHRASES = {"answer", "crisis"}
"""answer: whatever free text is left; crisis: set by the safety detector (intents/safety/)."""
TOPICS = {"exercise": {"self_acceptance", "weekly_goal", "own_rhythm", "needs", "thought_journal",
                       "bright_moment", "self_care_limits", "shared_hobby"},
          "learn": {"protection", "shame", "exhaustion", "vicious_circle", "connection", "resilience", "depression"}}


def test_design_table_matches_our_list() -> None:
    design = ROOT.parent / "shared" / "DESIGN.md"
    if not design.is_file():
        pytest.skip("shared/DESIGN.md is not beside the checkout")
    text = design.read_text(encoding="utf-8")
    table = text[text.index("### Intents"):text.index("Slots:")]
    named = {n for n in re.findall(r"`([a-z_]+)`", table)} - {"safety", "acute", "free_text", "skip_", "none"}
    assert DESIGN_INTENTS <= named | {"crisis"}
    assert named - {"free_text", "acute", "safety"} <= DESIGN_INTENTS


def test_every_intent_has_phrases_and_cases() -> None:
    book = load_intents(intents_dir())
    assert set(book.intents) == DESIGN_INTENTS - WITHOUT_PHRASES
    for intent in book.intents.values():
        assert intent.phrases, f"{intent.name} has no phrases"
    tested = {c.intent for c in load_cases()}
    assert DESIGN_INTENTS - {"crisis"} <= tested, DESIGN_INTENTS - tested


def test_topic_ids_are_exactly_the_content_ids() -> None:
    book = load_intents(intents_dir())
    for intent, ids in TOPICS.items():
        assert set(book.intents[intent].topics.values()) == ids


def test_scale_values_cover_zero_to_ten() -> None:
    values = set(load_intents(intents_dir()).intents["scale_answer"].values.values())
    assert values == set(range(11))


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_a_phrase_claimed_by_two_intents_is_an_error(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"a.toml": '[yes]\nphrases = ["(ja|klar)"]\n',
                                "b.toml": '[no]\nphrases = ["nein", "klar"]\n'})
    with pytest.raises(DataFileError) as error:
        load_intents(folder)
    assert "klar" in str(error.value) and "yes" in str(error.value) and "b.toml" in str(error.value)


def test_ignore_words_count_when_comparing_phrases(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"_rules.toml": '[lexicon]\nignore = ["bitte"]\n',
                                "a.toml": '[yes]\nphrases = ["ja bitte"]\n[no]\nphrases = ["ja"]\n'})
    with pytest.raises(DataFileError, match="„ja“"):
        load_intents(folder)


@pytest.mark.parametrize("text, key, problem", [
    ('[stop]\nphrases = ["(halt|stopp"]\n', "stop.phrases", "nicht mit „)“ geschlossen"),
    ('[stop]\nphrases = ["halt)"]\n', "stop.phrases", "ohne öffnende Klammer"),
    ('[stop]\nphrases = ["(halt||stopp)"]\n', "stop.phrases", "leere Alternative"),
    ('[stop]\nphrases = ["<gibtsnicht> auf"]\n', "stop.phrases", "unbekannte Regel"),
    ('[stop]\ncues = ["[halt"]\n', "stop.cues", "geschlossen"),
    ('[stop]\nphrases = ["(a|b) (a|b) (a|b) (a|b) (a|b) (a|b) (a|b) (a|b) (a|b) (a|b) (a|b) (a|b)"]\n',
     "stop.phrases", "mehr als"),
    ('[stop]\nphrases = "halt"\n', "stop.phrases", "Liste"),
    ('[stop]\nphrases = [""]\n', "stop.phrases", "Liste"),
    ('[stop]\nphrase = ["halt"]\n', "stop.phrase", "unbekannter Schlüssel"),
    ('[stop]\npriority = 1\n', "stop", "braucht"),
    ('[scale_answer]\nphrases = ["x"]\n[scale_answer.values]\n"11" = ["top"]\n', "scale_answer.values.11", "0 bis 10"),
    ("stop = 3\n", "stop", "Tabelle"),
])
def test_broken_templates_name_file_and_key(tmp_path: Path, text: str, key: str, problem: str) -> None:
    folder = _folder(tmp_path, {"broken.toml": text})
    with pytest.raises(DataFileError) as error:
        load_intents(folder)
    assert error.value.key == key
    assert error.value.path.endswith("broken.toml")
    assert problem in str(error.value)


def test_broken_rule_and_toml_files(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"_rules.toml": '[rules]\nx = "(a|"\n', "a.toml": '[yes]\nphrases = ["ja"]\n'})
    with pytest.raises(DataFileError, match="rules.x"):
        load_intents(folder)
    folder = _folder(tmp_path / "t", {"a.toml": "[yes\nphrases = 1"})
    with pytest.raises(DataFileError, match="kein gültiges TOML"):
        load_intents(folder)
    (tmp_path / "u").mkdir()
    (tmp_path / "u" / "a.toml").write_bytes(b'[yes]\nphrases = ["\xff"]\n')
    with pytest.raises(DataFileError, match="UTF-8"):
        load_intents(tmp_path / "u")


def test_variants_must_map_words_to_text(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"_rules.toml": '[lexicon.variants]\nned = 1\n', "a.toml": '[yes]\nphrases = ["ja"]\n'})
    with pytest.raises(DataFileError, match="lexicon.variants"):
        load_intents(folder)


def test_variants_apply_to_phrases_too(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"_rules.toml": '[lexicon.variants]\nned = "nicht"\n',
                                "a.toml": '[no]\nphrases = ["ned"]\n[later]\nphrases = ["nicht jetzt"]\n'})
    book = load_intents(folder)
    assert book.intents["no"].phrases == ("nicht",)
    assert book.variants == {"ned": ("nicht",)}


def test_self_referencing_rule_is_an_error(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"_rules.toml": '[rules]\nx = "a <x>"\n', "a.toml": '[yes]\nphrases = ["<x>"]\n'})
    with pytest.raises(DataFileError, match="verweist auf sich selbst"):
        load_intents(folder)


def test_only_top_level_files_are_read(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"a.toml": '[yes]\nphrases = ["ja"]\n',
                                "safety/acute.toml": "this is [[[ not toml and not ours"})
    assert set(load_intents(folder).intents) == {"yes"}


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="keine Intent-Dateien"):
        load_intents(tmp_path)
