"""Trains the tiny GPT on the configured text and saves checkpoints.

    python3 train.py --config configs/tinystories.yaml
    python3 train.py --config configs/tinystories.yaml --resume            # newest checkpoint
    python3 train.py --config configs/tinystories.yaml --resume PATH.pt    # a given checkpoint

Checkpoints go to <output.checkpoint_dir>/<config name>/step_<N>.pt and are written atomically
(to step_<N>.pt.tmp, then renamed), so a run killed mid-save never leaves a truncated step file.
"""

import argparse
import math
import os
import re
import sys
import time

import torch

import config as config_lib
from data import CharTokenizer, Dataset, load_text
from evaluate import estimate_loss
from model import GPT

STEP_FILE = re.compile(r"^step_(\d+)\.pt$")


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Train the tiny GPT example.")
    parser.add_argument("--config", default="configs/default.yaml",
                        help="YAML config; its file name (without .yaml) names the run")
    parser.add_argument("--resume", nargs="?", const="latest", default=None, metavar="PATH",
                        help="resume from PATH, or without a value from the newest checkpoint"
                             " of this config")
    parser.add_argument("--max-steps", type=int, default=None,
                        help="override train.max_steps")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    return parser.parse_args(argv)


def pick_device(choice):
    if choice == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("--device cuda was asked for but CUDA is not available")
    if choice == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return choice


def lr_at(step, cfg):
    """Linear warmup to train.lr, then cosine decay to train.min_lr at max_steps."""
    t = cfg["train"]
    if step <= t["warmup_steps"]:
        return t["lr"] * step / t["warmup_steps"]
    progress = (step - t["warmup_steps"]) / max(1, t["max_steps"] - t["warmup_steps"])
    progress = min(progress, 1.0)
    return t["min_lr"] + 0.5 * (t["lr"] - t["min_lr"]) * (1.0 + math.cos(math.pi * progress))


def make_optimizer(model, cfg):
    # Weight decay on matrices only; biases and LayerNorm gains are left alone, as in GPT-2.
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": cfg["train"]["weight_decay"]},
              {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=cfg["train"]["lr"], betas=(0.9, 0.95))


def latest_checkpoint(folder):
    """The step_<N>.pt with the largest N in folder, or None."""
    if not os.path.isdir(folder):
        return None
    steps = [(int(m.group(1)), name) for name in os.listdir(folder)
             if (m := STEP_FILE.match(name))]
    return os.path.join(folder, max(steps)[1]) if steps else None


def save_checkpoint(state, folder, step):
    """Writes step_<step>.pt atomically: a reader sees the old state or the whole new file."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"step_{step}.pt")
    tmp = path + ".tmp"
    try:
        with open(tmp, "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path


class ResumeError(Exception):
    pass


def resume(path, model, optimizer, batch_gen, model_args, tokenizer):
    """Restores the training state saved in path and returns its step."""
    if not os.path.isfile(path):
        raise ResumeError(f"checkpoint {path} not found")
    try:
        # On the CPU: RNG states must stay there; load_state_dict moves weights to the device.
        ckpt = torch.load(path, map_location="cpu")
    except Exception as e:  # torch.load raises many types for damaged files
        raise ResumeError(f"cannot read checkpoint {path}: {e}") from e
    if ckpt.get("model_args") != model_args:
        raise ResumeError(f"{path} was trained with model {ckpt.get('model_args')}, but this"
                          f" config and data give {model_args}")
    if ckpt.get("vocab") != "".join(tokenizer.chars):
        raise ResumeError(f"{path} was trained on text with a different vocabulary")
    model.load_state_dict(ckpt["model"])
    optimizer.load_state_dict(ckpt["optimizer"])
    if "rng" in ckpt:
        # Restoring the batch sampler makes the resumed run identical to an uninterrupted one.
        batch_gen.set_state(ckpt["rng"]["batches"])
        torch.set_rng_state(ckpt["rng"]["torch"])
    return ckpt["step"]


def display_path(path):
    """Relative to the current directory when inside it, so log lines stay short."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def fail(message):
    print(f"error: {message}", file=sys.stderr, flush=True)
    return 2


def train(args):
    config_path = config_lib.resolve_config_path(args.config)
    try:
        cfg = config_lib.load(config_path)
        if args.max_steps is not None:
            if args.max_steps < 1:
                raise config_lib.ConfigError(
                    f"--max-steps must be at least 1, got {args.max_steps}")
            cfg["train"]["max_steps"] = args.max_steps
            cfg = {**config_lib.check(cfg), "name": cfg["name"]}
    except config_lib.ConfigError as e:
        return fail(e)
    m, t = cfg["model"], cfg["train"]
    try:
        device = pick_device(args.device)
    except RuntimeError as e:
        return fail(e)

    # Threads are left at PyTorch's default (one per physical core): with Debian's reference BLAS
    # a second thread only spins, and with OpenBLAS or MKL the default is already the right one.
    torch.manual_seed(t["seed"])
    data_path = cfg["data"]["path"]
    try:
        text, source = load_text(config_lib.project_path(data_path) if data_path else None)
        tokenizer = CharTokenizer.from_text(text)
        dataset = Dataset(tokenizer.encode(text), cfg["data"]["val_fraction"], m["block_size"])
    except (OSError, ValueError) as e:
        return fail(e)

    model_args = dict(vocab_size=tokenizer.vocab_size, block_size=m["block_size"],
                      n_layer=m["n_layer"], n_head=m["n_head"], d_model=m["d_model"],
                      dropout=m["dropout"])
    model = GPT(**model_args).to(device)
    optimizer = make_optimizer(model, cfg)
    # Batches come from their own generator so evaluation never shifts the training sequence.
    batch_gen = torch.Generator().manual_seed(t["seed"])
    ckpt_dir = os.path.join(config_lib.project_path(cfg["output"]["checkpoint_dir"]), cfg["name"])

    step = 0
    if args.resume is not None:
        path = latest_checkpoint(ckpt_dir) if args.resume == "latest" else args.resume
        if path is None:
            return fail(f"--resume: no step_<N>.pt checkpoint in {ckpt_dir}")
        try:
            step = resume(path, model, optimizer, batch_gen, model_args, tokenizer)
        except ResumeError as e:
            return fail(f"--resume: {e}")
        print(f"resumed from {display_path(path)} at step {step}", flush=True)

    print(f"config {cfg['name']} | {model.num_params():,} params | device {device}"
          f" | threads {torch.get_num_threads()}", flush=True)
    print(f"data {source} | {len(text):,} chars | vocab {tokenizer.vocab_size}"
          f" | train {len(dataset.train):,} tokens | val {len(dataset.val):,} tokens", flush=True)
    if step >= t["max_steps"]:
        print(f"nothing to do: already at step {step} of max_steps {t['max_steps']}", flush=True)
        return 0

    def evaluate_now(at_step):
        train_loss = estimate_loss(model, dataset, "train", t["eval_batches"], t["batch_size"],
                                   t["seed"], device)
        val_loss = estimate_loss(model, dataset, "val", t["eval_batches"], t["batch_size"],
                                 t["seed"], device)
        print(f"eval step {at_step} | train_loss {train_loss:.4f} | val_loss {val_loss:.4f}",
              flush=True)
        return {"train_loss": train_loss, "val_loss": val_loss}

    started = time.perf_counter()
    first_step = step + 1
    window_loss, window_steps, window_time = 0.0, 0, 0.0
    metrics, last_path = None, None
    model.train()
    for step in range(first_step, t["max_steps"] + 1):
        tick = time.perf_counter()
        lr = lr_at(step, cfg)
        for group in optimizer.param_groups:
            group["lr"] = lr
        x, y = dataset.batch("train", t["batch_size"], batch_gen)
        _, loss = model(x.to(device), y.to(device))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if t["grad_clip"] > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), t["grad_clip"])
        optimizer.step()
        window_loss += loss.item()  # .item() waits for the device, so the timing below is real
        window_steps += 1
        window_time += time.perf_counter() - tick

        last = step == t["max_steps"]
        if step == first_step or step % t["log_every"] == 0 or last:
            print(f"step {step}/{t['max_steps']} | loss {window_loss / window_steps:.4f}"
                  f" | lr {lr:.1e} | {round(1000 * window_time / window_steps)} ms/step",
                  flush=True)
            window_loss, window_steps, window_time = 0.0, 0, 0.0

        metrics = None
        if last or (t["eval_every"] and step % t["eval_every"] == 0):
            metrics = evaluate_now(step)
        if last or (t["save_every"] and step % t["save_every"] == 0):
            metrics = metrics or evaluate_now(step)
            state = {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "step": step,
                # Full passes over the training tokens that the sampled batches amount to.
                "epoch": step * t["batch_size"] * m["block_size"] // len(dataset.train),
                "config": cfg,
                "metrics": metrics,
                "model_args": model_args,
                "vocab": "".join(tokenizer.chars),
                "rng": {"batches": batch_gen.get_state(), "torch": torch.get_rng_state()},
                "torch_version": torch.__version__,
            }
            last_path = save_checkpoint(state, ckpt_dir, step)

    print(f"done: {t['max_steps'] - first_step + 1} steps in {time.perf_counter() - started:.1f} s"
          f" | final val_loss {metrics['val_loss']:.4f} | checkpoint {display_path(last_path)}",
          flush=True)
    return 0


def main(argv=None):
    return train(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
