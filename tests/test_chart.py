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

from assistant.chart import ChartError, daily_values, render_chart, write_chart  # noqa: E402
from assistant.dialog.prompts import load_prompts  # noqa: E402
from assistant.resources import prompts_dir  # noqa: E402

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


def test_chart_is_valid_svg_with_german_labels_and_no_external_reference(tmp_path: Path) -> None:
    checkins = [Checkin(day(i), (i * 3) % 11, (i * 5) % 11, i % 2 == 0) for i in range(20) if i % 3]
    who5 = [Who5(day(14 * i), 40 + 4 * i) for i in range(4)]
    target = tmp_path / "verlauf.svg"
    write_chart(str(target), BOOK, checkins, who5, TODAY)
    raw = target.read_text(encoding="utf-8")
    assert target.stat().st_size > 5000
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


def test_unwritable_target_is_a_german_error(tmp_path: Path) -> None:
    with pytest.raises(ChartError, match="nicht .* schreiben"):
        write_chart(str(tmp_path / "fehlt" / "x.svg"), BOOK, [], [], TODAY)
