#!/usr/bin/env bash
# Shared set-up for scripts/run and scripts/test: system packages, a local
# virtual environment in .venv, and the project installed into it.
# Every step checks first, so a second run is quick and changes nothing.
# Usage: source scripts/bootstrap.sh run|test
set -euo pipefail

BEGLEITER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$BEGLEITER_ROOT/.venv"
PROFILE="${1:-run}"

bash "$BEGLEITER_ROOT/scripts/ensure-system.sh" "$PROFILE"

if [ ! -x "$VENV/bin/python" ]; then
    echo "Lege die Python-Umgebung in .venv an …" >&2
    python3 -m venv "$VENV"
fi

extras=""
[ "$PROFILE" = "test" ] && extras="[test]"
stamp="$VENV/.installed-$PROFILE"
want="$(cat "$BEGLEITER_ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installiere Begleiter und seine Python-Pakete …" >&2
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$BEGLEITER_ROOT$extras"
    echo "$want" > "$stamp"
    # The test install is a superset of the run install.
    if [ "$PROFILE" = "test" ]; then
        echo "$want" > "$VENV/.installed-run"
    fi
fi
