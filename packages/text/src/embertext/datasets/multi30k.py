"""Multi30k (Elliott et al., 2016): German–English parallel captions, one sentence a line.

Each split is a tar holding ``<prefix>.de`` and ``<prefix>.en`` (prefixes train / val /
test); line i of one is the translation of line i of the other. Checksums are SHA-256.
"""

from __future__ import annotations

from ._utils import TextDataset, dataset_dir, extract_member, fetch, read_lines, wrap_split

__all__ = ["Multi30k"]

URL = {
    "train": "http://www.quest.dcs.shef.ac.uk/wmt16_files_mmt/training.tar.gz",
    "valid": "http://www.quest.dcs.shef.ac.uk/wmt16_files_mmt/validation.tar.gz",
    "test": "http://www.quest.dcs.shef.ac.uk/wmt16_files_mmt/mmt16_task1_test.tar.gz",
}
SHA256 = {
    "train": "20140d013d05dd9a72dfde46478663ba05737ce983f478f960c1123c6671be5e",
    "valid": "a7aa20e9ebd5ba5adce7909498b94410996040857154dab029851af3a866da8c",
    "test": "0681be16a532912288a91ddd573594fbdd57c0fbb81486eff7c55247e35326c2",
}
_PREFIX = {"train": "train", "valid": "val", "test": "test"}
NUM_LINES = {"train": 29000, "valid": 1014, "test": 1000}


def Multi30k(root=None, split=("train", "valid", "test"), language_pair=("de", "en")):
    """Yields ``(source sentence, target sentence)`` for ``language_pair`` (de→en or en→de)."""
    if len(language_pair) != 2:
        raise AssertionError("language_pair must contain only 2 elements: src and tgt language "
                             "respectively")
    if tuple(sorted(language_pair)) != ("de", "en"):
        raise AssertionError("language_pair must be either ('de','en') or ('en', 'de')")
    folder = dataset_dir(root, "Multi30k")

    def make(s):
        def reader():
            archive = fetch(URL[s], folder / URL[s].rsplit("/", 1)[-1], SHA256[s], "sha256")
            src, tgt = (extract_member(archive, f"{_PREFIX[s]}.{lang}",
                                       folder / f"{_PREFIX[s]}.{lang}")
                        for lang in language_pair)
            yield from zip(read_lines(src, strip_newline=True),
                           read_lines(tgt, strip_newline=True))
        return TextDataset(f"Multi30k {s} {language_pair[0]}-{language_pair[1]}", NUM_LINES[s],
                           reader)

    return wrap_split("Multi30k", split, ("train", "valid", "test"), make)
