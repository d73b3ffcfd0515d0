"""A chart to keep or show: mood, energy and contact per day, WHO-5 over time.

One SVG file (three pygal charts stacked in one page) with German labels from
``prompts_de/chart.toml``, white background and large black text so it reads
well on paper. pygal is an optional extra (``pip install 'begleiter[chart]'``)
imported only here and only when a chart is made. pygal's default tooltip
script link is switched off (``js=[]``) and its inline config script is
removed, so the file holds no script and no external reference and opens offline in any browser or image viewer.

Period: the :data:`DAYS` days up to ``today`` for the daily values (one point
per day: the mean of that day's mood and energy, contact when any check-in
said so; days without a check-in stay empty), and every WHO-5 of the last
:data:`WHO5_DAYS` days.
"""

from __future__ import annotations

from dataclasses import dataclass
import re
from datetime import date, datetime, timedelta
from statistics import mean
from typing import Any, Iterable, Protocol
from xml.sax.saxutils import escape

from assistant.dialog.prompts import PromptBook
from assistant.errors import BegleiterError

DAYS = 56
WHO5_DAYS = 366
WIDTH, PANEL_HEIGHT, HEADING_HEIGHT = 1000, 460, 70
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>|<script\b[^>]*/>", re.DOTALL)
WHO5_CUTOFF_PERCENT = 52
"""Raw 13 of 25: below it the WHO-5 suggests talking to a doctor."""


class ChartError(BegleiterError):
    """The chart cannot be made (pygal missing)."""


class CheckinLike(Protocol):
    at: datetime
    mood: int | None
    energy: int | None
    contact: bool | None


class Who5Like(Protocol):
    at: datetime
    percent: int


@dataclass(frozen=True)
class DayValues:
    """What one day shows in the chart (None: no value that day)."""

    day: date
    mood: float | None
    energy: float | None
    contact: int | None


def daily_values(checkins: Iterable[CheckinLike], first: date, last: date) -> list[DayValues]:
    """One :class:`DayValues` per day from ``first`` to ``last``."""
    by_day: dict[date, list[CheckinLike]] = {}
    for checkin in checkins:
        by_day.setdefault(checkin.at.date(), []).append(checkin)
    days = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        entries = by_day.get(day, [])
        moods = [c.mood for c in entries if c.mood is not None]
        energies = [c.energy for c in entries if c.energy is not None]
        contacts = [c.contact for c in entries if c.contact is not None]
        days.append(DayValues(day, round(mean(moods), 1) if moods else None,
                              round(mean(energies), 1) if energies else None,
                              (1 if any(contacts) else 0) if contacts else None))
    return days


def _text(book: PromptBook, key: str, **data: Any) -> str:
    return book.render(f"chart.{key}", "du", 0, data)


def _pygal() -> Any:
    try:
        import pygal
    except ImportError:
        raise ChartError("Für das Diagramm fehlt das Paket pygal. "
                         "Bitte installieren: pip install 'begleiter[chart]'.") from None
    return pygal


def _style(pygal: Any) -> Any:
    return pygal.style.Style(background="white", plot_background="white", foreground="#000000",
                             foreground_strong="#000000", foreground_subtle="#555555",
                             colors=("#1f4e9c", "#c0392b", "#2e7d32", "#777777"),
                             title_font_size=26, label_font_size=16, major_label_font_size=16,
                             legend_font_size=18, value_font_size=14, font_family="DejaVu Sans, sans-serif")


def _config(pygal: Any, title: str, axis: str, x_title: str) -> dict[str, Any]:
    return dict(js=[], disable_xml_declaration=True, width=WIDTH, height=PANEL_HEIGHT,
                style=_style(pygal), title=title, y_title=axis, x_title=x_title,
                legend_at_bottom=True, legend_at_bottom_columns=2, x_label_rotation=40, show_minor_x_labels=False,
                dots_size=4, stroke_style={"width": 3}, truncate_label=-1, truncate_legend=-1)


def _day_labels(book: PromptBook, days: list[DayValues]) -> list[str]:
    names = book["chart.day_axis"].attrs["weekdays"]
    return [f"{names[d.day.weekday()]} {d.day.day}.{d.day.month}." for d in days]


def _panels(book: PromptBook, days: list[DayValues], who5: list[Who5Like]) -> list[str]:
    pygal = _pygal()
    labels = _day_labels(book, days)
    every = max(1, len(days) // 14)
    x_title = _text(book, "day_axis")
    mood = pygal.Line(range=(0, 10), x_labels_major_every=every,
                      **_config(pygal, _text(book, "mood_energy.title"), _text(book, "mood_energy.axis"), x_title))
    mood.x_labels = labels
    mood.add(_text(book, "mood_energy.mood"), [d.mood for d in days], allow_interruptions=True)
    mood.add(_text(book, "mood_energy.energy"), [d.energy for d in days], allow_interruptions=True)
    answers = book["chart.contact.axis"].attrs["answers"]
    contact = pygal.Bar(range=(0, 1), x_labels_major_every=every,
                        y_labels=[{"label": answers[0], "value": 0}, {"label": answers[1], "value": 1}],
                        **_config(pygal, _text(book, "contact.title"), _text(book, "contact.axis"), x_title))
    contact.x_labels = labels
    contact.show_legend = False  # one series; the title says what it is
    contact.add(_text(book, "contact.series"), [d.contact for d in days])
    return [_static(mood.render(is_unicode=True)), _static(contact.render(is_unicode=True)),
            _static(_who5_panel(pygal, book, who5))]


def _static(svg: str) -> str:
    """pygal always embeds an inline tooltip-config script; a printed chart needs none."""
    return _SCRIPT.sub("", svg)


def _who5_panel(pygal: Any, book: PromptBook, who5: list[Who5Like]) -> str:
    results = sorted(who5, key=lambda r: r.at)
    config = _config(pygal, _text(book, "who5.title"), _text(book, "who5.axis"), "")
    config["show_minor_x_labels"] = True
    chart = pygal.Line(range=(0, 100), **config)
    chart.x_labels = [r.at.strftime("%d.%m.%Y") for r in results] or [_text(book, "who5.none")]
    chart.add(_text(book, "who5.series"), [r.percent for r in results] or [None])
    chart.add(_text(book, "who5.cutoff"), [WHO5_CUTOFF_PERCENT] * max(1, len(results)),
              show_dots=False, stroke_style={"width": 2, "dasharray": "8, 6"})
    return chart.render(is_unicode=True)


def render_chart(book: PromptBook, checkins: Iterable[CheckinLike], who5: Iterable[Who5Like],
                 today: date, days: int = DAYS) -> str:
    """The whole chart page as SVG text."""
    first = today - timedelta(days=days - 1)
    recent = [c for c in checkins if first <= c.at.date() <= today]
    since = today - timedelta(days=WHO5_DAYS)
    results = [r for r in who5 if since <= r.at.date() <= today]
    panels = _panels(book, daily_values(recent, first, today), results)
    heading = _text(book, "heading", start=first.strftime("%d.%m.%Y"), end=today.strftime("%d.%m.%Y"))
    source = _text(book, "source")
    height = HEADING_HEIGHT + PANEL_HEIGHT * len(panels) + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}">',
             f'<rect width="100%" height="100%" fill="white"/>',
             f'<text x="{WIDTH // 2}" y="45" text-anchor="middle" font-family="DejaVu Sans, sans-serif" '
             f'font-size="30" fill="#000">{escape(heading)}</text>']
    for index, panel in enumerate(panels):
        y = HEADING_HEIGHT + index * PANEL_HEIGHT
        parts.append(f'<svg x="0" y="{y}" width="{WIDTH}" height="{PANEL_HEIGHT}">{panel}</svg>')
    parts.append(f'<text x="20" y="{height - 12}" font-family="DejaVu Sans, sans-serif" font-size="14" '
                 f'fill="#333">{escape(source)}</text>')
    parts.append("</svg>")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + "\n".join(parts) + "\n"
