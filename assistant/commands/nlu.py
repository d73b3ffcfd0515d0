"""``begleiter nlu``: intent matching only, one JSON object per utterance.

``--jsonl`` reads stdin line by line: a plain line is an utterance; a line that
starts with ``{`` is a JSON object with ``text`` and optional ``expect``,
``now`` (``YYYY-MM-DDTHH:MM``) and ``question`` (what the dialogue just asked).
``--explain`` adds a ``why`` field (which layer decided, and the scores). A malformed line gives ``{"error": ..., "line": ...}``
and the next lines go on. Invalid UTF-8 is replaced, never fatal.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, tzinfo
from typing import Any

from assistant.app import load_understander
from assistant.clock import local_zone, make_clock, parse_now
from assistant.config import load_settings
from assistant.errors import BegleiterError
from assistant.nlu.result import EXPECTATIONS
from assistant.nlu.understand import Understander


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def run_nlu(args: argparse.Namespace) -> int:
    settings = load_settings(args.config, args.data_dir)
    zone = local_zone(settings.general.timezone)
    clock = make_clock(args.now, zone)
    understander = load_understander(settings)
    explain = bool(getattr(args, "explain", False))
    question = getattr(args, "question", "") or ""
    if not args.jsonl:
        if args.text is None:
            print("Bitte eine Äußerung angeben oder --jsonl verwenden.", file=sys.stderr)
            return 2
        _emit(understander.understand(args.text, args.expect, clock.now(), question, explain).to_json())
        return 0
    for raw in sys.stdin.buffer:
        try:
            _emit(_one_line(understander, raw, args.expect, clock.now(), zone, question, explain))
        except (ValueError, RecursionError) as error:  # never let one line end the stream
            _emit({"error": f"Diese Zeile konnte ich nicht verarbeiten ({type(error).__name__}).",
                   "line": raw[:200].decode("utf-8", errors="replace")})
    return 0


def _one_line(understander: Understander, raw: bytes, expect: str, now: datetime,
              zone: tzinfo, question: str = "", explain: bool = False) -> dict[str, Any]:
    line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
    if line.lstrip().startswith("{"):
        try:
            request = json.loads(line)
        except json.JSONDecodeError as error:
            return {"error": f"Ungültiges JSON: {error.msg}", "line": line[:200]}
        if not isinstance(request, dict) or not isinstance(request.get("text"), str):
            return {"error": "Das JSON-Objekt braucht ein Feld „text“ mit einem Text.", "line": line[:200]}
        expect = request.get("expect") or expect
        if not isinstance(expect, str) or expect not in EXPECTATIONS:
            return {"error": f"Unbekanntes expect „{expect}“.", "text": request["text"]}
        if request.get("now"):
            try:
                now = _line_now(str(request["now"]), zone)
            except BegleiterError as error:
                return {"error": str(error), "text": request["text"]}
        if request.get("question") is not None:
            if not isinstance(request["question"], str):
                return {"error": "Das Feld „question“ muss ein Text sein.", "text": request["text"]}
            question = request["question"]
        line = request["text"]
    return understander.understand(line, expect, now, question, explain).to_json()


def _line_now(text: str, zone: tzinfo) -> datetime:
    """``YYYY-MM-DDTHH:MM`` (local); seconds, a space or an offset are accepted as well."""
    try:
        return parse_now(text).replace(tzinfo=zone)
    except BegleiterError:
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            raise BegleiterError(f"Die Zeitangabe „{text}“ verstehe ich nicht. Bitte so: 2026-11-27T09:00.") from None
    moment = moment.astimezone(zone) if moment.tzinfo else moment.replace(tzinfo=zone)
    return moment.replace(second=0, microsecond=0)
