#include "project/recipes.h"

#include <gtest/gtest.h>

namespace trainctl::project {
namespace {

TEST(Recipes, SplitsLaunchersScriptsModulesAndArguments) {
  auto r = recipe_from_words({"python3", "-u", "train.py", "--config", "c.yaml"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->launcher, Launcher::kPython);
  EXPECT_EQ(r->script, "train.py");
  EXPECT_EQ(r->args, (std::vector<std::string>{"--config", "c.yaml"}));

  auto t = recipe_from_words({"torchrun", "--standalone", "--nproc_per_node", "8", "train.py", "cfg.py"});
  ASSERT_TRUE(t);
  EXPECT_EQ(t->launcher, Launcher::kTorchrun);
  EXPECT_EQ(t->launcher_args, (std::vector<std::string>{"--standalone", "--nproc_per_node", "8"}));
  EXPECT_EQ(t->script, "train.py");

  auto m = recipe_from_words({"python", "-m", "torch.distributed.run", "--nproc_per_node=2", "-m", "pkg.train", "--x"});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->launcher, Launcher::kTorchrun);
  EXPECT_EQ(m->module, "pkg.train");
  EXPECT_EQ(m->args, (std::vector<std::string>{"--x"}));

  auto a = recipe_from_words({"accelerate", "launch", "--multi_gpu", "--num_processes", "2", "run.py", "--lr", "1"});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->launcher, Launcher::kAccelerate);
  EXPECT_EQ(a->script, "run.py");

  auto d = recipe_from_words({"deepspeed", "--num_gpus=4", "train.py", "--deepspeed", "ds.json"});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->launcher, Launcher::kDeepspeed);

  EXPECT_FALSE(recipe_from_words({"python", "-c", "print(1)"}));
  EXPECT_FALSE(recipe_from_words({"python", "-m", "pip", "install", "x"}));
  EXPECT_FALSE(recipe_from_words({"pip", "install", "torch"}));
  EXPECT_FALSE(recipe_from_words({"python", "README.md"}));
}

TEST(Recipes, MarkdownFencedShellBlocksWithPromptsAndContinuations) {
  auto found = recipes_in_markdown(
      "# T\n\n```python\npython train.py --ignored\n```\n\n```bash\n$ pip install -r requirements.txt\n"
      "$ python train.py \\\n    --config configs/a.yaml \\\n    --lr 3e-4\n# a comment\nCUDA_VISIBLE_DEVICES=0 python "
      "eval.py --ckpt out/x.pt && echo done\n```\n",
      "README.md");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].source, "README.md:9");
  EXPECT_EQ(found[0].args, (std::vector<std::string>{"--config", "configs/a.yaml", "--lr", "3e-4"}));
  EXPECT_EQ(found[1].script, "eval.py");
}

TEST(Recipes, MakefileTargetsWithVariables) {
  auto found = recipes_in_makefile(
      "PYTHON ?= python3\nCONFIG := configs/base.yaml\n.PHONY: train\n\ntrain: data\n\t@$(PYTHON) train.py --config "
      "$(CONFIG)\n\ntest:\n\tpytest -q\n\nddp:\n\ttorchrun --nproc_per_node=$${NGPU:-2} train.py --config ${CONFIG}\n",
      "Makefile");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].target, "train");
  EXPECT_EQ(found[0].source, "Makefile:train");
  EXPECT_EQ(found[0].words, (std::vector<std::string>{"python3", "train.py", "--config", "configs/base.yaml"}));
  EXPECT_EQ(found[1].launcher, Launcher::kTorchrun);
  EXPECT_EQ(found[1].args, (std::vector<std::string>{"--config", "configs/base.yaml"}));
}

TEST(Recipes, ShellScriptsKeepVariablesAsWritten) {
  auto found = recipes_in_shell("#!/bin/bash\nset -e\nfor seed in 1 2; do\n  python train.py --seed $seed \"$@\"\ndone\n",
                                "scripts/sweep.sh");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].source, "scripts/sweep.sh:4");
  EXPECT_EQ(found[0].args, (std::vector<std::string>{"--seed", "$seed", "$@"}));
}

}  // namespace
}  // namespace trainctl::project
