// On a terminal, an ambiguous request is a question, not a guess: trainctl lists the ranked
// candidates and asks which one; the answer picks it, Enter cancels.
#include <gtest/gtest.h>

#include "project/project_fixtures.h"
#include "pty_session.h"

namespace trainctl::command {
namespace {

using testing::run_in_pty;

std::string monorepo() { return (testing::project_fixtures() / "monorepo").string(); }

TEST(CliPrompt, AnAmbiguousRequestAsksAndTheAnswerPicksTheCandidate) {
  auto first = run_in_pty({"train", "--dry-run", "--project", monorepo(), "tinystories"}, "1\n");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("Which one? [1-"), std::string::npos) << first.output;
  auto second = run_in_pty({"train", "--dry-run", "--project", monorepo(), "tinystories"}, "2\n");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  // Each answer writes the command of a different project of the monorepo.
  auto folder = [](const std::string& out) {
    auto at = out.find("cwd         ");
    return at == std::string::npos ? std::string() : out.substr(at, out.find('\n', at) - at);
  };
  EXPECT_FALSE(folder(first.output).empty()) << first.output;
  EXPECT_FALSE(folder(second.output).empty()) << second.output;
  EXPECT_NE(folder(first.output), folder(second.output));
  EXPECT_NE(second.output.find("dry run: nothing was started"), std::string::npos);
}

TEST(CliPrompt, EnterCancelsWithTheAmbiguityExitStatus) {
  auto r = run_in_pty({"train", "--dry-run", "--project", monorepo(), "tinystories"}, "\n");
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_EQ(r.output.find("dry run: nothing was started"), std::string::npos) << r.output;
}

TEST(CliPrompt, AnAnswerOutOfRangeIsAskedAgain) {
  auto r = run_in_pty({"train", "--dry-run", "--project", monorepo(), "tinystories"}, "9\nx\n1\n");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::size_t asked = 0;
  for (auto at = r.output.find("Which one?"); at != std::string::npos; at = r.output.find("Which one?", at + 1)) ++asked;
  EXPECT_EQ(asked, 3u) << r.output;
}

}  // namespace
}  // namespace trainctl::command
