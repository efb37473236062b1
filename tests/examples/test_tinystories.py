"""Runs the bundled example project examples/tinystories for real and checks what it promises.

Each test works on a copy of the project in a temporary folder, so the repository is never
written to. The scripts run as real subprocesses with this interpreter, which must have PyTorch
and PyYAML:  /usr/bin/python3 tests/examples/test_tinystories.py   (about 30 s on 2 cores)
"""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

try:
    import torch
    import yaml
except ImportError as e:
    sys.exit(f"test_tinystories needs PyTorch and PyYAML ({e}); run it with /usr/bin/python3")

# Loading make_corpus.py in-process must not leave a __pycache__ in the repository.
sys.dont_write_bytecode = True

EXAMPLE = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                        "..", "..", "examples", "tinystories"))
PROGRESS = re.compile(r"^step \d+/\d+ \| loss \d+\.\d{4} \| lr \d\.\de[-+]\d\d \| \d+ ms/step$")
PROGRESS_FIELDS = re.compile(r"^step (\d+)/(\d+) \| loss (\d+\.\d{4}) \|")
EVAL_LINE = re.compile(r"^eval step (\d+) \| train_loss (\d+\.\d{4}) \| val_loss (\d+\.\d{4})$")
TRAIN_STEPS = 60  # enough for the loss to fall clearly, short enough for a test (~5 s)
TIMEOUT_S = 180


def copy_project(dest):
    """Copies the example's sources (not anything a local run left behind) to dest."""
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns(
        "checkpoints", "runs", "__pycache__", "generated_stories.txt"))
    return dest


def run(args, cwd):
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=TIMEOUT_S)


def write_config(project, name, edit):
    """Writes configs/<name>.yaml: configs/tinystories.yaml with edit(cfg) applied."""
    with open(os.path.join(project, "configs", "tinystories.yaml"), encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    edit(cfg)
    path = os.path.join(project, "configs", f"{name}.yaml")
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(cfg, f)
    return path


def progress(stdout):
    """(step, max_steps, loss) for every progress line."""
    return [(int(m[1]), int(m[2]), float(m[3]))
            for m in map(PROGRESS_FIELDS.match, stdout.splitlines()) if m]


def describe(proc):
    return f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"


class TrainRunTest(unittest.TestCase):
    """One short run of the tinystories config, shared by the tests that inspect its results."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="tinystories_test_")
        cls.project = copy_project(os.path.join(cls.tmp, "project"))
        cls.proc = run(["train.py", "--config", "configs/tinystories.yaml",
                        "--max-steps", str(TRAIN_STEPS)], cls.project)
        cls.ckpt_dir = os.path.join(cls.project, "checkpoints", "tinystories")
        cls.last_ckpt = os.path.join(cls.ckpt_dir, f"step_{TRAIN_STEPS}.pt")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.assertEqual(self.proc.returncode, 0, describe(self.proc))

    def test_progress_lines_have_the_exact_format(self):
        lines = [l for l in self.proc.stdout.splitlines() if l.startswith("step ")]
        self.assertGreaterEqual(len(lines), 3, self.proc.stdout)
        for line in lines:
            self.assertRegex(line, PROGRESS)
        steps = progress(self.proc.stdout)
        self.assertEqual(steps[0][:2], (1, TRAIN_STEPS))
        self.assertEqual(steps[-1][:2], (TRAIN_STEPS, TRAIN_STEPS))

    def test_loss_falls(self):
        losses = [loss for _, _, loss in progress(self.proc.stdout)]
        # An untrained model over ~44 characters starts near ln(44) = 3.8.
        self.assertGreater(losses[0], 3.0, self.proc.stdout)
        self.assertLess(losses[-1], losses[0] - 0.5, self.proc.stdout)

    def test_checkpoints_are_written_atomically(self):
        self.assertEqual(os.listdir(self.ckpt_dir), [f"step_{TRAIN_STEPS}.pt"])
        leftovers = [os.path.join(d, f) for d, _, files in os.walk(self.project)
                     for f in files if f.endswith(".tmp")]
        self.assertEqual(leftovers, [])
        self.assertIn(f"checkpoint checkpoints/tinystories/step_{TRAIN_STEPS}.pt",
                      self.proc.stdout.splitlines()[-1])

    def test_checkpoint_holds_the_promised_keys(self):
        ckpt = torch.load(self.last_ckpt, map_location="cpu")
        for key in ("model", "optimizer", "step", "epoch", "config", "metrics"):
            self.assertIn(key, ckpt)
        self.assertIsInstance(ckpt["model"], dict)
        self.assertTrue(all(isinstance(v, torch.Tensor) for v in ckpt["model"].values()))
        self.assertIn("param_groups", ckpt["optimizer"])
        self.assertTrue(ckpt["optimizer"]["state"], "optimizer state is empty")
        self.assertIs(type(ckpt["step"]), int)
        self.assertEqual(ckpt["step"], TRAIN_STEPS)
        cfg = ckpt["config"]
        self.assertEqual(cfg["name"], "tinystories")
        self.assertEqual(cfg["train"]["max_steps"], TRAIN_STEPS)
        train_tokens = int(re.search(r"train ([\d,]+) tokens", self.proc.stdout)[1].replace(",", ""))
        self.assertIs(type(ckpt["epoch"]), int)
        self.assertEqual(ckpt["epoch"], TRAIN_STEPS * cfg["train"]["batch_size"]
                         * cfg["model"]["block_size"] // train_tokens)
        metrics = ckpt["metrics"]
        self.assertIs(type(metrics["train_loss"]), float)
        self.assertIs(type(metrics["val_loss"]), float)
        # The stored metrics are the ones the final eval line printed.
        evals = [EVAL_LINE.match(l) for l in self.proc.stdout.splitlines() if EVAL_LINE.match(l)]
        self.assertEqual(int(evals[-1][1]), TRAIN_STEPS)
        self.assertEqual(evals[-1][2], f"{metrics['train_loss']:.4f}")
        self.assertEqual(evals[-1][3], f"{metrics['val_loss']:.4f}")

    def test_evaluate_reproduces_the_stored_val_loss(self):
        proc = run(["evaluate.py", "--checkpoint", self.last_ckpt, "--sample", "40"], self.project)
        self.assertEqual(proc.returncode, 0, describe(proc))
        first = proc.stdout.splitlines()[0]
        m = re.match(r"^checkpoint \S+ \| step (\d+) \| val_loss (\d+\.\d{4}) \| perplexity \d+\.\d+$",
                     first)
        self.assertIsNotNone(m, first)
        self.assertEqual(int(m[1]), TRAIN_STEPS)
        stored = torch.load(self.last_ckpt, map_location="cpu")["metrics"]["val_loss"]
        self.assertEqual(m[2], f"{stored:.4f}")
        sample = proc.stdout.split("sample:\n", 1)[1][:-1]
        self.assertTrue(sample.startswith("Once upon a time"), sample)
        self.assertEqual(len(sample), len("Once upon a time") + 40)

    def test_resume_continues_from_the_newest_checkpoint(self):
        project = os.path.join(self.tmp, "resumed")
        shutil.copytree(self.project, project)
        proc = run(["train.py", "--config", "configs/tinystories.yaml", "--resume",
                    "--max-steps", str(TRAIN_STEPS + 20)], project)
        self.assertEqual(proc.returncode, 0, describe(proc))
        self.assertIn(f"resumed from checkpoints/tinystories/step_{TRAIN_STEPS}.pt"
                      f" at step {TRAIN_STEPS}", proc.stdout.splitlines())
        steps = progress(proc.stdout)
        self.assertEqual(steps[0][:2], (TRAIN_STEPS + 1, TRAIN_STEPS + 20))
        # Trained weights were loaded: the first loss is far below an untrained model's.
        self.assertLess(steps[0][2], progress(self.proc.stdout)[0][2] - 0.5)
        later = os.path.join(project, "checkpoints", "tinystories", f"step_{TRAIN_STEPS + 20}.pt")
        self.assertEqual(torch.load(later, map_location="cpu")["step"], TRAIN_STEPS + 20)


class ResumeExactnessTest(unittest.TestCase):
    def test_resumed_run_equals_the_uninterrupted_run(self):
        with tempfile.TemporaryDirectory(prefix="tinystories_test_") as tmp:
            project = copy_project(os.path.join(tmp, "project"))

            def edit(cfg):
                cfg["train"].update(max_steps=30, save_every=15, eval_every=0, log_every=10)
            write_config(project, "exact", edit)
            straight = run(["train.py", "--config", "configs/exact.yaml"], project)
            self.assertEqual(straight.returncode, 0, describe(straight))
            ckpt_dir = os.path.join(project, "checkpoints", "exact")
            reference = os.path.join(tmp, "uninterrupted_step_30.pt")
            os.replace(os.path.join(ckpt_dir, "step_30.pt"), reference)

            resumed = run(["train.py", "--config", "configs/exact.yaml",
                           "--resume", os.path.join(ckpt_dir, "step_15.pt")], project)
            self.assertEqual(resumed.returncode, 0, describe(resumed))
            self.assertEqual(progress(resumed.stdout)[0][0], 16)
            a = torch.load(reference, map_location="cpu")
            b = torch.load(os.path.join(ckpt_dir, "step_30.pt"), map_location="cpu")
            self.assertEqual(a["metrics"], b["metrics"])
            for name, tensor in a["model"].items():
                self.assertTrue(torch.equal(tensor, b["model"][name]), name)


class ConfigAndDataTest(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory(prefix="tinystories_test_")
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        self.project = copy_project(os.path.join(self.tmp, "project"))

    def assertFailsCleanly(self, proc, *needles):
        self.assertNotEqual(proc.returncode, 0, describe(proc))
        self.assertNotIn("Traceback", proc.stderr)
        for needle in needles:
            self.assertIn(needle, proc.stderr)

    def test_missing_config_fails_naming_the_file(self):
        proc = run(["train.py", "--config", "configs/no_such_config.yaml"], self.project)
        self.assertFailsCleanly(proc, "configs/no_such_config.yaml")

    def test_unknown_config_field_fails_naming_the_field(self):
        write_config(self.project, "typo", lambda cfg: cfg["train"].update(max_step=10))
        proc = run(["train.py", "--config", "configs/typo.yaml"], self.project)
        self.assertFailsCleanly(proc, "configs/typo.yaml", "max_step")

    def test_missing_data_file_fails_naming_it(self):
        write_config(self.project, "nodata",
                     lambda cfg: cfg["data"].update(path="data/no_such_stories.txt"))
        proc = run(["train.py", "--config", "configs/nodata.yaml"], self.project)
        self.assertFailsCleanly(proc, "no_such_stories.txt")

    def test_user_text_file_is_used_from_any_directory(self):
        # Digits, accents and a semicolon never occur in the generated corpus, so the vocab
        # tells which text was trained on.
        text = "Once upon a time, 3 cats met a café owner; Zoë said hi 12 times!\n" * 60
        with open(os.path.join(self.project, "data", "user_stories.txt"), "w",
                  encoding="utf-8") as f:
            f.write(text)
        config = write_config(self.project, "user_text",
                              lambda cfg: cfg["data"].update(path="data/user_stories.txt"))
        # Run from outside the project: data.path must resolve against the project folder.
        proc = run([os.path.join(self.project, "train.py"), "--config", config,
                    "--max-steps", "5"], self.tmp)
        self.assertEqual(proc.returncode, 0, describe(proc))
        self.assertIn("user_stories.txt", proc.stdout)
        ckpt = torch.load(os.path.join(self.project, "checkpoints", "user_text", "step_5.pt"),
                          map_location="cpu")
        self.assertEqual(ckpt["vocab"], "".join(sorted(set(text))))
        self.assertEqual(ckpt["config"]["data"]["path"], "data/user_stories.txt")


class MakeCorpusTest(unittest.TestCase):
    @staticmethod
    def load_module():
        path = os.path.join(EXAMPLE, "data", "make_corpus.py")
        spec = importlib.util.spec_from_file_location("make_corpus", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    def test_generation_is_deterministic_and_a_few_hundred_kb(self):
        corpus = self.load_module()
        text = corpus.generate()
        self.assertEqual(text, corpus.generate())
        self.assertTrue(200_000 <= len(text.encode("utf-8")) <= 600_000, len(text))
        self.assertTrue(text.startswith(("Once", "One", "There", *corpus.NAMES)), text[:80])
        self.assertNotEqual(text, corpus.generate(seed=corpus.DEFAULT_SEED + 1))

    def test_script_writes_the_generated_text(self):
        with tempfile.TemporaryDirectory(prefix="tinystories_test_") as tmp:
            out = os.path.join(tmp, "stories.txt")
            proc = run([os.path.join(EXAMPLE, "data", "make_corpus.py"), "--out", out], tmp)
            self.assertEqual(proc.returncode, 0, describe(proc))
            with open(out, encoding="utf-8") as f:
                self.assertEqual(f.read(), self.load_module().generate())


if __name__ == "__main__":
    unittest.main()
