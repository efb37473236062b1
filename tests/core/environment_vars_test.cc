#include "core/environment_vars.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace trainctl::core {
namespace {

TEST(EnvironmentVars, SetButEmptyIsNotUnset) {
  auto env = EnvironmentVars::of({{"CUDA_VISIBLE_DEVICES", ""}});
  EXPECT_TRUE(env.has("CUDA_VISIBLE_DEVICES"));
  EXPECT_EQ(env.get("CUDA_VISIBLE_DEVICES"), "");
  EXPECT_FALSE(env.has("HOME"));
  EXPECT_EQ(env.get("HOME"), std::nullopt);
}

TEST(EnvironmentVars, ReadsTheProcessEnvironmentIncludingValuesWithEquals) {
  ::setenv("TRAINCTL_TEST_VALUE", "a=b=c", 1);
  EnvironmentVars env = EnvironmentVars::from_process();
  EXPECT_EQ(env.get("TRAINCTL_TEST_VALUE"), "a=b=c");
  ::unsetenv("TRAINCTL_TEST_VALUE");
}

}  // namespace
}  // namespace trainctl::core
