"""Downloading, checking and extracting dataset files (torchvision.datasets.utils).

Downloads go through ``ember.hub.download_url_to_file``: the bytes land in a temporary
file beside the target, a dropped connection resumes with an HTTP Range request, and only
a complete file whose checksum matches is renamed into place. Archives are extracted into
a temporary folder inside the destination and moved into place member by member once the
whole archive has been read, so an interrupted or corrupt download or extraction never
leaves a half-written file in ``root``.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import os
import shutil
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlparse

__all__ = ["calculate_md5", "check_md5", "check_integrity", "download_url",
           "download_and_extract_archive", "extract_archive", "list_dir", "list_files",
           "verify_str_arg", "download_from_mirrors"]

USER_AGENT = "embervision"


def calculate_md5(fpath, chunk_size: int = 1024 * 1024) -> str:
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5: str, **kwargs) -> bool:
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5: str | None = None) -> bool:
    """The file exists and, when ``md5`` is given, has that MD5 checksum."""
    if not os.path.isfile(fpath):
        return False
    if md5 is None:
        return True
    return check_md5(fpath, md5)


def download_url(url: str, root, filename: str | None = None, md5: str | None = None,
                 max_redirect_hops: int = 3, *, progress: bool = True,
                 retries: int = 3) -> None:
    """Download ``url`` to ``root/filename`` (atomic, resumed, retried, MD5-checked).

    A file already there with the right checksum is kept. RuntimeError names the URL when
    the download fails or its checksum does not match; nothing is left behind then.
    """
    from ember.hub import download_url_to_file

    root = os.path.expanduser(root)
    if not filename:
        filename = os.path.basename(urlparse(url).path)
    fpath = os.path.join(root, filename)
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return
    download_url_to_file(url, fpath, hash_prefix=md5, progress=progress, retries=retries,
                         hash_algorithm="md5")


def download_from_mirrors(mirrors: Iterable[str], filename: str, root, md5: str | None,
                          progress: bool = True) -> None:
    """Try each mirror in turn for ``filename``; RuntimeError listing every failure."""
    errors = []
    for mirror in mirrors:
        url = f"{mirror}{filename}"
        try:
            download_url(url, root, filename, md5, progress=progress)
            return
        except (RuntimeError, OSError) as exc:
            errors.append(f"  {url}: {exc}")
    raise RuntimeError(f"Error downloading {filename}:\n" + "\n".join(errors))


def list_dir(root, prefix: bool = False) -> list[str]:
    root = os.path.expanduser(root)
    directories = [p for p in os.listdir(root) if os.path.isdir(os.path.join(root, p))]
    return [os.path.join(root, d) for d in directories] if prefix else directories


def list_files(root, suffix: str, prefix: bool = False) -> list[str]:
    root = os.path.expanduser(root)
    files = [p for p in os.listdir(root)
             if os.path.isfile(os.path.join(root, p)) and p.endswith(suffix)]
    return [os.path.join(root, d) for d in files] if prefix else files


_COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


def _safe_members(tar: tarfile.TarFile, dest: str):
    for member in tar.getmembers():
        target = os.path.realpath(os.path.join(dest, member.name))
        if not target.startswith(os.path.realpath(dest) + os.sep) and \
                target != os.path.realpath(dest):
            raise RuntimeError(f"refusing to extract {member.name!r}: outside {dest}")
        if member.issym() or member.islnk() or member.isdev():
            continue
        yield member


def extract_archive(from_path, to_path=None, remove_finished: bool = False) -> str:
    """Extract a .tar(.gz/.bz2/.xz), .tgz, .zip, or a single .gz/.bz2/.xz file.

    Everything is first written into a temporary folder inside ``to_path``, then moved into
    place; a corrupt or truncated archive raises RuntimeError naming it and leaves nothing.
    Returns ``to_path``.
    """
    from_path = os.fspath(from_path)
    to_path = os.path.dirname(from_path) if to_path is None else os.fspath(to_path)
    os.makedirs(to_path, exist_ok=True)
    name = os.path.basename(from_path)
    tmp = tempfile.mkdtemp(prefix=".extract-", dir=to_path)
    try:
        try:
            if tarfile.is_tarfile(from_path):
                with tarfile.open(from_path) as tar:
                    tar.extractall(tmp, members=list(_safe_members(tar, tmp)))
            elif zipfile.is_zipfile(from_path):
                with zipfile.ZipFile(from_path) as zf:
                    bad = zf.testzip()
                    if bad is not None:
                        raise zipfile.BadZipFile(f"bad CRC for member {bad}")
                    for member in zf.namelist():
                        target = os.path.realpath(os.path.join(tmp, member))
                        if not target.startswith(os.path.realpath(tmp) + os.sep):
                            raise RuntimeError(f"refusing to extract {member!r}")
                    zf.extractall(tmp)
            else:
                suffix = Path(name).suffix
                if suffix not in _COMPRESSED:
                    raise RuntimeError(f"{from_path}: not a supported archive (tar, zip, gz, "
                                       "bz2 or xz)")
                with _COMPRESSED[suffix](from_path, "rb") as src, \
                        open(os.path.join(tmp, name[: -len(suffix)]), "wb") as dst:
                    shutil.copyfileobj(src, dst)
        except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, lzma.LZMAError,
                zlib.error) as exc:
            raise RuntimeError(f"{from_path}: corrupt or truncated archive ({exc})") from None
        _move_tree(tmp, to_path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if remove_finished:
        os.remove(from_path)
    return to_path


def _move_tree(src: str, dst: str) -> None:
    for entry in os.listdir(src):
        s, d = os.path.join(src, entry), os.path.join(dst, entry)
        if os.path.isdir(s) and not os.path.islink(s):
            os.makedirs(d, exist_ok=True)
            _move_tree(s, d)
        else:
            os.replace(s, d)


def download_and_extract_archive(url: str, download_root, extract_root=None,
                                 filename: str | None = None, md5: str | None = None,
                                 remove_finished: bool = False) -> None:
    download_root = os.path.expanduser(download_root)
    if extract_root is None:
        extract_root = download_root
    if not filename:
        filename = os.path.basename(urlparse(url).path)
    download_url(url, download_root, filename, md5)
    archive = os.path.join(download_root, filename)
    extract_archive(archive, extract_root, remove_finished)


def verify_str_arg(value, arg: str | None = None, valid_values: Iterable[str] | None = None,
                   custom_msg: str | None = None) -> str:
    if not isinstance(value, str):
        msg = "Expected type str" + ("" if arg is None else f" for argument {arg}") + \
            f", but got type {type(value)}."
        raise ValueError(msg)
    if valid_values is None:
        return value
    if value not in valid_values:
        if custom_msg is not None:
            raise ValueError(custom_msg)
        valid = ", ".join(f"'{v}'" for v in valid_values)
        raise ValueError(f"Unknown value '{value}' for argument {arg}. Valid values are "
                         f"{{{valid}}}.")
    return value
