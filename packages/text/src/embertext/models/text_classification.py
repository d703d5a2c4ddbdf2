"""The text classifier of torchtext's classic tutorial: EmbeddingBag (mean) + Linear.

``forward(text, offsets)`` takes all the batch's token ids concatenated in one 1-d tensor
and the offset where each example starts (``EmbeddingBag``'s input format), so there is
no padding at all.
"""

from __future__ import annotations

from ember import nn

__all__ = ["TextClassificationModel"]


class TextClassificationModel(nn.Module):
    def __init__(self, vocab_size: int, embed_dim: int, num_class: int, sparse: bool = False):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=sparse)
        self.fc = nn.Linear(embed_dim, num_class)
        self.init_weights()

    def init_weights(self):
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()

    def forward(self, text, offsets):
        return self.fc(self.embedding(text, offsets))
