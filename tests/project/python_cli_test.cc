#include "project/python_cli.h"

#include <gtest/gtest.h>

namespace trainctl::project {
namespace {

CliSpec cli_of(const std::string& source) {
  PythonModule m = read_python(source);
  return read_cli(m);
}

TEST(PythonCli, ArgparseOptionsWithEveryAttribute) {
  CliSpec cli = cli_of(R"PY(
import argparse
DEFAULT = "configs/a.yaml"
p = argparse.ArgumentParser(description="Train it.")
p.add_argument("--config", "-c", default=DEFAULT, help="YAML config")
p.add_argument("--resume", nargs="?", const="latest", default=None, metavar="PATH")
p.add_argument("--max-steps", type=int, required=True)
p.add_argument("--fp16", action="store_true")
p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
p.add_argument("--tags", nargs="+", type=str)
p.add_argument("data_dir")
p.add_argument("--wandb", action=argparse.BooleanOptionalAction, default=False)
)PY");
  EXPECT_EQ(cli.framework, CliFramework::kArgparse);
  EXPECT_EQ(cli.description, "Train it.");
  ASSERT_EQ(cli.options.size(), 8u);
  const CliOption* config = cli.find("--config");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->names, (std::vector<std::string>{"--config", "-c"}));
  EXPECT_EQ(config->default_value, "configs/a.yaml");  // resolved through the module constant
  EXPECT_EQ(config->help, "YAML config");
  const CliOption* resume = cli.find("resume");
  EXPECT_EQ(resume->nargs, "?");
  EXPECT_EQ(resume->const_value, "latest");
  EXPECT_FALSE(resume->is_switch());
  const CliOption* steps = cli.find("max_steps");
  ASSERT_NE(steps, nullptr);
  EXPECT_EQ(steps->flag(), "--max-steps");
  EXPECT_EQ(steps->type, "int");
  EXPECT_TRUE(steps->required);
  EXPECT_TRUE(cli.find("--fp16")->is_switch());
  EXPECT_EQ(cli.find("--device")->choices, nlohmann::json::parse(R"(["cpu", "cuda"])"));
  EXPECT_EQ(cli.find("--tags")->nargs, "+");
  EXPECT_TRUE(cli.find("data_dir")->positional);
  EXPECT_EQ(cli.find("--wandb")->negative, "--no-wandb");
}

TEST(PythonCli, ArgparseSubcommands) {
  CliSpec cli = cli_of(R"PY(
import argparse
parser = argparse.ArgumentParser()
sub = parser.add_subparsers(dest="cmd")
train = sub.add_parser("train", help="train")
train.add_argument("--config")
group = train.add_argument_group("resume")
group.add_argument("--resume-from")
ev = sub.add_parser("eval")
ev.add_argument("--checkpoint")
)PY");
  EXPECT_EQ(cli.subcommands, (std::vector<std::string>{"train", "eval"}));
  EXPECT_EQ(cli.find("--config", "train")->subcommand, "train");
  EXPECT_EQ(cli.find("--resume-from", "train")->subcommand, "train");
  EXPECT_EQ(cli.find("--checkpoint", "eval")->subcommand, "eval");
}

TEST(PythonCli, HfArgumentParserWithDataclassesAndTrainingArguments) {
  CliSpec cli = cli_of(R"PY(
import sys
from dataclasses import dataclass, field
from typing import Optional
from transformers import HfArgumentParser, TrainingArguments

@dataclass
class ModelArguments:
    model_name_or_path: Optional[str] = field(default=None, metadata={"help": "The model checkpoint."})
    cache_dir: str = field(default_factory=lambda: "/tmp")
    revision: str = "main"
    required_thing: int = field(metadata={"help": "must be given"})

parser = HfArgumentParser((ModelArguments, TrainingArguments))
if len(sys.argv) == 2 and sys.argv[1].endswith(".json"):
    a, b = parser.parse_json_file(json_file=sys.argv[1])
)PY");
  EXPECT_EQ(cli.framework, CliFramework::kHfArgparser);
  const CliOption* model = cli.find("--model_name_or_path");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->type, "str");
  EXPECT_EQ(model->help, "The model checkpoint.");
  EXPECT_TRUE(cli.find("--cache_dir")->has_default);
  EXPECT_EQ(cli.find("--revision")->default_value, "main");
  EXPECT_TRUE(cli.find("--required_thing")->required);
  const CliOption* resume = cli.find("--resume_from_checkpoint");
  ASSERT_NE(resume, nullptr);
  EXPECT_EQ(resume->source, "TrainingArguments");
  EXPECT_TRUE(cli.find("--do_train")->is_switch());
  EXPECT_EQ(cli.config_file_extensions, (std::vector<std::string>{"json"}));
}

TEST(PythonCli, LightningCliHydraAndTheConfigurator) {
  CliSpec lightning = cli_of("from lightning.pytorch.cli import LightningCLI\ncli = LightningCLI(Model, Data)\n");
  EXPECT_EQ(lightning.framework, CliFramework::kLightningCli);
  EXPECT_EQ(lightning.subcommands, (std::vector<std::string>{"fit", "validate", "test", "predict"}));
  EXPECT_NE(lightning.find("--ckpt_path", "fit"), nullptr);
  CliSpec norun = cli_of("from lightning.pytorch.cli import LightningCLI\ncli = LightningCLI(Model, run=False)\n");
  EXPECT_FALSE(norun.lightning_subcommands);

  CliSpec hydra = cli_of(R"PY(
import hydra
@hydra.main(version_base=None, config_path="../configs", config_name="train.yaml")
def main(cfg):
    """Train with Hydra."""
)PY");
  EXPECT_EQ(hydra.framework, CliFramework::kHydra);
  EXPECT_EQ(hydra.style, ValueStyle::kOverride);
  EXPECT_EQ(hydra.hydra_config_path, "../configs");
  EXPECT_EQ(hydra.hydra_config_name, "train");
  CliSpec old = cli_of("import hydra\n@hydra.main(config_path='conf/config.yaml')\ndef main(cfg): pass\n");
  EXPECT_EQ(old.hydra_config_path, "conf");
  EXPECT_EQ(old.hydra_config_name, "config");

  CliSpec nano = cli_of("out_dir = 'out'\ninit_from = 'scratch'\nbatch_size = 12\nexpr = 5 * 8\n"
                        "exec(open('configurator.py').read())\nlate = 1\n");
  EXPECT_EQ(nano.framework, CliFramework::kConfigurator);
  EXPECT_EQ(nano.style, ValueStyle::kEquals);
  EXPECT_EQ(nano.globals, nlohmann::json::parse(R"({"out_dir": "out", "init_from": "scratch", "batch_size": 12})"));
  EXPECT_TRUE(nano.find("config")->positional);
}

TEST(PythonCli, ClickAndTyper) {
  CliSpec click = cli_of(R"PY(
import click
@click.group()
def cli():
    pass

@cli.command(name="fit-model")
@click.option("--config", "-c", type=click.Path(exists=True), required=True, help="cfg")
@click.option("--resume/--no-resume", default=False)
@click.option("--precision", type=click.Choice(["32", "16"]), default="32")
@click.argument("run_name")
def fit(config, resume, precision, run_name):
    """Fit it."""
)PY");
  EXPECT_EQ(click.framework, CliFramework::kClick);
  EXPECT_EQ(click.subcommands, (std::vector<std::string>{"fit-model"}));
  const CliOption* config = click.find("--config", "fit-model");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->type, "path");
  EXPECT_TRUE(config->required);
  const CliOption* resume = click.find("--resume", "fit-model");
  EXPECT_TRUE(resume->is_switch());
  EXPECT_EQ(resume->negative, "--no-resume");
  EXPECT_EQ(click.find("--precision", "fit-model")->choices, nlohmann::json::parse(R"(["32", "16"])"));
  EXPECT_TRUE(click.find("run_name", "fit-model")->positional);

  CliSpec typer = cli_of(R"PY(
from pathlib import Path
from typing import Optional
import typer
app = typer.Typer()

@app.command()
def train(data: Path, config: Path = typer.Option(..., "--config", "-c", help="the config"),
          resume_from: Optional[Path] = None, fast: bool = False, epochs: int = typer.Option(3)):
    pass
)PY");
  EXPECT_EQ(typer.framework, CliFramework::kTyper);
  EXPECT_TRUE(typer.subcommands.empty());  // one command: typer runs it directly
  EXPECT_TRUE(typer.find("data")->positional);
  EXPECT_TRUE(typer.find("--config")->required);
  EXPECT_EQ(typer.find("resume_from")->flag(), "--resume-from");
  EXPECT_EQ(typer.find("resume_from")->type, "path");
  EXPECT_TRUE(typer.find("fast")->is_switch());
  EXPECT_EQ(typer.find("fast")->negative, "--no-fast");
  EXPECT_EQ(typer.find("epochs")->default_value, 3);
}

TEST(PythonCli, FireAndAbsl) {
  CliSpec fire = cli_of("import fire\ndef main(config: str = 'a.toml', resume=False, steps: int = 10):\n  pass\n"
                        "if __name__ == '__main__':\n  fire.Fire(main)\n");
  EXPECT_EQ(fire.framework, CliFramework::kFire);
  EXPECT_EQ(fire.style, ValueStyle::kEquals);
  EXPECT_EQ(fire.find("--config")->default_value, "a.toml");
  EXPECT_EQ(fire.find("--resume")->type, "bool");
  EXPECT_EQ(fire.find("--steps")->type, "int");

  CliSpec absl = cli_of(R"PY(
from absl import app, flags
flags.DEFINE_string("workdir", None, "Work dir.")
flags.DEFINE_integer("steps", 100, "Steps.")
flags.DEFINE_boolean("resume", False, "Resume.")
flags.DEFINE_enum("mode", "train", ["train", "eval"], "Mode.")
flags.mark_flags_as_required(["workdir"])
)PY");
  EXPECT_EQ(absl.framework, CliFramework::kAbsl);
  EXPECT_TRUE(absl.find("--workdir")->required);
  EXPECT_EQ(absl.find("--steps")->default_value, 100);
  EXPECT_EQ(absl.find("--resume")->negative, "--noresume");
  EXPECT_EQ(absl.find("--mode")->choices, nlohmann::json::parse(R"(["train", "eval"])"));
  EXPECT_EQ(absl.find("--mode")->help, "Mode.");
}

TEST(PythonCli, HelperModulesLendTheirParserOnlyWhenTheScriptHasNone) {
  PythonModule helper = read_python("import argparse\ndef get_args():\n  p = argparse.ArgumentParser()\n"
                                    "  p.add_argument('--lr', type=float)\n  return p.parse_args()\n");
  PythonModule script = read_python("from args import get_args\nargs = get_args()\n");
  EXPECT_NE(read_cli(script, {&helper}).find("--lr"), nullptr);
  PythonModule own = read_python("import argparse\np = argparse.ArgumentParser()\np.add_argument('--epochs')\n");
  CliSpec cli = read_cli(own, {&helper});
  EXPECT_NE(cli.find("--epochs"), nullptr);
  EXPECT_EQ(cli.find("--lr"), nullptr);
}

}  // namespace
}  // namespace trainctl::project
