// The readers of untrusted project files (Python source, YAML/JSON/TOML configs, .gitignore,
// shell and Markdown) on mutated and truncated versions of real inputs: they must end, and never
// crash (this suite runs under AddressSanitizer and UndefinedBehaviorSanitizer in CI). A small
// deterministic fuzzer, so it runs in every test pass.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "project/config_file.h"
#include "project/gitignore.h"
#include "project/python_cli.h"
#include "project/python_module.h"
#include "project/recipes.h"

namespace trainctl::project {
namespace {

const char* kPython = R"PY("""Doc."""
import argparse, hydra
from .m import (a as b,
    c)
X = {"k": [1, 2.5e-3, None, (True,)], 'f': f"{x!r:>{w}}"}
@hydra.main(config_path="conf", config_name="c")
@click.option("--x/--no-x", type=click.Choice(["a", "b"]), default=r'\d')
def main(cfg: Optional[List[int]] = None, *a, **k) -> None:
    p = argparse.ArgumentParser(description="d" "e")
    p.add_argument("--lr", type=float, default=X, nargs="?", const=1)
    exec(open('configurator.py').read())
    loss.backward()
class A(B, metaclass=M):
    x: int = field(default=1, metadata={"help": "h"})
if __name__ == "__main__":
    main()
)PY";

const char* kYaml = "# @package _global_\ndefaults:\n  - _self_\n  - data: mnist\nbase: &b {lr: 0.1}\nrun:\n  <<: *b\n"
                    "  list: [1, 'two', 3.0e-4, ~, yes]\n  text: |\n    multi\n    line\n";
const char* kToml = "[project]\nname = \"x\"\n[project.scripts]\nt = \"pkg.train:main\"\n[a.b]\nc = [1, 2.5, true]\n";
const char* kIgnore = "# c\n*.pt\n!keep.pt\n/build/\ndocs/**/*.md\n[a-z]?[!0-9]\\#x\n**/logs\n";
const char* kShell = "#!/bin/bash\nfor s in 1 2; do torchrun --nproc_per_node=$N train.py --seed $s \"$@\"; done\n";
const char* kMarkdown = "```bash\n$ python train.py \\\n  --config c.yaml\naccelerate launch -m pkg.train\n```\n";
const char* kMakefile = "PY ?= python\ntrain: data\n\t@$(PY) train.py --config $${C:-x}\n";

std::string mutate(const std::string& input, std::mt19937& rng) {
  std::string s = input;
  std::uniform_int_distribution<int> op(0, 4);
  int edits = 1 + static_cast<int>(rng() % 6);
  for (int i = 0; i < edits; ++i) {
    std::size_t at = s.empty() ? 0 : rng() % s.size();
    switch (op(rng)) {
      case 0: if (!s.empty()) s.erase(at, 1 + rng() % 8); break;
      case 1: s.insert(at, 1, "\"'()[]{}\\\n#=:*!@$`"[rng() % 19]); break;
      case 2: if (!s.empty()) s[at] = static_cast<char>(rng() % 256); break;
      case 3: s.insert(at, s.substr(at, rng() % 32)); break;
      default: s.resize(at); break;
    }
  }
  return s;
}

TEST(HostileInput, MutatedInputsAreReadWithoutCrashing) {
  std::mt19937 rng(12345);
  for (int i = 0; i < 1500; ++i) {
    PythonModule m = read_python(mutate(kPython, rng));
    CliSpec cli = read_cli(m);
    for (const auto& a : m.assignments) (void)m.literal(a.value);
    (void)parse_yaml(mutate(kYaml, rng));
    (void)parse_toml(mutate(kToml, rng));
    (void)parse_config("/x.json", ConfigFormat::kJson, mutate("{\"a\": [1, {\"b\": null}]}", rng));
    IgnoreFile f = parse_ignore_file("/r", mutate(kIgnore, rng));
    (void)ignore_verdict(f, "/r/a/b/keep.pt", false);
    (void)recipes_in_shell(mutate(kShell, rng), "s.sh");
    (void)recipes_in_markdown(mutate(kMarkdown, rng), "README.md");
    (void)recipes_in_makefile(mutate(kMakefile, rng), "Makefile");
  }
  SUCCEED();
}

TEST(HostileInput, PathologicalShapesHitLimitsNotTheStack) {
  // Deep brackets, a huge single line, many decorators, deep YAML, many stars.
  std::string deep = "x = " + std::string(100'000, '(') + "\n";
  PythonModule m = read_python(deep);
  EXPECT_NE(m.assignment("x"), nullptr);
  std::string decorators;
  for (int i = 0; i < 20'000; ++i) decorators += "@d\n";
  EXPECT_EQ(read_python(decorators + "def f(): pass\n").functions.size(), 1u);
  std::string yaml;
  for (int i = 0; i < 200; ++i) yaml += std::string(static_cast<std::size_t>(i) * 2, ' ') + "k:\n";
  auto parsed = parse_yaml(yaml);  // an error (too deep) or a value, but an answer
  (void)parsed;
  std::string flow = std::string(5000, '[') + std::string(5000, ']');
  EXPECT_FALSE(parse_yaml(flow));
  EXPECT_FALSE(wildmatch(std::string(200, '*') + "x", std::string(4000, 'a')));
}

}  // namespace
}  // namespace trainctl::project
