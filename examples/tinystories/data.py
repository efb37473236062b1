"""Text loading, a character-level tokenizer, the train/val split and batch sampling.

Nothing is downloaded: without `data.path` the corpus is generated in memory by
data/make_corpus.py. With `data.path` set, that text file (e.g. TinyStories-valid.txt) is used.
"""

import importlib.util
import os

import torch

PROJECT_DIR = os.path.dirname(os.path.abspath(__file__))


def _load_make_corpus():
    # Loaded by file path: a `data/` folder next to this `data.py` module makes a package-style
    # import ambiguous.
    path = os.path.join(PROJECT_DIR, "data", "make_corpus.py")
    spec = importlib.util.spec_from_file_location("make_corpus", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_text(path):
    """Returns (text, description). path None means the generated corpus.

    A path that is set but missing is an error rather than a silent fallback, so a typo never
    trains on the wrong data without saying so.
    """
    if path is None:
        return _load_make_corpus().generate(), "generated corpus"
    if not os.path.isfile(path):
        raise FileNotFoundError(f"data.path {path} does not exist or is not a file; set data.path"
                                " to a text file (e.g. TinyStories-valid.txt) or to null to use"
                                " the generated corpus")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if len(text) == 0:
        raise ValueError(f"data.path {path} is empty")
    return text, path


class CharTokenizer:
    """One token per distinct character; `chars` is saved in checkpoints as the vocab."""

    def __init__(self, chars):
        self.chars = list(chars)
        self.index = {c: i for i, c in enumerate(self.chars)}

    @classmethod
    def from_text(cls, text):
        return cls(sorted(set(text)))

    @property
    def vocab_size(self):
        return len(self.chars)

    def encode(self, text):
        unknown = sorted(set(text) - self.index.keys())
        if unknown:
            raise ValueError(f"text has characters outside the vocabulary: {unknown[:10]!r}")
        return torch.tensor([self.index[c] for c in text], dtype=torch.long)

    def decode(self, ids):
        return "".join(self.chars[i] for i in ids)


class Dataset:
    """Token ids split into train (the first part) and val (the last val_fraction)."""

    def __init__(self, ids, val_fraction, block_size):
        n_val = int(len(ids) * val_fraction)
        self.train = ids[: len(ids) - n_val]
        self.val = ids[len(ids) - n_val:]
        for split, part in (("train", self.train), ("val", self.val)):
            if len(part) <= block_size + 1:
                raise ValueError(f"the {split} split has {len(part)} tokens, fewer than"
                                 f" block_size + 2 ({block_size + 2}); use more text or adjust"
                                 " data.val_fraction")
        self.block_size = block_size

    def batch(self, split, batch_size, generator):
        """Random (inputs, targets) windows; targets are inputs shifted by one token."""
        ids = self.train if split == "train" else self.val
        starts = torch.randint(len(ids) - self.block_size - 1, (batch_size,), generator=generator)
        x = torch.stack([ids[s: s + self.block_size] for s in starts.tolist()])
        y = torch.stack([ids[s + 1: s + 1 + self.block_size] for s in starts.tolist()])
        return x, y
