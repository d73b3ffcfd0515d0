"""Settings: defaults, file, CLI overrides, and German errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import default_data_dir, load_settings
from assistant.errors import ConfigError
from tests.conftest import run_cli


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.general.address == "du"
    assert settings.general.country == "DE"
    assert settings.reminders.snooze_minutes == 15
    assert settings.data_dir == default_data_dir().absolute()
    assert settings.data_dir.is_relative_to(tmp_path)  # XDG_DATA_HOME from the fixture
    assert settings.config_file is None


def test_default_file_is_read_from_xdg_config_home(tmp_path: Path) -> None:
    write(tmp_path / "xdg-config" / "begleiter" / "config.toml",
          '[general]\naddress = "sie"\ncountry = "AT"\n[speech]\nvolume = 1\n')
    settings = load_settings()
    assert (settings.general.address, settings.general.country) == ("sie", "AT")
    assert settings.speech.volume == 1.0 and isinstance(settings.speech.volume, float)


def test_cli_overrides_win(tmp_path: Path) -> None:
    config = write(tmp_path / "other.toml", '[reminders]\nsnooze_minutes = 5\n')
    settings = load_settings(config, tmp_path / "mydata")
    assert settings.reminders.snooze_minutes == 5
    assert settings.data_dir == tmp_path / "mydata"
    assert settings.config_file == config


def test_model_dir_defaults_into_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(None, tmp_path / "d")
    assert settings.model_dir == tmp_path / "d" / "models" / "vosk-model-small-de-0.15"


@pytest.mark.parametrize("content, fragment", [
    ('[general]\nadress = "du"\n', "general.adress"),
    ('[genral]\n', "genral"),
    ('[speech]\nrate = "schnell"\n', "speech.rate"),
    ('[speech]\nrate = true\n', "speech.rate"),
    ('[general]\ncountry = "FR"\n', "general.country"),
    ('general = 3\n', "general"),
    ('[general\n', "kein gültiges TOML"),
    ('[reminders]\nquiet_start = "halb zehn"\n', "reminders.quiet_start"),
    ('[reminders]\nquiet_end = "25:00"\n', "reminders.quiet_end"),
    ('[speech]\nvolume = 3\n', "speech.volume"),
])
def test_bad_files_name_the_key_and_the_file(tmp_path: Path, content: str, fragment: str) -> None:
    config = write(tmp_path / "bad.toml", content)
    with pytest.raises(ConfigError) as error:
        load_settings(config)
    assert fragment in str(error.value)
    assert str(config) in str(error.value)


def test_config_not_in_utf8_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "latin1.toml"
    config.write_bytes('[general]\naddress = "für"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match="UTF-8") as error:
        load_settings(config)
    assert str(config) in str(error.value)


def test_missing_explicit_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="gibt es nicht"):
        load_settings(tmp_path / "nope.toml")


def test_bad_config_through_the_cli_is_one_german_sentence(tmp_path: Path) -> None:
    config = write(tmp_path / "bad.toml", '[speech]\nvolume = "laut"\n')
    result = run_cli("chat", "--config", str(config), "--data-dir", str(tmp_path / "d"), input="hallo\n")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "speech.volume" in result.stderr and "Zahl" in result.stderr
    assert result.stdout == ""


def test_example_config_is_valid_and_documents_every_key() -> None:
    example = Path(__file__).resolve().parent.parent / "config.example.toml"
    settings = load_settings(example)
    import dataclasses
    text = example.read_text(encoding="utf-8")
    for section in (settings.general, settings.speech, settings.reminders):
        for field in dataclasses.fields(section):
            assert f"\n{field.name} = " in text, field.name
