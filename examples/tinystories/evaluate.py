"""Evaluates a checkpoint on the validation split and prints a text sample.

    python3 evaluate.py --checkpoint checkpoints/tinystories/step_400.pt

Validation batches come from a generator seeded with the config's seed, so with the same
--batches this reproduces the val_loss that train.py stored in the checkpoint's metrics.
"""

import argparse
import math
import sys

import torch

import config as config_lib
from data import CharTokenizer, Dataset, load_text
from model import GPT


@torch.no_grad()
def estimate_loss(model, dataset, split, batches, batch_size, seed, device):
    """Mean loss over `batches` random batches, the same batches every call for a given seed."""
    generator = torch.Generator().manual_seed(seed)
    was_training = model.training
    model.eval()
    total = 0.0
    for _ in range(batches):
        x, y = dataset.batch(split, batch_size, generator)
        _, loss = model(x.to(device), y.to(device))
        total += loss.item()
    model.train(was_training)
    return total / batches


def main(argv=None):
    parser = argparse.ArgumentParser(description="Evaluate a tiny GPT checkpoint.")
    parser.add_argument("--checkpoint", required=True, help="a step_<N>.pt written by train.py")
    parser.add_argument("--batches", type=int, default=None,
                        help="validation batches (default: the config's train.eval_batches)")
    parser.add_argument("--sample", type=int, default=200, metavar="N",
                        help="characters of text to generate after the prompt (0: none)")
    parser.add_argument("--prompt", default="Once upon a time")
    parser.add_argument("--temperature", type=float, default=0.8, help="0 means greedy")
    parser.add_argument("--seed", type=int, default=1234, help="seed for sampling")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    args = parser.parse_args(argv)

    def fail(message):
        print(f"error: {message}", file=sys.stderr, flush=True)
        return 2

    device = args.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    try:
        ckpt = torch.load(args.checkpoint, map_location="cpu")
    except FileNotFoundError:
        return fail(f"checkpoint {args.checkpoint} not found")
    except Exception as e:  # torch.load raises many types for damaged files
        return fail(f"cannot read checkpoint {args.checkpoint}: {e}")
    missing = [k for k in ("model", "step", "config", "model_args", "vocab") if k not in ckpt]
    if missing:
        return fail(f"checkpoint {args.checkpoint} lacks {missing}; was it written by train.py?")
    cfg, tokenizer = ckpt["config"], CharTokenizer(ckpt["vocab"])
    model = GPT(**ckpt["model_args"]).to(device)
    model.load_state_dict(ckpt["model"])

    data_path = cfg["data"]["path"]
    try:
        text, _ = load_text(config_lib.project_path(data_path) if data_path else None)
        dataset = Dataset(tokenizer.encode(text), cfg["data"]["val_fraction"],
                          cfg["model"]["block_size"])
    except (OSError, ValueError) as e:
        return fail(e)
    batches = args.batches or cfg["train"]["eval_batches"]
    val_loss = estimate_loss(model, dataset, "val", batches, cfg["train"]["batch_size"],
                             cfg["train"]["seed"], device)
    print(f"checkpoint {args.checkpoint} | step {ckpt['step']} | val_loss {val_loss:.4f}"
          f" | perplexity {math.exp(val_loss):.2f}", flush=True)

    if args.sample > 0:
        if not args.prompt:
            return fail("--prompt must not be empty when sampling")
        try:
            prompt = tokenizer.encode(args.prompt).view(1, -1).to(device)
        except ValueError as e:
            return fail(f"--prompt: {e}")
        generator = torch.Generator(device=device).manual_seed(args.seed)
        model.eval()
        out = model.generate(prompt, args.sample, args.temperature, generator)
        print("sample:", flush=True)
        print(tokenizer.decode(out[0].tolist()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
