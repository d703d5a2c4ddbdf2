"""Dataset readers on small files made in each published format, served on 127.0.0.1."""

from __future__ import annotations

import csv
import functools
import hashlib
import http.server
import io
import tarfile
import threading
import zipfile
from collections import Counter

import pytest

from embertext import datasets
from embertext.datasets import imdb, language_modeling, multi30k, text_classification
from embertext.datasets._utils import direct_url


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.requests.append(self.path)
        super().do_GET()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A static file server on 127.0.0.1 (an ephemeral port) over a fresh folder."""
    root = tmp_path_factory.mktemp("www")
    handler = functools.partial(_Handler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}", httpd.requests
    httpd.shutdown()
    httpd.server_close()


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def _csv_bytes(rows):
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode()


def _tar_gz(members: dict) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _zip(members: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


AG_TRAIN = [["3", "Wall St. Bears Claw Back", "Reuters - Short-sellers, Wall Street's dwindling"],
            ["4", "Title with \"quotes\"", "multi\nline, with commas"],
            ["1", "World", "news"]]
AG_TEST = [["2", "Sports", "a match"]]


def test_ag_news_downloads_checks_and_reads_lazily(server, tmp_path, monkeypatch):
    www, base, requests = server
    train, test = _csv_bytes(AG_TRAIN), _csv_bytes(AG_TEST)
    (www / "ag").mkdir()
    (www / "ag" / "train.csv").write_bytes(train)
    (www / "ag" / "test.csv").write_bytes(test)
    spec = text_classification.AG_NEWS_SPEC
    monkeypatch.setattr(spec, "url", {"train": f"{base}/ag/train.csv",
                                      "test": f"{base}/ag/test.csv"})
    monkeypatch.setattr(spec, "md5", {"train": _md5(train), "test": _md5(test)})
    before = len(requests)
    train_ds, test_ds = datasets.AG_NEWS(root=tmp_path)
    assert len(requests) == before  # nothing fetched until iteration
    assert len(train_ds) == 120000 and len(test_ds) == 7600  # published counts
    assert list(train_ds) == [
        (3, "Wall St. Bears Claw Back Reuters - Short-sellers, Wall Street's dwindling"),
        (4, 'Title with "quotes" multi\nline, with commas'),
        (1, "World news")]
    assert (tmp_path / "AG_NEWS" / "train.csv").read_bytes() == train
    fetched = len(requests)
    assert next(iter(train_ds))[0] == 3 and len(requests) == fetched  # cached
    assert list(datasets.AG_NEWS(root=tmp_path, split="test")) == [(2, "Sports a match")]
    assert repr(test_ds) == "TextDataset(AG_NEWS test)"


def test_checksum_mismatch_keeps_nothing(server, tmp_path, monkeypatch):
    www, base, _ = server
    (www / "bad.csv").write_bytes(_csv_bytes(AG_TEST))
    spec = text_classification.AG_NEWS_SPEC
    monkeypatch.setattr(spec, "url", {"train": f"{base}/bad.csv", "test": f"{base}/bad.csv"})
    monkeypatch.setattr(spec, "md5", {"train": "0" * 32, "test": "0" * 32})
    with pytest.raises(RuntimeError, match="invalid hash value"):
        list(datasets.AG_NEWS(root=tmp_path, split="test"))
    assert not any((tmp_path / "AG_NEWS").iterdir())


def test_missing_file_is_an_error(server, tmp_path, monkeypatch):
    _, base, _ = server
    monkeypatch.setattr(text_classification.AG_NEWS_SPEC, "url",
                        {"train": f"{base}/nope.csv", "test": f"{base}/nope.csv"})
    with pytest.raises(RuntimeError, match="HTTP 404"):
        list(datasets.AG_NEWS(root=tmp_path, split="train"))


@pytest.mark.parametrize("fn,spec,folder", [
    (datasets.YelpReviewPolarity, text_classification.YELP_POLARITY_SPEC,
     "yelp_review_polarity_csv"),
    (datasets.YelpReviewFull, text_classification.YELP_FULL_SPEC, "yelp_review_full_csv"),
    (datasets.DBpedia, text_classification.DBPEDIA_SPEC, "dbpedia_csv"),
])
def test_tar_gz_csv_datasets(server, tmp_path, monkeypatch, fn, spec, folder):
    www, base, _ = server
    archive = _tar_gz({f"{folder}/train.csv": _csv_bytes([["1", "bad food"], ["2", "great"]]),
                       f"{folder}/test.csv": _csv_bytes([["2", "title", "body"]]),
                       f"{folder}/readme.txt": b"about"})
    (www / spec.archive).write_bytes(archive)
    monkeypatch.setattr(spec, "url", f"{base}/{spec.archive}")
    monkeypatch.setattr(spec, "md5", _md5(archive))
    train, test = fn(root=tmp_path)
    assert list(train) == [(1, "bad food"), (2, "great")]
    assert list(test) == [(2, "title body")]
    assert (tmp_path / spec.name / folder / "test.csv").is_file()  # only the split's file
    assert not (tmp_path / spec.name / folder / "readme.txt").exists()


def test_imdb_tar_tree(server, tmp_path, monkeypatch):
    www, base, _ = server
    archive = _tar_gz({
        "aclImdb/train/pos/0_9.txt": b"A wonderful film.",
        "aclImdb/train/neg/1_2.txt": "Awful. Caf\u00e9 scene<br />dull.".encode(),
        "aclImdb/train/unsup/2_0.txt": b"unlabelled",
        "aclImdb/train/urls_pos.txt": b"http://...",
        "aclImdb/test/neg/3_1.txt": b"Bad.",
        "aclImdb/imdb.vocab": b"the\n",
    })
    (www / "aclImdb_v1.tar.gz").write_bytes(archive)
    monkeypatch.setattr(imdb, "URL", f"{base}/aclImdb_v1.tar.gz")
    monkeypatch.setattr(imdb, "MD5", _md5(archive))
    train, test = datasets.IMDB(root=tmp_path)
    assert sorted(train) == [(1, "Awful. Caf\u00e9 scene<br />dull."), (2, "A wonderful film.")]
    assert list(test) == [(1, "Bad.")] and len(test) == 25000


def test_wikitext_zip(server, tmp_path, monkeypatch):
    www, base, _ = server
    train_text = " = Valkyria = \n\n Senjō no Valkyria 3 : <unk> Chronicles \n"
    archive = _zip({"wikitext-2/wiki.train.tokens": train_text,
                    "wikitext-2/wiki.valid.tokens": " valid \n",
                    "wikitext-2/wiki.test.tokens": " test \n"})
    (www / "wikitext-2-v1.zip").write_bytes(archive)
    monkeypatch.setitem(language_modeling.WIKITEXT2, "url", f"{base}/wikitext-2-v1.zip")
    monkeypatch.setitem(language_modeling.WIKITEXT2, "md5", _md5(archive))
    train, valid, test = datasets.WikiText2(root=tmp_path)
    assert list(train) == [" = Valkyria = \n", "\n",
                           " Senjō no Valkyria 3 : <unk> Chronicles \n"]
    assert list(valid) == [" valid \n"] and list(test) == [" test \n"]
    assert len(train) == 36718
    assert list(datasets.WikiText2(root=tmp_path, split="valid")) == [" valid \n"]


def test_wikitext103_has_its_own_url_and_folder(server, tmp_path, monkeypatch):
    www, base, _ = server
    archive = _zip({"wikitext-103/wiki.valid.tokens": "a\nb\n"})
    (www / "wikitext-103-v1.zip").write_bytes(archive)
    monkeypatch.setitem(language_modeling.WIKITEXT103, "url", f"{base}/wikitext-103-v1.zip")
    monkeypatch.setitem(language_modeling.WIKITEXT103, "md5", _md5(archive))
    assert list(datasets.WikiText103(root=tmp_path, split="valid")) == ["a\n", "b\n"]


def test_multi30k_parallel_text(server, tmp_path, monkeypatch):
    www, base, _ = server
    files = {"train": ("training.tar.gz", "train"), "valid": ("validation.tar.gz", "val"),
             "test": ("mmt16_task1_test.tar.gz", "test")}
    for split, (name, prefix) in files.items():
        archive = _tar_gz({f"{prefix}.de": f"Ein Hund ({split}).\nZwei Katzen.\n".encode(),
                           f"{prefix}.en": f"A dog ({split}).\nTwo cats.\n".encode()})
        (www / name).write_bytes(archive)
        monkeypatch.setitem(multi30k.URL, split, f"{base}/{name}")
        monkeypatch.setitem(multi30k.SHA256, split, hashlib.sha256(archive).hexdigest())
    train, valid, test = datasets.Multi30k(root=tmp_path)
    assert list(train) == [("Ein Hund (train).", "A dog (train)."), ("Zwei Katzen.", "Two cats.")]
    assert next(iter(valid)) == ("Ein Hund (valid).", "A dog (valid).")
    en_de = datasets.Multi30k(root=tmp_path, split="test", language_pair=("en", "de"))
    assert list(en_de)[1] == ("Two cats.", "Zwei Katzen.")
    with pytest.raises(AssertionError):
        datasets.Multi30k(language_pair=("de", "fr"))


def test_split_argument_errors():
    with pytest.raises(ValueError, match="valid"):
        datasets.AG_NEWS(split="valid")
    with pytest.raises(ValueError):
        datasets.WikiText2(split=("train", "dev"))


def test_gdrive_links_go_to_the_direct_download():
    url = text_classification.YELP_POLARITY_SPEC.url
    assert direct_url(url) == ("https://drive.usercontent.google.com/download?id="
                               "0Bz8a_Dbh9QhbNUpYQ2N3SGlFaDg&export=download&confirm=t")
    assert direct_url(imdb.URL) == imdb.URL


def test_published_urls_and_checksums():
    assert imdb.MD5 == "7c2ac02c03563afcf9b574c7e56c153a"
    assert language_modeling.WIKITEXT2["md5"] == "542ccefacc6c27f945fb54453812b3cd"
    assert text_classification.AG_NEWS_SPEC.md5["train"] == "b1a00f826fdfbd249f79597b59e1dc12"
    assert multi30k.SHA256["train"].startswith("20140d013d05dd9a")


def test_rotten_tomatoes_bundled_real_corpus():
    train, test = datasets.RottenTomatoes()
    rows = list(train)
    assert len(rows) == len(train) == 10247 and len(list(test)) == len(test) == 2561
    labels = Counter(label for label, _ in rows) + Counter(label for label, _ in test)
    assert labels == Counter({2: 7403, 1: 5405})
    assert all(isinstance(t, str) and t for _, t in rows[:100])
    assert set(label for label, _ in rows) == {1, 2}


def test_data_loader_workers_share_an_epoch():
    from ember.utils.data import DataLoader

    loader = DataLoader(datasets.RottenTomatoes(split="test"), batch_size=64, num_workers=2,
                        collate_fn=lambda batch: batch)
    texts = [text for batch in loader for _, text in batch]
    assert len(texts) == 2561
    assert sorted(texts) == sorted(text for _, text in datasets.RottenTomatoes(split="test"))
