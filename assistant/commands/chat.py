"""The text front end: one stdin line is one utterance, replies go to stdout.

Each reply block is flushed as soon as it is complete, so another program can
converse with ``begleiter chat`` over pipes, turn by turn. Empty lines are
skipped (no reply). Due reminders are not handled here: the engine speaks them
at ``start()`` and before each reply through its proactive sources
(:mod:`assistant.dialog.proactive`), so chat, voice loop and tests behave alike.
"""

from __future__ import annotations

import sys
from typing import BinaryIO, TextIO

from assistant.dialog.engine import Engine
from assistant.dialog.turn import Turn


def _write(out: TextIO, turn: Turn) -> None:
    for reply in turn.replies:
        out.write(reply.text + "\n")
    out.flush()


def run_chat(engine: Engine, source: BinaryIO | None = None, out: TextIO | None = None) -> int:
    """Converse until end of input or goodbye; returns the exit code."""
    source = source or sys.stdin.buffer
    out = out or sys.stdout
    interactive = source is sys.stdin.buffer and sys.stdin.isatty()
    _write(out, engine.start())
    while True:
        if interactive:
            sys.stderr.write("› ")
            sys.stderr.flush()
        raw = source.readline()
        if not raw:
            return 0
        line = raw.decode("utf-8", errors="replace").strip()
        if not line:
            continue
        turn = engine.handle(line)
        _write(out, turn)
        if turn.finished:
            return 0
