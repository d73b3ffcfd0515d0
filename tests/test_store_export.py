"""``begleiter export`` and ``begleiter forget`` as real processes on real files."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.store import StoreLockedError, open_store
from tests.conftest import ROOT, run_cli
from tests.helpers_store import NOW, all_files, fill_everything, mode_of

SECTIONS = ("settings", "safety_plan", "reminders", "checkins", "steps", "journal", "who5",
            "safety_events", "prompt_history")


def _filled(data_dir: Path) -> tuple[list[str], dict[str, set[str]]]:
    with open_store(data_dir) as store:
        markers = fill_everything(store)["markers"]
        ids = {"reminders": {r.id for r in store.reminders.all()},
               "checkins": {r.id for r in store.checkins.all()},
               "steps": {r.id for r in store.steps.all()},
               "journal": {r.id for r in store.journal.all()},
               "who5": {r.id for r in store.who5.all()},
               "safety_events": {r.id for r in store.safety_events.all()},
               "prompt_history": {r.id for r in store.prompt_history.all()}}
    return markers, ids


def _csv_sections(text: str) -> dict[str, list[dict[str, str]]]:
    sections: dict[str, list[dict[str, str]]] = {}
    rows = list(csv.reader(io.StringIO(text)))
    index = 2  # title row of the whole export, empty row
    while index < len(rows):
        title = rows[index]
        assert title[0].startswith("# "), title
        header = rows[index + 1]
        body = []
        index += 2
        while index < len(rows) and rows[index]:
            body.append(dict(zip(header, rows[index])))
            index += 1
        sections[title[1]] = body
        index += 1
    return sections


def test_json_export_contains_every_record_and_field(data_dir: Path) -> None:
    markers, ids = _filled(data_dir)
    result = run_cli("export", "--data-dir", str(data_dir), "--now", "2026-11-26T20:00")
    assert result.returncode == 0, result.stderr
    exported = json.loads(result.stdout)
    assert exported["begleiter_export"]["exported_at"].startswith("2026-11-26T20:00")
    assert set(SECTIONS) <= set(exported)
    for section, expected in ids.items():
        assert {row["id"] for row in exported[section]} == expected, section
    for marker in markers:
        assert marker in result.stdout, marker
    assert exported["settings"]["paused_exercise"] == {"exercise": "Pause-Übung", "turn": 2}
    assert exported["who5"][0]["answers"] == [1, 2, 3, 4, 5]
    assert exported["reminders"][0]["zone"] == "Europe/Berlin"


def test_csv_export_has_one_section_per_kind_with_every_row(data_dir: Path, tmp_path: Path) -> None:
    markers, ids = _filled(data_dir)
    out = tmp_path / "export.csv"
    result = run_cli("export", "--format", "csv", "--out", str(out), "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stderr and mode_of(out) == 0o600
    text = out.read_text(encoding="utf-8")
    sections = _csv_sections(text)
    assert list(sections) == list(SECTIONS)
    for section, expected in ids.items():
        assert {row["ID"] for row in sections[section]} == expected, section
    for marker in markers:
        assert marker in text, marker
    journal = {row["Antwort"] for row in sections["journal"]}
    assert "Tagebuch-Licht\nzweite Zeile" in journal  # multi-line answers survive quoting
    assert sections["checkins"][0]["Kontakt"] == "nein"


def test_export_works_while_another_process_holds_the_store(data_dir: Path) -> None:
    _filled(data_dir)
    writer = subprocess.Popen([sys.executable, "-m", "tests.helpers_store", str(data_dir), "0"],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        result = run_cli("export", "--data-dir", str(data_dir))
    finally:
        writer.kill()
        writer.wait()
    assert result.returncode == 0, result.stderr
    assert "Tagebuch-Licht" in result.stdout


def test_export_of_an_empty_data_dir_is_valid_and_creates_nothing(data_dir: Path) -> None:
    result = run_cli("export", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["journal"] == []
    assert not data_dir.exists()


def _personal_setup(data_dir: Path) -> list[str]:
    markers, _ = _filled(data_dir)
    path = data_dir / "store" / "history-2026-11.json"
    path.write_bytes(path.read_bytes()[:50])  # leave a damaged copy aside too
    with open_store(data_dir):
        pass
    (data_dir / "begleiter.log").write_text("Tagebuch-Licht im Protokoll\n", encoding="utf-8")
    model = data_dir / "models" / "vosk-model-small-de-0.15"
    model.mkdir(parents=True)
    (model / "README").write_text("model", encoding="utf-8")
    return markers


def _remaining_personal_text(data_dir: Path, markers: list[str]) -> list[str]:
    found = []
    for path in all_files(data_dir):
        content = path.read_bytes()
        found += [f"{path}: {m}" for m in markers if m.encode("utf-8") in content]
    return found


def test_forget_without_a_terminal_deletes_nothing(data_dir: Path) -> None:
    markers = _personal_setup(data_dir)
    before = all_files(data_dir)
    result = run_cli("forget", "--data-dir", str(data_dir), input="löschen\n")
    assert result.returncode == 1
    assert "nichts gelöscht" in result.stdout and "--yes" in result.stdout
    assert all_files(data_dir) == before and _remaining_personal_text(data_dir, markers)


def _forget_on_a_terminal(data_dir: Path, typed: str) -> subprocess.CompletedProcess:
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "forget", "--data-dir", str(data_dir)],
                                stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        os.write(master, typed.encode("utf-8"))
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        os.close(master)
        os.close(slave)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout.decode("utf-8"),
                                       stderr.decode("utf-8"))


@pytest.mark.slow
def test_forget_typed_confirmation_deletes_everything_personal(data_dir: Path) -> None:
    markers = _personal_setup(data_dir)
    kept = _forget_on_a_terminal(data_dir, "nein\n")
    assert kept.returncode == 1 and "nichts gelöscht" in kept.stdout
    assert _remaining_personal_text(data_dir, markers)
    result = _forget_on_a_terminal(data_dir, "Löschen\n")
    assert result.returncode == 0, result.stderr
    assert "Gelöscht:" in result.stdout and "Tagebuch: 2" in result.stdout
    left = all_files(data_dir)
    assert left == [data_dir / "models" / "vosk-model-small-de-0.15" / "README"]
    assert not (data_dir / "store").exists()
    assert _remaining_personal_text(data_dir, markers) == []


def test_forget_yes_for_scripts_and_then_nothing_left(data_dir: Path) -> None:
    markers = _personal_setup(data_dir)
    result = run_cli("forget", "--yes", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    assert "Check-ins: 2" in result.stdout and "Erinnerungen: 2" in result.stdout
    assert _remaining_personal_text(data_dir, markers) == []
    assert [p.name for p in all_files(data_dir)] == ["README"]
    again = run_cli("forget", "--yes", "--data-dir", str(data_dir))
    assert again.returncode == 0 and "nichts löschen" in again.stdout


def test_forget_refuses_while_the_store_is_in_use(data_dir: Path) -> None:
    markers = _personal_setup(data_dir)
    with open_store(data_dir):
        result = run_cli("forget", "--yes", "--data-dir", str(data_dir))
    assert result.returncode == 3 and "läuft schon" in result.stderr
    assert "Traceback" not in result.stderr
    assert _remaining_personal_text(data_dir, markers)


def test_forget_all_for_the_dialogue_keeps_the_store_usable(data_dir: Path) -> None:
    from assistant.commands.data import forget_all
    markers = _personal_setup(data_dir)
    with open_store(data_dir) as store:
        report = forget_all(store, data_dir)
        assert report.counts["journal"] == 2 and report.counts["settings"] == 1
        assert report.files >= 6 and "Tagebuch: 2" in report.summary()
        assert store.journal.all() == [] and store.settings.get().address is None
        assert _remaining_personal_text(data_dir, markers) == []
        store.journal.add(NOW, "e", "q", "neu danach")  # still open, locked and writable
        with pytest.raises(StoreLockedError):
            open_store(data_dir)
    with open_store(data_dir) as store:
        assert [e.text for e in store.journal.all()] == ["neu danach"]
    assert (data_dir / "models" / "vosk-model-small-de-0.15" / "README").exists()
