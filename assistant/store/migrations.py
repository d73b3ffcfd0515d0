"""Schema versions and the migrations between them.

Every database file carries ``{"meta": {"1": {"schema": N, "kind": ...}}}``.
``MIGRATIONS[n]`` turns a version-``n`` document into version ``n + 1``;
:func:`migrate` applies them in order when a file is loaded (the migrated
document is written back with the next write). A file from a newer Begleiter
is refused with a German error rather than being misread.

Version 0 is a plain TinyDB file without a ``meta`` table (for example one
written by TinyDB's stock JSONStorage). Version 1 adds ``meta``.
"""

from __future__ import annotations

from typing import Any, Callable

from assistant.store.errors import StoreVersionError

SCHEMA_VERSION = 1
Document = dict[str, dict[str, Any]]
Migration = Callable[[Document, str], Document]


def _v0_to_v1(document: Document, kind: str) -> Document:
    """Add the ``meta`` table; the tables themselves are unchanged."""
    migrated = {name: table for name, table in document.items() if table or name != "_default"}
    migrated["meta"] = {"1": {"schema": 1, "kind": kind}}
    return migrated


MIGRATIONS: dict[int, Migration] = {0: _v0_to_v1}


def schema_of(document: Document) -> int:
    meta = document.get("meta", {}).get("1")
    if meta is None:
        return 0
    version = meta.get("schema")
    if not isinstance(version, int) or version < 0:
        raise ValueError(f"invalid schema version {version!r}")
    return version


def migrate(document: Document, kind: str) -> Document:
    """Bring ``document`` up to :data:`SCHEMA_VERSION` (a no-op when current)."""
    version = schema_of(document)
    if version > SCHEMA_VERSION:
        raise StoreVersionError(
            f"Die Daten stammen von einer neueren Begleiter-Version (Schema {version}); "
            f"bitte Begleiter aktualisieren.")
    while version < SCHEMA_VERSION:
        document = MIGRATIONS[version](document, kind)
        version += 1
        document["meta"]["1"]["schema"] = version
    return document
