"""``begleiter export`` and ``begleiter forget``: the person's data, to keep or to delete.

Export reads the store without taking its lock (the files are always whole,
so this works while the voice service runs) and writes JSON or a CSV file with
one section per kind of record. Forget needs the lock, asks for the typed word
"löschen" (or ``--yes``), then deletes the store with all backups and every
other file in the data folder except downloaded speech models.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Iterable, TextIO

from assistant.clock import local_zone, make_clock
from assistant.config import Settings, load_settings
from assistant.dialog.prompts import PromptBook, load_prompts
from assistant.errors import BegleiterError
from assistant.resources import prompts_dir
from assistant.store import Store, open_store
from assistant.store.lock import LOCK_NAME
from assistant.store.records import (CheckIn, JournalEntry, PersonSettings, PromptUse, Reminder,
                                     SafetyEvent, SafetyPlan, Step, Who5Result)

CONFIRM_WORD = "löschen"
KEEP_ON_FORGET = ("models",)
"""Entries of the data folder that hold nothing personal (speech models)."""

SECTIONS: dict[str, type] = {
    "settings": PersonSettings,
    "safety_plan": SafetyPlan,
    "reminders": Reminder,
    "checkins": CheckIn,
    "steps": Step,
    "journal": JournalEntry,
    "who5": Who5Result,
    "safety_events": SafetyEvent,
    "prompt_history": PromptUse,
}
"""Section name -> record type, in export order; titles and column names: ``data.csv.*`` in prompts_de/."""


def _row(record: Any) -> dict[str, Any]:
    doc = record.to_doc()
    return {"id": record.id, **doc} if hasattr(record, "id") else doc


def collect(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Everything in the store, one list of plain dicts per section."""
    return {
        "settings": [_row(store.settings.get())],
        "safety_plan": [_row(store.safety_plan.get())],
        "reminders": [_row(r) for r in store.reminders.all()],
        "checkins": [_row(r) for r in store.checkins.all()],
        "steps": [_row(r) for r in store.steps.all()],
        "journal": [_row(r) for r in store.journal.all()],
        "who5": [_row(r) for r in store.who5.all()],
        "safety_events": [_row(r) for r in store.safety_events.all()],
        "prompt_history": [_row(r) for r in store.prompt_history.all()],
    }


def to_json(data: dict[str, list[dict[str, Any]]], exported_at: str) -> str:
    document: dict[str, Any] = {"begleiter_export": {"exported_at": exported_at, "format": 1}}
    for name, rows in data.items():
        document[name] = rows[0] if name in ("settings", "safety_plan") else rows
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, list):
        return " | ".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _columns(record_type: type, rows: list[dict[str, Any]]) -> list[str]:
    names = [f.name for f in fields(record_type)]
    columns = (["id"] if "id" in names else []) + [n for n in names if n != "id"]
    for row in rows:
        columns += [key for key in row if key not in columns]
    return columns


def to_csv(data: dict[str, list[dict[str, Any]]], exported_at: str, book: PromptBook | None = None) -> str:
    """One CSV file: per section a title row ``# Titel``, a header row, the rows, an empty row.

    Titles and column names come from ``prompts_de/data.toml`` (``data.csv.*``); a column
    without a name there keeps its field name.
    """
    book = book or load_prompts(prompts_dir())

    def text(key: str, fallback: str) -> str:
        return book.render(key, "du", 0, {}) if key in book else fallback

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f"# {text('data.csv.title', 'Begleiter')}", exported_at])
    writer.writerow([])
    for name, rows in data.items():
        record_type = SECTIONS[name]
        columns = _columns(record_type, rows)
        writer.writerow([f"# {text(f'data.csv.part.{name}', name)}", name])
        writer.writerow([text(f"data.csv.column.{column}", column) for column in columns])
        for row in rows:
            writer.writerow([_cell(row.get(column)) for column in columns])
        writer.writerow([])
    return buffer.getvalue()


def _texts(settings: Settings, store: Store | None) -> tuple[PromptBook, str]:
    chosen = store.settings.get().address if store is not None else None
    return load_prompts(prompts_dir()), chosen or settings.general.address


def _say(book: PromptBook, address: str, key: str, stream: TextIO | None = None, **data: Any) -> None:
    print(book.render(f"data.{key}", address, 0, data), file=stream or sys.stdout, flush=True)


def write_private(path: Path, text: str) -> None:
    """Write an export file readable only by its owner (0600)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as error:
        raise BegleiterError(f"Die Datei {path} kann ich nicht schreiben ({error.strerror}).") from None


def run_export(args: argparse.Namespace) -> int:
    settings = load_settings(getattr(args, "config", None), getattr(args, "data_dir", None))
    now = make_clock(getattr(args, "now", None), local_zone(settings.general.timezone)).now()
    with open_store(settings.data_dir, read_only=True) as store:
        data = collect(store)
        book, address = _texts(settings, store)
        chart_file = getattr(args, "chart", None)
        if chart_file:  # issue 7: mood/energy/contact per day and WHO-5 as SVG
            from assistant.commands.chart import render_chart
            svg = render_chart(book, store.checkins.all(), store.who5.all(), now.date())
    stamp = now.isoformat()
    text = to_csv(data, stamp) if args.format == "csv" else to_json(data, stamp)
    if chart_file:
        write_private(Path(chart_file), svg)
        print(book.render("chart.written", address, 0, {"path": chart_file}), file=sys.stderr, flush=True)
        if not args.out:
            return 0
    if args.out and args.out != "-":
        write_private(Path(args.out), text)
        _say(book, address, "export_written", sys.stderr, path=args.out)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0


def other_personal_paths(data_dir: Path, store_folder: Path) -> list[Path]:
    """Everything in the data folder besides the store and the speech models."""
    if not data_dir.is_dir():
        return []
    return sorted(p for p in data_dir.iterdir() if p != store_folder and p.name not in KEEP_ON_FORGET)


@dataclass
class ForgetReport:
    """What is (or was) stored: records per section and files on disk."""

    counts: dict[str, int]
    """Section name (see :data:`SECTIONS`) -> number of records; empty ones left out."""
    files: int
    """Files, backups and damaged copies included."""

    def summary(self, book: PromptBook | None = None) -> str:
        """German list for the person, e.g. ``Check-ins: 3, Tagebuch: 5, Dateien …: 7``."""
        book = book or load_prompts(prompts_dir())
        parts = [f"{book.render(f'data.csv.part.{name}', 'du', 0, {})}: {count}" for name, count in self.counts.items()]
        parts.append(book.render("data.forget_files", "du", 0, {"count": self.files}))
        return ", ".join(parts)

    @property
    def empty(self) -> bool:
        return not self.counts and not self.files


def inventory(store: Store, data_dir: Path) -> ForgetReport:
    """Count what a forget would delete."""
    counts = {name: len(rows) for name, rows in collect(store).items()
              if rows and name not in ("settings", "safety_plan")}
    if store.settings.get() != PersonSettings():
        counts["settings"] = 1
    if any(getattr(store.safety_plan.get(), part) for part in SafetyPlan.PARTS):
        counts["safety_plan"] = 1
    store_files = [p for p in store.files() if p.name != LOCK_NAME]
    others = other_personal_paths(data_dir, store.folder)
    return ForgetReport(dict(sorted(counts.items(), key=lambda i: list(SECTIONS).index(i[0]))),
                        len(store_files) + _count_files(others))


def forget_all(store: Store, data_dir: Path) -> ForgetReport:
    """Delete everything personal; the store stays open, locked and empty.

    For the spoken "forget my data" while the assistant runs: the dialogue asks
    for confirmation first, then calls this and tells the person the summary.
    """
    report = inventory(store, data_dir)
    deleted = len(store.wipe()) + _delete(other_personal_paths(data_dir, store.folder))
    return ForgetReport(report.counts, deleted)


def _confirmed(args: argparse.Namespace, book: PromptBook, address: str) -> bool:
    if args.yes:
        return True
    if not sys.stdin.isatty():
        _say(book, address, "forget_no_terminal")
        return False
    _say(book, address, "forget_confirm")
    try:
        answer = input("> ")
    except EOFError:
        return False
    return answer.strip().casefold() == CONFIRM_WORD


def _count_files(paths: Iterable[Path]) -> int:
    return sum(sum(1 for p in path.rglob("*") if not p.is_dir()) if path.is_dir() else 1
               for path in paths)


def _delete(paths: Iterable[Path]) -> int:
    paths = list(paths)
    count = _count_files(paths)
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    return count


def run_forget(args: argparse.Namespace) -> int:
    settings = load_settings(getattr(args, "config", None), getattr(args, "data_dir", None))
    data_dir = settings.data_dir
    if not data_dir.is_dir():
        book, address = _texts(settings, None)
        _say(book, address, "forget_nothing")
        return 0
    store = open_store(data_dir)
    try:
        book, address = _texts(settings, store)
        report = inventory(store, data_dir)
        if report.empty:
            _say(book, address, "forget_nothing")
            return 0
        _say(book, address, "forget_what", summary=report.summary(book))
        if not _confirmed(args, book, address):
            _say(book, address, "forget_aborted")
            return 1
        deleted = len(store.destroy()) + _delete(other_personal_paths(data_dir, store.folder))
        _say(book, address, "forget_done", summary=ForgetReport(report.counts, deleted).summary(book))
        return 0
    finally:
        store.close()
