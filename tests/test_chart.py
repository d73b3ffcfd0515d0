"""The exported chart: a real pygal SVG, parsed as XML, German labels, no external links."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("pygal", reason="pygal (extra 'chart') is not installed")

from assistant.commands.chart import ChartError, daily_values, render_chart  # noqa: E402
from assistant.dialog.prompts import load_prompts  # noqa: E402
from assistant.resources import prompts_dir  # noqa: E402
from assistant.store import open_store  # noqa: E402
from tests.conftest import run_cli  # noqa: E402

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 11, 26)
BOOK = load_prompts(prompts_dir())
SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class Checkin:
    at: datetime
    mood: int | None
    energy: int | None
    contact: bool | None


@dataclass
class Who5:
    at: datetime
    percent: int


def day(offset: int, hour: int = 10) -> datetime:
    return datetime.combine(TODAY - timedelta(days=offset), datetime.min.time()).replace(hour=hour, tzinfo=BERLIN)


def test_daily_values_average_a_day_and_leave_gaps() -> None:
    checkins = [Checkin(day(2, 9), 2, 4, False), Checkin(day(2, 20), 6, None, True), Checkin(day(0), 7, 7, None)]
    days = daily_values(checkins, TODAY - timedelta(days=2), TODAY)
    assert [(d.mood, d.energy, d.contact) for d in days] == [(4.0, 4.0, 1), (None, None, None), (7.0, 7.0, None)]


def test_chart_is_valid_svg_with_german_labels_and_no_external_reference() -> None:
    checkins = [Checkin(day(i), (i * 3) % 11, (i * 5) % 11, i % 2 == 0) for i in range(20) if i % 3]
    who5 = [Who5(day(14 * i), 40 + 4 * i) for i in range(4)]
    raw = render_chart(BOOK, checkins, who5, TODAY)
    assert len(raw) > 5000
    root = ET.fromstring(raw.encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    texts = " ".join(t.strip() for t in root.itertext())
    for label in ("Stimmung und Energie pro Tag", "Stimmung", "Energie", "Kontakt mit anderen Menschen",
                  "WHO-5-Wohlbefinden", "Fr 2.10.", "Frederiksborg"):
        assert label in texts, label
    assert not root.findall(f".//{SVG}script")
    for element in root.iter():
        for name, value in element.attrib.items():
            if name.endswith("href") or name == "src":
                assert not value.startswith(("http", "//")), value
    polylines = [p for p in root.iter(f"{SVG}path") if "line" in p.get("class", "")]
    assert polylines, "the mood line is drawn"


def test_chart_with_no_data_still_renders() -> None:
    raw = render_chart(BOOK, [], [], TODAY)
    root = ET.fromstring(raw.encode("utf-8"))
    assert "noch kein WHO-5" in " ".join(root.itertext())


def test_missing_pygal_gives_a_german_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pygal", None)
    with pytest.raises(ChartError, match="pygal"):
        render_chart(BOOK, [], [], TODAY)


@pytest.mark.slow
def test_export_writes_the_chart_from_the_store(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with open_store(data) as store:
        for offset in range(10):
            store.checkins.add(day(offset), mood=offset % 11, energy=5, contact=offset % 2 == 0)
        store.who5.add(day(3), [2, 3, 2, 3, 2])
    target = tmp_path / "verlauf.svg"
    proc = run_cli("export", "--data-dir", str(data), "--now", "2026-11-26T12:00", "--chart", str(target))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""  # without --out only the chart is written
    assert str(target) in proc.stderr
    assert target.stat().st_mode & 0o777 == 0o600
    root = ET.fromstring(target.read_bytes())
    assert "WHO-5 in Prozent" in " ".join(root.itertext())
    bad = run_cli("export", "--data-dir", str(data), "--chart", str(tmp_path / "fehlt" / "x.svg"))
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "schreiben" in bad.stderr
