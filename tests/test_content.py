"""Checks for the German content derived from the article.

Covers prompts_de/steps.toml, exercises.toml, learn.toml and support.toml:
fixed ids, counts, turn structure, article sections, spoken style (sentence
length, no clinical words, nothing espeak-ng would read oddly), du/Sie
consistency and a copy check against the article (no 8-word sequence taken
over verbatim).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from assistant.dialog.prompts import Prompt, PromptBook, load_prompts

ROOT = Path(__file__).resolve().parent.parent
PROMPTS = ROOT / "prompts_de"
ARTICLE_CANDIDATES = (
    Path(__file__).resolve().parents[2] / "shared" / "article_de.txt",
    Path("/work/shared/article_de.txt"),
)
CONTENT_FILES = ("steps", "exercises", "learn", "support")
EXERCISE_IDS = ("self_acceptance", "weekly_goal", "own_rhythm", "needs", "thought_journal",
                "bright_moment", "self_care_limits", "shared_hobby")
LEARN_IDS = ("protection", "shame", "exhaustion", "vicious_circle", "connection", "resilience", "depression")
SUPPORT_IDS = ("therapy", "group_therapy", "self_help", "online")
ENERGIES = ("low", "medium", "high")
EXPECT_KINDS = ("free_text", "yes_no", "scale")

MAX_WORDS = 20
COPY_NGRAM = 8
FORBIDDEN_WORDS = ("symptom", "depressiv", "depression", "intervention", "kognition", "kognitiv",
                   "diagnose", "diagnos", "störung", "patient", "pathologisch", "therapieresistent",
                   "resilienz", "antriebslosigkeit", "episode", "rückfall", "psychisch krank")
# Written forms espeak-ng reads badly or that do not belong in spoken text.
ABBREVIATIONS = ("z. B.", "z.B.", "bzw.", "usw.", "ca.", "d. h.", "evtl.", "ggf.", "u. a.", "etc.")
ALLOWED_PUNCTUATION = set(" .,?!:;-")
PHONE_NUMBERS = ("116 117",)
DU_WORDS = re.compile(r"\b(du|dich|dir|dein|deine|deinen|deinem|deiner|deines)\b", re.IGNORECASE)
DU_VERBS = re.compile(r"\b(magst|kannst|möchtest|willst|hast|bist|darfst|sollst|musst|weißt|brauchst|"
                      r"findest|denkst|fühlst|merkst|sagst|schreibst|gibst|nimmst|gehst|siehst|"
                      r"spürst|würdest|könntest|wünschst|erinnerst|wolltest|hattest|warst)\b", re.IGNORECASE)
REFLEXIVE = re.compile(r"\b(sich|mich|mir|uns)\b", re.IGNORECASE)
SIE_WORDS = re.compile(r"\b(Sie|Ihnen|Ihr|Ihre|Ihren|Ihrem|Ihrer|Ihres)\b")


def _article_path() -> Path | None:
    return next((path for path in ARTICLE_CANDIDATES if path.is_file()), None)


@pytest.fixture(scope="module")
def article() -> str:
    path = _article_path()
    if path is None:
        pytest.skip("article_de.txt not found next to the repository (../shared) or in /work/shared")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def book() -> PromptBook:
    return load_prompts(PROMPTS)


def _items(book: PromptBook) -> list[Prompt]:
    return [prompt for name in CONTENT_FILES for prompt in book.under(name)]


def _texts(book: PromptBook) -> list[tuple[str, str, str]]:
    """(key, form, text) for every variant of every content prompt."""
    return [(p.key, form, text) for p in _items(book) for form in ("du", "sie") for text in p.variants(form)]


def _words(text: str) -> list[str]:
    return re.findall(r"[\wäöüß]+", text.lower())


def _sentences(text: str) -> list[str]:
    return [part for part in re.split(r"(?<=[.!?:])\s+", text.strip()) if part]


ARTICLE_END = "Das könnte Ihnen auch gefallen"   # web page footer after the article


def _headings(article_text: str) -> set[str]:
    """Heading lines: short lines that do not end like a sentence (byline and footer excluded)."""
    body = article_text.split(ARTICLE_END)[0]
    lines = (line.strip() for line in body.splitlines())
    return {line for line in lines
            if line and not line.endswith((".", "!", "?")) and len(line.split()) <= 12
            and not line.startswith("by ")}


def _ngrams(words: list[str], size: int) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + size]) for i in range(len(words) - size + 1)}


# ------------------------------------------------------------------ structure

def test_all_content_files_present_and_loadable(book: PromptBook) -> None:
    for name in CONTENT_FILES:
        assert (PROMPTS / f"{name}.toml").is_file(), name
        assert book.under(name), f"{name}.toml holds no prompts"


def test_steps_count_and_energy_levels(book: PromptBook) -> None:
    steps = book.under("steps")
    energies = Counter(step.attrs.get("energy") for step in steps)
    assert len(steps) >= 30
    assert set(energies) <= set(ENERGIES), energies
    for level in ENERGIES:
        assert energies[level] >= 10, f"only {energies[level]} {level}-energy steps"


def test_step_labels_are_neutral_infinitive_phrases(book: PromptBook) -> None:
    for step in book.under("steps"):
        label = step.attrs.get("label")
        assert isinstance(label, str) and label, step.key
        assert label[0].islower(), f"{step.key}: label should start lower case"
        assert not DU_WORDS.search(label) and not SIE_WORDS.search(label), f"{step.key}: label not neutral"
        main_clause = label.split(",")[0]
        # "Du wolltest {label}" / "Sie wollten {label}": a reflexive pronoun would not fit the address form.
        assert not REFLEXIVE.search(main_clause), f"{step.key}: reflexive pronoun in label {label!r}"
        assert re.search(r"(en|n)$", main_clause), f"{step.key}: label should end with an infinitive"
        assert not set(label) & set(".?!"), step.key


def test_steps_offer_ends_with_exactly_one_question(book: PromptBook) -> None:
    for step in book.under("steps"):
        for text in step.du + step.sie:
            assert text.count("?") == 1 and text.endswith("?"), f"{step.key}: {text}"


def _exercise_turns(book: PromptBook, ident: str) -> dict[str, Prompt]:
    return {p.key.removeprefix(f"exercises.{ident}."): p for p in book.under(f"exercises.{ident}")}


@pytest.mark.parametrize("ident", EXERCISE_IDS)
def test_exercise_structure(book: PromptBook, ident: str) -> None:
    turns = _exercise_turns(book, ident)
    assert {"title", "intro", "outro"} <= set(turns), f"{ident}: {sorted(turns)}"
    questions = sorted(name for name in turns if re.fullmatch(r"q\d", name))
    assert questions == [f"q{i}" for i in range(1, len(questions) + 1)], f"{ident}: {questions}"
    assert 2 <= len(questions) <= 4
    assert set(turns) == {"title", "intro", "outro", *questions}, f"{ident}: unexpected {sorted(turns)}"
    for name in questions:
        assert turns[name].attrs.get("expect") in EXPECT_KINDS, f"{ident}.{name}"
        for text in turns[name].du + turns[name].sie:
            assert text.count("?") == 1 and text.endswith("?"), f"{ident}.{name}: {text}"
    for name in ("title", "intro", "outro"):
        for text in turns[name].du + turns[name].sie:
            assert "?" not in text, f"{ident}.{name}: {text}"
    assert len(turns["intro"].du) >= 3, f"{ident}: intro needs three variants"


def test_thought_journal_asks_thought_friend_kinder_sentence(book: PromptBook) -> None:
    turns = _exercise_turns(book, "thought_journal")
    joined = {name: " ".join(turns[name].du).lower() for name in ("q1", "q2", "q3")}
    assert "gedanke" in joined["q1"]
    assert "freund" in joined["q2"]
    assert "satz" in joined["q3"]


@pytest.mark.parametrize("ident", LEARN_IDS)
def test_learn_topic_structure(book: PromptBook, ident: str) -> None:
    assert f"learn.{ident}.title" in book
    text = book[f"learn.{ident}.text"]
    assert len(text.du) >= 3, f"{ident}: needs three variants"
    for variant in text.du + text.sie:
        assert "?" not in variant, f"{ident}: {variant}"
        assert 3 <= len(_sentences(variant)) <= 5, f"{ident}: {variant}"


def test_support_topics_present(book: PromptBook) -> None:
    for ident in SUPPORT_IDS:
        assert f"support.{ident}" in book, ident
    local = [key for key in book.keys() if key.startswith("support.find_local")]
    assert local, "support needs find_local or find_local_<country>"
    germany = " ".join(book["support.find_local_DE"].du) if "support.find_local_DE" in book else ""
    assert "116 117" in germany and "Sprechstunde" in germany


def test_support_has_no_crisis_numbers(book: PromptBook) -> None:
    for prompt in book.under("support"):
        for text in prompt.du + prompt.sie:
            assert not re.search(r"\b(112|142|143|144|116 123|0800)\b", text), f"{prompt.key}: {text}"


# ------------------------------------------------------------- article link

def test_every_item_names_an_article_heading(book: PromptBook, article: str) -> None:
    headings = _headings(article)
    for prompt in _items(book):
        assert prompt.section, f"{prompt.key}: no section"
        assert prompt.section in headings, f"{prompt.key}: {prompt.section!r} is not a heading"


def test_nothing_copied_from_article(book: PromptBook, article: str) -> None:
    source = _ngrams(_words(article), COPY_NGRAM)
    for key, form, text in _texts(book):
        copied = _ngrams(_words(text), COPY_NGRAM) & source
        assert not copied, f"{key} ({form}) copies the article: {' '.join(sorted(copied)[0])}"


# ------------------------------------------------------------------- style

def test_sentences_are_short(book: PromptBook) -> None:
    for key, form, text in _texts(book):
        for sentence in _sentences(text):
            assert len(_words(sentence)) <= MAX_WORDS, f"{key} ({form}): {sentence}"


def test_no_clinical_words(book: PromptBook) -> None:
    for key, form, text in _texts(book):
        lowered = text.lower()
        if key.startswith("learn.depression."):  # asked for by name: "was ist Depression" names it
            lowered = lowered.replace("depression", "")
        found = [word for word in FORBIDDEN_WORDS if word in lowered]
        assert not found, f"{key} ({form}): {found} in {text}"


def test_written_for_the_ear(book: PromptBook) -> None:
    for key, form, text in _texts(book):
        rest = text
        for number in PHONE_NUMBERS:
            rest = rest.replace(number, "")
        assert not re.search(r"\d", rest), f"{key} ({form}): digits in {text}"
        assert not [a for a in ABBREVIATIONS if a in text], f"{key} ({form}): abbreviation in {text}"
        odd = {ch for ch in rest if not (ch.isalpha() or ch in ALLOWED_PUNCTUATION)}
        assert not odd, f"{key} ({form}): characters {sorted(odd)} in {text}"


def test_du_and_sie_have_the_same_number_of_variants(book: PromptBook) -> None:
    for prompt in _items(book):
        assert len(prompt.du) == len(prompt.sie), prompt.key


def test_sie_texts_use_no_du_forms(book: PromptBook) -> None:
    for prompt in _items(book):
        for text in prompt.sie:
            assert not DU_WORDS.search(text), f"{prompt.key}: {text}"
            assert not DU_VERBS.search(text), f"{prompt.key}: {text}"


def test_du_texts_use_no_sie_forms(book: PromptBook) -> None:
    for prompt in _items(book):
        for text in prompt.du:
            assert not SIE_WORDS.search(text), f"{prompt.key}: {text}"


def test_intros_and_learn_texts_vary_in_wording(book: PromptBook) -> None:
    keys = [f"exercises.{i}.intro" for i in EXERCISE_IDS] + [f"learn.{i}.text" for i in LEARN_IDS]
    for key in keys:
        for form in ("du", "sie"):
            variants = [set(_words(text)) for text in book[key].variants(form)]
            for i, first in enumerate(variants):
                for second in variants[i + 1:]:
                    overlap = len(first & second) / max(1, min(len(first), len(second)))
                    assert overlap < 0.8, f"{key} ({form}): variants differ too little"
