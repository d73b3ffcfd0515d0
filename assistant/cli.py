"""Command-line parsing only; each command's work lives in its own module."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Callable, Sequence

from assistant import __version__
from assistant.errors import BegleiterError

DESCRIPTION = ("Begleiter – ein Sprachbegleiter, der offline auf Deutsch durch kurze Check-ins, "
               "Übungen und kleine Schritte zurück zu anderen Menschen führt.")


def _add_common(parser: argparse.ArgumentParser, top: bool = False) -> None:
    # Subcommands must not overwrite a value given before the subcommand.
    default = None if top else argparse.SUPPRESS
    parser.add_argument("--data-dir", metavar="DIR", default=default,
                        help="Datenordner (Standard: $XDG_DATA_HOME/begleiter)")
    parser.add_argument("--config", metavar="FILE", default=default,
                        help="Konfigurationsdatei (Standard: $XDG_CONFIG_HOME/begleiter/config.toml)")
    parser.add_argument("--now", metavar="YYYY-MM-DDTHH:MM", default=default,
                        help="simulierte Uhr: startet zu dieser Ortszeit und läuft dann weiter")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="begleiter", description=DESCRIPTION,
                                     epilog="Ohne Befehl startet die Sprachsteuerung, wenn Modell und "
                                            "Mikrofon da sind, sonst der Text-Chat.")
    parser.add_argument("--version", action="version", version=f"begleiter {__version__}")
    _add_common(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="BEFEHL")

    chat = commands.add_parser("chat", help="Text-Dialog: jede Eingabezeile ist eine Äußerung",
                               description="Text-Dialog über stdin/stdout. Jede Zeile ist eine Äußerung; "
                                           "jede Antwort wird sofort ausgegeben. Endet bei Dateiende "
                                           "oder Verabschiedung.")
    _add_common(chat)
    chat.add_argument("--seed", type=int, metavar="N",
                      help="feste Zufallszahl für reproduzierbare Formulierungen")

    nlu = commands.add_parser("nlu", help="nur das Sprachverstehen: gibt JSON aus",
                              description="Erkennt Absicht, Werte und Sicherheitsstufe einer Äußerung "
                                          "und gibt ein JSON-Objekt aus.")
    _add_common(nlu)
    nlu.add_argument("text", nargs="?", help="die Äußerung (ohne --jsonl)")
    nlu.add_argument("--jsonl", action="store_true",
                     help="eine Äußerung (oder ein JSON-Objekt mit text/expect/now) je stdin-Zeile")
    nlu.add_argument("--expect", default="none", choices=("none", "yes_no", "scale", "free_text"),
                     help="was der Dialog gerade erwartet (Standard: none)")
    return parser


def _cmd_default(args: argparse.Namespace) -> int:
    from assistant.frontends import start_default
    return start_default(args)


def _cmd_chat(args: argparse.Namespace) -> int:
    from assistant.app import build_app
    from assistant.chat import run_chat
    app = build_app(args.config, args.data_dir, args.now)
    return run_chat(app.engine(args.seed))


def _cmd_nlu(args: argparse.Namespace) -> int:
    from assistant.nlu_command import run_nlu
    return run_nlu(args)


COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: _cmd_default,
    "chat": _cmd_chat,
    "nlu": _cmd_nlu,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except BegleiterError as error:
        print(str(error), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
