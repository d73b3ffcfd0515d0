"""The crisis texts in prompts_de/safety.toml: complete for every country and address form,
with exactly the right numbers, spoken group by group (slowly: digit by digit) by the real espeak-ng."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from assistant.dialog.prompts import ADDRESS_FORMS, load_prompts
from assistant.resources import prompts_dir
from assistant.speech.spoken import speech_text
from assistant.store.records import SafetyPlan

BOOK = load_prompts(prompts_dir())
COUNTRIES = ("DE", "AT", "CH")
OFFICIAL = {
    # The numbers DESIGN.md names, per country (verified before shipping).
    "DE": ["08001110111", "08001110222", "116123", "116117", "112"],
    "AT": ["142", "144"],
    "CH": ["143", "144"],
}
EMERGENCY = {"DE": "112", "AT": "144", "CH": "144"}
CRISIS_LINE_NAME = {"DE": "TelefonSeelsorge", "AT": "TelefonSeelsorge", "CH": "Dargebotene"}
_NUMBER = re.compile(r"\d(?:[\s–.]*\d)*")
FORMS = [(country, form) for country in COUNTRIES for form in ADDRESS_FORMS]


def _numbers(text: str) -> list[str]:
    """Every phone number in a text, digits only, in order (groups may be split by spaces, dashes, stops)."""
    return [re.sub(r"\D", "", match) for match in _NUMBER.findall(text)]


def _texts(key: str, form: str) -> tuple[str, ...]:
    return BOOK[f"safety.{key}"].variants(form)


@pytest.mark.parametrize("country, form", FORMS)
def test_lines_have_exactly_the_official_numbers(country: str, form: str) -> None:
    for kind in ("lines", "slow"):
        prompt = BOOK[f"safety.{kind}_{country}"]
        assert [re.sub(r"\D", "", d) for d in prompt.attrs["display"]] == OFFICIAL[country]
        assert prompt.attrs["emergency"] == EMERGENCY[country]
        for text in prompt.variants(form):
            assert _numbers(text) == OFFICIAL[country], text


@pytest.mark.parametrize("country, form", FORMS)
def test_lines_say_who_when_and_what_to_do_in_danger(country: str, form: str) -> None:
    for text in _texts(f"lines_{country}", form):
        assert CRISIS_LINE_NAME[country] in text
        assert "Tag und Nacht" in text
        danger = next(s for s in re.split(r"(?<=[.!?])\s+", text) if "Gefahr" in s)
        assert _numbers(danger) == [EMERGENCY[country]]
        if country == "DE":
            assert "kostenlos" in text and "Bereitschaftsdienst" in text


@pytest.mark.parametrize("form", ADDRESS_FORMS)
def test_acute_response_is_calm_and_complete(form: str) -> None:
    for text in _texts("acute", form):
        assert "allein" in text and "?" not in text
        assert not _numbers(text)
    assert any("langsam" in t and t.endswith("?") for t in _texts("offer_repeat", form))
    assert all("da" in t.split() or "bei" in t.split() for t in _texts("stay", form))
    you = {"du": ("du", "dir", "dich"), "sie": ("Sie", "Ihnen")}[form]
    for key in ("acute", "offer_repeat", "stay", "concern_ask", "concern_no"):
        for text in _texts(key, form):
            assert any(re.search(rf"\b{word}\b", text) for word in you), (key, text)


@pytest.mark.parametrize("form", ADDRESS_FORMS)
def test_concern_question_is_direct(form: str) -> None:
    for text in _texts("concern_ask", form):
        assert text.endswith("?") and text.count("?") == 1
        assert "Leben zu nehmen" in text


@pytest.mark.parametrize("form", ADDRESS_FORMS)
def test_safety_plan_has_every_part(form: str) -> None:
    for part in SafetyPlan.PARTS:
        for kind in ("ask", "readback"):
            assert BOOK[f"safety.plan.{kind}_{part}"].variants(form)
        assert BOOK[f"safety.plan.ask_{part}"].attrs.get("words"), part
        assert BOOK[f"safety.plan.readback_{part}"].placeholders == {"items"}


def test_short_sentences_and_one_question_per_prompt() -> None:
    for prompt in BOOK.under("safety"):
        if prompt.key.startswith("safety.slow_"):
            continue  # digits spoken one by one: long, but each group is short
        for text in (*prompt.du, *prompt.sie):
            assert text.count("?") <= 1, (prompt.key, text)
            for sentence in re.split(r"(?<=[.!?])\s+", text):
                words = [w for w in sentence.split() if not re.fullmatch(r"[\d–]+", w)]
                assert len(words) <= 20, (prompt.key, sentence)


@pytest.mark.parametrize("country, form", FORMS)
def test_numbers_are_shown_as_people_write_them(country: str, form: str) -> None:
    for key in (f"lines_{country}", f"slow_{country}", f"number_{country}"):
        for text in BOOK[f"safety.{key}"].variants(form):
            written = [match.strip(" .") for match in _NUMBER.findall(text)]
            assert written and all(number in BOOK[f"safety.lines_{country}"].attrs["display"]
                                   for number in written), text  # "0800 111 0 111", never "0 8 0 0" or dashes


@pytest.mark.parametrize("country", COUNTRIES)
def test_espeak_speaks_the_numbers_digit_by_digit(country: str) -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (scripts/ensure-system.sh installs it)")
    for key in (f"lines_{country}", f"slow_{country}", f"number_{country}"):
        for form in ADDRESS_FORMS:
            spoken = speech_text(BOOK[f"safety.{key}"].variants(form)[0])
            assert re.findall(r"\d", spoken) == re.findall(r"\d", BOOK[f"safety.{key}"].variants(form)[0])  # no digit lost
            proc = subprocess.run(["espeak-ng", "-v", "de", "-q", "-x", spoken], capture_output=True,
                                  text=True, timeout=30, check=True)
            phonemes = proc.stdout
            assert "'aIns" in phonemes or "f'i:r" in phonemes, key
            for big in ("t'aUz@nt", "h'Und3t", "ts'Ent", "'Elf", "tsv'Wlf"):  # never "hundertelf", "tausend"
                assert big not in phonemes, (key, big)
