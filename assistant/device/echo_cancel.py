"""Echo cancellation through the sound server's own, maintained module.

Begleiter does no signal processing of its own. It detects the user's sound
server (PulseAudio, or PipeWire with its PulseAudio layer) through ``pactl``,
loads ``module-echo-cancel`` with the WebRTC canceller for the chosen
microphone and speaker, makes the cancelled source and sink the defaults (so
the voice loop records from and plays into them without knowing), and writes
a persistent configuration:

- PipeWire: ``$XDG_CONFIG_HOME/pipewire/pipewire.conf.d/60-begleiter-echo-cancel.conf``
  (``libpipewire-module-echo-cancel`` with ``aec/libspa-aec-webrtc``);
- PulseAudio: ``$XDG_CONFIG_HOME/pulse/default.pa`` that includes the system file
  and loads the module, written only when the user has no such file yet.

Files written here carry :data:`MARKER` so :func:`unconfigure` removes only
its own files.
"""

from __future__ import annotations

import glob
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from assistant.config import xdg_dir

SOURCE_NAME = "begleiter_echo_source"
SINK_NAME = "begleiter_echo_sink"
MARKER = "# Written by begleiter (echo cancellation); removed by `begleiter remove-service`."
PIPEWIRE_SNIPPET = "pipewire/pipewire.conf.d/60-begleiter-echo-cancel.conf"
PULSE_DEFAULT_PA = "pulse/default.pa"
SYSTEM_DEFAULT_PA = "/etc/pulse/default.pa"
_MODULE_GLOBS = {
    "pulseaudio": ("/usr/lib/pulse-*/modules/module-echo-cancel.so",
                   "/usr/lib/*/pulse-*/modules/module-echo-cancel.so"),
    "pipewire": ("/usr/lib/*/pipewire-0.3/libpipewire-module-echo-cancel.so",
                 "/usr/lib/pipewire-0.3/libpipewire-module-echo-cancel.so",
                 "/usr/lib64/pipewire-0.3/libpipewire-module-echo-cancel.so"),
}


@dataclass(frozen=True)
class SoundServer:
    """The sound server ``pactl`` talks to."""

    kind: str
    """``pipewire`` or ``pulseaudio``."""
    version: str
    default_source: str = ""
    default_sink: str = ""


@dataclass(frozen=True)
class EchoCancelStatus:
    """What the doctor reports about echo cancellation."""

    server: SoundServer | None
    """None when no sound server answers."""
    loaded_source: str = ""
    """Name of the echo-cancelled source when the module runs, else empty."""
    module_installed: bool = False
    """The module file exists, so it can be loaded."""

    @property
    def loaded(self) -> bool:
        return bool(self.loaded_source)

    @property
    def in_use(self) -> bool:
        """True when the default source is the echo-cancelled one (what the voice loop records)."""
        return self.loaded and self.server is not None and self.server.default_source == self.loaded_source


@dataclass
class ConfigureResult:
    """What :func:`configure` or :func:`unconfigure` did."""

    server: SoundServer | None
    loaded_now: bool = False
    files: list[Path] = field(default_factory=list)
    """Files written (configure) or removed (unconfigure)."""
    skipped: list[Path] = field(default_factory=list)
    """Files left alone because the user wrote them."""
    error: str = ""
    """The sound server's own message when loading failed (English is fine, it is technical)."""


def pactl(*args: str, timeout: float = 5.0) -> str | None:
    """Run ``pactl``; its output, or None when it is missing or fails."""
    if shutil.which("pactl") is None:
        return None
    try:
        proc = subprocess.run(["pactl", *args], capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None


def sound_server() -> SoundServer | None:
    """Ask ``pactl info`` which server runs; None when none answers."""
    info = pactl("info")
    if info is None:
        return None
    fields: dict[str, str] = {}
    for line in info.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    name = fields.get("Server Name", "")
    kind = "pipewire" if "pipewire" in name.lower() else "pulseaudio"
    return SoundServer(kind, fields.get("Server Version", ""),
                       fields.get("Default Source", ""), fields.get("Default Sink", ""))


def _short_list(kind: str) -> list[list[str]]:
    text = pactl("list", "short", kind) or ""
    return [line.split("\t") for line in text.splitlines() if line.strip()]


def echo_sources() -> list[str]:
    """Names of every running echo-cancelled source (ours and others)."""
    found = []
    for row in _short_list("sources"):
        name = row[1] if len(row) > 1 else ""
        driver = row[2] if len(row) > 2 else ""
        if name.endswith(".monitor"):
            continue
        if "echo-cancel" in driver or "echo" in name.replace("-", "_").split("_") or name == SOURCE_NAME:
            found.append(name)
    return found


def loaded_echo_source() -> str:
    """Our echo-cancelled source if it runs, else any other one, else ``""``."""
    sources = echo_sources()
    if SOURCE_NAME in sources:
        return SOURCE_NAME
    return sources[0] if sources else ""


def module_installed(kind: str) -> bool:
    """True when the echo-cancel module file of ``kind`` exists on this system."""
    return any(glob.glob(pattern) for pattern in _MODULE_GLOBS.get(kind, ()))


def status() -> EchoCancelStatus:
    """Detect the server and whether echo cancellation runs or could run."""
    server = sound_server()
    if server is None:
        return EchoCancelStatus(None)
    sources = echo_sources()
    loaded = server.default_source if server.default_source in sources else loaded_echo_source()
    return EchoCancelStatus(server, loaded, module_installed(server.kind))


def find_device(kind: str, part: str) -> str:
    """The first source/sink whose name contains ``part`` (case-insensitive), or ``""``."""
    if not part:
        return ""
    for row in _short_list(kind):
        if len(row) > 1 and part.lower() in row[1].lower() and not row[1].endswith(".monitor"):
            return row[1]
    return ""


def module_arguments(source: str, sink: str) -> list[str]:
    """Arguments for ``pactl load-module module-echo-cancel`` (masters only when chosen)."""
    args = ["aec_method=webrtc", f"source_name={SOURCE_NAME}", f"sink_name={SINK_NAME}"]
    if source:
        args.append(f"source_master={source}")
    if sink:
        args.append(f"sink_master={sink}")
    return args


def pipewire_snippet(source: str, sink: str) -> str:
    """A ``pipewire.conf.d`` fragment that loads the WebRTC echo canceller at start."""
    capture = f' target.object = "{source}"' if source else ""
    playback = f' target.object = "{sink}"' if sink else ""
    return (f"{MARKER}\n"
            "context.modules = [\n"
            "    {   name = libpipewire-module-echo-cancel\n"
            "        args = {\n"
            "            library.name = aec/libspa-aec-webrtc\n"
            "            monitor.mode = false\n"
            f'            capture.props = {{ node.name = "begleiter_echo_capture"{capture} }}\n'
            f'            source.props = {{ node.name = "{SOURCE_NAME}" '
            'node.description = "Begleiter echo-cancelled microphone" priority.session = 2000 }\n'
            f'            sink.props = {{ node.name = "{SINK_NAME}" '
            'node.description = "Begleiter echo-cancelled speaker" priority.session = 2000 }\n'
            f'            playback.props = {{ node.name = "begleiter_echo_playback"{playback} }}\n'
            "        }\n"
            "    }\n"
            "]\n")


def pulse_default_pa(source: str, sink: str) -> str:
    """A user ``default.pa`` that keeps the system set-up and adds the echo canceller."""
    load = " ".join(["load-module module-echo-cancel", *module_arguments(source, sink)])
    return (f"{MARKER}\n"
            f".include {SYSTEM_DEFAULT_PA}\n"
            ".nofail\n"
            f"{load}\n"
            f"set-default-source {SOURCE_NAME}\n"
            f"set-default-sink {SINK_NAME}\n")


def _config_home() -> Path:
    return xdg_dir("XDG_CONFIG_HOME", ".config")


def _write_ours(path: Path, text: str, result: ConfigureResult) -> None:
    """Write ``text`` unless a file the user wrote (without our marker) is there."""
    if path.exists() and MARKER not in path.read_text(encoding="utf-8", errors="replace"):
        result.skipped.append(path)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    result.files.append(path)


def configure(input_part: str = "", output_part: str = "") -> ConfigureResult:
    """Load the echo canceller now and make it persistent; idempotent.

    ``input_part``/``output_part`` are the configured device name parts
    (``speech.input_device``/``output_device``); empty means the defaults.
    """
    server = sound_server()
    result = ConfigureResult(server)
    if server is None:
        return result
    source = find_device("sources", input_part)
    sink = find_device("sinks", output_part)
    if server.kind == "pipewire":
        _write_ours(_config_home() / PIPEWIRE_SNIPPET, pipewire_snippet(source, sink), result)
    else:
        _write_ours(_config_home() / PULSE_DEFAULT_PA, pulse_default_pa(source, sink), result)
    if SOURCE_NAME not in echo_sources():
        if pactl("load-module", "module-echo-cancel", *module_arguments(source, sink)) is None:
            result.error = "pactl load-module module-echo-cancel failed"
            return result
    pactl("set-default-source", SOURCE_NAME)
    pactl("set-default-sink", SINK_NAME)
    result.loaded_now = SOURCE_NAME in echo_sources()
    return result


def unconfigure() -> ConfigureResult:
    """Unload our echo-cancel module and delete our configuration files; idempotent."""
    result = ConfigureResult(sound_server())
    for relative in (PIPEWIRE_SNIPPET, PULSE_DEFAULT_PA):
        path = _config_home() / relative
        if not path.exists():
            continue
        if MARKER in path.read_text(encoding="utf-8", errors="replace"):
            path.unlink()
            result.files.append(path)
        else:
            result.skipped.append(path)
    if result.server is not None:
        for row in _short_list("modules"):
            if len(row) > 2 and row[1] == "module-echo-cancel" and f"source_name={SOURCE_NAME}" in row[2]:
                pactl("unload-module", row[0])
    return result
