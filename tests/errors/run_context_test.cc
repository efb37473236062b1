#include "errors/run_context.h"

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace trainctl::errors {
namespace {

MarkerHit marker(MarkerKind kind, std::uint64_t line, std::string text) { return {kind, line, -1, std::move(text)}; }

TEST(RunContext, CommandsFromLoggedLines) {
  EXPECT_EQ(command_from("+ /usr/bin/python3 train.py --config configs/x.yaml"), "/usr/bin/python3 train.py --config configs/x.yaml");
  EXPECT_EQ(command_from("$ torchrun --nproc_per_node 8 train.py"), "torchrun --nproc_per_node 8 train.py");
  EXPECT_EQ(command_from("[ERROR] [launch.py:434:sigkill_handler] ['/usr/bin/python3', '-u', 'main.py', '--lr', '3'] exits"),
            "/usr/bin/python3 -u main.py --lr 3");
}

TEST(RunContext, ConfigFromTheCommandResolvedBesideTheUsersCode) {
  testing::TempDir dir;
  dir.write("proj/configs/run.yaml", "train:\n  batch_size: 8\n");
  dir.write("proj/train.py", "cfg['train']['gradient_accumulation_steps']\n");
  // The user's frame is the only thing that says where the project is.
  ExceptionChain chain;
  PythonException ex;
  ex.traceback_line = 2;
  ex.line = 5;
  Frame f;
  f.file = (dir.path() / "proj/train.py").string();
  f.user = true;
  ex.frames.push_back(f);
  chain.exceptions.push_back(ex);
  RunContextRequest request;
  request.project_dir = "/nonexistent";
  auto context = find_run_context(request, {marker(MarkerKind::kCommand, 1, "+ python train.py --config configs/run.yaml"),
                                            marker(MarkerKind::kVocabSize, 3, "data | vocab 44 | tokens 1,000"),
                                            marker(MarkerKind::kVocabSize, 4, "tokenizer vocab_size: 50,257")},
                                  {chain});
  ASSERT_TRUE(context.ok());
  ASSERT_TRUE(context->config);
  EXPECT_EQ(context->config_from, "log");
  EXPECT_EQ(context->config_display, "configs/run.yaml");
  EXPECT_EQ(context->config->find("batch_size")->text, "8");
  ASSERT_EQ(context->code.texts.size(), 1u);
  ASSERT_TRUE(context->log_vocab);
  EXPECT_EQ(context->log_vocab->first, 50257);
  EXPECT_EQ(context->log_vocab->second, 4u);
}

TEST(RunContext, ConfigNamedInAnErrorMessage) {
  testing::TempDir dir;
  dir.write("configs/x.yaml", "lr: 1\n");
  RunContextRequest request;
  request.project_dir = dir.path().string();
  auto context = find_run_context(
      request, {marker(MarkerKind::kConfigPath, 2, "error: config file configs/x.yaml: train.lr must be positive, got -1")}, {});
  ASSERT_TRUE(context.ok());
  ASSERT_TRUE(context->config_file);
  EXPECT_EQ(context->config_display, "configs/x.yaml");
}

TEST(RunContext, MissingConfigFlagIsNotFoundAndUnreadableOnesAreSkipped) {
  RunContextRequest request;
  request.config_path = "/nonexistent/config.yaml";
  auto context = find_run_context(request, {}, {});
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.error().kind, core::ErrorKind::kNotFound);
  RunContextRequest quiet;
  auto none = find_run_context(quiet, {marker(MarkerKind::kCommand, 1, "python train.py --config missing.yaml")}, {});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->config);
  EXPECT_EQ(none->config_from, "");
}

}  // namespace
}  // namespace trainctl::errors
