"""BERT encoders with Hugging Face's module and parameter names, and sentence embeddings.

``BertModel.from_pretrained(model_dir)`` reads a published BERT-family checkpoint:
``config.json`` plus ``model.safetensors`` (or ``pytorch_model.bin``), under the key names
Hugging Face publishes (``embeddings.word_embeddings.weight``,
``encoder.layer.0.attention.self.query.weight``, ...; a ``bert.`` prefix, as in checkpoints
saved from ``BertForMaskedLM`` and friends, is accepted and task heads are ignored).

``SentenceEncoder`` is the sentence-transformers pipeline: raw strings → the checkpoint's
own ``tokenizer.json`` → BERT → mean or CLS pooling → L2 normalisation.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

import ember
from ember import nn
from ember.nn import functional as F

__all__ = ["BertConfig", "BertModel", "BertOutput", "SentenceEncoder", "mean_pooling",
           "cls_pooling"]


@dataclass
class BertConfig:
    """The fields of a Hugging Face ``config.json`` that a BERT encoder needs."""

    vocab_size: int = 30522
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    hidden_act: str = "gelu"
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    pad_token_id: int = 0
    position_embedding_type: str = "absolute"
    extra: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, d: dict) -> BertConfig:
        known = {f for f in cls.__dataclass_fields__ if f != "extra"}
        cfg = cls(**{k: v for k, v in d.items() if k in known})
        cfg.extra = {k: v for k, v in d.items() if k not in known}
        if cfg.position_embedding_type != "absolute":
            raise NotImplementedError(f"position_embedding_type={cfg.position_embedding_type!r}: "
                                      "only 'absolute' is implemented")
        return cfg

    @classmethod
    def from_json_file(cls, path) -> BertConfig:
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))

    def to_dict(self) -> dict:
        d = asdict(self)
        d.update(d.pop("extra"))
        return d


_ACTIVATIONS = {
    "gelu": lambda x: F.gelu(x),
    "gelu_new": lambda x: F.gelu(x, approximate="tanh"),
    "gelu_pytorch_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "relu": F.relu,
    "silu": F.silu,
    "swish": F.silu,
}


class BertEmbeddings(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size,
                                            padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings,
                                                config.hidden_size)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, input_ids, token_type_ids=None, position_ids=None):
        n = input_ids.shape[1]
        if position_ids is None:
            position_ids = ember.arange(n, device=input_ids.device)
        emb = self.word_embeddings(input_ids) + self.position_embeddings(position_ids)
        if token_type_ids is None:
            emb = emb + self.token_type_embeddings.weight[0]
        else:
            emb = emb + self.token_type_embeddings(token_type_ids)
        return self.dropout(self.LayerNorm(emb))


class BertSelfAttention(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        if config.hidden_size % config.num_attention_heads:
            raise ValueError(f"hidden_size {config.hidden_size} is not a multiple of "
                             f"num_attention_heads {config.num_attention_heads}")
        self.num_attention_heads = config.num_attention_heads
        self.attention_head_size = config.hidden_size // config.num_attention_heads
        h = config.hidden_size
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.dropout_p = config.attention_probs_dropout_prob

    def forward(self, x, attn_mask=None):
        b, n, c = x.shape
        heads, d = self.num_attention_heads, self.attention_head_size
        q = self.query(x).view(b, n, heads, d).transpose(1, 2)
        k = self.key(x).view(b, n, heads, d).transpose(1, 2)
        v = self.value(x).view(b, n, heads, d).transpose(1, 2)
        y = F.scaled_dot_product_attention(
            q, k, v, attn_mask=attn_mask,
            dropout_p=self.dropout_p if self.training else 0.0)
        return y.transpose(1, 2).reshape(b, n, c)


class _DenseAddNorm(nn.Module):
    """LayerNorm(dropout(dense(hidden)) + input_tensor), dense from ``in_features`` to
    hidden_size: the output block after attention and after the feed-forward layer."""

    def __init__(self, config: BertConfig, in_features: int):
        super().__init__()
        self.dense = nn.Linear(in_features, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden, input_tensor):
        return self.LayerNorm(self.dropout(self.dense(hidden)) + input_tensor)


class BertSelfOutput(_DenseAddNorm):
    def __init__(self, config: BertConfig):
        super().__init__(config, config.hidden_size)


class BertAttention(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.self = BertSelfAttention(config)
        self.output = BertSelfOutput(config)

    def forward(self, x, attn_mask=None):
        return self.output(self.self(x, attn_mask), x)


class BertIntermediate(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)
        if config.hidden_act not in _ACTIVATIONS:
            raise NotImplementedError(f"hidden_act={config.hidden_act!r}")
        self.act = _ACTIVATIONS[config.hidden_act]

    def forward(self, x):
        return self.act(self.dense(x))


class BertOutputLayer(_DenseAddNorm):
    def __init__(self, config: BertConfig):
        super().__init__(config, config.intermediate_size)


class BertLayer(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.attention = BertAttention(config)
        self.intermediate = BertIntermediate(config)
        self.output = BertOutputLayer(config)

    def forward(self, x, attn_mask=None):
        a = self.attention(x, attn_mask)
        return self.output(self.intermediate(a), a)


class BertEncoder(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(config) for _ in range(config.num_hidden_layers)])

    def forward(self, x, attn_mask=None):
        for layer in self.layer:
            x = layer(x, attn_mask)
        return x


class BertPooler(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.activation = nn.Tanh()

    def forward(self, hidden):
        return self.activation(self.dense(hidden[:, 0]))


class BertOutput(NamedTuple):
    last_hidden_state: ember.Tensor
    pooler_output: ember.Tensor | None


def _keep_mask(attention_mask):
    """(B, L) 1/0 mask → (B, 1, 1, L) boolean keep-mask for scaled_dot_product_attention.

    Masked keys get -inf before the softmax where Hugging Face adds the dtype's minimum:
    both give them exactly zero weight (every row keeps at least its [CLS] token).
    """
    return attention_mask.bool()[:, None, None, :]


class BertModel(nn.Module):
    """The BERT encoder (``transformers.BertModel``'s parameters and outputs).

    ``forward(input_ids, attention_mask=None, token_type_ids=None)`` returns
    ``BertOutput(last_hidden_state (B, L, H), pooler_output (B, H) or None)``.
    """

    def __init__(self, config: BertConfig, add_pooling_layer: bool = True):
        super().__init__()
        self.config = config
        self.embeddings = BertEmbeddings(config)
        self.encoder = BertEncoder(config)
        self.pooler = BertPooler(config) if add_pooling_layer else None

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, position_ids=None):
        x = self.embeddings(input_ids, token_type_ids, position_ids)
        keep = None
        if attention_mask is not None and not bool(attention_mask.all()):
            keep = _keep_mask(attention_mask)
        x = self.encoder(x, keep)
        pooled = self.pooler(x) if self.pooler is not None else None
        return BertOutput(x, pooled)

    # -- published checkpoints -------------------------------------------------------------
    @classmethod
    def from_pretrained(cls, model_dir, add_pooling_layer: bool | None = None) -> BertModel:
        """Build from ``model_dir/config.json`` and load its weights (safetensors or .bin)."""
        model_dir = Path(model_dir)
        config = BertConfig.from_json_file(model_dir / "config.json")
        state = load_checkpoint(model_dir)
        state = _strip_prefix(state)
        has_pooler = any(k.startswith("pooler.") for k in state)
        model = cls(config, add_pooling_layer=has_pooler if add_pooling_layer is None
                    else add_pooling_layer)
        model.load_hf_state_dict(state)
        return model.eval()

    def load_hf_state_dict(self, state: dict) -> None:
        """Load published weights: ``bert.`` prefixes dropped, heads and buffers ignored."""
        state = _strip_prefix(state)
        own = self.state_dict()
        missing = [k for k in own if k not in state]
        if missing:
            raise RuntimeError(f"checkpoint lacks {len(missing)} BERT parameters, e.g. "
                               f"{missing[:3]}")
        self.load_state_dict({k: state[k] for k in own}, strict=True)


def _strip_prefix(state):
    if any(k.startswith("bert.") for k in state):
        state = {k[5:]: v for k, v in state.items() if k.startswith("bert.")}
    return state


def load_checkpoint(model_dir) -> dict:
    """The tensors of ``model.safetensors`` (preferred) or ``pytorch_model.bin``."""
    model_dir = Path(model_dir)
    st = model_dir / "model.safetensors"
    if st.is_file():
        from ember.utils.safetensors import load_file

        return load_file(st)
    binary = model_dir / "pytorch_model.bin"
    if binary.is_file():
        return ember.load(binary, map_location="cpu", weights_only=True)
    raise FileNotFoundError(f"no model.safetensors or pytorch_model.bin in {model_dir}")


# -- pooling ---------------------------------------------------------------------------------
def mean_pooling(last_hidden_state, attention_mask):
    """The mean of the token vectors that the mask keeps (sentence-transformers' mean)."""
    mask = attention_mask.to(last_hidden_state.dtype).unsqueeze(-1)
    summed = (last_hidden_state * mask).sum(1)
    return summed / mask.sum(1).clamp(min=1e-9)


def cls_pooling(last_hidden_state, attention_mask=None):
    """The vector of the first ([CLS]) token."""
    return last_hidden_state[:, 0]


class SentenceEncoder(nn.Module):
    """Raw strings in, sentence embeddings out (sentence-transformers' ``encode``).

    >>> enc = SentenceEncoder.from_pretrained(model_dir)     # e.g. all-MiniLM-L6-v2
    >>> emb = enc.encode(["This is an example sentence", "Each sentence is converted"])
    >>> emb.shape, emb.norm(dim=1)                           # (2, 384), ones
    """

    def __init__(self, model: BertModel, tokenizer, pooling: str = "mean",
                 normalize: bool = True, max_seq_length: int = 256):
        super().__init__()
        if pooling not in ("mean", "cls"):
            raise ValueError(f"pooling must be 'mean' or 'cls', not {pooling!r}")
        self.model, self.pooling, self.normalize = model, pooling, normalize
        self.tokenizer = tokenizer
        self.max_seq_length = max_seq_length
        self.train(model.training)  # an encoder of a model in eval mode starts in eval mode
        self._configure_tokenizer()

    def _configure_tokenizer(self):
        # A published tokenizer.json may pad and truncate to a fixed length (MiniLM's: 128);
        # the encoder pads each batch to its longest sentence and truncates at max_seq_length.
        tok = self.tokenizer.backend
        tok.enable_truncation(self.max_seq_length)
        pad_id = self.model.config.pad_token_id
        pad_token = tok.id_to_token(pad_id) or "[PAD]"
        tok.enable_padding(pad_id=pad_id, pad_token=pad_token)

    @classmethod
    def from_pretrained(cls, model_dir, pooling: str | None = None,
                        max_seq_length: int | None = None,
                        normalize: bool | None = None) -> SentenceEncoder:
        """A sentence-transformers folder: the BERT checkpoint, ``tokenizer.json``, and its
        ``sentence_bert_config.json`` (max_seq_length), ``1_Pooling/config.json`` (mean or
        CLS) and ``modules.json`` (whether a Normalize module follows) where present.
        """
        from ..tokenizers import SubwordTokenizer

        model_dir = Path(model_dir)
        model = BertModel.from_pretrained(model_dir, add_pooling_layer=False)
        tokenizer = SubwordTokenizer.from_pretrained(model_dir)
        st_cfg = _read_json(model_dir / "sentence_bert_config.json")
        pool_cfg = _read_json(model_dir / "1_Pooling" / "config.json")
        modules = _read_json(model_dir / "modules.json") or []
        if pooling is None:
            pooling = "cls" if pool_cfg.get("pooling_mode_cls_token") else "mean"
        if max_seq_length is None:
            max_seq_length = st_cfg.get("max_seq_length") or min(
                model.config.max_position_embeddings, 512)
        if normalize is None:
            normalize = any(m.get("type", "").endswith("Normalize") for m in modules) \
                if modules else True
        return cls(model, tokenizer, pooling, normalize, max_seq_length)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        hidden = self.model(input_ids, attention_mask, token_type_ids).last_hidden_state
        pooled = mean_pooling(hidden, attention_mask) if self.pooling == "mean" else \
            cls_pooling(hidden)
        return F.normalize(pooled, p=2, dim=1) if self.normalize else pooled

    def tokenize(self, sentences):
        """Ids, attention mask and token types of a batch, padded to its longest sentence."""
        enc = self.tokenizer.encode_batch(sentences)
        ids = ember.tensor([e.ids for e in enc], dtype=ember.int64)
        mask = ember.tensor([e.attention_mask for e in enc], dtype=ember.int64)
        types = ember.tensor([e.type_ids for e in enc], dtype=ember.int64)
        return ids, mask, types

    def encode(self, sentences, batch_size: int = 32, device=None):
        """Embeddings (N, hidden) of ``sentences`` (a string gives one (hidden,) vector).

        Sentences are batched by length (longest first) so little compute goes to padding;
        the output keeps the input order.
        """
        single = isinstance(sentences, str)
        sentences = [sentences] if single else list(sentences)
        if not sentences:
            return ember.empty(0, self.model.config.hidden_size)
        device = device or next(self.model.parameters()).device
        order = sorted(range(len(sentences)), key=lambda i: -len(sentences[i]))
        chunks = []
        was_training = self.model.training
        self.eval()
        try:
            with ember.no_grad():
                for start in range(0, len(order), batch_size):
                    batch = [sentences[i] for i in order[start:start + batch_size]]
                    ids, mask, types = (t.to(device) for t in self.tokenize(batch))
                    chunks.append(self(ids, mask, types))
        finally:
            self.train(was_training)
        out = ember.cat(chunks, 0)
        inverse = [0] * len(order)
        for pos, i in enumerate(order):
            inverse[i] = pos
        out = out[ember.tensor(inverse, device=out.device)]
        return out[0] if single else out

    @property
    def embedding_dim(self) -> int:
        return self.model.config.hidden_size


def _read_json(path):
    if not os.path.isfile(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


