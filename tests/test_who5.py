"""WHO-5: scoring against hand-computed cases, answer matching, when it is due, wording."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.dialog.prompts import load_prompts
from assistant.dialog.who5 import (ITEM_KEYS, AnswerMatcher, Who5Error, is_due, score,
                                   summary_lines)
from assistant.resources import prompts_dir

BOOK = load_prompts(prompts_dir())


@pytest.mark.parametrize(("answers", "raw", "percent", "low"), [
    ((5, 4, 3, 2, 1), 15, 60, False),   # 5+4+3+2+1
    ((2, 2, 2, 3, 3), 12, 48, True),    # just below the cut-off
    ((3, 3, 2, 2, 3), 13, 52, False),   # exactly at the cut-off: not low
    ((0, 0, 0, 0, 0), 0, 0, True),
    ((5, 5, 5, 5, 5), 25, 100, False),
    ((1, 0, 2, 1, 0), 4, 16, True),
])
def test_scores(answers, raw, percent, low) -> None:
    result = score(answers)
    assert (result.raw, result.percent, result.low) == (raw, percent, low)


@pytest.mark.parametrize("answers", [(1, 2, 3, 4), (1, 2, 3, 4, 5, 0), (6, 0, 0, 0, 0), (-1, 0, 0, 0, 0),
                                     (True, 0, 0, 0, 0), ("3", 0, 0, 0, 0)])
def test_invalid_answers_are_refused(answers) -> None:
    with pytest.raises(Who5Error):
        score(answers)


def test_low_score_suggests_a_doctor_or_therapist_gently() -> None:
    keys = [key for key, _ in summary_lines(score((1, 2, 2, 2, 1)), previous_raw=15)]
    assert keys == ["who5.summary", "who5.previous", "who5.low", "who5.not_a_diagnosis"]
    low_texts = " ".join(BOOK["who5.low"].du + BOOK["who5.low"].sie)
    assert "Arzt" in low_texts and "Therapeutin" in low_texts
    assert "!" not in low_texts  # no alarm
    ok_keys = [key for key, _ in summary_lines(score((4, 4, 3, 3, 4)))]
    assert ok_keys == ["who5.summary", "who5.ok", "who5.not_a_diagnosis"]


def test_summary_renders_raw_and_percent() -> None:
    key, data = summary_lines(score((4, 4, 3, 3, 4)))[0]
    assert "18 von 25 Punkten" in BOOK.render(key, "sie", 0, data)
    assert "72 Prozent" in BOOK.render(key, "du", 0, data)


@pytest.mark.parametrize(("said", "value"), [
    ("die ganze Zeit", 5), ("Meistens.", 4), ("ich würde sagen meistens", 4),
    ("etwas mehr als die hälfte der zeit", 3), ("etwas weniger als die haelfte der zeit", 2),
    ("weniger als die Hälfte", 2), ("ab und zu", 1), ("manchmal", 1),
    ("zu keinem zeitpunkt", 0), ("eigentlich nie", 0), ("null", 0), ("3", 3), ("fünf", 5),
    ("meistenz", 4), ("zu keinen zeitpunkt", 0),
])
def test_answer_matching(said: str, value: int) -> None:
    assert AnswerMatcher(BOOK).match(said) == value


@pytest.mark.parametrize("said", ["", "keine ahnung", "die hälfte der zeit vielleicht", "sieben"])
def test_unclear_answers_are_not_guessed(said: str) -> None:
    assert AnswerMatcher(BOOK).match(said) is None


def test_due_every_fourteen_days_and_pause_after_decline() -> None:
    today = date(2026, 11, 26)
    assert is_due(today, None)
    assert not is_due(today, date(2026, 11, 13))  # 13 days ago
    assert is_due(today, date(2026, 11, 12))      # 14 days ago
    assert not is_due(today, None, last_declined=date(2026, 11, 20))
    assert is_due(today, None, last_declined=date(2026, 11, 19))


def test_items_use_the_official_wording_and_the_source_is_named() -> None:
    statements = [BOOK[key].du[0] for key in ITEM_KEYS]
    assert all(text.startswith("In den letzten zwei Wochen ") for text in statements)
    assert "froh und guter Laune" in statements[0]
    assert "beim Aufwachen frisch und ausgeruht" in statements[3]
    reference = BOOK["who5.source"].attrs["reference"]
    assert "Frederiksborg" in reference and "Topp" in reference
    labels = [BOOK[f"who5.options.o{n}"].du[0] for n in range(6)]
    assert labels[0] == "zu keinem Zeitpunkt" and labels[5] == "die ganze Zeit"
