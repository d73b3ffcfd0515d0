"""Reminder content in whole sentences: "an Ihre Tabletten", "daran, dass du Anna anrufen willst".

The ``what`` slot is the content without its frame ("meine tabletten", "arzttermin",
"anna anrufen"); the article the person said before it ("an den arzttermin") is taken
back from the utterance (:func:`said_content`) and kept with the reminder (``said``).
Content is one of three kinds:

- ``thing``: a noun phrase with its article or possessive ("den arzttermin") -> "an den Arzttermin";
- ``deed``: something to do, ending in an infinitive ("anna anrufen") -> "dass du Anna anrufen willst";
- ``note``: anything else, a bare word included ("arzttermin") -> "an „Arzttermin“": we do not
  guess an article the person did not say.

First person becomes second ("meine" -> "deine"/"Ihre"; in a deed "mich" -> "dich"/"sich"),
and nouns get their capital letter from the system word list (:mod:`assistant.dialog.wordlist`).
All words come from ``prompts_de/reminders.toml`` (``own_words``, ``content.*``).
"""

from __future__ import annotations

import re

from assistant.dialog.prompts import PromptBook
from assistant.dialog.wordlist import WordList, default_word_list

CONTENT = "reminders.content"
_TOKEN = re.compile(r"[\wäöüß]+", re.IGNORECASE)


def said_content(prompts: PromptBook, what: str, utterance: str) -> str:
    """``what`` with the article the person said just before it ("den arzttermin"), if any."""
    attrs = prompts[f"{CONTENT}.words"].attrs
    articles = set(attrs["articles"])
    contracted = dict(zip(attrs["contracted"][::2], attrs["contracted"][1::2]))
    words = what.split()
    if not words or words[0].lower() in articles:
        return what
    heard = [token.lower() for token in _TOKEN.findall(utterance)]
    first = words[0].lower()
    for index in range(1, len(heard)):
        if heard[index] == first and heard[index - 1] in articles | contracted.keys():
            article = contracted.get(heard[index - 1], heard[index - 1])
            return f"{article} {what}"
    return what


def written(what: str, words: WordList | None = None) -> str:
    """The content as stored and exported, in the person's own words: "Meine Tabletten"."""
    words = words or default_word_list()
    text = " ".join(words.spelled(word) if word.islower() else word for word in what.split())
    return text[:1].upper() + text[1:]


class ReminderText:
    """The content of one reminder in the phrases the prompts need, in one address form."""

    def __init__(self, prompts: PromptBook, address: str, words: WordList | None = None) -> None:
        self.prompts = prompts
        self.address = address
        self.words = words or default_word_list()
        own = prompts["reminders.own_words"].attrs
        second = own["second_sie" if address == "sie" else "second_du"]
        self._swap = dict(zip(own["first"], second))
        self._reflexive = dict(zip(own["reflexive_first"], own[f"reflexive_{address}"]))
        self._articles = set(prompts[f"{CONTENT}.words"].attrs["articles"])
        self._possessives = set(own["first"])

    def kind(self, said: str) -> str:
        """``thing``, ``deed`` or ``note`` (see the module docstring)."""
        words = said.lower().split()
        if not words:
            return "note"
        if self.words.is_infinitive(words[-1]) and not (words[0] in self._articles and len(words) == 2):
            return "deed"  # "anna anrufen"; but "das gießen" is a thing (a verb made a noun)
        return "thing" if words[0] in self._articles else "note"

    def _second_person(self, said: str, kind: str) -> list[str]:
        out: list[str] = []
        for word in said.split():
            lower = word.lower()
            after_article = bool(out) and out[-1].lower() in self._articles | set(self._swap.values())
            if kind == "deed" and lower in self._reflexive:
                out.append(self._reflexive[lower])
            elif lower in self._swap:
                out.append(self._swap[lower])
            elif word.islower() and kind == "thing" and after_article and self.words.is_infinitive(word):
                out.append(word[:1].upper() + word[1:])  # "das gießen" -> "das Gießen"
            else:
                out.append(self.words.spelled(word) if word.islower() else word)
        return out

    def shown(self, said: str) -> str:
        """The content alone, inside a sentence ("Nummer 2: morgen um 9 Uhr, deine Tabletten."):
        "deine Tabletten", "Anna anrufen", "Arzttermin" (an article of the person's is left out)."""
        kind = self.kind(said)
        words = self._second_person(said, kind)
        if kind == "thing" and len(words) > 1 and words[0].lower() in self._articles - self._possessives:
            words = words[1:]
        return " ".join(words)

    def _phrase(self, name: str, said: str) -> str:
        kind = self.kind(said)
        words = " ".join(self._second_person(said, kind))
        if kind == "note":
            words = words[:1].upper() + words[1:]
        key = f"{CONTENT}.{name}_{kind}"
        text = self.prompts.render(key, self.address, 0, {"words": words})
        contract = self.prompts[key].attrs.get("contract", ())
        for long, short in zip(contract[::2], contract[1::2]):
            text = text.replace(long, short)
        return text

    def about(self, said: str) -> str:
        """After "erinnere ich dich": "an deine Tabletten", "daran, dass du Anna anrufen willst"."""
        return self._phrase("about", said)

    def remember(self, said: str) -> str:
        """After "du wolltest": "an deine Tabletten denken", "Anna anrufen"."""
        return self._phrase("remember", said)
