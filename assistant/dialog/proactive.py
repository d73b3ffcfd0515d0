"""Things the assistant says by itself, before each reply and at the start of a session.

Sources are passed to the engine (``proactive=[...]``; the app wires the due reminders of
:mod:`assistant.dialog.flows.due`). The engine calls
every source at session start and before each reply; a source returns what to
say now (usually nothing) and may hand the engine a flow that waits for the
answer ("erledigt", "später", "nicht heute"). Only when no flow is active
(``active is None``) may a source return a flow; otherwise it may only speak.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from assistant.dialog.turn import Reply

if TYPE_CHECKING:
    from assistant.dialog.context import Context
    from assistant.dialog.flows.base import Flow


@dataclass(frozen=True)
class Announcement:
    """What a proactive source wants to say now."""

    replies: tuple[Reply, ...] = ()
    flow: "Flow | None" = None
    """A flow to make active (waits for the answer); only when none is active."""


ProactiveSource = Callable[["Context", "Flow | None"], Announcement]
"""Called with the context and the active flow (or None)."""
