"""The prompt loader turns prompts_de/*.toml into typed prompts or fails clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.dialog.prompts import load_prompts
from assistant.errors import DataFileError
from assistant.resources import prompts_dir


def folder_with(tmp_path: Path, name: str, content: str | bytes) -> Path:
    folder = tmp_path / "prompts"
    folder.mkdir(exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    (folder / name).write_bytes(data)
    return folder


def test_keys_variants_sections_and_attributes(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "steps.toml", """
[walk]
section = "Kleine Interaktionen im Alltag fördern"
energy = "high"
du = ["Magst du {wen} treffen?", "Wie wäre es mit {wen}?"]
sie = ["Mögen Sie {wen} treffen?", "Wie wäre es mit {wen}?"]

[group]
section = "Den eigenen Rhythmus finden"
[group.title]
du = "Eigener Rhythmus"
sie = "Eigener Rhythmus"
""")
    book = load_prompts(folder)
    walk = book["steps.walk"]
    assert walk.du == ("Magst du {wen} treffen?", "Wie wäre es mit {wen}?")
    assert walk.placeholders == frozenset({"wen"})
    assert walk.attrs == {"energy": "high"}
    assert book["steps.group.title"].section == "Den eigenen Rhythmus finden"
    assert book.render("steps.walk", "sie", 0, {"wen": "Anna"}) == "Mögen Sie Anna treffen?"
    assert [p.key for p in book.under("steps")] == ["steps.group.title", "steps.walk"]


@pytest.mark.parametrize("content, key, problem", [
    ('[a]\ndu = "Hallo"\n', "x.a", "sie"),
    ('[a]\ndu = []\nsie = "Hallo"\n', "x.a.du", "nicht leere Liste"),
    ('[a]\ndu = ["Hallo", 3]\nsie = "Hallo"\n', "x.a.du", "falschen Eintrag"),
    ('[a]\ndu = "Hallo {name}"\nsie = "Hallo"\n', "x.a", "Platzhalter"),
    ('[a]\ndu = "Hallo {name"\nsie = "Hallo"\n', "x.a", "Platzhalter"),
    ('[a]\ndu = "Hallo {0}"\nsie = "Hallo {0}"\n', "x.a", "einfacher Name"),
    ('[a]\nenergy = "low"\n', "x.a.energy", "du"),
    ('[a]\ndu = "Hi"\nsie = "Hi"\nsection = 4\n', "x.a.section", "Text"),
    ('[a]\ndu = "Hi"\nsie = "Hi"\nextra = {x = 1}\nextra2 = [1]\n', "x.a.extra2", "Textliste"),
    ('[a\ndu = "Hi"\n', "", "TOML"),
])
def test_malformed_files_name_file_key_and_problem(tmp_path: Path, content: str, key: str,
                                                   problem: str) -> None:
    folder = folder_with(tmp_path, "x.toml", content)
    with pytest.raises(DataFileError) as error:
        load_prompts(folder)
    assert error.value.key == key
    assert problem in error.value.problem
    assert str(folder / "x.toml") in str(error.value)


def test_invalid_utf8_is_reported(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "x.toml", b'[a]\ndu = "Gr\xfc\xdf"\nsie = "x"\n')
    with pytest.raises(DataFileError, match="TOML|UTF-8"):
        load_prompts(folder)


def test_empty_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataFileError, match="keine"):
        load_prompts(tmp_path / "empty")


def test_the_shipped_prompts_load() -> None:
    book = load_prompts(prompts_dir())
    assert "social.greeting" in book
    for key in book.keys():
        prompt = book[key]
        assert len(prompt.du) == len(prompt.sie), key
