"""Damaged files at start-up, permissions, read-only folders, the lock, migrations."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from tinydb import TinyDB

from assistant.store import StoreLockedError, StoreVersionError, open_store
from tests.conftest import ROOT
from tests.helpers_store import NOW, fill_everything, mode_of

DAMAGE = {
    "truncated": lambda data: data[: len(data) // 2],
    "zero_length": lambda data: b"",
    "trailing_garbage": lambda data: data + b'"checkins": {}}\x00\x00',
    "invalid_utf8": lambda data: data.replace("zweite".encode(), b"zw\xffite"),
    "not_json": lambda data: b"Das ist keine Datenbank.\n",
    "wrong_shape": lambda data: b'[1, 2, 3]',
}


def _three_entries(data_dir: Path) -> Path:
    """Three journal writes: live file has all three, the backup the first two."""
    with open_store(data_dir) as store:
        for text in ("erste", "zweite", "dritte"):
            store.journal.add(NOW, "e", "q", text)
    return data_dir / "store" / "history-2026-11.json"


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_history_file_restores_backup_and_keeps_the_bad_one(data_dir: Path, damage: str) -> None:
    path = _three_entries(data_dir)
    bad = DAMAGE[damage](path.read_bytes())
    path.write_bytes(bad)
    with open_store(data_dir) as store:
        assert [e.text for e in store.journal.all()] == ["erste", "zweite"]
        assert store.recovery_notice == "system.store_recovered"
        recovery = store.recoveries[0]
        assert recovery.path == path and recovery.restored_from is not None
        store.recovery_told()
        assert store.recovery_notice is None
        store.journal.add(NOW, "e", "q", "weiter")
    aside = list(path.parent.glob("history-2026-11.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == bad and mode_of(aside[0]) == 0o600
    with open_store(data_dir) as store:  # repaired for good: no second notice
        assert store.recovery_notice is None
        assert [e.text for e in store.journal.all()] == ["erste", "zweite", "weiter"]


@pytest.mark.parametrize("damage", ["zero_length", "truncated", "not_json"])
def test_damaged_core_file_restores_backup(data_dir: Path, damage: str) -> None:
    with open_store(data_dir) as store:
        store.reminders.add("Anna anrufen", NOW)
        store.settings.update(address="sie")
    core = data_dir / "store" / "core.json"
    core.write_bytes(DAMAGE[damage](core.read_bytes()))
    with open_store(data_dir) as store:
        assert [r.what for r in store.reminders.all()] == ["Anna anrufen"]
        assert store.recovery_notice == "system.store_recovered"


def test_missing_live_file_with_backup_is_restored(data_dir: Path) -> None:
    path = _three_entries(data_dir)
    path.unlink()
    with open_store(data_dir) as store:
        assert [e.text for e in store.journal.all()] == ["erste", "zweite"]
        assert store.recovery_notice == "system.store_recovered"


def test_file_and_backup_both_damaged_is_reported_never_silent(data_dir: Path) -> None:
    path = _three_entries(data_dir)
    with open_store(data_dir) as store:
        store.reminders.add("bleibt", NOW)
    path.write_bytes(b"")
    Path(str(path) + ".bak").write_bytes(b"{\"meta\":")
    with open_store(data_dir) as store:
        assert store.journal.all() == []
        assert store.recovery_notice == "system.store_lost"
        assert store.recoveries[0].restored_from is None
        assert [r.what for r in store.reminders.all()] == ["bleibt"]  # other files untouched
    kept = sorted(p.name for p in path.parent.glob("*.corrupt-*"))
    assert len(kept) == 2  # both kept for rescue


def test_interrupted_write_leftovers_are_removed(data_dir: Path) -> None:
    path = _three_entries(data_dir)
    Path(str(path) + ".tmp").write_bytes(b'{"half')
    (path.parent / "history-2027-01.json.tmp").write_bytes(b"{")
    with open_store(data_dir) as store:
        assert len(store.journal.all()) == 3 and store.recovery_notice is None
    assert not list(path.parent.glob("*.tmp"))


def test_modes_are_0700_and_0600_even_with_a_permissive_umask(data_dir: Path) -> None:
    data_dir.mkdir(mode=0o755)
    old = os.umask(0)
    try:
        path = _three_entries(data_dir)
        path.write_bytes(b"kaputt")
        with open_store(data_dir) as store:
            fill_everything(store)
    finally:
        os.umask(old)
    assert mode_of(data_dir) == 0o700 and mode_of(data_dir / "store") == 0o700
    files = sorted(p for p in (data_dir / "store").iterdir())
    names = {p.name for p in files}
    assert {"core.json", "core.json.bak", "begleiter.lock", "history-2026-11.json.bak"} <= names
    assert any(".corrupt-" in name for name in names)
    assert {p.name: mode_of(p) for p in files} == {p.name: 0o600 for p in files}


def test_second_process_gets_a_clear_german_lock_error(data_dir: Path) -> None:
    with open_store(data_dir):
        other = subprocess.run([sys.executable, "-m", "tests.helpers_store", "open", str(data_dir)],
                               capture_output=True, text=True, cwd=ROOT, timeout=30)
        assert other.returncode == StoreLockedError.exit_code
        assert "StoreLockedError: Begleiter läuft schon mit dem Datenordner" in other.stdout
        with pytest.raises(StoreLockedError):
            open_store(data_dir)  # also a second opener in the same process
    again = subprocess.run([sys.executable, "-m", "tests.helpers_store", "open", str(data_dir)],
                           capture_output=True, text=True, cwd=ROOT, timeout=30)
    assert again.returncode == 0 and again.stdout.startswith("opened")


def test_lock_dies_with_a_killed_process(data_dir: Path) -> None:
    writer = subprocess.Popen([sys.executable, "-m", "tests.helpers_store", str(data_dir), "0"],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLockedError):
            open_store(data_dir)
    finally:
        writer.kill()
        writer.wait()
    with open_store(data_dir) as store:
        assert store.recovery_notice is None


def _stage_code(base: Path) -> Path:
    """A world-readable copy of the code the unprivileged helper needs.

    The checkout may sit in a folder only root can enter (CI clones anywhere);
    the helper process runs as "nobody", so it gets its own copy.
    """
    import tinydb
    stage = base / "code"
    shutil.copytree(ROOT / "assistant", stage / "assistant",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(Path(tinydb.__file__).parent, stage / "tinydb",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (stage / "tests").mkdir()
    (stage / "tests" / "__init__.py").write_text("", encoding="utf-8")
    shutil.copy(ROOT / "tests" / "helpers_store.py", stage / "tests")
    for path in [stage, *stage.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return stage


def _run_as_unprivileged(base: Path, data_dir: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "tests.helpers_store", "open", str(data_dir)]
    cwd = ROOT
    if os.geteuid() == 0:  # root ignores permissions: test as "nobody", a real other user
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: cannot test a read-only folder")
        cwd = _stage_code(base)
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        probe = subprocess.run(command[:4] + [sys.executable, "-c", "pass"], capture_output=True,
                               text=True, cwd=cwd, timeout=30)
        if probe.returncode != 0:
            pytest.skip(f"the Python interpreter {sys.executable} cannot be run as another user here")
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=30)


@pytest.mark.parametrize("existing", [False, True])
def test_read_only_folder_gives_a_german_error(existing: bool) -> None:
    base = Path(tempfile.mkdtemp(prefix="begleiter-ro-"))
    try:
        os.chmod(base, 0o755)
        data_dir = base / "data"
        if existing:
            _three_entries(data_dir)
        else:
            (data_dir / "store").mkdir(parents=True)
        if os.geteuid() == 0:
            for path in [data_dir, *data_dir.rglob("*")]:
                os.chown(path, 65534, 65534)
        os.chmod(data_dir / "store", 0o500)
        result = _run_as_unprivileged(base, data_dir)
        assert result.returncode != 0, result.stdout + result.stderr
        assert result.stdout.startswith("StoreReadOnlyError: ")
        assert "Traceback" not in result.stderr
    finally:
        os.chmod(base / "data" / "store", 0o700)
        shutil.rmtree(base)


def test_a_plain_tinydb_file_without_version_is_migrated(data_dir: Path) -> None:
    folder = data_dir / "store"
    folder.mkdir(parents=True)
    old = TinyDB(folder / "core.json", encoding="utf-8")  # stock TinyDB JSONStorage: schema 0
    old.table("settings").insert({"address": "sie", "onboarding_done": True})
    old.close()
    assert "meta" not in json.loads((folder / "core.json").read_text(encoding="utf-8"))
    with open_store(data_dir) as store:
        assert store.settings.get().address == "sie" and store.recovery_notice is None
        store.settings.update(country="CH")
    raw = json.loads((folder / "core.json").read_text(encoding="utf-8"))
    assert raw["meta"]["1"]["schema"] == 1 and "_default" not in raw
    assert raw["settings"]["1"]["country"] == "CH"


def test_data_from_a_newer_version_is_refused_and_left_alone(data_dir: Path) -> None:
    folder = data_dir / "store"
    folder.mkdir(parents=True)
    content = json.dumps({"meta": {"1": {"schema": 99, "kind": "core"}}, "settings": {}})
    (folder / "core.json").write_text(content, encoding="utf-8")
    with pytest.raises(StoreVersionError, match="neueren Begleiter-Version"):
        open_store(data_dir)
    assert (folder / "core.json").read_text(encoding="utf-8") == content
    assert not list(folder.glob("*.corrupt-*"))


def test_read_only_open_repairs_nothing_on_disk(data_dir: Path) -> None:
    path = _three_entries(data_dir)
    path.write_bytes(b"")
    with open_store(data_dir, read_only=True) as store:
        assert [e.text for e in store.journal.all()] == ["erste", "zweite"]
        assert store.recovery_notice == "system.store_recovered"
    assert path.read_bytes() == b"" and not list(path.parent.glob("*.corrupt-*"))


@pytest.mark.slow
def test_chat_tells_the_person_once_after_a_repair(data_dir: Path) -> None:
    import tomllib
    from tests.conftest import run_cli
    with (ROOT / "prompts_de" / "system.toml").open("rb") as handle:
        notice = tomllib.load(handle)["store_recovered"]["du"][0]
    path = _three_entries(data_dir)
    path.write_bytes(path.read_bytes()[:40])
    first = run_cli("chat", "--data-dir", str(data_dir), input="tschüss\n")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == notice
    second = run_cli("chat", "--data-dir", str(data_dir), input="tschüss\n")
    assert second.returncode == 0 and notice not in second.stdout
