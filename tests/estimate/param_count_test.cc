// Parameter counts are exact: the presets against the published totals of each model, and the
// count's tensors against the layer structure.
#include <gtest/gtest.h>

#include "estimate/model_shape.h"
#include "estimate/param_count.h"

namespace trainctl::estimate {
namespace {

std::int64_t total(const char* name) {
  auto shape = preset(name);
  EXPECT_TRUE(shape.has_value()) << name;
  return shape ? count_params(*shape).total : 0;
}

TEST(ParamCount, PresetsMatchThePublishedTotals) {
  EXPECT_EQ(total("gpt2"), 124'439'808);
  EXPECT_EQ(total("gpt2-medium"), 354'823'168);
  EXPECT_EQ(total("gpt2-large"), 774'030'080);
  EXPECT_EQ(total("gpt2-xl"), 1'557'611'200);
  EXPECT_EQ(total("llama-2-7b"), 6'738'415'616);
  EXPECT_EQ(total("llama-3-8b"), 8'030'261'248);
  EXPECT_EQ(total("llama-3-70b"), 70'553'706'496);
  EXPECT_EQ(total("mistral-7b"), 7'241'732'096);
  EXPECT_EQ(total("qwen2.5-7b"), 7'615'616'512);
  EXPECT_EQ(total("tinyllama-1.1b"), 1'100'048'384);
}

TEST(ParamCount, GroupsAddUpAndTensorsFollowTheLayers) {
  auto shape = *preset("llama-3-8b");
  ParamCount count = count_params(shape);
  std::int64_t sum = 0, tensors = 0;
  for (const auto& g : count.groups) {
    sum += g.count;
    tensors += g.tensors;
  }
  EXPECT_EQ(sum, count.total);
  EXPECT_EQ(tensors, count.tensors);
  EXPECT_EQ(count.tensors, 1 + 32 * 9 + 1 + 1);  // embedding, 9 per layer, final norm, output layer
  EXPECT_EQ(count.largest_tensor, 128256LL * 4096);
  EXPECT_EQ(count.lookup_only, 128256LL * 4096);  // untied: the token table is only looked up

  auto gpt2 = *preset("gpt2");
  ParamCount g = count_params(gpt2);
  EXPECT_EQ(g.tensors, 2 + 12 * 12 + 2);  // tied output layer: no tensor of its own
  EXPECT_EQ(g.lookup_only, 1024 * 768);   // only the position table
}

TEST(ParamCount, VocabularyIsSolvedFromAnExactCount) {
  // The example project's tiny GPT: its config leaves vocab_size to the data, its checkpoint has
  // 104,960 parameters.
  ModelShape s{"tiny", Family::kGpt2, 0, 64, 2, 4, 4, 256, 32, true, false};
  s.vocab = 44;
  EXPECT_EQ(count_params(s).total, 104'960);
}

}  // namespace
}  // namespace trainctl::estimate
