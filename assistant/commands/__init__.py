"""The commands ``cli.py`` calls: the text front end, data export and forget, speech, ``nlu``."""
