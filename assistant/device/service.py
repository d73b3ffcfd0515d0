"""The systemd user service: ``install-service`` and ``remove-service``.

The unit runs ``<venv>/bin/begleiter run`` as the logged-in user, so it
reaches that user's PipeWire or PulseAudio; lingering (``loginctl
enable-linger``) starts the user manager, and with it Begleiter, at boot
without anyone logging in. Both commands are idempotent. Where systemd is
not usable (a container, a system without it) the unit file is still
written and the report says what to run.

Each step is reported as a :class:`Message` (a prompt key plus data) that the
command renders in German from ``prompts_de/doctor.toml``.
"""

from __future__ import annotations

import argparse
import getpass
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence, TextIO

from assistant.device import echo_cancel
from assistant.config import load_settings, xdg_dir
from assistant.dialog.prompts import load_prompts
from assistant.resources import prompts_dir
from assistant.signals import EXIT_CODE

UNIT_NAME = "begleiter.service"
UNIT_MARKER = "# Written by `begleiter install-service`; remove it with `begleiter remove-service`."
START_LIMIT_INTERVAL_S = 600
START_LIMIT_BURST = 5
RESTART_SEC = 5
TIMEOUT_STOP_S = 20


@dataclass(frozen=True)
class Message:
    """One line of a report: a key under ``doctor.`` in the prompts, plus its data."""

    key: str
    data: dict[str, Any] = field(default_factory=dict)


def unit_path() -> Path:
    """``$XDG_CONFIG_HOME/systemd/user/begleiter.service``."""
    return xdg_dir("XDG_CONFIG_HOME", ".config") / "systemd" / "user" / UNIT_NAME


def begleiter_command(options: Sequence[str] = ()) -> list[str]:
    """The absolute command line the service runs: ``<venv>/bin/begleiter run [options]``.

    The path comes from ``sys.executable`` without resolving symlinks, so a
    virtual environment's interpreter keeps pointing into that environment.
    """
    bin_dir = Path(sys.executable).absolute().parent
    script = bin_dir / "begleiter"
    base = [str(script)] if script.is_file() else [str(Path(sys.executable).absolute()), "-m", "assistant"]
    return [*base, "run", *options]


def _quote(argument: str) -> str:
    """Quote one ExecStart argument for systemd (specifiers ``%`` doubled)."""
    argument = argument.replace("%", "%%")
    if argument and not any(ch.isspace() or ch in "\"'\\;$" for ch in argument):
        return argument
    escaped = argument.replace("\\", "\\\\").replace('"', '\\"').replace("$", "$$")
    return f'"{escaped}"'


def render_unit(command: Sequence[str]) -> str:
    """The unit file text for ``command`` (absolute path first)."""
    exec_start = " ".join(_quote(part) for part in command)
    return f"""{UNIT_MARKER}
[Unit]
Description=Begleiter, offline German voice companion
After=pipewire.service pipewire-pulse.service pulseaudio.service sound.target
Wants=sound.target
StartLimitIntervalSec={START_LIMIT_INTERVAL_S}
StartLimitBurst={START_LIMIT_BURST}

[Service]
Type=simple
ExecStart={exec_start}
WorkingDirectory=%h
Environment=PYTHONUNBUFFERED=1
Restart=on-failure
RestartSec={RESTART_SEC}
KillSignal=SIGTERM
TimeoutStopSec={TIMEOUT_STOP_S}
SuccessExitStatus={EXIT_CODE}
StandardOutput=journal
StandardError=journal
SyslogIdentifier=begleiter

[Install]
WantedBy=default.target
"""


def _run(*command: str, timeout: float = 30) -> subprocess.CompletedProcess[str] | None:
    """Run a system tool; None when it is not installed or hangs."""
    if shutil.which(command[0]) is None:
        return None
    try:
        return subprocess.run(list(command), capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None


def systemd_usable() -> bool:
    """True when ``systemctl --user`` can talk to a running user manager."""
    proc = _run("systemctl", "--user", "show", "--property=Version")
    return proc is not None and proc.returncode == 0


def _systemctl(*args: str) -> bool:
    proc = _run("systemctl", "--user", *args)
    return proc is not None and proc.returncode == 0


def unit_state() -> tuple[str, str]:
    """``(is-enabled, is-active)`` as systemctl prints them (``""`` when unknown)."""
    words = []
    for verb in ("is-enabled", "is-active"):
        proc = _run("systemctl", "--user", verb, UNIT_NAME)
        words.append(proc.stdout.strip() if proc is not None else "")
    return words[0], words[1]


def enable_linger(user: str | None = None) -> Message:
    """Turn on lingering so the user manager (and the service) start at boot."""
    user = user or getpass.getuser()
    if shutil.which("loginctl") is None:
        return Message("install.linger_unavailable", {"user": user})
    proc = _run("loginctl", "enable-linger", user)
    if proc is None or proc.returncode != 0:
        return Message("install.linger_failed", {"user": user})
    return Message("install.linger_on", {"user": user})


def _write_unit(text: str) -> Message:
    """Write the unit unless it is already current (``unit_written`` also says whether it replaced one)."""
    path = unit_path()
    existed = path.is_file()
    if existed and path.read_text(encoding="utf-8") == text:
        return Message("install.unit_unchanged", {"path": str(path)})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return Message("install.unit_written", {"path": str(path), "replaced": existed})


def install(options: Sequence[str] = (), with_echo_cancel: bool = True,
            input_device: str = "", output_device: str = "") -> list[Message]:
    """Write the unit, set up echo cancellation, then enable and start the unit; turn on lingering.

    Echo cancellation comes first, so the service's first start already records
    from the echo-cancelled source (the voice loop decides on barge-in at start).
    A changed unit of a running service is applied with ``try-restart``.
    """
    unit = _write_unit(render_unit(begleiter_command(options)))
    messages = [unit]
    if with_echo_cancel:
        messages.append(_echo_cancel_message(echo_cancel.configure(input_device, output_device)))
    if systemd_usable():
        started = _systemctl("daemon-reload") and _systemctl("enable", "--now", UNIT_NAME)
        if started and unit.data.get("replaced"):
            started = _systemctl("try-restart", UNIT_NAME)
        messages.append(Message("install.enabled" if started else "install.enable_failed"))
    else:
        messages.append(Message("install.no_systemd", {"unit": UNIT_NAME}))
    messages.append(enable_linger())
    return messages


def _echo_cancel_message(result: echo_cancel.ConfigureResult) -> Message:
    if result.server is None:
        return Message("install.echo_no_server")
    if result.skipped:
        return Message("install.echo_user_file", {"path": str(result.skipped[0])})
    if result.error or not result.loaded_now:
        return Message("install.echo_failed")
    return Message("install.echo_on", {"server": result.server.kind})


def remove() -> list[Message]:
    """Stop and disable the unit, delete it and our echo-cancel files; idempotent."""
    messages = []
    path = unit_path()
    usable = systemd_usable()
    if usable:
        _systemctl("disable", "--now", UNIT_NAME)
    if path.is_file():
        if UNIT_MARKER in path.read_text(encoding="utf-8", errors="replace"):
            path.unlink()
            messages.append(Message("remove.unit_removed", {"path": str(path)}))
        else:
            messages.append(Message("remove.unit_foreign", {"path": str(path)}))
    else:
        messages.append(Message("remove.unit_absent", {"path": str(path)}))
    if usable:
        _systemctl("daemon-reload")
    removed = echo_cancel.unconfigure()
    if removed.files:
        messages.append(Message("remove.echo_removed"))
    messages.append(Message("remove.linger_note", {"user": getpass.getuser()}))
    return messages


def service_options(args: argparse.Namespace) -> list[str]:
    """``--data-dir``/``--config`` given on the command line, as absolute paths, for ExecStart."""
    options = []
    for flag, name in (("--data-dir", "data_dir"), ("--config", "config")):
        value = getattr(args, name, None)
        if value:
            options += [flag, str(Path(value).expanduser().absolute())]
    return options


def print_messages(messages: Sequence[Message], address: str = "du", out: TextIO | None = None) -> None:
    """Render report lines from ``prompts_de/doctor.toml``."""
    book = load_prompts(prompts_dir())
    for message in messages:
        print(book.render(f"doctor.{message.key}", address, 0, message.data), file=out or sys.stdout,
              flush=True)


def run_install_service(args: argparse.Namespace) -> int:
    """The ``install-service`` command (``--dry-run`` prints the unit only)."""
    settings = load_settings(getattr(args, "config", None), getattr(args, "data_dir", None))
    address = settings.general.address
    if getattr(args, "dry_run", False):
        print_messages([Message("install.dry_run", {"path": str(unit_path())})], address)
        print(render_unit(begleiter_command(service_options(args))), end="", flush=True)
        return 0
    messages = install(service_options(args), not getattr(args, "no_echo_cancel", False),
                       settings.speech.input_device, settings.speech.output_device)
    print_messages(messages, address)
    return 1 if any(m.key == "install.enable_failed" for m in messages) else 0


def run_remove_service(args: argparse.Namespace) -> int:
    """The ``remove-service`` command."""
    settings = load_settings(getattr(args, "config", None), getattr(args, "data_dir", None))
    print_messages(remove(), settings.general.address)
    return 0
