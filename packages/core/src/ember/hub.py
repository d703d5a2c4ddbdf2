"""``ember.hub``: cached, checked, atomic downloads of weights, and local hub repositories.

As ``torch.hub``: ``load_state_dict_from_url`` keeps files under ``get_dir()/checkpoints``
(``$EMBER_HOME/hub``, default ``~/.cache/ember/hub``); ``download_url_to_file`` checks a
SHA-256 prefix and only ever renames a complete, verified file into place, so a failed or
mismatching download leaves nothing behind. ``load``/``list``/``help`` read a ``hubconf.py``
from a local directory (``source='local'``; ember does not fetch repositories).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from .serialization._atomic import atomic_path

HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")  # file-<sha256 prefix>.ext, as torch.hub names them
_CHUNK = 1 << 16
_hub_dir = None


def get_dir() -> str:
    """The hub cache directory: set_dir()'s, else $EMBER_HOME/hub, else ~/.cache/ember/hub."""
    if _hub_dir is not None:
        return _hub_dir
    home = os.environ.get("EMBER_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "ember")
    return os.path.join(home, "hub")


def set_dir(d) -> None:
    global _hub_dir
    _hub_dir = os.path.expanduser(os.fspath(d))


def download_url_to_file(url, dst, hash_prefix=None, progress=True, *, retries=3,
                         hash_algorithm="sha256", timeout=30):
    """Download ``url`` to ``dst`` atomically, resuming after dropped connections.

    The bytes go to a temporary file beside ``dst``; on a dropped connection the download
    resumes with an HTTP Range request (``retries`` times). Only a complete file whose hash
    starts with ``hash_prefix`` is renamed to ``dst``; otherwise nothing is left behind and
    RuntimeError names the URL and what went wrong.
    """
    dst = Path(dst).expanduser()
    dst.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(dst) as partial:
        total = None
        for attempt in range(retries + 1):
            done = os.path.getsize(partial)
            try:
                total = _fetch(url, partial, done, progress, timeout)
                break
            except (urllib.error.URLError, OSError, _Incomplete) as exc:
                if isinstance(exc, urllib.error.HTTPError) and exc.code < 500 and exc.code != 416:
                    raise RuntimeError(f"downloading {url} failed: HTTP {exc.code} "
                                       f"{exc.reason}") from None
                if attempt == retries:
                    raise RuntimeError(f"downloading {url} failed after {retries + 1} attempts: "
                                       f"{exc}") from None
                time.sleep(min(0.2 * 2**attempt, 2.0))
        if total is not None and os.path.getsize(partial) != total:
            raise RuntimeError(f"downloading {url}: got {os.path.getsize(partial)} of {total} "
                               "bytes")
        if hash_prefix:
            digest = file_hash(partial, hash_algorithm)
            if not digest.startswith(hash_prefix):
                raise RuntimeError(f'invalid hash value (expected "{hash_prefix}", got '
                                   f'"{digest}") for {url}; the file was not kept')


class _Incomplete(Exception):
    """The server closed the connection before sending every byte."""


def _fetch(url, path, offset, progress, timeout):
    """Append the bytes of ``url`` from ``offset`` on to ``path``; return the full size."""
    headers = {"User-Agent": "ember-hub", "Range": f"bytes={offset}-"} if offset else \
        {"User-Agent": "ember-hub"}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                timeout=timeout) as response:
        resumed = response.status == 206
        length = response.headers.get("Content-Length")
        total = (int(length) + (offset if resumed else 0)) if length else None
        mode = "ab" if resumed else "wb"
        with open(path, mode) as out, _progress(progress, total, offset if resumed else 0,
                                                 url) as bar:
            while True:
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                out.write(chunk)
                bar.update(len(chunk))
        if total is not None and os.path.getsize(path) < total:
            raise _Incomplete(f"connection closed at {os.path.getsize(path)} of {total} bytes")
    return total


class _NoBar:
    def update(self, n):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _progress(enabled, total, initial, url):
    if not enabled:
        return _NoBar()
    try:
        from tqdm import tqdm
    except ImportError:
        return _NoBar()
    return tqdm(total=total, initial=initial, unit="B", unit_scale=True, unit_divisor=1024,
                desc=os.path.basename(urlparse(url).path), file=sys.stderr)


def file_hash(path, algorithm="sha256") -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True,
                             check_hash=False, file_name=None, weights_only=True):
    """Download ``url`` into the cache once and ``ember.load`` it.

    With ``check_hash``, the file name must carry a SHA-256 prefix (``name-<hash>.pth``) and
    the download must match it.
    """
    from .serialization import load

    model_dir = Path(model_dir) if model_dir is not None else Path(get_dir()) / "checkpoints"
    model_dir.mkdir(parents=True, exist_ok=True)
    name = file_name or os.path.basename(urlparse(url).path)
    cached = model_dir / name
    if not cached.exists():
        prefix = None
        if check_hash:
            match = HASH_REGEX.search(name)
            prefix = match.group(1) if match else None
        sys.stderr.write(f'Downloading: "{url}" to {cached}\n')
        download_url_to_file(url, cached, prefix, progress=progress)
    return load(cached, map_location=map_location, weights_only=weights_only)


# -- local hub repositories ------------------------------------------------------------
def _hubconf(repo_or_dir, source):
    if source != "local":
        raise ValueError(f'Unknown source: "{source}". ember.hub loads repositories from a '
                         'local directory only: pass source="local" and a path to a directory '
                         "holding hubconf.py")
    path = Path(repo_or_dir).expanduser() / "hubconf.py"
    if not path.is_file():
        raise FileNotFoundError(f"no hubconf.py in {path.parent}")
    spec = importlib.util.spec_from_file_location(f"hubconf_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    missing = [dep for dep in getattr(module, "dependencies", [])
               if importlib.util.find_spec(dep) is None]
    if missing:
        raise RuntimeError(f"Missing dependencies: {', '.join(missing)}")
    return module


def _entry(module, model):
    fn = getattr(module, model, None)
    if fn is None or not callable(fn) or model.startswith("_"):
        raise RuntimeError(f"Cannot find callable {model} in hubconf")
    return fn


def list(repo_or_dir, force_reload=False, skip_validation=False, trust_repo=None,  # noqa: A001
         source="local", verbose=True):
    """The entry points a hubconf.py offers (its public callables)."""
    module = _hubconf(repo_or_dir, source)
    return [name for name in dir(module) if callable(getattr(module, name))
            and not name.startswith("_")]


def help(repo_or_dir, model, force_reload=False, skip_validation=False,  # noqa: A001
         trust_repo=None, source="local"):
    return _entry(_hubconf(repo_or_dir, source), model).__doc__


def load(repo_or_dir, model, *args, source="local", trust_repo=None, force_reload=False,
         verbose=True, skip_validation=False, **kwargs):
    """Call entry point ``model`` of the hubconf.py in directory ``repo_or_dir``."""
    return _entry(_hubconf(repo_or_dir, source), model)(*args, **kwargs)


