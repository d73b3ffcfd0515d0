"""``begleiter`` without a subcommand: voice when possible, otherwise text chat."""

from __future__ import annotations

import argparse

from assistant.app import build_app
from assistant.commands.chat import run_chat


def start_default(args: argparse.Namespace) -> int:
    """The voice loop when a model and a microphone are there, else one German sentence and chat."""
    from assistant.commands.speech import run_voice, voice_ready
    with build_app(args.config, args.data_dir, args.now) as app:
        reason = voice_ready(app)
        if reason is None:
            return run_voice(args, app)
        engine = app.engine()
        print(engine.say(reason).text, flush=True)
        return run_chat(engine)
