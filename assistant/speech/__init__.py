"""Speech: audio in/out, Vosk transcriber, wake phrase, text-to-speech, model set-up."""
