"""Validator for the dialogue prompts: keys used in code exist, du and Sie, style rules.

Keys are collected from the source of ``assistant/dialog`` (string literals and
f-string templates), so a typo in a key or a missing prompt fails here, not in
front of the person.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from assistant.dialog.content import EXERCISE_IDS, LEARN_IDS, SUPPORT_IDS
from assistant.dialog.prompts import load_prompts
from assistant.resources import prompts_dir

ROOT = Path(__file__).resolve().parent.parent
DIALOG_SOURCE = ROOT / "assistant" / "dialog"
ENGINE_MODULES = ("engine", "turn", "content", "context", "memory", "variety", "globals", "proactive")
FLOW_MODULES = ("__init__", "base", "offer", "onboarding", "checkin", "steps", "exercise", "learn",
                "support", "feeling", "crisis")


def _sources() -> list[Path]:
    """The dialogue core's own modules (other helpers' modules have their own tests)."""
    own = [DIALOG_SOURCE / f"{name}.py" for name in ENGINE_MODULES]
    own += [DIALOG_SOURCE / "flows" / f"{name}.py" for name in FLOW_MODULES]
    return [path for path in own if path.exists()]
DIALOG_FILES = ("social", "dialog", "checkin", "onboarding", "step_dialog", "exercise_dialog",
                "learn_dialog", "support_dialog", "feeling_dialog")
CONTENT_FILES = ("steps", "exercises", "learn", "support", "safety")
KEY = re.compile(r"^(?:%s)\.[a-z_.]+[a-z]$" % "|".join(DIALOG_FILES + CONTENT_FILES))
MAX_WORDS = 20
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
QUOTED = re.compile(r"„[^“]*“")

# f-string keys in the code and every value they can take.
TEMPLATES = {
    "checkin.ack_mood_{}": ["low", "medium", "high"],
    "checkin.trend_{}": ["up", "down", "low_days"],
    "checkin.unclear_{}": ["mood", "energy"],
    "dialog.{}": ["slower", "faster", "louder", "quieter"],
    "dialog.{}_limit": ["slower", "faster", "louder", "quieter"],
    "dialog.option.{}": ["checkin", "exercise", "suggest_step", "learn", "support", "feeling", "done"],
    "support.find_local_{}": [],
    "safety.{}": [],
    "safety.lines_{}": ["DE", "AT", "CH"],
    "exercises.{}": list(EXERCISE_IDS),
    "support.{}": list(SUPPORT_IDS),
    "learn.{}.text": list(LEARN_IDS),
    "learn.{}.title": list(LEARN_IDS),
    "{}": [],
    "{}_explain": ["checkin.ask_mood", "checkin.ask_energy", "checkin.ask_contact", "checkin.ask_open_step",
                   "onboarding.ask_address", "safety.concern_ask"],
    "dialog.explain_{}": ["yes_no", "scale", "free_text", "other"],
    "dialog.way_out_{}": ["yes_no", "scale", "other"],
    "{}_words": [],  # prompt attributes (energy words), not keys
}
# Heard once (first start), rarely, or single fixed phrases: fewer than three variants allowed.
RARE = re.compile(r"^(onboarding\..*|dialog\.option\..*|dialog\..*_limit|dialog\.not_yet|dialog\.sorry|dialog\.crisis\..*"
                  r"|step_dialog\.none_left|exercise_dialog\.none|learn_dialog\.all_heard)$")
DU_WORDS = re.compile(r"\b(du|dich|dir|dein|deine|deinen|deinem|deiner|deines)\b", re.IGNORECASE)
SIE_WORDS = re.compile(r"\b(Sie|Ihnen|Ihr|Ihre|Ihren|Ihrem|Ihrer|Ihres)\b")


@pytest.fixture(scope="module")
def book():
    return load_prompts(prompts_dir())


def _dialog_prompts(book):
    return [prompt for name in DIALOG_FILES for prompt in book.under(name)]


def _code_keys() -> tuple[set[str], set[str]]:
    """Literal keys and f-string templates (holes as ``{}``) in assistant/dialog."""
    literals: set[str] = set()
    templates: set[str] = set()
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY.match(node.value):
                literals.add(node.value)
            elif isinstance(node, ast.JoinedStr):
                parts = ["{}" if isinstance(v, ast.FormattedValue) else str(v.value) for v in node.values]
                text = "".join(parts)
                if "{}" in text and (KEY.match(text.replace("{}", "xx")) or text == "{}"
                                     or re.fullmatch(r"\{\}_\w+", text)):
                    templates.add(text)
    return literals, templates


def test_every_literal_key_in_the_code_exists(book) -> None:
    literals, _ = _code_keys()
    assert len(literals) > 40, "the key scan found suspiciously few keys"
    dynamic_prefixes = ("safety.", "support.find_local")
    missing = [key for key in literals if key not in book and not key.startswith(dynamic_prefixes)]
    assert not missing, f"keys used in code but missing in prompts_de/: {sorted(missing)}"


def test_every_key_template_in_the_code_is_known_and_complete(book) -> None:
    _, templates = _code_keys()
    unknown = templates - set(TEMPLATES)
    assert not unknown, f"new f-string keys: list their values in TEMPLATES: {sorted(unknown)}"
    for template in templates:
        for value in TEMPLATES[template]:
            key = template.format(value)
            assert key in book or book.under(key), f"{key}: neither a prompt nor a group of prompts"


def test_every_dialog_prompt_is_used_by_the_code(book) -> None:
    literals, templates = _code_keys()
    used = set(literals) | {t.format(value) for t in templates for value in TEMPLATES.get(t, [])}
    unused = [p.key for p in _dialog_prompts(book) if p.key not in used]
    assert not unused, f"prompts nobody says (remove them or use them): {unused}"


def test_dialog_prompts_have_both_forms_and_matching_placeholders(book) -> None:
    prompts = _dialog_prompts(book)
    assert len(prompts) > 60
    for prompt in prompts:
        assert prompt.du and prompt.sie, prompt.key
        for text in (*prompt.du, *prompt.sie):
            names = set(re.findall(r"\{(\w+)\}", text))
            assert names == set(prompt.placeholders), (prompt.key, text)


def test_daily_prompts_have_three_variants(book) -> None:
    thin = [p.key for p in _dialog_prompts(book)
            if not RARE.match(p.key) and (len(p.du) < 3 or len(p.sie) < 3)]
    assert not thin, f"daily prompts need >= 3 variants in du and Sie: {thin}"


def test_sentences_are_short_and_one_question_per_variant(book) -> None:
    for prompt in _dialog_prompts(book):
        for text in (*prompt.du, *prompt.sie):
            for sentence in SENTENCE_END.split(text):
                words = len(sentence.split())
                assert words <= MAX_WORDS, f"{prompt.key}: {words} words in „{sentence}“"
            assert text.count("?") <= 1, f"{prompt.key}: more than one question in „{text}“"


def test_address_forms_do_not_mix(book) -> None:
    for prompt in _dialog_prompts(book):
        for text in prompt.sie:
            assert not DU_WORDS.search(QUOTED.sub("", text)), f"{prompt.key}: du-word in Sie form: {text}"
        for text in prompt.du:
            body = QUOTED.sub("", text)
            hits = [m for m in SIE_WORDS.finditer(body) if m.start() > 0 and body[m.start() - 2] not in ".?!"]
            assert not hits, f"{prompt.key}: Sie-word in du form: {text}"


def test_no_german_sentences_in_dialog_code() -> None:
    umlaut_or_phrase = re.compile(r"[äöüÄÖÜß]|\b(und|nicht|ich|du|Sie)\b")
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.value) for node in ast.walk(tree)
                      if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
        # Error messages (inside ``raise``) may be German: they are meant for the helper.
        errors = {id(inner) for node in ast.walk(tree) if isinstance(node, ast.Raise)
                  for inner in ast.walk(node)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in docstrings and id(node) not in errors):
                sentence = " " in node.value.strip() and umlaut_or_phrase.search(node.value)
                assert not sentence, f"{path.name}: German text in code: {node.value!r}"
