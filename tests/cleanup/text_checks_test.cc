#include "cleanup/text_checks.h"

#include <gtest/gtest.h>

namespace trainctl::cleanup {
namespace {

// Shapes of real tokens, assembled so that this file itself holds none.
const std::string kHf = std::string("hf") + "_" + "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789";
const std::string kAws = std::string("AK") + "IA" + "ABCDEFGHIJ234567";
const std::string kWandb = std::string("0123456789abcdef0123456789abcdef") + "01234567";

TEST(TextChecks, FindsEachKindOfSecretByLine) {
  std::string text = "a: 1\ntoken: " + kHf + "\nkey=" + kAws + "\nWANDB_API_KEY=" + kWandb + "\n";
  auto hits = find_secrets(text);
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].line, 2u);
  EXPECT_EQ(hits[0].what, "Hugging Face token");
  EXPECT_EQ(hits[1].line, 3u);
  EXPECT_EQ(hits[1].what, "AWS access key id");
  EXPECT_EQ(hits[2].line, 4u);
  EXPECT_EQ(hits[2].what, "W&B API key");
  for (const auto& h : hits) {
    EXPECT_EQ(h.what.find(kHf), std::string::npos);
  }
}

TEST(TextChecks, IgnoresLookalikes) {
  EXPECT_TRUE(find_secrets("hf_short\nmy_hf_" + kHf.substr(3) + "\nsha: " + kWandb + "\nAKIA1234\n").empty());
}

TEST(TextChecks, HomePaths) {
  auto hits = find_home_paths("x = '/home/alice/data'\ny = 'data'\nz = \"/Users/bob/x\"\nw = /root/.cache\n");
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].what, "/home/alice");
  EXPECT_EQ(hits[1].line, 3u);
  EXPECT_EQ(hits[2].what, "/root");
}

TEST(TextChecks, ConfigWithoutComments) {
  EXPECT_EQ(config_without_comments("# top\na: 1  # one\n\nb: '#not'\n"), "a: 1\nb: '#not'\n");
  EXPECT_EQ(config_without_comments("a: 1\n"), config_without_comments("# c\na: 1 # d\n"));
}

}  // namespace
}  // namespace trainctl::cleanup
