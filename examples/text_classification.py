"""Text classification with EmbeddingBag, as in torchtext's classic AG_NEWS tutorial.

Trains on the 12,808 real Rotten Tomatoes review snippets bundled with ember-text (label 1
rotten, 2 fresh; 10,247 train, 2,561 test) and reports the test accuracy. Written as the
PyTorch tutorial; only the imports differ. ``--dataset AG_NEWS`` runs the tutorial's own
data instead (downloaded on first use).

    python examples/text_classification.py
    python examples/text_classification.py --ngrams 2 --epochs 5   # the tutorial adds bigrams
"""

import argparse
import time

import ember as torch
from ember import nn
from ember.utils.data import DataLoader
from ember.utils.data.dataset import random_split
from embertext import datasets
from embertext.data.functional import to_map_style_dataset
from embertext.data.utils import get_tokenizer, ngrams_iterator
from embertext.models import TextClassificationModel
from embertext.vocab import build_vocab_from_iterator


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="RottenTomatoes",
                        choices=["RottenTomatoes", "AG_NEWS", "YelpReviewPolarity", "DBpedia"])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--lr", type=float, default=5.0)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--embed-dim", type=int, default=64)
    parser.add_argument("--ngrams", type=int, default=1, help="1: words only; 2: + bigrams")
    parser.add_argument("--min-freq", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)

    dataset = getattr(datasets, args.dataset)
    tokenizer = get_tokenizer("basic_english")
    train_iter = dataset(split="train")

    def yield_tokens(data_iter):
        for _, text in data_iter:
            yield ngrams_iterator(tokenizer(text), args.ngrams)

    vocab = build_vocab_from_iterator(yield_tokens(train_iter), min_freq=args.min_freq,
                                      specials=["<unk>"])
    vocab.set_default_index(vocab["<unk>"])

    def text_pipeline(x):
        return vocab(list(ngrams_iterator(tokenizer(x), args.ngrams)))

    def label_pipeline(x):
        return int(x) - 1

    def collate_batch(batch):
        label_list, text_list, offsets = [], [], [0]
        for _label, _text in batch:
            label_list.append(label_pipeline(_label))
            processed_text = torch.tensor(text_pipeline(_text), dtype=torch.int64)
            text_list.append(processed_text)
            offsets.append(processed_text.size(0))
        label_list = torch.tensor(label_list, dtype=torch.int64)
        offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
        text_list = torch.cat(text_list)
        return label_list.to(args.device), text_list.to(args.device), offsets.to(args.device)

    train_dataset = to_map_style_dataset(dataset(split="train"))
    test_dataset = to_map_style_dataset(dataset(split="test"))
    num_class = len(set(label for label, _ in train_dataset))
    num_train = int(len(train_dataset) * 0.95)
    split_train, split_valid = random_split(
        train_dataset, [num_train, len(train_dataset) - num_train],
        generator=torch.Generator().manual_seed(args.seed))
    train_loader = DataLoader(split_train, batch_size=args.batch_size, shuffle=True,
                              collate_fn=collate_batch)
    valid_loader = DataLoader(split_valid, batch_size=args.batch_size, collate_fn=collate_batch)
    test_loader = DataLoader(test_dataset, batch_size=args.batch_size, collate_fn=collate_batch)

    model = TextClassificationModel(len(vocab), args.embed_dim, num_class).to(args.device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.1)
    print(f"{args.dataset}: {len(train_dataset)} train / {len(test_dataset)} test examples, "
          f"{num_class} classes, vocabulary of {len(vocab)} (ngrams={args.ngrams})")

    def evaluate(loader):
        model.eval()
        correct = count = 0
        with torch.no_grad():
            for label, text, offsets in loader:
                correct += (model(text, offsets).argmax(1) == label).sum().item()
                count += label.size(0)
        return correct / count

    total_accu = None
    for epoch in range(1, args.epochs + 1):
        start = time.time()
        model.train()
        for label, text, offsets in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(text, offsets), label)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
            optimizer.step()
        accu_val = evaluate(valid_loader)
        if total_accu is not None and total_accu > accu_val:
            scheduler.step()
        else:
            total_accu = accu_val
        print(f"| end of epoch {epoch:3d} | time: {time.time() - start:5.2f}s | "
              f"valid accuracy {accu_val:8.3f} | lr {optimizer.param_groups[0]['lr']:.4f}")
    accuracy = evaluate(test_loader)
    print(f"test accuracy {accuracy:8.3f}")
    return accuracy


if __name__ == "__main__":
    main()
