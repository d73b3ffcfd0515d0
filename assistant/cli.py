"""Command-line parsing only; each command's work lives in its own module."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Callable, Sequence

from assistant import __version__
from assistant.errors import BegleiterError
from assistant.signals import install_sigterm_handler

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
    chat.add_argument("--speak", action="store_true",
                      help="die Antworten zusätzlich mit espeak-ng sprechen")

    nlu = commands.add_parser("nlu", help="nur das Sprachverstehen: gibt JSON aus",
                              description="Erkennt Absicht, Werte und Sicherheitsstufe einer Äußerung "
                                          "und gibt ein JSON-Objekt aus.")
    _add_common(nlu)
    nlu.add_argument("text", nargs="?", help="die Äußerung (ohne --jsonl)")
    nlu.add_argument("--jsonl", action="store_true",
                     help="eine Äußerung (oder ein JSON-Objekt mit text/expect/now/question) je stdin-Zeile")
    nlu.add_argument("--expect", default="none", choices=("none", "yes_no", "scale", "free_text"),
                     help="was der Dialog gerade erwartet (Standard: none)")
    nlu.add_argument("--question", default="", metavar="FRAGE",
                     help="die Frage, auf die die Äußerung antwortet (für die Sicherheitsprüfung im Zusammenhang)")
    nlu.add_argument("--explain", action="store_true",
                     help="zusätzlich das Feld „why“: welche Schicht entschieden hat, mit ihren Werten")
    _add_speech_parsers(commands)
    _add_platform_commands(commands)
    _add_data_commands(commands)
    return parser


def _add_speech_parsers(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser("run", help="die Sprachsteuerung starten (Weckwort oder Eingabetaste)",
                              description="Startet die Sprachsteuerung: wartet auf das Weckwort "
                                          "(oder die Eingabetaste, je nach Einstellung speech.activation), "
                                          "hört zu, antwortet mit Sprache und spricht fällige Erinnerungen. "
                                          "Endet mit Strg+C. Was gesagt wird, erscheint auch als Text.")
    _add_common(run)
    say = commands.add_parser("say", help="einen Text sprechen oder als WAV-Datei speichern",
                              description="Spricht einen deutschen Text mit espeak-ng über den Lautsprecher "
                                          "oder schreibt ihn mit --wav in eine WAV-Datei.")
    _add_common(say)
    say.add_argument("text", nargs="+", metavar="TEXT", help="der Text, der gesprochen wird")
    say.add_argument("--wav", metavar="FILE", help="statt zu sprechen in diese WAV-Datei schreiben")
    listen = commands.add_parser("listen", help="eine WAV-Datei mit dem Sprachmodell erkennen",
                                 description="Erkennt eine 16-Bit-Mono-WAV-Datei mit dem eingestellten "
                                             "Vosk-Modell und gibt den erkannten Text aus.")
    _add_common(listen)
    listen.add_argument("--wav", metavar="FILE", required=True, help="die WAV-Datei (16 Bit, mono)")
    listen.add_argument("--grammar", metavar="PHRASEN", action="append",
                        help="nur diese Phrasen erkennen, durch Kommas getrennt (mehrfach möglich); "
                             "alles andere wird zu [unk]")
    setup = commands.add_parser("setup", help="das deutsche Sprachmodell installieren und prüfen",
                                description="Lädt das Sprachmodell vosk-model-small-de-0.15 in den Datenordner "
                                            "(mit Fortschrittsanzeige; ein abgebrochener Download wird "
                                            "fortgesetzt), prüft es mit einer kurzen Probe-Erkennung und prüft "
                                            "die deutsche Stimme und die Audiogeräte.")
    _add_common(setup)
    setup.add_argument("--from", dest="source", metavar="FILE_OR_DIR",
                       help="ein schon vorhandenes Modell installieren (ZIP-Datei oder Ordner), ohne Download")


def _cmd_speech(args: argparse.Namespace) -> int:
    from assistant.commands import speech as speech_commands
    handlers = {"run": speech_commands.run_voice, "say": speech_commands.run_say,
                "listen": speech_commands.run_listen, "setup": speech_commands.run_setup}
    return handlers[args.command](args)


def _add_platform_commands(commands: argparse._SubParsersAction) -> None:
    """``doctor``, ``install-service`` and ``remove-service`` (set-up on the device)."""
    doctor = commands.add_parser(
        "doctor", help="prüft Modell, Mikrofon, Lautsprecher, Stimme, Datenordner, Speicher, Dienst",
        description="Prüft, ob alles da ist: Sprachmodell (vorhanden und ladbar), Mikrofon (nimmt eine "
                    "Sekunde auf und nennt den Pegel), Lautsprecher (spielt einen kurzen Ton), deutsche "
                    "Stimme, Echounterdrückung, Datenordner (Rechte), freien Speicher, Autostart-Dienst "
                    "und Uhrzeit. Gibt je Punkt eine Zeile mit ✓ oder ✗ und einem Rat aus. Braucht kein "
                    "Internet. Rückgabewert 1, wenn etwas Nötiges fehlt.")
    _add_common(doctor)
    install = commands.add_parser(
        "install-service", help="richtet den Autostart ein (systemd-Benutzerdienst)",
        description="Schreibt den systemd-Benutzerdienst ~/.config/systemd/user/begleiter.service, der "
                    "„begleiter run“ startet, schaltet ihn ein (systemctl --user enable --now), sorgt mit "
                    "„loginctl enable-linger“ für den Start beim Einschalten und richtet die "
                    "Echounterdrückung von PipeWire oder PulseAudio ein. Mehrfaches Ausführen schadet nicht. "
                    "--data-dir und --config gehen in den Startbefehl des Dienstes.")
    _add_common(install)
    install.add_argument("--dry-run", action="store_true",
                         help="nur die Dienstdatei anzeigen, nichts schreiben oder einschalten")
    install.add_argument("--no-echo-cancel", action="store_true",
                         help="die Echounterdrückung nicht einrichten")
    remove = commands.add_parser(
        "remove-service", help="entfernt den Autostart wieder",
        description="Stoppt den systemd-Benutzerdienst, schaltet ihn aus, löscht die Dienstdatei und die "
                    "Einrichtung der Echounterdrückung. Die Daten bleiben erhalten. Mehrfaches Ausführen "
                    "schadet nicht.")
    _add_common(remove)


def _add_data_commands(commands: argparse._SubParsersAction) -> None:
    """``export`` and ``forget`` (the person's data)."""
    export = commands.add_parser(
        "export", help="alle gespeicherten Daten ausgeben (JSON oder CSV)",
        description="Gibt alles aus, was Begleiter gespeichert hat: Einstellungen, Sicherheitsplan, "
                    "Erinnerungen, Check-ins, Schritte, Tagebuch, WHO-5-Ergebnisse, Krisenmomente (nur Zeit "
                    "und Stufe) und welche Sätze gesagt wurden. Ohne --out auf die Standardausgabe. "
                    "Funktioniert auch, während der Dienst läuft; ändert nichts.")
    _add_common(export)
    export.add_argument("--format", choices=("json", "csv"), default="json",
                        help="json (Standard) oder csv: eine Datei, je Bereich ein Abschnitt mit "
                             "Titelzeile „# …“, Kopfzeile und Zeilen")
    export.add_argument("--out", metavar="FILE",
                        help="in diese Datei schreiben (nur für den Besitzer lesbar, 0600) "
                             "statt auf die Standardausgabe")
    export.add_argument("--chart", metavar="FILE",
                        help="ein Diagramm als SVG-Datei schreiben: Stimmung, Energie und Kontakt "
                             "pro Tag (8 Wochen) und WHO-5 im Verlauf; ohne --out nur das Diagramm "
                             "(braucht das Paket pygal: pip install 'begleiter[chart]')")
    forget = commands.add_parser(
        "forget", help="alle persönlichen Daten löschen (mit Bestätigung)",
        description="Löscht alle persönlichen Daten: den Datenspeicher mit allen Sicherungskopien und "
                    "beschädigten Kopien, Protokolle und alles andere im Datenordner außer "
                    "heruntergeladenen Sprachmodellen. Fragt vorher; zum Bestätigen „löschen“ eintippen. "
                    "Ohne Eingabe am Bildschirm oder bei Dateiende wird nichts gelöscht. Der Dienst muss "
                    "dafür beendet sein. Nennt danach, was gelöscht wurde.")
    _add_common(forget)
    forget.add_argument("--yes", action="store_true",
                        help="ohne Nachfrage löschen (für Skripte)")


def _cmd_data(args: argparse.Namespace) -> int:
    from assistant.commands import data as data_commands
    return data_commands.run_export(args) if args.command == "export" \
        else data_commands.run_forget(args)


def _cmd_platform(args: argparse.Namespace) -> int:
    if args.command == "doctor":
        from assistant.device.doctor import run_doctor
        return run_doctor(args)
    from assistant.device import service
    return service.run_install_service(args) if args.command == "install-service" \
        else service.run_remove_service(args)


def _cmd_default(args: argparse.Namespace) -> int:
    from assistant.commands.frontends import start_default
    return start_default(args)


def _cmd_chat(args: argparse.Namespace) -> int:
    from assistant.app import build_app
    from assistant.commands.chat import run_chat
    with build_app(args.config, args.data_dir, args.now) as app:
        if args.speak:
            from assistant.commands.speech import spoken_chat
            with spoken_chat(app.engine(args.seed), app.settings) as spoken:
                return run_chat(spoken)
        return run_chat(app.engine(args.seed))


def _cmd_nlu(args: argparse.Namespace) -> int:
    from assistant.commands.nlu import run_nlu
    return run_nlu(args)


COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: _cmd_default,
    "chat": _cmd_chat,
    "nlu": _cmd_nlu,
    "doctor": _cmd_platform,
    "install-service": _cmd_platform,
    "remove-service": _cmd_platform,
    "run": _cmd_speech,
    "say": _cmd_speech,
    "listen": _cmd_speech,
    "setup": _cmd_speech,
    "export": _cmd_data,
    "forget": _cmd_data,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    install_sigterm_handler()
    try:
        return COMMANDS[args.command](args)
    except BegleiterError as error:
        print(str(error), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt as stop:  # Ctrl+C (130) or SIGTERM (signals.Shutdown, 143)
        return getattr(stop, "exit_code", 130)
    except BrokenPipeError:
        return 0
