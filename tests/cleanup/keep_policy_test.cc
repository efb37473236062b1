#include "cleanup/keep_policy.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace trainctl::cleanup {
namespace {

std::vector<RunCheckpoint> loss_run() {
  // Best val_loss at step 300; latest is 500.
  std::vector<RunCheckpoint> out;
  double losses[] = {2.5, 2.1, 1.4, 1.6, 1.7};
  for (int i = 0; i < 5; ++i) {
    std::int64_t step = (i + 1) * 100;
    out.push_back({"step_" + std::to_string(step), step, std::nullopt, static_cast<double>(i), {{"val_loss", losses[i]}, {"train_loss", losses[i] - 1}}});
  }
  return out;
}

bool kept(const KeepDecision& d, const std::string& path) {
  return std::any_of(d.keep.begin(), d.keep.end(), [&](const auto& k) { return k.first == path; });
}

TEST(KeepPolicy, LossIsLowerIsBetterAccuracyHigher) {
  EXPECT_EQ(lower_is_better("val_loss"), true);
  EXPECT_EQ(lower_is_better("eval_perplexity"), true);
  EXPECT_EQ(lower_is_better("val_acc"), false);
  EXPECT_EQ(lower_is_better("f1"), false);
  EXPECT_EQ(lower_is_better("lr"), std::nullopt);
}

TEST(KeepPolicy, PrefersTheValidationMetric) {
  auto m = monitored_metric(loss_run());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->name, "val_loss");
  EXPECT_TRUE(m->lower_is_better);
}

TEST(KeepPolicy, DefaultKeepsLatestAndBest) {
  auto d = decide(loss_run(), {});
  EXPECT_EQ(d.latest, "step_500");
  EXPECT_EQ(d.best, "step_300");
  EXPECT_EQ(d.keep.size(), 2u);
  EXPECT_EQ(d.drop, (std::vector<std::string>{"step_400", "step_200", "step_100"}));
}

TEST(KeepPolicy, HigherIsBetterForAccuracy) {
  std::vector<RunCheckpoint> run = {{"e1", std::nullopt, 1, 1, {{"val_acc", 0.6}}},
                                    {"e2", std::nullopt, 2, 2, {{"val_acc", 0.9}}},
                                    {"e3", std::nullopt, 3, 3, {{"val_acc", 0.7}}}};
  auto d = decide(run, {});
  EXPECT_EQ(d.latest, "e3");
  EXPECT_EQ(d.best, "e2");
  EXPECT_EQ(d.drop, std::vector<std::string>{"e1"});
}

TEST(KeepPolicy, LatestAndBestSurviveEveryPolicy) {
  for (int last : {0, 1, 2, 10}) {
    for (int best : {0, 1, 3}) {
      for (std::optional<std::int64_t> every : {std::optional<std::int64_t>{}, std::optional<std::int64_t>{200}, std::optional<std::int64_t>{1000}}) {
        auto d = decide(loss_run(), {last, best, every});
        EXPECT_TRUE(kept(d, "step_500")) << last << " " << best;
        EXPECT_TRUE(kept(d, "step_300")) << last << " " << best;
        EXPECT_EQ(d.keep.size() + d.drop.size(), 5u);
      }
    }
  }
}

TEST(KeepPolicy, KeepEveryAndKeepLastAdd) {
  auto d = decide(loss_run(), {2, 1, 200});
  EXPECT_TRUE(kept(d, "step_400"));   // second newest
  EXPECT_TRUE(kept(d, "step_200"));   // multiple of 200
  EXPECT_EQ(d.drop, std::vector<std::string>{"step_100"});
  auto best3 = decide(loss_run(), {1, 3, std::nullopt});
  EXPECT_EQ(best3.drop, (std::vector<std::string>{"step_200", "step_100"}));  // 300, 400, 500 are the best three
}

TEST(KeepPolicy, WithoutMetricKeepsLatestOnly) {
  std::vector<RunCheckpoint> run = {{"a", 1, std::nullopt, 1, {}}, {"b", 2, std::nullopt, 2, {}}};
  auto d = decide(run, {});
  EXPECT_FALSE(d.metric);
  EXPECT_TRUE(d.best.empty());
  EXPECT_EQ(d.drop, std::vector<std::string>{"a"});
}

}  // namespace
}  // namespace trainctl::cleanup
