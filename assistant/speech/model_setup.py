"""Fetch and install the Vosk model: the only module that may use the network.

The download is resumable (HTTP Range on a ``.part`` file) and shows a
progress bar; the archive is unpacked into a temporary folder beside the
target, verified by loading it and by one short recognition, and only then
renamed into place, so a half-installed model never exists.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Callable, TextIO

from assistant.errors import BegleiterError
from assistant.speech.stt import is_model_dir, load_model, transcribe_wav

MODEL_NAME = "vosk-model-small-de-0.15"
MODEL_URL = f"https://alphacephei.com/vosk/models/{MODEL_NAME}.zip"
CHUNK = 1 << 16
VERIFY_PHRASE = "hallo begleiter wie geht es dir"


class SetupError(BegleiterError):
    """The model could not be fetched, unpacked or verified."""


def progress_bar(out: TextIO) -> Callable[[int, int], None]:
    """A text progress bar on ``out``: ``[#####.....]  50 %  20.0 / 40.0 MB``."""
    def show(done: int, total: int) -> None:
        if total <= 0:
            out.write(f"\r{done / 1e6:6.1f} MB")
        else:
            filled = int(30 * done / total)
            out.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {100 * done // total:3d} %  "
                      f"{done / 1e6:.1f} / {total / 1e6:.1f} MB")
        out.flush()
    return show


def download(url: str, target: Path, progress: Callable[[int, int], None], timeout: float = 30) -> Path:
    """Download ``url`` to ``target``, continuing a previous ``target.part``."""
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        if error.code == 416 and have:  # already complete
            part.rename(target)
            return target
        raise SetupError(f"Der Download ist fehlgeschlagen (Server antwortet {error.code}).") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise SetupError("Ich kann das Sprachmodell nicht herunterladen: keine Verbindung zum Server "
                         f"({reason}). Ohne Internet geht es mit „begleiter setup --from DATEI“.") from None
    with response:
        if have and response.status != 206:  # server ignored the range: start again
            have = 0
        length = int(response.headers.get("Content-Length") or 0)
        total = have + length if length else 0
        try:
            with part.open("ab" if have else "wb") as handle:
                while chunk := response.read(CHUNK):
                    handle.write(chunk)
                    have += len(chunk)
                    progress(have, total)
        except OSError as error:
            raise SetupError(f"Der Download brach ab ({error}). Ein neuer Aufruf macht weiter.") from None
    part.rename(target)
    return target


def find_model_root(folder: Path) -> Path:
    """The folder inside ``folder`` (itself or below) that holds the model files."""
    if is_model_dir(folder):
        return folder
    for candidate in sorted(folder.rglob("*")):
        if candidate.is_dir() and is_model_dir(candidate):
            return candidate
    raise SetupError(f"In {folder} finde ich kein Vosk-Modell (Ordner „am“ und „conf“ fehlen).")


def _unpack(source: Path, scratch: Path) -> Path:
    if source.is_dir():
        root = find_model_root(source)
        shutil.copytree(root, scratch / "model", symlinks=False)
        return scratch / "model"
    try:
        with zipfile.ZipFile(source) as archive:
            for member in archive.namelist():
                if member.startswith("/") or ".." in Path(member).parts:
                    raise SetupError(f"Das Archiv {source} enthält unsichere Pfade.")
            archive.extractall(scratch / "unpacked")
    except (zipfile.BadZipFile, OSError) as error:
        raise SetupError(f"Die Datei {source} ist kein lesbares ZIP-Archiv ({error}).") from None
    return find_model_root(scratch / "unpacked")


def verify(model_dir: Path, sample_wav: Path | None) -> str:
    """Load the model and transcribe ``sample_wav``; returns the transcript."""
    model = load_model(model_dir)
    if sample_wav is None:
        return ""
    return " ".join(transcribe_wav(model, sample_wav))


def install(source: Path, target: Path, sample_wav: Path | None = None) -> str:
    """Install the model in ``source`` (zip or folder) at ``target``, atomically.

    Returns the transcript of the verification sample.
    """
    if not source.exists():
        raise SetupError(f"Die Datei oder den Ordner {source} gibt es nicht.")
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".install-", dir=target.parent))
    try:
        root = _unpack(source, scratch)
        transcript = verify(root, sample_wav)
        old = scratch / "previous"
        if target.exists():
            target.rename(old)
        root.rename(target)
        return transcript
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def model_url() -> str:
    """The download address; ``BEGLEITER_MODEL_URL`` points it at a local mirror (and the tests)."""
    return os.environ.get("BEGLEITER_MODEL_URL") or MODEL_URL


def fetch_and_install(target: Path, url: str | None = None, sample_wav: Path | None = None,
                      out: TextIO = sys.stderr) -> str:
    """Download (resumable) and install the default model at ``target``."""
    url = url or model_url()
    target.parent.mkdir(parents=True, exist_ok=True)
    archive = target.parent / f"{MODEL_NAME}.zip"
    if not archive.exists():
        download(url, archive, progress_bar(out))
        out.write("\n")
    try:
        transcript = install(archive, target, sample_wav)
    except SetupError:
        archive.unlink(missing_ok=True)  # a broken archive must not block the next try
        raise
    archive.unlink(missing_ok=True)
    return transcript
