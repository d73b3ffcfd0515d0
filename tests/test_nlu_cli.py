"""``begleiter nlu`` through the real command line: the JSON contract and bad input."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.slow
KEYS = {"text", "intent", "confidence", "slots", "safety"}


def _lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_one_utterance_with_now_and_expect() -> None:
    proc = run_cli("nlu", "erinnere mich morgen um neun an den spaziergang mit anna",
                   "--now", "2026-11-26T14:00")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert set(result) == KEYS
    assert result["intent"] == "reminder_set"
    assert result["slots"] == {"when": "2026-11-27T09:00", "what": "spaziergang mit anna", "repeat": None}
    assert result["safety"] == "none" and 0.6 <= result["confidence"] <= 1
    scale = json.loads(run_cli("nlu", "so eine vier", "--expect", "scale").stdout)
    assert (scale["intent"], scale["slots"]) == ("scale_answer", {"value": 4})


def test_jsonl_mixes_plain_lines_and_objects() -> None:
    lines = ["hallo", json.dumps({"text": "vier", "expect": "scale"}),
             json.dumps({"text": "erinnere mich um acht an den tee", "expect": "none", "now": "2026-11-26T21:30"}),
             json.dumps({"text": "stopp", "expect": "free_text"}), "ich will aufhören zu grübeln"]
    proc = run_cli("nlu", "--jsonl", "--expect", "free_text", input="\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    out = _lines(proc.stdout)
    assert [o["intent"] for o in out] == ["answer", "scale_answer", "reminder_set", "stop", "answer"]
    assert out[2]["slots"]["when"] == "2026-11-27T08:00"
    assert out[1]["text"] == "vier"


def test_now_per_line_accepts_seconds_and_offsets() -> None:
    lines = [json.dumps({"text": "erinnere mich in zwanzig minuten an den tee", "now": now})
             for now in ("2026-11-26T14:00", "2026-11-26T14:00:30", "2026-11-26 14:00", "2026-11-26T13:00:00+00:00")]
    out = _lines(run_cli("nlu", "--jsonl", input="\n".join(lines) + "\n", env={"TZ": "Europe/Berlin"}).stdout)
    assert [o["slots"]["when"] for o in out] == ["2026-11-26T14:20"] * 4


def test_bad_lines_give_an_error_object_and_the_rest_goes_on() -> None:
    raw = (b"\n   \n{not json\n" + json.dumps({"txt": "ja"}).encode() + b"\n"
           + json.dumps({"text": "ja", "expect": "vielleicht"}).encode() + b"\n"
           + json.dumps({"text": "ja", "now": "gestern"}).encode() + b"\n"
           + b"\xff\xfe kaputt \xc3\n" + "ja \x00\x07\x1b[31m 🙂🙂".encode() + b"\n[1, 2]\nnein\n")
    proc = run_cli("nlu", "--jsonl", "--expect", "yes_no", input=raw)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    out = _lines(proc.stdout)
    assert len(out) == 10
    assert out[0]["intent"] is None and out[0]["text"] == ""
    assert out[1]["intent"] is None
    assert all("error" in o for o in out[2:6])
    assert "gestern" in out[5]["error"]
    assert set(out[6]) == KEYS
    assert out[7]["intent"] == "yes"
    assert out[8]["intent"] is None
    assert out[9]["intent"] == "no"


def test_very_long_line_is_answered() -> None:
    proc = run_cli("nlu", "--jsonl", input="hallo " * 20_000 + "\nja\n", timeout=30)
    assert proc.returncode == 0
    out = _lines(proc.stdout)
    assert len(out) == 2 and len(out[0]["text"]) == 120_000


def test_bad_arguments_are_one_german_sentence() -> None:
    proc = run_cli("nlu", "hallo", "--now", "morgen")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr and "Zeitangabe" in proc.stderr
    proc = run_cli("nlu")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr and proc.stderr.strip()
