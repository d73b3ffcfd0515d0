"""The installed wheel (not only the source checkout) carries and finds its data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_wheel_contains_the_data_and_works_outside_the_checkout(tmp_path: Path) -> None:
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "-q", "-w", str(tmp_path / "dist"), str(ROOT)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("begleiter-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for folder in ("intents", "prompts_de"):
        shipped = {Path(n).name for n in names if n.startswith(f"assistant/_data/{folder}/")}
        expected = {p.name for p in (ROOT / folder).glob("*.toml")}
        assert expected and expected <= shipped, folder
    assert "assistant/cli.py" in names

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                    str(wheel)], check=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run([sys.executable, "-c", "import assistant, assistant.resources as r;"
                            "print(assistant.__file__); print(r.prompts_dir())"],
                           capture_output=True, text=True, cwd=tmp_path, env=env, check=True)
    module_file, prompts = where.stdout.split()
    assert module_file.startswith(str(target)) and prompts.startswith(str(target))
    nlu = subprocess.run([sys.executable, "-m", "assistant", "nlu", "hallo", "--data-dir", str(tmp_path / "d")],
                         capture_output=True, text=True, cwd=tmp_path, env=env)
    assert nlu.returncode == 0, nlu.stderr
    assert json.loads(nlu.stdout)["intent"] == "greeting"
