#include "environment/disk_space.h"

#include <gtest/gtest.h>

namespace trainctl::environment {
namespace {

TEST(DiskSpace, ReadsTheRootFilesystem) {
  auto space = disk_space("/");
  ASSERT_TRUE(space.ok()) << space.error().message;
  EXPECT_GT(space->total_bytes, 0u);
  EXPECT_LE(space->available_bytes, space->total_bytes);
}

TEST(DiskSpace, AMissingPathIsAnErrorNamingIt) {
  auto space = disk_space("/nonexistent/trainctl/dir");
  ASSERT_FALSE(space.ok());
  EXPECT_NE(space.error().message.find("/nonexistent/trainctl/dir"), std::string::npos);
}

}  // namespace
}  // namespace trainctl::environment
