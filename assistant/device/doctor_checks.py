"""The individual checks of ``begleiter doctor``, each a small function.

Every check returns a :class:`CheckResult`; the German texts come from
``prompts_de/doctor.toml`` through :class:`Texts`. No check uses the network.
Audio checks (microphone, speaker) are in :mod:`assistant.device.doctor_audio`.
"""

from __future__ import annotations

import getpass
import importlib.util
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assistant.device import echo_cancel, service
from assistant.clock import SystemClock
from assistant.config import Settings
from assistant.dialog.prompts import PromptBook
from assistant.dialog.wordlist import WordList

MIN_FREE_BYTES = 200 * 1024 * 1024
"""The German model (a 45 MB download) plus years of data and logs, with room to spare."""
MIN_YEAR = 2025
MODEL_LOAD_TIMEOUT_S = 120.0
PRIVATE_SKIP = ("models",)
"""Subfolders of the data dir that hold no personal data (downloaded model files)."""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check, ready to print."""

    name: str
    """Short identifier (``model``, ``microphone`` ...)."""
    ok: bool
    needed: bool
    """True: Begleiter cannot work without it (exit 1 when not ok); False: a recommendation."""
    detail: str
    """German: what was found."""
    advice: str = ""
    """German: what to do (empty when ok)."""
    state: str = ""
    """Machine-readable state (``ok``, ``missing`` ...) for tests and logs."""
    data: dict[str, Any] = field(default_factory=dict)
    """Measured values (level in dBFS, free bytes ...)."""


class Texts:
    """Renders ``doctor.*`` prompts in the configured address form (first variant)."""

    def __init__(self, book: PromptBook, address: str = "du") -> None:
        self.book = book
        self.address = address

    def __call__(self, key: str, **data: Any) -> str:
        return self.book.render(f"doctor.{key}", self.address, 0, data)

    def result(self, check: str, needed: bool, state: str, ok: bool = False,
               advice: str = "", data: dict[str, Any] | None = None, **values: Any) -> CheckResult:
        """A result whose detail is ``<check>.<state>`` and advice ``<check>.<advice>``
        (default ``<check>.<state>_advice``); ``values`` fill the placeholders."""
        advice_text = "" if ok else self(f"{check}.{advice or state + '_advice'}", **values)
        return CheckResult(check, ok, needed, self(f"{check}.{state}", **values), advice_text,
                           state, data or {})


def check_model(settings: Settings, texts: Texts) -> CheckResult:
    """The Vosk model folder exists and Vosk loads it from disk (never downloads)."""
    path = settings.model_dir
    if not path.is_dir():
        return texts.result("model", True, "missing", path=str(path))
    if not ((path / "am").is_dir() or (path / "conf").is_dir()):
        return texts.result("model", True, "incomplete", advice="broken_advice", path=str(path))
    if importlib.util.find_spec("vosk") is None:
        return texts.result("model", True, "no_vosk")
    error = load_model_in_child(path)
    if error is not None:
        return texts.result("model", True, "broken", path=str(path), data={"error": error})
    return texts.result("model", True, "ok", ok=True, path=str(path))


def load_model_in_child(path: Path) -> str | None:
    """Load the Vosk model in a child process (a bad model can abort Kaldi); None when it loads."""
    code = "import sys, vosk; vosk.SetLogLevel(-1); vosk.Model(sys.argv[1])"
    try:
        proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                              timeout=MODEL_LOAD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return f"timeout {MODEL_LOAD_TIMEOUT_S:.0f} s"
    if proc.returncode == 0:
        return None
    lines = proc.stderr.strip().splitlines()
    return lines[-1][:200] if lines else f"exit {proc.returncode}"


def check_voice(texts: Texts) -> CheckResult:
    """espeak-ng has a German voice and pyttsx3 can select it."""
    if shutil.which("espeak-ng") is None:
        return texts.result("voice", True, "no_espeak")
    try:
        listing = subprocess.run(["espeak-ng", "--voices=de"], capture_output=True, text=True,
                                 timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        listing = ""
    if not any(line.split()[1:2] == ["de"] for line in listing.splitlines()[1:]):
        return texts.result("voice", True, "no_german")
    try:
        voice = german_pyttsx3_voice()
    except Exception as error:  # pyttsx3 raises many kinds when its driver is missing
        return texts.result("voice", True, "no_pyttsx3", error=type(error).__name__)
    if not voice:
        return texts.result("voice", True, "no_pyttsx3", error="de")
    return texts.result("voice", True, "ok", ok=True, voice=voice)


def german_pyttsx3_voice() -> str:
    """The id of the German voice pyttsx3 offers (``""`` when none), after selecting it."""
    import pyttsx3
    engine = pyttsx3.init("espeak")
    try:
        for voice in engine.getProperty("voices"):
            languages = [str(lang).lower() for lang in (voice.languages or [])]
            if any(lang.lstrip("\x05b'").startswith("de") for lang in languages) or voice.id.endswith("/de"):
                engine.setProperty("voice", voice.id)
                return str(voice.id)
        return ""
    finally:
        engine.stop()


def check_echo_cancel(texts: Texts) -> CheckResult:
    """PipeWire's or PulseAudio's echo-cancel module runs, or could be loaded (a recommendation)."""
    found = echo_cancel.status()
    if found.server is None:
        return texts.result("echo", False, "no_server")
    data = {"server": found.server.kind}
    if found.in_use:
        return texts.result("echo", False, "ok", ok=True, data=data, source=found.loaded_source)
    if found.loaded:
        return texts.result("echo", False, "not_default", data=data, source=found.loaded_source)
    if found.module_installed:
        return texts.result("echo", False, "loadable", data=data)
    return texts.result("echo", False, "unavailable", data=data)


def check_word_list(texts: Texts, words: WordList | None = None) -> CheckResult:
    """Debian's German word list (wngerman) gives reminder content its capital letters (a recommendation)."""
    words = words or WordList()
    if words.available:
        return texts.result("words", False, "ok", ok=True)
    return texts.result("words", False, "missing", path=str(words.path))


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _open_files(folder: Path) -> list[Path]:
    """Files below ``folder`` that others may read or write (model files excluded)."""
    found = []
    for root, dirs, files in os.walk(folder):
        if Path(root) == folder:
            dirs[:] = [d for d in dirs if d not in PRIVATE_SKIP]
        found.extend(Path(root) / name for name in files
                     if os.lstat(Path(root) / name).st_mode & 0o077)
    return sorted(found)


def check_data_dir(settings: Settings, texts: Texts) -> CheckResult:
    """The data dir is 0700, writable, and its files are 0600 (or it can be created)."""
    path = settings.data_dir
    values: dict[str, Any] = {"path": str(path), "user": getpass.getuser()}
    if not path.exists():
        parent = _nearest_existing(path)
        if parent.is_dir() and os.access(parent, os.W_OK | os.X_OK):
            return texts.result("data", True, "will_create", ok=True, **values)
        return texts.result("data", True, "cannot_create", parent=str(parent), **values)
    if not path.is_dir():
        return texts.result("data", True, "not_a_dir", **values)
    if not os.access(path, os.W_OK | os.X_OK):
        return texts.result("data", True, "not_writable", **values)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return texts.result("data", True, "open_mode", mode=f"{mode:o}", **values)
    open_files = _open_files(path)
    if open_files:
        files = " ".join(str(f) for f in open_files[:5])
        return texts.result("data", True, "open_files", count=len(open_files),
                            example=str(open_files[0]), files=files, **values)
    return texts.result("data", True, "ok", ok=True, **values)


def _size(count: int) -> str:
    for unit, factor in (("GB", 1024 ** 3), ("MB", 1024 ** 2)):
        if count >= factor:
            return f"{count / factor:.1f} {unit}".replace(".", ",")
    return f"{count // 1024} kB"


def check_disk(settings: Settings, texts: Texts, minimum: int = MIN_FREE_BYTES) -> CheckResult:
    """Enough free space where the data lives."""
    free = shutil.disk_usage(_nearest_existing(settings.data_dir)).free
    state = "ok" if free >= minimum else "low"
    return texts.result("disk", True, state, ok=free >= minimum, data={"free_bytes": free},
                        free=_size(free), need=_size(minimum))


def check_service(texts: Texts) -> CheckResult:
    """The systemd user service is enabled and running (a recommendation)."""
    path = service.unit_path()
    if not service.systemd_usable():
        if path.is_file():
            return texts.result("service", False, "file_only", path=str(path))
        return texts.result("service", False, "no_systemd")
    enabled, active = service.unit_state()
    if enabled not in ("enabled", "enabled-runtime", "linked"):
        return texts.result("service", False, "not_installed")
    if active != "active":
        return texts.result("service", False, "inactive", state=active or "unbekannt")
    return texts.result("service", False, "active", ok=True)


def system_zone_name() -> str:
    """The system's IANA zone name (TZ, /etc/localtime, /etc/timezone), ``""`` when unknown."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        candidates.append(os.readlink("/etc/localtime").split("zoneinfo/", 1)[-1])
    except OSError:
        pass
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    for name in candidates:
        try:
            if name and name not in ("UTC", "Etc/UTC") and ZoneInfo(name):
                return name
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ""


def check_clock(settings: Settings, texts: Texts, now: datetime | None = None) -> CheckResult:
    """The year is plausible and a time zone is set (UTC counts as not set on a home device)."""
    zone_name = settings.general.timezone or system_zone_name()
    try:
        zone = ZoneInfo(zone_name or "Europe/Berlin")
    except (ZoneInfoNotFoundError, ValueError):
        zone_name, zone = "", ZoneInfo("Europe/Berlin")
    moment = (now or SystemClock(zone).now()).astimezone(zone)
    shown = moment.strftime("%d.%m.%Y %H:%M")
    if moment.year < MIN_YEAR:
        return texts.result("clock", False, "wrong_year", time=shown)
    if not zone_name:
        return texts.result("clock", False, "unknown_zone", zone="Europe/Berlin")
    return texts.result("clock", False, "ok", ok=True, time=shown, zone=zone_name)
