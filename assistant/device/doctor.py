"""``begleiter doctor``: what this device has, what is missing, and what to do.

Runs every check (see :mod:`assistant.device.doctor_checks` and
:mod:`assistant.device.doctor_audio`), prints one German line per check and a
summary, and exits 1 when something *needed* is missing (model, microphone,
speaker, German voice, data folder, disk space). Echo cancellation, the
service and the clock are recommendations. Never uses the network and never
changes anything: a missing data folder is reported, not created.
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable, TextIO

from assistant.config import Settings, load_settings
from assistant.dialog.prompts import load_prompts
from assistant.device.doctor_audio import check_microphone, check_speaker
from assistant.device.doctor_checks import (CheckResult, Texts, check_clock, check_data_dir, check_disk,
                                     check_echo_cancel, check_model, check_service, check_voice,
                                     check_word_list)
from assistant.resources import prompts_dir

Check = Callable[[], CheckResult]


def all_checks(settings: Settings, texts: Texts) -> list[tuple[str, bool, Check]]:
    """``(name, needed, check)`` in report order."""
    return [
        ("data", True, lambda: check_data_dir(settings, texts)),
        ("disk", True, lambda: check_disk(settings, texts)),
        ("model", True, lambda: check_model(settings, texts)),
        ("voice", True, lambda: check_voice(texts)),
        ("microphone", True, lambda: check_microphone(settings, texts)),
        ("speaker", True, lambda: check_speaker(settings, texts)),
        ("echo", False, lambda: check_echo_cancel(texts)),
        ("service", False, lambda: check_service(texts)),
        ("clock", False, lambda: check_clock(settings, texts)),
        ("words", False, lambda: check_word_list(texts)),
    ]


def run_check(name: str, needed: bool, check: Check, texts: Texts) -> CheckResult:
    """Run one check; an unexpected error becomes a failed result, never a traceback."""
    try:
        return check()
    except Exception as error:  # a doctor must report, not crash
        detail = texts("report.check_crashed", error=f"{type(error).__name__}: {error}"[:120])
        return CheckResult(name, False, needed, detail, texts("report.check_crashed_advice"), "crashed")


def format_line(result: CheckResult, texts: Texts) -> str:
    """One report line with ✓, ✗ (needed) or ○ (recommended)."""
    label = texts(f"{result.name}.label")
    if result.ok:
        return texts("report.line_ok", label=label, detail=result.detail)
    kind = "line_missing" if result.needed else "line_recommended"
    return texts(f"report.{kind}", label=label, detail=result.detail, advice=result.advice)


def summary(results: list[CheckResult], texts: Texts) -> str:
    missing = [r for r in results if r.needed and not r.ok]
    if missing:
        return texts("report.needed_missing", count=len(missing))
    if any(not r.ok for r in results):
        return texts("report.only_recommendations")
    return texts("report.all_ok")


def exit_code(results: list[CheckResult]) -> int:
    """1 when a needed check failed, else 0."""
    return 1 if any(r.needed and not r.ok for r in results) else 0


def run_doctor(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """The ``doctor`` command: print the report line by line as each check finishes."""
    out = out or sys.stdout
    settings = load_settings(getattr(args, "config", None), getattr(args, "data_dir", None))
    texts = Texts(load_prompts(prompts_dir()), settings.general.address)
    print(texts("report.header"), file=out, flush=True)
    results = []
    for name, needed, check in all_checks(settings, texts):
        result = run_check(name, needed, check, texts)
        results.append(result)
        print(format_line(result, texts), file=out, flush=True)
    print(summary(results, texts), file=out, flush=True)
    return exit_code(results)
