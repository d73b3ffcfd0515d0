"""Conversation scripts (tests/data/conversations/*.toml) through the pure engine.

Each script names the prompt keys it expects turn by turn and the records the
store must hold; the engine runs with the real understander, prompts and a
real store in a temporary folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers_dialog import CONVERSATIONS, load_script, run_script

SCRIPTS = sorted(CONVERSATIONS.glob("*.toml"))


def test_there_are_scripts_for_every_flow_and_interruption() -> None:
    names = {path.stem for path in SCRIPTS}
    needed = {"greeting", "onboarding", "checkin_low", "step_done", "step_change", "exercise_later",
              "learn", "support", "feeling", "help_repeat_voice", "stop", "later_checkin",
              "crisis_in_exercise", "crisis_in_checkin", "concern_in_checkin", "unknown_answer"}
    assert needed <= names


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda path: path.stem)
def test_conversation(path: Path, tmp_path: Path) -> None:
    script = load_script(path)
    transcript = run_script(script, tmp_path / "data")
    assert all(texts for session in transcript.sessions for texts in session), "a turn without words"
