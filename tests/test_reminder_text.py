"""Reminder content in whole sentences, with the person's own article and the right capitals."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.dialog.prompts import load_prompts
from assistant.dialog.reminder_text import ReminderText, said_content, written
from assistant.dialog.wordlist import WORD_LIST, WordList
from assistant.resources import prompts_dir

BOOK = load_prompts(prompts_dir())
needs_words = pytest.mark.skipif(not WORD_LIST.exists(), reason="wngerman is not installed "
                                 "(scripts/ensure-system.sh installs it)")


@pytest.mark.parametrize(("what", "utterance", "said"), [
    ("arzttermin", "erinnere mich morgen an den arzttermin", "den arzttermin"),
    ("gießen", "erinner mi um 7 ans gießen", "das gießen"),
    ("meine tabletten", "erinnere mich an meine tabletten", "meine tabletten"),
    ("tabletten", "erinnere mich um neun an tabletten", "tabletten"),
    ("anna anrufen", "erinnere mich daran anna anzurufen", "anna anrufen"),
    ("spaziergang mit anna", "an den spaziergang mit anna", "den spaziergang mit anna"),
    ("therapie", "", "therapie"),
])
def test_the_article_said_before_the_content_is_kept(what: str, utterance: str, said: str) -> None:
    assert said_content(BOOK, what, utterance) == said


@needs_words
@pytest.mark.parametrize(("address", "said", "about", "remember", "shown"), [
    ("sie", "meine tabletten", "an Ihre Tabletten", "an Ihre Tabletten denken", "Ihre Tabletten"),
    ("du", "meine tabletten", "an deine Tabletten", "an deine Tabletten denken", "deine Tabletten"),
    ("du", "den arzttermin", "an den Arzttermin", "an den Arzttermin denken", "Arzttermin"),
    ("du", "das gießen", "ans Gießen", "ans Gießen denken", "Gießen"),
    ("du", "anna anrufen", "daran, dass du Anna anrufen willst", "Anna anrufen", "Anna anrufen"),
    ("sie", "meine schwester anrufen", "daran, dass Sie Ihre Schwester anrufen wollen",
     "Ihre Schwester anrufen", "Ihre Schwester anrufen"),
    ("sie", "mich bei anna melden", "daran, dass Sie sich bei Anna melden wollen", "sich bei Anna melden",
     "sich bei Anna melden"),
    ("du", "den müll rausbringen", "daran, dass du den Müll rausbringen willst", "den Müll rausbringen",
     "den Müll rausbringen"),
    ("du", "arzttermin", "an „Arzttermin“", "an „Arzttermin“ denken", "Arzttermin"),
    ("sie", "tabletten", "an „Tabletten“", "an „Tabletten“ denken", "Tabletten"),
])
def test_content_reads_as_part_of_a_sentence(address: str, said: str, about: str, remember: str,
                                             shown: str) -> None:
    text = ReminderText(BOOK, address)
    assert (text.about(said), text.remember(said), text.shown(said)) == (about, remember, shown)


@needs_words
def test_whole_sentences_in_every_address_form() -> None:
    confirm = ReminderText(BOOK, "sie").about("meine tabletten")
    line = BOOK.render("reminders.confirm", "sie", 0, {"when": "Morgen um 9 Uhr", "about": confirm, "what": ""})
    assert line == "Morgen um 9 Uhr erinnere ich Sie an Ihre Tabletten. Passt das?"
    due = BOOK.render("reminders.due", "du", 0, {"remember": ReminderText(BOOK, "du").remember("anna anrufen"),
                                                 "what": ""})
    assert due.startswith("Es ist so weit: Du wolltest Anna anrufen.")


@needs_words
def test_nouns_get_their_capital_letter_and_other_words_stay() -> None:
    words = WordList()
    assert [words.spelled(w) for w in ["tabletten", "arzttermin", "anna", "mit", "nehmen", "schnell"]] == \
        ["Tabletten", "Arzttermin", "Anna", "mit", "nehmen", "schnell"]
    assert written("meine tabletten nehmen") == "Meine Tabletten nehmen"
    assert written("Treffen mit Anna") == "Treffen mit Anna"  # typed capitals are the person's own


def test_without_a_word_list_every_word_stays_as_said(tmp_path: Path) -> None:
    words = WordList(tmp_path / "missing")
    assert not words.available and words.spelled("tabletten") == "tabletten"
    text = ReminderText(BOOK, "du", words)
    assert text.about("meine tabletten") == "an deine tabletten"  # a thing: the article was said
    assert text.about("tabletten nehmen") == "an „Tabletten nehmen“"  # no verbs known: a note
