"""Exceptions whose message is meant for the person, in German.

Anything that reaches the command line as a :class:`BegleiterError` is printed
as one German sentence and ends the program with a non-zero exit code, never
with a traceback.
"""


class BegleiterError(Exception):
    """An error the person or the helper can understand and act on (German text)."""

    exit_code = 2


class ConfigError(BegleiterError):
    """The configuration file is missing, unreadable or wrong."""


class DataFileError(BegleiterError):
    """A file in ``intents/`` or ``prompts_de/`` is malformed.

    The message names the file, the key and what is wrong.
    """

    def __init__(self, path: object, key: str, problem: str) -> None:
        self.path = str(path)
        self.key = key
        self.problem = problem
        where = f"{self.path}, Schlüssel „{key}“" if key else self.path
        super().__init__(f"Fehler in der Datendatei {where}: {problem}")


class DataDirError(BegleiterError):
    """The data directory cannot be created or written."""
