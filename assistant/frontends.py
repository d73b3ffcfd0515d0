"""``begleiter`` without a subcommand: voice when possible, otherwise text chat."""

from __future__ import annotations

import argparse
import sys

from assistant.app import build_app
from assistant.chat import run_chat


def microphone_available() -> bool:
    """True when PortAudio reports at least one input device."""
    try:
        import sounddevice
        return any(device["max_input_channels"] > 0 for device in sounddevice.query_devices())
    except Exception:  # PortAudio missing or no audio system: no microphone
        return False


def start_default(args: argparse.Namespace) -> int:
    app = build_app(args.config, args.data_dir, args.now)
    engine = app.engine()
    if not (app.settings.model_dir / "conf").is_dir() and not (app.settings.model_dir / "am").is_dir():
        reason = "system.no_model"
    elif not microphone_available():
        reason = "system.no_microphone"
    else:
        reason = "system.no_voice_loop"
    print(engine.say(reason).text, flush=True)
    return run_chat(engine)
