"""Datasets: readers on small files in the real formats, downloads from a local HTTP
server (mirrors, MD5 checks, retries, resumed transfers, nothing half-written left)."""

from __future__ import annotations

import gzip
import os

import numpy as np
import pytest
from dataset_files import (
    cifar10_archive,
    cifar100_archive,
    emnist_zip,
    idx_gz,
    md5,
    mnist_files,
    tar_gz,
)
from http_server import FileServer
from PIL import Image

import ember
from embervision import datasets
from embervision.datasets.utils import download_url, extract_archive


def _files_under(root):
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, fs in os.walk(root) for f in fs)


@pytest.fixture
def server():
    with FileServer() as s:
        yield s


@pytest.fixture
def mnist_server(server, monkeypatch):
    files = mnist_files()
    for name, (data, _) in files.items():
        server.files[f"/mirror2/{name}"] = data
    monkeypatch.setattr(datasets.MNIST, "mirrors",
                        [f"{server.url}/missing/", f"{server.url}/mirror2/"])
    monkeypatch.setattr(datasets.MNIST, "resources",
                        [(name, md5(data)) for name, (data, _) in files.items()])
    return server, files


def test_mnist_download_tries_mirrors_and_reads_idx(mnist_server, tmp_path):
    server, files = mnist_server
    train = datasets.MNIST(tmp_path, train=True, download=True)
    test = datasets.MNIST(tmp_path, train=False)
    np.testing.assert_array_equal(train.data.numpy(), files["train-images-idx3-ubyte.gz"][1])
    np.testing.assert_array_equal(test.targets.numpy(), files["t10k-labels-idx1-ubyte.gz"][1])
    assert train.targets.dtype == ember.int64 and train.data.dtype == ember.uint8
    assert len(train) == 7 and len(test) == 5
    img, target = train[3]
    assert isinstance(img, Image.Image) and img.size == (28, 28) and img.mode == "L"
    assert target == int(files["train-labels-idx1-ubyte.gz"][1][3])
    assert _files_under(tmp_path) == sorted(f"MNIST/raw/{n}" for n in files)
    # the first mirror answered 404 for every file, the second served them
    assert sum(p.startswith("/missing/") for p, _ in server.requests) == 4
    # a second download=True finds every file intact and fetches nothing
    count = len(server.requests)
    datasets.MNIST(tmp_path, download=True)
    assert len(server.requests) == count


def test_mnist_download_retries_and_resumes(mnist_server, tmp_path):
    server, files = mnist_server
    name = "train-images-idx3-ubyte.gz"
    server.fail_500[f"/mirror2/{name}"] = 2
    server.drop_after["/mirror2/t10k-images-idx3-ubyte.gz"] = 100
    ds = datasets.MNIST(tmp_path, download=True, train=False)
    assert len(ds) == 5
    ranges = [r for p, r in server.requests if p.endswith("t10k-images-idx3-ubyte.gz") and r]
    assert ranges == ["bytes=100-"]  # resumed where the dropped connection stopped
    assert (tmp_path / "MNIST/raw/t10k-images-idx3-ubyte.gz").read_bytes() == \
        files["t10k-images-idx3-ubyte.gz"][0]
    assert _files_under(tmp_path) == sorted(f"MNIST/raw/{n}" for n in files)


def test_checksum_mismatch_leaves_nothing(mnist_server, tmp_path):
    server, files = mnist_server
    server.files["/mirror2/train-labels-idx1-ubyte.gz"] = b"not the real file"
    with pytest.raises(RuntimeError, match="train-labels-idx1-ubyte.gz"):
        datasets.MNIST(tmp_path, download=True)
    left = _files_under(tmp_path)
    assert "MNIST/raw/train-labels-idx1-ubyte.gz" not in left
    assert all(not n.startswith("MNIST/raw/.") and "partial" not in n and "tmp" not in n
               for n in left), left


def test_damaged_file_is_fetched_again(mnist_server, tmp_path):
    server, files = mnist_server
    datasets.MNIST(tmp_path, download=True)
    target = tmp_path / "MNIST/raw/train-images-idx3-ubyte.gz"
    target.write_bytes(target.read_bytes()[:50])
    ds = datasets.MNIST(tmp_path, download=True)
    np.testing.assert_array_equal(ds.data.numpy(), files["train-images-idx3-ubyte.gz"][1])


def test_truncated_or_corrupt_idx_names_the_file(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    images, labels = np.zeros((4, 28, 28), np.uint8), np.arange(4, dtype=np.uint8)
    (raw / "train-images-idx3-ubyte.gz").write_bytes(idx_gz(images)[:-10])  # cut gzip
    (raw / "train-labels-idx1-ubyte.gz").write_bytes(idx_gz(labels))
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz"):
        datasets.MNIST(tmp_path)
    with gzip.open(raw / "train-images-idx3-ubyte.gz", "wb") as f:  # short data
        f.write(idx_gz(images)[:0] or gzip.decompress(idx_gz(images))[:-30])
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz.*truncated"):
        datasets.MNIST(tmp_path)
    (raw / "train-images-idx3-ubyte.gz").write_bytes(b"garbage, not gzip")
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz"):
        datasets.MNIST(tmp_path)


def test_missing_files_say_download(tmp_path):
    with pytest.raises(RuntimeError, match="download=True"):
        datasets.MNIST(tmp_path)


def test_uncompressed_idx_files(tmp_path):
    raw = tmp_path / "KMNIST" / "raw"
    raw.mkdir(parents=True)
    for name, (data, _) in mnist_files().items():
        (raw / name[:-3]).write_bytes(gzip.decompress(data))
    ds = datasets.KMNIST(tmp_path, train=False, transform=lambda im: np.asarray(im),
                         target_transform=lambda t: t + 100)
    img, target = ds[0]
    assert img.shape == (28, 28) and 100 <= target < 110
    assert ds.classes[0] == "o"


@pytest.mark.parametrize("cls", [datasets.FashionMNIST, datasets.KMNIST])
def test_mnist_family_download(cls, server, monkeypatch, tmp_path):
    files = mnist_files()
    for name, (data, _) in files.items():
        server.files[f"/{cls.__name__}/{name}"] = data
    monkeypatch.setattr(cls, "mirrors", [f"{server.url}/{cls.__name__}/"])
    monkeypatch.setattr(cls, "resources", [(n, md5(d)) for n, (d, _) in files.items()])
    ds = cls(tmp_path, download=True)
    assert len(ds) == 7 and len(ds.classes) == 10
    assert (tmp_path / cls.__name__ / "raw" / "train-images-idx3-ubyte.gz").exists()


def test_published_checksums_are_torchvisions():
    assert datasets.MNIST.resources[0] == ("train-images-idx3-ubyte.gz",
                                           "f68b3c2dcbeaaa9fbdd348bbdeb94873")
    assert datasets.FashionMNIST.classes[9] == "Ankle boot"
    assert datasets.CIFAR10.tgz_md5 == "c58f30108f718f92721af3b95e74349a"
    assert datasets.EMNIST.url.endswith("/gzip.zip")


def test_emnist_download_extracts_the_split(server, monkeypatch, tmp_path):
    data, arrays = emnist_zip("letters")
    server.files["/emnist/gzip.zip"] = data
    monkeypatch.setattr(datasets.EMNIST, "url", f"{server.url}/emnist/gzip.zip")
    monkeypatch.setattr(datasets.EMNIST, "md5", md5(data))
    ds = datasets.EMNIST(tmp_path, split="letters", download=True)
    np.testing.assert_array_equal(ds.data.numpy(), arrays["train"][0])
    assert ds.classes[:3] == ["N/A", "a", "b"] and len(ds.classes) == 27
    test = datasets.EMNIST(tmp_path, split="letters", train=False)
    assert len(test) == 4
    with pytest.raises(ValueError, match="split"):
        datasets.EMNIST(tmp_path, split="nope")
    assert datasets.EMNIST.classes_split_dict["byclass"][:11] == list("0123456789A")


def test_cifar10_download_extract_and_read(server, monkeypatch, tmp_path):
    archive, members = cifar10_archive()
    server.files["/c10.tar.gz"] = archive
    monkeypatch.setattr(datasets.CIFAR10, "url", f"{server.url}/c10.tar.gz")
    monkeypatch.setattr(datasets.CIFAR10, "tgz_md5", md5(archive))
    monkeypatch.setattr(datasets.CIFAR10, "train_list",
                        [[f"data_batch_{i}", md5(members[f"data_batch_{i}"][0])]
                         for i in range(1, 6)])
    monkeypatch.setattr(datasets.CIFAR10, "test_list",
                        [["test_batch", md5(members["test_batch"][0])]])
    monkeypatch.setitem(datasets.CIFAR10.meta, "md5", md5(members["batches.meta"][0]))
    train = datasets.CIFAR10(tmp_path, download=True)
    assert len(train) == 15 and train.data.shape == (15, 32, 32, 3)
    first = members["data_batch_1"][1]
    np.testing.assert_array_equal(train.data[0], first["data"][0].reshape(3, 32, 32)
                                  .transpose(1, 2, 0))
    assert train.targets[:3] == first["labels"]
    img, target = train[0]
    assert isinstance(img, Image.Image) and img.size == (32, 32) and img.mode == "RGB"
    assert train.classes[3] == "cat" and train.class_to_idx["truck"] == 9
    test = datasets.CIFAR10(tmp_path, train=False)
    assert len(test) == 4
    # a damaged batch is named
    (tmp_path / "cifar-10-batches-py" / "data_batch_2").write_bytes(b"\x80\x02junk")
    with pytest.raises(RuntimeError, match="data_batch_2"):
        datasets.CIFAR10(tmp_path)


def test_cifar100(server, monkeypatch, tmp_path):
    archive, members = cifar100_archive()
    server.files["/c100.tar.gz"] = archive
    monkeypatch.setattr(datasets.CIFAR100, "url", f"{server.url}/c100.tar.gz")
    monkeypatch.setattr(datasets.CIFAR100, "tgz_md5", md5(archive))
    monkeypatch.setattr(datasets.CIFAR100, "train_list", [["train", md5(members["train"][0])]])
    monkeypatch.setattr(datasets.CIFAR100, "test_list", [["test", md5(members["test"][0])]])
    monkeypatch.setattr(datasets.CIFAR100, "meta", dict(datasets.CIFAR100.meta,
                                                         md5=md5(members["meta"][0])))
    ds = datasets.CIFAR100(tmp_path, download=True)
    assert len(ds) == 6 and ds.targets == members["train"][1]["fine_labels"]
    assert len(ds.classes) == 100


def test_cifar_pickle_may_not_run_code(tmp_path):
    import pickle

    from embervision.datasets.cifar import load_pickle

    path = tmp_path / "evil"
    path.write_bytes(pickle.dumps(os.system, protocol=2))
    with pytest.raises(RuntimeError, match="evil"):
        load_pickle(path)


def test_truncated_archive_leaves_nothing_extracted(tmp_path):
    archive = tmp_path / "dl" / "a.tar.gz"
    archive.parent.mkdir()
    archive.write_bytes(tar_gz({"folder/big": os.urandom(200_000), "folder/x": b"x"})[:-5000])
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="a.tar.gz"):
        extract_archive(archive, out)
    assert _files_under(out) == []


def test_download_url_http_error_names_url(server, tmp_path):
    with pytest.raises(RuntimeError, match="/nothing-here"):
        download_url(f"{server.url}/nothing-here", tmp_path, "f.bin", progress=False)
    assert _files_under(tmp_path) == []


def test_svhn(tmp_path):
    sio = pytest.importorskip("scipy.io", reason="SVHN needs scipy: pip install scipy")
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (32, 32, 3, 5), dtype=np.uint8)
    y = np.array([[10], [1], [2], [10], [9]], dtype=np.uint8)
    path = tmp_path / "test_32x32.mat"
    sio.savemat(path, {"X": x, "y": y})
    split_list = dict(datasets.SVHN.split_list)
    split_list["test"] = [split_list["test"][0], "test_32x32.mat", md5(path.read_bytes())]
    orig = datasets.SVHN.split_list
    datasets.SVHN.split_list = split_list
    try:
        ds = datasets.SVHN(tmp_path, split="test")
    finally:
        datasets.SVHN.split_list = orig
    assert len(ds) == 5 and list(ds.labels) == [0, 1, 2, 0, 9]
    img, target = ds[1]
    assert img.size == (32, 32) and target == 1
    np.testing.assert_array_equal(np.asarray(img), x[:, :, :, 1])


def _make_folder(root):
    rng = np.random.default_rng(0)
    layout = {"cat": ["a.png", "b.jpg", "notes.txt"], "dog": ["c.png", "sub/d.png"],
              "bird": ["e.bmp"]}
    for cls, names in layout.items():
        for name in names:
            path = root / cls / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if name.endswith(".txt"):
                path.write_text("hello")
            else:
                Image.fromarray(rng.integers(0, 256, (6, 5, 3), dtype=np.uint8)).save(path)


def test_image_folder(tmp_path):
    _make_folder(tmp_path)
    ds = datasets.ImageFolder(tmp_path)
    assert ds.classes == ["bird", "cat", "dog"]
    assert ds.class_to_idx == {"bird": 0, "cat": 1, "dog": 2}
    assert [os.path.relpath(p, tmp_path) for p, _ in ds.samples] == [
        "bird/e.bmp", "cat/a.png", "cat/b.jpg", "dog/c.png", "dog/sub/d.png"]
    assert ds.targets == [0, 1, 1, 2, 2] and ds.imgs == ds.samples
    img, target = ds[3]
    assert img.mode == "RGB" and img.size == (5, 6) and target == 2
    only_png = datasets.ImageFolder(tmp_path, is_valid_file=lambda p: p.endswith(".png"),
                                    allow_empty=True)
    assert len(only_png) == 3
    with pytest.raises(FileNotFoundError, match="bird"):
        datasets.ImageFolder(tmp_path, is_valid_file=lambda p: p.endswith(".png"))


def test_dataset_folder_with_loader(tmp_path):
    _make_folder(tmp_path)
    ds = datasets.DatasetFolder(tmp_path, loader=lambda p: open(p).read(), extensions=(".txt",),
                                allow_empty=True, transform=str.upper)
    assert len(ds) == 1 and ds[0] == ("HELLO", 1)
    with pytest.raises(ValueError, match="Both extensions and is_valid_file"):
        datasets.DatasetFolder(tmp_path, loader=open)
    (tmp_path / "dog" / "broken.png").write_bytes(b"not a png")
    ds = datasets.ImageFolder(tmp_path)
    index = [os.path.basename(p) for p, _ in ds.samples].index("broken.png")
    with pytest.raises(OSError, match="broken.png"):
        ds[index]


def test_empty_root_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="class folder"):
        datasets.ImageFolder(tmp_path)


def test_fake_data_is_reproducible():
    ds = datasets.FakeData(size=5, image_size=(3, 12, 10), num_classes=4)
    a, ta = ds[2]
    b, tb = ds[2]
    assert len(ds) == 5 and a.size == (10, 12) and a.mode == "RGB"
    assert np.array_equal(np.asarray(a), np.asarray(b)) and ta == tb and 0 <= ta < 4
    assert not np.array_equal(np.asarray(ds[1][0]), np.asarray(a))
    with pytest.raises(IndexError):
        ds[5]
    grey = datasets.FakeData(size=2, image_size=(1, 8, 8), transform=np.asarray)
    assert grey[0][0].shape == (8, 8)


def test_mnist5k_is_bundled_and_split():
    train, test = datasets.MNIST5K(), datasets.MNIST5K(train=False)
    assert len(train) == 4000 and len(test) == 1000
    assert np.bincount(train.targets.numpy()).tolist() == [400] * 10
    assert np.bincount(test.targets.numpy()).tolist() == [100] * 10
    img, target = test[0]
    assert img.size == (28, 28) and target == 0
    assert "Number of datapoints: 4000" in repr(train)


def test_dataloader_with_workers_over_mnist5k():
    from ember.utils.data import DataLoader
    from embervision import transforms as T

    ds = datasets.MNIST5K(train=False, transform=T.Compose([T.ToTensor(),
                                                            T.Normalize((0.1307,), (0.3081,))]))
    loader = DataLoader(ds, batch_size=250, num_workers=2)
    batches = list(loader)
    assert len(batches) == 4
    x, y = batches[0]
    assert x.shape == (250, 1, 28, 28) and x.dtype == ember.float32 and y.dtype == ember.int64
    assert abs(float(x.mean())) < 0.5
