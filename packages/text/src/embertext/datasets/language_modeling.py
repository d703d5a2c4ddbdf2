"""WikiText-2 and WikiText-103 (Merity et al., 2016): token files in a zip, one line a time.

Lines are yielded as in the file, newline included (torchtext's ``strip_newline=False``):
headings `` = Title = ``, blank lines between paragraphs, ``<unk>`` for rare words.
"""

from __future__ import annotations

from ._utils import TextDataset, dataset_dir, extract_member, fetch, read_lines, wrap_split

__all__ = ["WikiText2", "WikiText103"]

WIKITEXT2 = {
    "url": "https://s3.amazonaws.com/research.metamind.io/wikitext/wikitext-2-v1.zip",
    "md5": "542ccefacc6c27f945fb54453812b3cd",
    "num_lines": {"train": 36718, "valid": 3760, "test": 4358},
    "folder": "wikitext-2",
}
WIKITEXT103 = {
    "url": "https://s3.amazonaws.com/research.metamind.io/wikitext/wikitext-103-v1.zip",
    "md5": "9ddaacaf6af0710eda8c456decff7832",
    "num_lines": {"train": 1801350, "valid": 3760, "test": 4358},
    "folder": "wikitext-103",
}


def _wikitext(name, spec, root, split):
    folder = dataset_dir(root, name)

    def make(s):
        def reader():
            archive = fetch(spec["url"], folder / spec["url"].rsplit("/", 1)[-1], spec["md5"])
            member = f"{spec['folder']}/wiki.{s}.tokens"
            yield from read_lines(extract_member(archive, member, folder / member))
        return TextDataset(f"{name} {s}", spec["num_lines"][s], reader)

    return wrap_split(name, split, ("train", "valid", "test"), make)


def WikiText2(root=None, split=("train", "valid", "test")):
    """WikiText-2: yields lines of text (2M training tokens, 33,278-word vocabulary)."""
    return _wikitext("WikiText2", WIKITEXT2, root, split)


def WikiText103(root=None, split=("train", "valid", "test")):
    """WikiText-103: yields lines of text (103M training tokens)."""
    return _wikitext("WikiText103", WIKITEXT103, root, split)
