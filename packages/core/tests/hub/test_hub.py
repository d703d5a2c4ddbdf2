"""ember.hub against a local HTTP server: caching, hashes, resume, atomicity, hubconf."""

import hashlib
import http.server
import threading
from pathlib import Path

import numpy as np
import pytest

import ember
from ember import hub

PAYLOAD_STATE = {"weight": ember.arange(12.0).reshape(3, 4), "bias": ember.tensor([1, 2, 3])}


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves server.files; honours Range; can drop the connection after `cut` bytes once."""

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server's name
        body = self.server.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.server.requests.append((self.path, self.headers.get("Range")))
        start = 0
        if self.headers.get("Range"):
            start = int(self.headers["Range"].split("=")[1].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        chunk = body[start:]
        if self.server.cuts:
            cut = self.server.cuts.pop(0)
            self.wfile.write(chunk[:cut])
            self.wfile.flush()
            self.connection.shutdown(2)  # drop the connection mid-body
            return
        self.wfile.write(chunk)


@pytest.fixture
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.files, srv.requests, srv.cuts = {}, [], []
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    srv.url = f"http://127.0.0.1:{srv.server_address[1]}"
    yield srv
    srv.shutdown()
    srv.server_close()


def _checkpoint_bytes(tmp_path):
    path = tmp_path / "source.pth"
    ember.save(PAYLOAD_STATE, path)
    return path.read_bytes()


def test_load_state_dict_from_url_caches_and_checks_the_hash(server, tmp_path):
    body = _checkpoint_bytes(tmp_path)
    sha = hashlib.sha256(body).hexdigest()
    name = f"/weights-{sha[:8]}.pth"
    server.files[name] = body
    cache = tmp_path / "cache"
    state = hub.load_state_dict_from_url(server.url + name, model_dir=cache, check_hash=True,
                                         progress=False)
    np.testing.assert_array_equal(state["weight"].numpy(), PAYLOAD_STATE["weight"].numpy())
    assert state["bias"].tolist() == [1, 2, 3]
    again = hub.load_state_dict_from_url(server.url + name, model_dir=cache, check_hash=True,
                                         progress=False)
    assert again["bias"].tolist() == [1, 2, 3]
    assert len(server.requests) == 1  # the second call read the cache
    assert sorted(p.name for p in cache.iterdir()) == [name[1:]]


def test_hash_mismatch_leaves_nothing_behind(server, tmp_path):
    body = _checkpoint_bytes(tmp_path)
    server.files["/weights-deadbeef.pth"] = body
    cache = tmp_path / "cache"
    with pytest.raises(RuntimeError, match="invalid hash value"):
        hub.load_state_dict_from_url(server.url + "/weights-deadbeef.pth", model_dir=cache,
                                     check_hash=True, progress=False)
    assert list(cache.iterdir()) == []


def test_dropped_connection_resumes_with_a_range_request(server, tmp_path):
    body = bytes(range(256)) * 1000
    server.files["/blob.bin"] = body
    server.cuts = [70_000]
    dst = tmp_path / "blob.bin"
    hub.download_url_to_file(server.url + "/blob.bin", dst,
                             hashlib.sha256(body).hexdigest()[:10], progress=False)
    assert dst.read_bytes() == body
    assert server.requests[1][1] == "bytes=70000-"


def test_failing_download_leaves_nothing_and_names_the_url(server, tmp_path):
    server.files["/blob.bin"] = b"x" * 100_000
    server.cuts = [10, 10, 10]
    with pytest.raises(RuntimeError, match="blob.bin failed after 3 attempts"):
        hub.download_url_to_file(server.url + "/blob.bin", tmp_path / "blob.bin",
                                 progress=False, retries=2)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(RuntimeError, match="HTTP 404"):
        hub.download_url_to_file(server.url + "/missing", tmp_path / "m", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_get_dir_and_set_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(hub, "_hub_dir", None)
    monkeypatch.setenv("EMBER_HOME", str(tmp_path / "home"))
    assert hub.get_dir() == str(tmp_path / "home" / "hub")
    hub.set_dir(tmp_path / "elsewhere")
    assert hub.get_dir() == str(tmp_path / "elsewhere")


def test_local_hubconf_list_help_load(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "helpers.py").write_text("SCALE = 3\n")
    (repo / "hubconf.py").write_text(
        "dependencies = ['numpy']\n"
        "from helpers import SCALE\n"
        "import ember\n"
        "def scaled_ones(n, scale=SCALE):\n"
        "    '''A vector of n values equal to scale.'''\n"
        "    return ember.ones(n) * scale\n"
        "def _private():\n"
        "    pass\n")
    assert hub.list(str(repo)) == ["scaled_ones"]
    assert hub.help(str(repo), "scaled_ones") == "A vector of n values equal to scale."
    assert hub.load(str(repo), "scaled_ones", 2).tolist() == [3.0, 3.0]
    assert hub.load(str(repo), "scaled_ones", 1, scale=5).tolist() == [5.0]
    with pytest.raises(RuntimeError, match="Cannot find callable nope"):
        hub.load(str(repo), "nope")
    with pytest.raises(ValueError, match="local directory only"):
        hub.load("owner/repo", "x", source="github")
    (repo / "hubconf.py").write_text("dependencies = ['no_such_module_xyz']\n")
    with pytest.raises(RuntimeError, match="Missing dependencies: no_such_module_xyz"):
        hub.list(str(repo))
    assert Path(repo).exists()
