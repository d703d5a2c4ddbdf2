"""Models (torchtext.models and beyond): a bag-of-embeddings classifier, an LSTM language
model, a small GPT, and BERT encoders that load published checkpoints."""

from .bert import BertConfig, BertModel, BertOutput, SentenceEncoder, cls_pooling, mean_pooling
from .gpt import GPT, GPTConfig
from .language_model import LSTMLanguageModel
from .text_classification import TextClassificationModel

__all__ = ["TextClassificationModel", "LSTMLanguageModel", "GPT", "GPTConfig", "BertConfig",
           "BertModel", "BertOutput", "SentenceEncoder", "mean_pooling", "cls_pooling"]
