"""``install-service`` / ``remove-service``: the unit file and the commands around it.

systemd cannot run inside the test machine, so three honest situations are
tested: no systemctl at all, the real systemctl without a user manager, and
recording stand-ins for systemctl/loginctl (the thinnest boundary) that show
exactly which commands are issued. The unit itself is checked by
``systemd-analyze verify`` where that tool exists.
"""

from __future__ import annotations

import configparser
import getpass
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from assistant.device import service
from assistant.dialog.prompts import load_prompts
from assistant.device.doctor_checks import Texts, check_echo_cancel
from assistant.resources import prompts_dir
from tests.conftest import run_cli
from tests.helpers_audio import MIC_SINK, OUT_SINK, PulseServer, pulse_fixture

SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


def parse_unit(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True, comment_prefixes=("#",))
    parser.optionxform = str  # type: ignore[assignment]
    parser.read_string(text)
    return parser


def test_unit_runs_the_venv_begleiter_with_restart_limits_and_clean_stop() -> None:
    unit = parse_unit(service.render_unit(service.begleiter_command()))
    exec_start = unit["Service"]["ExecStart"].split()
    assert Path(exec_start[0]).is_absolute()
    assert exec_start[0] == str(Path(sys.executable).absolute().parent / "begleiter")
    assert Path(exec_start[0]).is_file(), "the venv's console script exists"
    assert exec_start[1:] == ["run"]
    assert unit["Service"]["Restart"] == "on-failure"
    assert int(unit["Unit"]["StartLimitBurst"]) >= 3
    assert int(unit["Unit"]["StartLimitIntervalSec"]) > 0
    assert unit["Service"]["KillSignal"] == "SIGTERM"
    assert int(unit["Service"]["TimeoutStopSec"]) > 0
    assert "143" in unit["Service"]["SuccessExitStatus"].split()
    assert unit["Service"]["StandardOutput"] == unit["Service"]["StandardError"] == "journal"
    after = unit["Unit"]["After"].split()
    assert {"pipewire.service", "pulseaudio.service"} <= set(after)
    assert "sound.target" in unit["Unit"]["Wants"].split()
    assert unit["Install"]["WantedBy"] == "default.target"


def test_paths_with_spaces_and_percent_are_quoted() -> None:
    text = service.render_unit(["/opt/my venv/bin/begleiter", "run", "--data-dir", "/data/100%"])
    line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    assert line == 'ExecStart="/opt/my venv/bin/begleiter" run --data-dir /data/100%%'


def _verify(unit_file: Path) -> subprocess.CompletedProcess:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed here; the unit is checked by parsing only")
    return subprocess.run(["systemd-analyze", "verify", str(unit_file)], capture_output=True,
                          text=True, timeout=60)


@pytest.mark.slow
def test_systemd_analyze_accepts_the_unit(tmp_path: Path) -> None:
    venv_bin = tmp_path / "my venv" / "bin"
    venv_bin.mkdir(parents=True)
    script = venv_bin / "begleiter"
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    script.chmod(0o755)
    unit_file = tmp_path / "begleiter.service"
    for command in (service.begleiter_command(), [str(script), "run", "--data-dir", str(tmp_path / "d")]):
        unit_file.write_text(service.render_unit(command), encoding="utf-8")
        proc = _verify(unit_file)
        assert proc.returncode == 0, proc.stderr
        assert "begleiter.service" not in proc.stderr, proc.stderr


@pytest.mark.slow
def test_systemd_analyze_would_catch_a_broken_unit(tmp_path: Path) -> None:
    unit_file = tmp_path / "begleiter.service"
    unit_file.write_text(service.render_unit(["relative/begleiter", "run"]), encoding="utf-8")
    assert _verify(unit_file).returncode != 0


# ------------------------------------------------------------ the commands

def _home_env(tmp_path: Path, path: str) -> dict[str, str]:
    return {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config"),
            "PATH": path, "PULSE_SERVER": "unix:/nonexistent/pulse"}


def _unit_file(tmp_path: Path) -> Path:
    return tmp_path / "home" / ".config" / "systemd" / "user" / "begleiter.service"


@pytest.mark.slow
def test_dry_run_prints_the_unit_and_writes_nothing(tmp_path: Path) -> None:
    result = run_cli("install-service", "--dry-run", "--data-dir", str(tmp_path / "d"),
                     env=_home_env(tmp_path, SYSTEM_PATH))
    assert result.returncode == 0, result.stderr
    assert "nichts wurde geschrieben" in result.stdout.splitlines()[0]
    unit = parse_unit(result.stdout.split("\n", 1)[1])
    assert unit["Service"]["ExecStart"].endswith(f"run --data-dir {tmp_path / 'd'}")
    assert not (tmp_path / "home").exists()


@pytest.mark.slow
def test_install_and_remove_without_systemctl_are_idempotent(tmp_path: Path) -> None:
    bare = tmp_path / "bin"
    bare.mkdir()
    env = _home_env(tmp_path, str(bare))
    first = run_cli("install-service", env=env)
    assert first.returncode == 0, first.stderr
    unit_file = _unit_file(tmp_path)
    assert unit_file.read_text(encoding="utf-8") == service.render_unit(service.begleiter_command())
    assert "Dienstdatei geschrieben" in first.stdout
    assert "systemctl --user daemon-reload && systemctl --user enable --now begleiter.service" in first.stdout
    assert f"sudo loginctl enable-linger {getpass.getuser()}" in first.stdout
    assert "Kein PipeWire oder PulseAudio erreichbar" in first.stdout
    before = unit_file.stat().st_mtime_ns
    second = run_cli("install-service", env=env)
    assert second.returncode == 0 and "schon aktuell" in second.stdout
    assert unit_file.stat().st_mtime_ns == before
    removed = run_cli("remove-service", env=env)
    assert removed.returncode == 0 and "gelöscht" in removed.stdout
    assert not unit_file.exists()
    again = run_cli("remove-service", env=env)
    assert again.returncode == 0 and "nichts zu tun" in again.stdout


@pytest.mark.slow
def test_real_systemctl_without_a_user_manager_reports_what_to_run(tmp_path: Path) -> None:
    if shutil.which("systemctl", path=SYSTEM_PATH) is None:
        pytest.skip("systemctl is not installed; the no-systemctl path is tested above")
    env = _home_env(tmp_path, SYSTEM_PATH)
    env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={tmp_path}/no-bus"
    env["XDG_RUNTIME_DIR"] = str(tmp_path / "no-runtime")
    result = run_cli("install-service", "--no-echo-cancel", env=env)
    assert result.returncode == 0, result.stderr
    assert _unit_file(tmp_path).is_file()
    assert "systemd ist hier nicht erreichbar" in result.stdout
    assert f"sudo loginctl enable-linger {getpass.getuser()}" in result.stdout


RECORDER = """#!/bin/sh
echo "$(basename "$0") $*" >> "{log}"
case "$*" in
  *is-enabled*) echo enabled ;;
  *is-active*) echo active ;;
esac
exit 0
"""


def _recording_tools(tmp_path: Path) -> tuple[Path, Path]:
    """Stand-ins for systemctl and loginctl that log their arguments and succeed."""
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    for tool in ("systemctl", "loginctl"):
        path = bin_dir / tool
        path.write_text(RECORDER.format(log=log), encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return bin_dir, log


@pytest.mark.slow
def test_with_systemd_the_unit_is_enabled_started_and_lingering_turned_on(tmp_path: Path) -> None:
    bin_dir, log = _recording_tools(tmp_path)
    env = _home_env(tmp_path, f"{bin_dir}:{SYSTEM_PATH}")
    result = run_cli("install-service", "--no-echo-cancel", env=env)
    assert result.returncode == 0, result.stderr
    calls = log.read_text(encoding="utf-8").splitlines()
    reload_at = calls.index("systemctl --user daemon-reload")
    assert calls.index("systemctl --user enable --now begleiter.service") > reload_at
    assert f"loginctl enable-linger {getpass.getuser()}" in calls
    assert "eingeschaltet und läuft" in result.stdout
    assert not any("try-restart" in call for call in calls), "a first install starts once"
    log.write_text("", encoding="utf-8")
    changed = run_cli("install-service", "--no-echo-cancel", "--data-dir", str(tmp_path / "other"), env=env)
    assert changed.returncode == 0
    assert "systemctl --user try-restart begleiter.service" in log.read_text(encoding="utf-8").splitlines()
    doctor = run_cli("doctor", "--data-dir", str(tmp_path / "d"), env=env)
    assert "✓ Autostart-Dienst: eingerichtet und läuft." in doctor.stdout
    log.write_text("", encoding="utf-8")
    removed = run_cli("remove-service", env=env)
    assert removed.returncode == 0
    calls = log.read_text(encoding="utf-8").splitlines()
    assert calls.index("systemctl --user disable --now begleiter.service") < calls.index(
        "systemctl --user daemon-reload")
    assert not _unit_file(tmp_path).exists()


def test_remove_leaves_a_unit_it_did_not_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent/pulse")
    foreign = service.unit_path()
    foreign.parent.mkdir(parents=True)
    foreign.write_text("[Service]\nExecStart=/bin/true\n", encoding="utf-8")
    messages = service.remove()
    assert [m.key for m in messages][0] == "remove.unit_foreign"
    assert foreign.is_file()


# ------------------------------------------------------------ echo cancellation

@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    yield from pulse_fixture(tmp_path_factory)


def _reset_defaults(pulse: PulseServer) -> None:
    """The fixture's defaults (an earlier test's removal lets PulseAudio pick a monitor)."""
    pulse.run("pactl", "set-default-sink", OUT_SINK)
    pulse.run("pactl", "set-default-source", f"{MIC_SINK}.monitor")


def _echo_modules(pulse: PulseServer) -> list[str]:
    listing = pulse.run("pactl", "list", "short", "modules", text=True).stdout
    return [line for line in listing.splitlines() if "module-echo-cancel" in line]


@pytest.mark.slow
def test_install_sets_up_echo_cancellation_once_and_remove_undoes_it(tmp_path: Path, pulse: PulseServer,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    bare = tmp_path / "bin"
    bare.mkdir()
    env = {**pulse.env, "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
           "PATH": f"{bare}:{os.path.dirname(shutil.which('pactl') or '/usr/bin/pactl')}"}
    default_pa = tmp_path / "cfg" / "pulse" / "default.pa"
    _reset_defaults(pulse)
    for _ in range(2):
        result = run_cli("install-service", env=env)
        assert result.returncode == 0, result.stderr
        assert "Echounterdrückung eingerichtet (pulseaudio)" in result.stdout, result.stdout
        assert len(_echo_modules(pulse)) == 1
    assert "aec_method=webrtc" in _echo_modules(pulse)[0]
    assert "load-module module-echo-cancel aec_method=webrtc" in default_pa.read_text(encoding="utf-8")
    info = pulse.run("pactl", "info", text=True).stdout
    assert "Default Source: begleiter_echo_source" in info
    doctor = run_cli("doctor", "--data-dir", str(tmp_path / "d"), env=env)
    assert "✓ Echounterdrückung: läuft (begleiter_echo_source)." in doctor.stdout, doctor.stdout
    pulse.run("pactl", "set-default-source", f"{MIC_SINK}.monitor")
    monkeypatch.setenv("PULSE_SERVER", pulse.env["PULSE_SERVER"])
    bypassed = check_echo_cancel(Texts(load_prompts(prompts_dir())))
    assert (bypassed.ok, bypassed.state) == (False, "not_default")
    assert "pactl set-default-source begleiter_echo_source" in bypassed.advice
    removed = run_cli("remove-service", env=env)
    assert "Echounterdrückung wurde entfernt" in removed.stdout
    assert _echo_modules(pulse) == [] and not default_pa.exists()


@pytest.mark.slow
def test_a_users_own_default_pa_is_never_overwritten(tmp_path: Path, pulse: PulseServer,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in pulse.env.items():
        monkeypatch.setenv(key, value)
    _reset_defaults(pulse)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    own = tmp_path / "cfg" / "pulse" / "default.pa"
    own.parent.mkdir(parents=True)
    own.write_text(".include /etc/pulse/default.pa\nload-module module-null-sink\n", encoding="utf-8")
    from assistant.device import echo_cancel
    try:
        result = echo_cancel.configure()
        assert result.skipped == [own] and result.loaded_now
        assert "module-null-sink" in own.read_text(encoding="utf-8")
    finally:
        echo_cancel.unconfigure()
    assert own.is_file() and _echo_modules(pulse) == []


def test_pipewire_snippet_targets_the_chosen_devices_only_when_chosen() -> None:
    from assistant.device import echo_cancel
    chosen = echo_cancel.pipewire_snippet("alsa_input.usb-Jabra", "alsa_output.usb-Jabra")
    assert chosen.startswith(echo_cancel.MARKER)
    assert "name = libpipewire-module-echo-cancel" in chosen
    assert "library.name = aec/libspa-aec-webrtc" in chosen
    assert 'target.object = "alsa_input.usb-Jabra"' in chosen
    assert 'target.object = "alsa_output.usb-Jabra"' in chosen
    assert f'node.name = "{echo_cancel.SOURCE_NAME}"' in chosen
    assert chosen.count("{") == chosen.count("}") and chosen.count("[") == chosen.count("]")
    assert "target.object" not in echo_cancel.pipewire_snippet("", "")
