"""Conversation scripts (tests/data/conversations/*.toml) through the pure engine.

Each script names the prompt keys it expects turn by turn and the records the
store must hold; the engine runs with the real understander, prompts and a
real store in a temporary folder.
"""

from __future__ import annotations

import fnmatch
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
    spoken = [texts for step, (_, texts, _) in zip(script.turns, transcript.turns) if not step.silence]
    assert all(spoken), "a turn without words"
    assert_no_nagging(transcript)


REPAIR_KEYS = ("*unclear*", "dialog.way_out*", "*_explain", "dialog.explain*", "dialog.silence_reoffer",
               "dialog.clarify*", "checkin.already")
"""Replies that ask a question again because its answer was missed (help or a voice change
asks again on request: that is no nagging)."""


def assert_no_nagging(transcript) -> None:
    """No question asked a fourth time after misses, no reply block replayed unasked."""
    run_key, run = None, 0
    for (keys, texts, replayed), (_, earlier, _) in zip(transcript.turns, [([], [], False), *transcript.turns]):
        if replayed:
            continue
        assert len(texts) < 2 or texts != earlier, f"a block replayed word for word: {texts}"
        question = next((k for k, t in zip(reversed(keys), reversed(texts)) if t.rstrip().endswith("?")), None)
        if any(k.startswith("dialog.way_out") for k in keys):
            question = run_key  # the way out asks the same question in other words
        repairing = any(fnmatch.fnmatchcase(k, p) for k in keys for p in REPAIR_KEYS)
        asked_again = question is not None and repairing and (question == run_key or "dialog.way_out" in " ".join(keys))
        run_key, run = (run_key, run + 1) if asked_again else (question, 1)
        assert run <= 3, f"{run_key} asked a fourth time"


def test_the_nagging_check_catches_a_fourth_asking_and_a_replayed_block() -> None:
    from tests.helpers_dialog import Transcript
    ask = (["checkin.unclear_mood", "checkin.ask_mood"], ["Wie bitte?", "Wie geht es dir?"], False)
    start = (["checkin.intro", "checkin.ask_mood"], ["Gut.", "Wie geht es dir?"], False)
    with pytest.raises(AssertionError, match="fourth"):
        assert_no_nagging(Transcript(turns=[start, ask, (ask[0], ["Hm?", "Wie geht es dir?"], False),
                                            (ask[0], ["Oh?", "Wie geht es dir?"], False)]))
    with pytest.raises(AssertionError, match="replayed"):
        assert_no_nagging(Transcript(turns=[start, start]))
    assert_no_nagging(Transcript(turns=[start, (start[0], start[1], True)]))  # "nochmal": asked for


def test_not_keys_catch_a_reply_that_must_not_come() -> None:
    from assistant.dialog.turn import Reply, Turn
    from tests.helpers_dialog import ScriptTurn, turn_problems
    turn = Turn((Reply("checkin.step_lead", "Gut."), Reply("steps.walk_together", "Ein Spaziergang?")))
    assert "must not come" in turn_problems(ScriptTurn("ja", None, not_keys=["steps.walk_*"]), turn)
    assert turn_problems(ScriptTurn("ja", None, not_keys=["steps.cafe_*"]), turn) == ""
