"""Train a small GPT as a character-level language model, then sample from it.

The text is the 12,808 real movie-review snippets bundled with ember-text, one a line
(about 1.3 MB of characters; the last tenth is held out). The model is
``embertext.models.GPT`` (causal self-attention, nanoGPT's layout) and the loop is the
usual PyTorch one; only the imports differ.

    python examples/char_gpt.py                      # 300 steps, a few minutes on 2 cores
    python examples/char_gpt.py --steps 2000 --n-layer 4 --n-embd 192 --sample 500
"""

import argparse
import math
import time

import ember as torch
from embertext import CharTokenizer
from embertext.datasets import RottenTomatoes
from embertext.models import GPT, GPTConfig


def load_text():
    lines = [text for _, text in RottenTomatoes(split="train")]
    lines += [text for _, text in RottenTomatoes(split="test")]
    return "\n".join(lines) + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--block-size", type=int, default=64)
    p.add_argument("--n-layer", type=int, default=2)
    p.add_argument("--n-head", type=int, default=4)
    p.add_argument("--n-embd", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--eval-every", type=int, default=50)
    p.add_argument("--sample", type=int, default=300, help="characters to sample at the end")
    p.add_argument("--prompt", default="This movie ")
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--device", default="cpu")
    p.add_argument("--text", default=None, help="train on this text file instead")
    args = p.parse_args(argv)
    torch.manual_seed(args.seed)

    text = load_text() if args.text is None else open(args.text, encoding="utf-8").read()
    tok = CharTokenizer.from_texts(text)
    data = torch.tensor(tok.encode(text), dtype=torch.long)
    n = int(0.9 * len(data))
    train_data, val_data = data[:n], data[n:]
    print(f"{len(text):,} characters, {tok.vocab_size} distinct; "
          f"{len(train_data):,} train / {len(val_data):,} validation")

    gen = torch.Generator().manual_seed(args.seed)

    def get_batch(split):
        d = train_data if split == "train" else val_data
        ix = torch.randint(len(d) - args.block_size - 1, (args.batch_size,), generator=gen)
        x = torch.stack([d[i:i + args.block_size] for i in ix.tolist()])
        y = torch.stack([d[i + 1:i + 1 + args.block_size] for i in ix.tolist()])
        return x.to(args.device), y.to(args.device)

    config = GPTConfig(vocab_size=tok.vocab_size, block_size=args.block_size,
                       n_layer=args.n_layer, n_head=args.n_head, n_embd=args.n_embd)
    model = GPT(config).to(args.device)
    print(f"GPT: {model.num_parameters() / 1e6:.2f}M parameters")
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)

    @torch.no_grad()
    def estimate_loss(iters=10):
        model.eval()
        out = {}
        for split in ("train", "val"):
            losses = [model(*get_batch(split))[1].item() for _ in range(iters)]
            out[split] = sum(losses) / len(losses)
        model.train()
        return out

    start = time.time()
    first = None
    for step in range(1, args.steps + 1):
        lr = args.lr * 0.5 * (1 + math.cos(math.pi * (step - 1) / args.steps))  # cosine decay
        for group in optimizer.param_groups:
            group["lr"] = lr
        x, y = get_batch("train")
        _, loss = model(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        first = loss.item() if first is None else first
        if step % args.eval_every == 0 or step == args.steps:
            losses = estimate_loss()
            print(f"step {step:5d} | train loss {losses['train']:.3f} | val loss "
                  f"{losses['val']:.3f} | {(time.time() - start) / step * 1000:.0f} ms/step")
    losses = estimate_loss()
    print(f"loss: {first:.3f} at the start (uniform would be {math.log(tok.vocab_size):.3f}) "
          f"-> {losses['val']:.3f} on held-out text")

    prompt = torch.tensor([tok.encode(args.prompt)], dtype=torch.long, device=args.device)
    out = model.generate(prompt, args.sample, temperature=0.8, top_k=20, generator=gen)
    sample = tok.decode(out[0].tolist())
    print("--- sample ---")
    print(sample)
    return losses["val"], sample


if __name__ == "__main__":
    main()
