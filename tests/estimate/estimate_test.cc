// The answer around the memory figures: fit, the largest micro-batch, suggestions that are
// themselves estimates, FLOPs and time.
#include <gtest/gtest.h>

#include "estimate/estimate.h"

namespace trainctl::estimate {
namespace {

EstimateRequest llama8b_on(const char* gpu) {
  EstimateRequest r;
  r.model = *preset("llama-3-8b");
  r.setting.micro_batch = 1;
  r.setting.seq = 4096;
  r.setting.precision = Precision::kBf16Mixed;
  r.gpu = find_gpu(gpu);
  return r;
}

TEST(Estimate, FullTrainingOfAnEightBillionModelDoesNotFitOneH100) {
  auto e = make_estimate(llama8b_on("h100-80gb"));
  ASSERT_TRUE(e.fits.has_value());
  EXPECT_FALSE(*e.fits);
  // Weights 4 B, gradients 4 B and AdamW 8 B a parameter: 128 GB before any activation.
  EXPECT_EQ(e.memory.weights, 8'030'261'248LL * 4);
  EXPECT_GT(e.memory.peak, 16 * 8'030'261'248LL);
  EXPECT_EQ(e.max_micro_batch, 0);
  ASSERT_FALSE(e.suggestions.empty());
  for (const auto& s : e.suggestions) EXPECT_FALSE(s.setting.empty()) << s.change;
}

TEST(Estimate, ZeroThreeOverEightGpusAndQloraChangeTheAnswer) {
  auto r = llama8b_on("h100-80gb");
  r.setting.gpus = 8;
  r.setting.zero = 3;
  r.setting.checkpointing = Checkpointing::kFull;
  auto sharded = make_estimate(r);
  EXPECT_EQ(sharded.memory.optimizer, (2 * 8'030'261'248LL * 4 + 291 * 4) / 8);
  EXPECT_TRUE(*sharded.fits) << sharded.memory.peak;

  auto q = llama8b_on("rtx4090-24gb");
  q.setting.lora_rank = 16;
  q.setting.lora_base_bits = 4;
  q.setting.checkpointing = Checkpointing::kFull;
  auto qlora = make_estimate(q);
  EXPECT_LT(qlora.memory.trainable, 50'000'000);
  EXPECT_LT(qlora.memory.weights, 8'030'261'248LL);  // well under a byte a weight
  EXPECT_TRUE(*qlora.fits) << qlora.memory.peak;
}

TEST(Estimate, LargestMicroBatchIsTheEdgeOfTheFit) {
  EstimateRequest r;
  r.model = *preset("gpt2");
  r.setting.seq = 1024;
  r.setting.precision = Precision::kBf16Mixed;
  r.setting.micro_batch = 64;
  r.setting.grad_accum = 2;
  r.gpu = find_gpu("NVIDIA A100-SXM4-40GB");
  ASSERT_TRUE(r.gpu.has_value());
  EXPECT_EQ(r.gpu->name, "a100-40gb");
  auto e = make_estimate(r);
  ASSERT_TRUE(e.max_micro_batch.has_value());
  std::int64_t b = *e.max_micro_batch;
  ASSERT_GT(b, 0);
  ParamCount params = count_params(r.model);
  TrainingSetting s = r.setting;
  s.micro_batch = b;
  EXPECT_LE(estimate_memory(r.model, params, s).peak, r.gpu->memory_bytes);
  s.micro_batch = b + 1;
  EXPECT_GT(estimate_memory(r.model, params, s).peak, r.gpu->memory_bytes);
  EXPECT_EQ(*e.grad_accum_for_max, (128 + b - 1) / b);
}

TEST(Estimate, FlopsAreSixTimesParametersPlusAttention) {
  EstimateRequest r;
  r.model = *preset("gpt2");
  r.setting.seq = 1024;
  r.setting.micro_batch = 8;
  auto e = make_estimate(r);
  const double n = 124'439'808.0 - 1024 * 768;  // the position table is only looked up
  EXPECT_DOUBLE_EQ(e.flops_per_step, (6 * n + 12.0 * 12 * 1024 * 768) * 8 * 1024);
  r.setting.checkpointing = Checkpointing::kFull;
  EXPECT_DOUBLE_EQ(make_estimate(r).flops_per_step, e.flops_per_step * 4 / 3);
  r.gpu = find_gpu("h100");
  r.setting.precision = Precision::kBf16Mixed;
  auto timed = make_estimate(r);
  ASSERT_TRUE(timed.seconds_per_step.has_value());
  EXPECT_NEAR(*timed.seconds_per_step, timed.flops_per_step / (989e12 * kDefaultMfu), 1e-12);
}

}  // namespace
}  // namespace trainctl::estimate
