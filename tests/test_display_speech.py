"""Every prompt in prompts_de/, rendered with data filled in, for the screen and for the voice.

Shown text is written for reading ("0800 111 0 111", "12:10 Uhr", "zwei Erinnerungen");
the speech side (assistant/speech/spoken.py) makes what espeak-ng says. The real espeak-ng
checks the spoken side: no number may come out as thousands, no time with "Uhr" twice.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime

import pytest

from assistant.dialog.context import shown_data
from assistant.dialog.prompts import ADDRESS_FORMS, load_prompts
from assistant.dialog.timephrase import TimePhrases
from assistant.resources import prompts_dir
from assistant.speech.spoken import SpeechText, speech_text

BOOK = load_prompts(prompts_dir())
NOW = datetime(2026, 11, 26, 8, 0)  # a Thursday
TIMES = [datetime(2026, 11, 26, 12, 10), datetime(2026, 11, 27, 19, 30), datetime(2026, 11, 26, 21, 15),
         datetime(2026, 11, 30, 9, 0), datetime(2026, 12, 24, 13, 7), datetime(2026, 11, 28, 1, 0),
         datetime(2026, 11, 26, 23, 45)]
SAMPLES: dict[str, list[object]] = {
    "count": [2, 7, 12, 15], "number": [1, 3], "previous": [52], "percent": [64], "raw": [16],
    "minutes": [10, 30], "day": [24], "month": ["Dezember"], "weekday": ["Freitag"],
    "what": ["Deine Tabletten", "Anna anrufen"], "label": ["kurz spazieren gehen"],
    "title": ["Kleine Schritte"], "items": ["Anna, mein Bruder"], "option": ["eine Erinnerung"],
    "value": [6], "part": ["Morgen"], "wake": ["Hallo Begleiter"],
}
"""Values for the placeholders of the dialogue; the rest (doctor, data) get a plain word."""


def _data(names: frozenset[str], round_: int, address: str) -> dict[str, object]:
    phrases = TimePhrases(BOOK, address)
    moment = TIMES[round_ % len(TIMES)]
    data: dict[str, object] = {}
    for name in names:
        if name == "when":
            data[name] = phrases.when(moment, NOW)
        elif name == "time":
            data[name] = phrases.clock(moment)
        elif name == "hour":
            data[name] = moment.hour
        elif name == "minute":
            data[name] = f"{moment.minute:02d}"
        else:
            values = SAMPLES.get(name, ["Wert"])
            data[name] = values[round_ % len(values)]
    return data


def _rendered() -> list[tuple[str, str, object]]:
    """(key, shown text, the count filled in) for every variant, address form and time sample."""
    out = []
    for key in BOOK.keys():
        prompt = BOOK[key]
        for address in ADDRESS_FORMS:
            for index, _ in enumerate(prompt.variants(address)):
                rounds = len(TIMES) if prompt.placeholders & {"when", "time", "hour"} else 1
                rounds = max(rounds, 4 if "count" in prompt.placeholders else 1)
                for round_ in range(rounds):
                    data = _data(prompt.placeholders, round_, address)
                    text = BOOK.render(key, address, index, shown_data(BOOK, address, data))
                    out.append((key, text, data.get("count")))
    return out


RENDERED = _rendered()
DIALOGUE = [(key, text, count) for key, text, count in RENDERED
            if not key.startswith(("doctor.", "data.", "chart.", "numbers.", "speech.spoken."))]
SHOWN = [(key, text, count) for key, text, count in RENDERED if not key.startswith("speech.spoken.")]
"""The speech side's own fragments are speech text, never shown."""


def test_every_prompt_was_rendered() -> None:
    assert {key for key, _, _ in RENDERED} == set(BOOK.keys())
    assert len(RENDERED) > 2 * len(BOOK)


def test_shown_text_has_no_dashed_digits_and_no_uhr_between_hours_and_minutes() -> None:
    for key, text, _ in SHOWN:
        assert not re.search(r"\d\s*–\s*\d", text), (key, text)
        assert not re.search(r"\d+ Uhr \d", text), (key, text)
        assert not re.search(r"\b\d \d \d\b", text), (key, text)  # phone numbers in groups, not digit by digit


def test_shown_counts_up_to_twelve_are_words() -> None:
    counted = [(key, text, count) for key, text, count in DIALOGUE if isinstance(count, int)]
    assert counted
    for key, text, count in counted:
        assert (str(count) in text) == (count > 12), (key, text)
    assert "zwei Erinnerungen" in BOOK.render("reminders.list_many", "du", 0, shown_data(BOOK, "du", {"count": 2}))


def test_spoken_times_are_said_as_people_say_them() -> None:
    phrases = TimePhrases(BOOK)
    said = {moment.strftime("%H:%M"): speech_text(phrases.clock(moment)) for moment in TIMES}
    assert said == {"12:10": "10 nach 12 mittags", "19:30": "halb 8 abends", "21:15": "Viertel nach 9 abends",
                    "09:00": "9 Uhr", "13:07": "13 Uhr 7", "01:00": "ein Uhr", "23:45": "Viertel vor 12 nachts"}
    assert speech_text("Heute Abend um 19:30 Uhr.") == "Heute Abend um halb 8."  # the part of the day once


def test_spoken_phone_numbers_go_digit_by_digit_and_dictated_after_a_colon() -> None:
    speech = SpeechText.from_book(BOOK)
    assert speech.render("Die Nummer ist 0800 111 0 111.") == "Die Nummer ist 0 8 0 0, 1 1 1, 0, 1 1 1."
    assert speech.render("Ruf die 112 an.") == "Ruf die 1 1 2 an."
    assert speech.render("Der Notruf: 116 117.") == "Der Notruf: 1 1 6. 1 1 7."
    assert speech.render("Du hast 52 Punkte.") == "Du hast 52 Punkte."  # not a phone number
    assert speech.render("Unter 116 117, ohne Vorwahl.") == "Unter 1 1 6, 1 1 7, ohne Vorwahl."
    assert speech.render("Es sind 1,5 und 2.5 Stunden, um 19:30 Uhr.") == "Es sind 1,5 und 2.5 Stunden, um halb 8 abends."
    assert SpeechText(BOOK).render("Ruf die 112 an.") == "Ruf die 112 an."  # only numbers it was given


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_espeak_never_reads_a_spoken_number_as_thousands() -> None:
    spoken = sorted({speech_text(text) for _, text, _ in DIALOGUE if re.search(r"\d", text)})
    assert len(spoken) > 50
    proc = subprocess.run(["espeak-ng", "-v", "de", "-q", "-x", "--stdin"], input="\n\n".join(spoken),
                          capture_output=True, text=True, timeout=120, check=True)
    bad = []
    if "t'aUz@nt" in proc.stdout:  # one call for all; find the culprits only when there are some
        bad = [text for text in spoken if "t'aUz@nt" in subprocess.run(
            ["espeak-ng", "-v", "de", "-q", "-x", text], capture_output=True, text=True, timeout=30).stdout]
    assert not bad, bad
    for text in spoken:
        assert not re.search(r"\d:\d|Uhr \d+ Uhr", text), text  # espeak says "19:30 Uhr" as "... Uhr dreißig Uhr"
