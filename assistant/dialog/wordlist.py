"""German spelling from the system's word list (Debian's ``wngerman``: /usr/share/dict/ngerman).

Recognised speech is lower case ("meine tabletten"); text shown on screen should read
"Meine Tabletten". The word list knows how every common word is written: a word found
only with a capital letter is a noun (or a name), a word found in lower case is not.
Compounds the list lacks ("arzttermin") are judged by their last part ("Termin").

The file (4.7 MB) is read once, on first use, and searched as text (a few microseconds
per word); without it every word stays as the person said it.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

log = logging.getLogger(__name__)

WORD_LIST = Path("/usr/share/dict/ngerman")
MIN_PART = 4
"""The shortest last part of a compound that counts ("Termin" in "arzttermin")."""


class WordList:
    """Which spellings of a word exist."""

    def __init__(self, path: Path = WORD_LIST) -> None:
        self.path = path
        self._text: str | None = None
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return bool(self._words())

    def _words(self) -> str:
        with self._lock:
            if self._text is None:
                try:
                    self._text = "\n" + self.path.read_text(encoding="utf-8") + "\n"
                except (OSError, UnicodeDecodeError) as error:
                    log.warning("word list %s not readable (%s): words stay as heard", self.path, error)
                    self._text = ""
            return self._text

    def _has(self, spelling: str) -> bool:
        return f"\n{spelling}\n" in self._words()

    def is_noun(self, word: str) -> bool:
        """Written with a capital letter only (a noun or a name), or a compound ending in one."""
        lower = word.lower()
        if not lower.isalpha():
            return False
        if self._has(lower):
            return False
        if self._has(lower[:1].upper() + lower[1:]):
            return True
        for start in range(1, len(lower) - MIN_PART + 1):
            part = lower[start:]
            if self._has(part[:1].upper() + part[1:]) and not self._has(part):
                return True
            if self._has(part):
                return False
        return False

    def is_infinitive(self, word: str) -> bool:
        """A verb's infinitive as the list writes it ("anrufen", "rausbringen" by its last part)."""
        lower = word.lower()
        if not lower.isalpha() or not lower.endswith(("en", "ern", "eln")) or self.is_noun(lower):
            return False
        if self._has(lower):
            return True
        return any(self._has(lower[start:]) for start in range(1, len(lower) - MIN_PART + 1))

    def spelled(self, word: str) -> str:
        """``word`` with a capital first letter when it is a noun, else as it was said."""
        return word[:1].upper() + word[1:] if self.is_noun(word) else word


_DEFAULT: WordList | None = None


def default_word_list() -> WordList:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = WordList()
    return _DEFAULT
