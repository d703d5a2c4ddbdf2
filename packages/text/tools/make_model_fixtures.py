"""Generate the model fixtures in tests/fixtures with PyTorch (an oracle only; run by hand).

    python packages/text/tools/make_model_fixtures.py

- ``tiny_bert/``: a random 2-layer BERT written in plain torch.nn following Hugging Face's
  BertModel (post-LN, exact GELU, additive -finfo.min padding mask, tanh pooler), saved as a
  published checkpoint: ``config.json`` + ``model.safetensors`` (HF key names) and the same
  weights as ``pytorch_model.bin`` under a ``bert.`` prefix with an extra MLM-head key; plus
  ``expected.npz`` (inputs, last hidden states, pooled output, mean-pooled embeddings).
- ``tiny_gpt.safetensors`` + ``tiny_gpt_expected.npz``: a random nanoGPT-layout model's
  weights, logits, loss and the loss's gradients for a fixed batch.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
nn, F = torch.nn, torch.nn.functional


def tiny_bert():
    torch.manual_seed(0)
    cfg = dict(architectures=["BertModel"], model_type="bert", vocab_size=50, hidden_size=16,
               num_hidden_layers=2, num_attention_heads=4, intermediate_size=32,
               hidden_act="gelu", hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
               max_position_embeddings=24, type_vocab_size=2, layer_norm_eps=1e-12,
               pad_token_id=0, position_embedding_type="absolute")
    h, inter, heads = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_attention_heads"]
    sd = {
        "embeddings.word_embeddings.weight": torch.randn(cfg["vocab_size"], h) * 0.5,
        "embeddings.position_embeddings.weight": torch.randn(cfg["max_position_embeddings"], h)
        * 0.5,
        "embeddings.token_type_embeddings.weight": torch.randn(2, h) * 0.5,
        "embeddings.LayerNorm.weight": 1 + 0.1 * torch.randn(h),
        "embeddings.LayerNorm.bias": 0.1 * torch.randn(h),
        "embeddings.position_ids": torch.arange(cfg["max_position_embeddings"])[None],
    }
    shapes = {"attention.self.query": (h, h), "attention.self.key": (h, h),
              "attention.self.value": (h, h), "attention.output.dense": (h, h),
              "intermediate.dense": (inter, h), "output.dense": (h, inter)}
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        for name, shape in shapes.items():
            sd[p + name + ".weight"] = torch.randn(*shape) / math.sqrt(shape[1])
            sd[p + name + ".bias"] = 0.1 * torch.randn(shape[0])
        for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
            sd[p + ln + ".weight"] = 1 + 0.1 * torch.randn(h)
            sd[p + ln + ".bias"] = 0.1 * torch.randn(h)
    sd["pooler.dense.weight"] = torch.randn(h, h) / math.sqrt(h)
    sd["pooler.dense.bias"] = 0.1 * torch.randn(h)

    ids = torch.tensor([[2, 7, 9, 11, 4, 3, 0, 0], [2, 5, 6, 8, 10, 12, 13, 3]])
    mask = (ids != 0).long()
    types = torch.tensor([[0, 0, 0, 1, 1, 1, 0, 0], [0] * 8])

    def lin(x, name):
        return F.linear(x, sd[name + ".weight"], sd[name + ".bias"])

    def ln(x, name):
        return F.layer_norm(x, (h,), sd[name + ".weight"], sd[name + ".bias"],
                            cfg["layer_norm_eps"])

    x = sd["embeddings.word_embeddings.weight"][ids] + \
        sd["embeddings.position_embeddings.weight"][torch.arange(ids.shape[1])] + \
        sd["embeddings.token_type_embeddings.weight"][types]
    x = ln(x, "embeddings.LayerNorm")
    bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    b, n = ids.shape
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        q, k, v = (lin(x, p + "attention.self." + m).view(b, n, heads, h // heads)
                   .transpose(1, 2) for m in ("query", "key", "value"))
        scores = q @ k.transpose(-1, -2) / math.sqrt(h // heads) + bias
        ctx = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, n, h)
        x = ln(lin(ctx, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        y = lin(F.gelu(lin(x, p + "intermediate.dense")), p + "output.dense")
        x = ln(y + x, p + "output.LayerNorm")
    pooled = torch.tanh(lin(x[:, 0], "pooler.dense"))
    m = mask[..., None].float()
    mean = (x * m).sum(1) / m.sum(1)

    d = OUT / "tiny_bert"
    d.mkdir(parents=True, exist_ok=True)
    (d / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    save_file({k: v.contiguous() for k, v in sd.items()}, str(d / "model.safetensors"),
              metadata={"format": "pt"})
    prefixed = {"bert." + k: v for k, v in sd.items()}
    prefixed["cls.predictions.bias"] = torch.zeros(cfg["vocab_size"])
    torch.save(prefixed, d / "pytorch_model.bin")
    np.savez(d / "expected.npz", input_ids=ids.numpy(), attention_mask=mask.numpy(),
             token_type_ids=types.numpy(), last_hidden_state=x.numpy(),
             pooler_output=pooled.numpy(), mean_pooled=mean.numpy())


def tiny_gpt():
    torch.manual_seed(1)
    vocab, block, layers, heads, c = 11, 8, 2, 2, 16
    sd = {"transformer.wte.weight": 0.3 * torch.randn(vocab, c),
          "transformer.wpe.weight": 0.3 * torch.randn(block, c)}
    for i in range(layers):
        p = f"transformer.h.{i}."
        for ln in ("ln_1", "ln_2"):
            sd[p + ln + ".weight"] = 1 + 0.1 * torch.randn(c)
            sd[p + ln + ".bias"] = 0.1 * torch.randn(c)
        for name, (o, i_) in {"attn.c_attn": (3 * c, c), "attn.c_proj": (c, c),
                              "mlp.c_fc": (4 * c, c), "mlp.c_proj": (c, 4 * c)}.items():
            sd[p + name + ".weight"] = torch.randn(o, i_) / math.sqrt(i_)
            sd[p + name + ".bias"] = 0.1 * torch.randn(o)
    sd["transformer.ln_f.weight"] = 1 + 0.1 * torch.randn(c)
    sd["transformer.ln_f.bias"] = 0.1 * torch.randn(c)
    params = {k: v.clone().requires_grad_(True) for k, v in sd.items()}
    idx = torch.randint(0, vocab, (3, block))
    targets = torch.randint(0, vocab, (3, block))

    def lin(x, name):
        return F.linear(x, params[name + ".weight"], params[name + ".bias"])

    def ln(x, name):
        return F.layer_norm(x, (c,), params[name + ".weight"], params[name + ".bias"])

    b, t = idx.shape
    x = params["transformer.wte.weight"][idx] + params["transformer.wpe.weight"][:t]
    for i in range(layers):
        p = f"transformer.h.{i}."
        q, k, v = lin(ln(x, p + "ln_1"), p + "attn.c_attn").split(c, dim=2)
        q, k, v = (z.view(b, t, heads, c // heads).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + lin(y.transpose(1, 2).reshape(b, t, c), p + "attn.c_proj")
        x = x + lin(F.gelu(lin(ln(x, p + "ln_2"), p + "mlp.c_fc")), p + "mlp.c_proj")
    logits = F.linear(ln(x, "transformer.ln_f"), params["transformer.wte.weight"])
    loss = F.cross_entropy(logits.reshape(-1, vocab), targets.reshape(-1))
    loss.backward()
    save_file({k: v.contiguous() for k, v in sd.items()}, str(OUT / "tiny_gpt.safetensors"))
    np.savez(OUT / "tiny_gpt_expected.npz", idx=idx.numpy(), targets=targets.numpy(),
             logits=logits.detach().numpy(), loss=loss.detach().numpy(),
             **{"grad." + k: v.grad.numpy() for k, v in params.items()},
             config=np.array([vocab, block, layers, heads, c]))


if __name__ == "__main__":
    tiny_bert()
    tiny_gpt()
    print("wrote", OUT)
