"""An LSTM language model (PyTorch's word_language_model example, RNNModel's layout).

Embedding → dropout → multi-layer LSTM → dropout → Linear over the vocabulary, optionally
with the input and output embeddings tied (Press & Wolf, 2016). Inputs are
``(seq_len, batch)`` (or ``batch_first``); ``forward`` returns log-probabilities of shape
``(seq_len * batch, ntoken)`` and the new hidden state, as the example's does.
"""

from __future__ import annotations

import ember
from ember import nn
from ember.nn import functional as F

__all__ = ["LSTMLanguageModel"]


class LSTMLanguageModel(nn.Module):
    def __init__(self, ntoken: int, ninp: int, nhid: int, nlayers: int, dropout: float = 0.5,
                 tie_weights: bool = False, batch_first: bool = False):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout if nlayers > 1 else 0.0,
                           batch_first=batch_first)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            if nhid != ninp:
                raise ValueError("When using the tied flag, nhid must be equal to emsize")
            self.decoder.weight = self.encoder.weight
        self.nhid, self.nlayers, self.batch_first = nhid, nlayers, batch_first
        self.init_weights()

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden=None):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output).reshape(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz: int):
        weight = next(self.parameters())
        shape = (self.nlayers, bsz, self.nhid)
        return (ember.zeros(shape, dtype=weight.dtype, device=weight.device),
                ember.zeros(shape, dtype=weight.dtype, device=weight.device))
