"""Reads a YAML config into a checked plain dict: every field known, typed and in range.

Unknown keys are errors (a typo must not be silently ignored); fields a file leaves out take the
defaults below. The config's name is the file's stem: configs/tinystories.yaml -> "tinystories".
"""

import copy
import os

import yaml

PROJECT_DIR = os.path.dirname(os.path.abspath(__file__))

# section -> field -> (type, default). float fields accept ints too.
SCHEMA = {
    "model": {
        "n_layer": (int, 2),
        "n_head": (int, 4),
        "d_model": (int, 64),
        "block_size": (int, 64),
        "dropout": (float, 0.0),
    },
    "data": {
        "path": (str, None),
        "val_fraction": (float, 0.1),
    },
    "train": {
        "batch_size": (int, 16),
        "max_steps": (int, 200),
        "lr": (float, 3.0e-3),
        "min_lr": (float, 3.0e-4),
        "warmup_steps": (int, 20),
        "weight_decay": (float, 0.1),
        "grad_clip": (float, 1.0),
        "eval_every": (int, 100),
        "eval_batches": (int, 10),
        "save_every": (int, 100),
        "log_every": (int, 20),
        "seed": (int, 1337),
    },
    "output": {
        "checkpoint_dir": (str, "checkpoints"),
    },
}

# Checked after types: (section, field, test, what the value must be).
RANGES = [
    ("model", "n_layer", lambda v: v >= 1, "at least 1"),
    ("model", "n_head", lambda v: v >= 1, "at least 1"),
    ("model", "d_model", lambda v: v >= 1, "at least 1"),
    ("model", "block_size", lambda v: v >= 1, "at least 1"),
    ("model", "dropout", lambda v: 0.0 <= v < 1.0, "in [0, 1)"),
    ("data", "val_fraction", lambda v: 0.0 < v < 1.0, "in (0, 1)"),
    ("train", "batch_size", lambda v: v >= 1, "at least 1"),
    ("train", "max_steps", lambda v: v >= 1, "at least 1"),
    ("train", "lr", lambda v: v > 0, "positive"),
    ("train", "min_lr", lambda v: v >= 0, "0 or more"),
    ("train", "warmup_steps", lambda v: v >= 0, "0 or more"),
    ("train", "weight_decay", lambda v: v >= 0, "0 or more"),
    ("train", "grad_clip", lambda v: v >= 0, "0 (off) or more"),
    ("train", "eval_every", lambda v: v >= 0, "0 (only at the end) or more"),
    ("train", "eval_batches", lambda v: v >= 1, "at least 1"),
    ("train", "save_every", lambda v: v >= 0, "0 (only at the end) or more"),
    ("train", "log_every", lambda v: v >= 1, "at least 1"),
]


class ConfigError(Exception):
    pass


def resolve_config_path(path):
    """A relative --config is looked up from the current directory, then from the project."""
    if os.path.isabs(path) or os.path.exists(path):
        return path
    in_project = os.path.join(PROJECT_DIR, path)
    return in_project if os.path.exists(in_project) else path


def project_path(path):
    """Paths inside a config are relative to the project folder, not to the current directory."""
    return os.path.join(PROJECT_DIR, os.path.expanduser(path))


_KIND_WORDS = {int: "an integer", float: "a number", str: "a string"}


def _coerce(value, kind, where):
    if value is None and kind is str:
        return None
    if kind is float and isinstance(value, str):
        # PyYAML reads `3e-4` (no dot) as a string; accept it rather than fail on a YAML quirk.
        try:
            return float(value)
        except ValueError:
            pass
    # bool is an int in Python, but `max_steps: true` is a mistake, not 1.
    if not isinstance(value, bool):
        if kind is float and isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, kind):
            return value
    raise ConfigError(f"{where} must be {_KIND_WORDS[kind]}, got {value!r}")


def load(path):
    """Returns the checked config with `name` added; raises ConfigError naming the file."""
    if not os.path.isfile(path):
        raise ConfigError(f"config file {path} not found")
    try:
        with open(path, encoding="utf-8") as f:
            raw = yaml.safe_load(f)
    except yaml.YAMLError as e:
        raise ConfigError(f"config file {path} is not valid YAML: {e}") from e
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"config file {path} must hold a mapping of sections, got {raw!r}")
    try:
        cfg = check(raw)
    except ConfigError as e:
        raise ConfigError(f"config file {path}: {e}") from e
    cfg["name"] = os.path.splitext(os.path.basename(path))[0]
    return cfg


def check(raw):
    unknown = sorted(set(raw) - set(SCHEMA) - {"name"})
    if unknown:
        raise ConfigError(f"unknown section(s) {unknown}; known: {sorted(SCHEMA)}")
    cfg = {}
    for section, fields in SCHEMA.items():
        given = raw.get(section) or {}
        if not isinstance(given, dict):
            raise ConfigError(f"section {section} must be a mapping, got {given!r}")
        unknown = sorted(set(given) - set(fields))
        if unknown:
            raise ConfigError(f"unknown field(s) {unknown} in {section}; known: {sorted(fields)}")
        cfg[section] = {}
        for field, (kind, default) in fields.items():
            value = given.get(field, copy.copy(default))
            cfg[section][field] = _coerce(value, kind, f"{section}.{field}")
    for section, field, ok, must in RANGES:
        if not ok(cfg[section][field]):
            raise ConfigError(f"{section}.{field} must be {must}, got {cfg[section][field]!r}")
    if cfg["model"]["d_model"] % cfg["model"]["n_head"] != 0:
        raise ConfigError(f"model.d_model ({cfg['model']['d_model']}) must be divisible by"
                          f" model.n_head ({cfg['model']['n_head']})")
    if cfg["train"]["min_lr"] > cfg["train"]["lr"]:
        raise ConfigError("train.min_lr must not exceed train.lr")
    return cfg
