// Every line of the command-safety corpus (tests/safety/corpus/*.jsonl) gets its expected
// verdict, in the fixture project the corpus assumes.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "safety_fixture.h"

namespace trainctl::safety {
namespace {

struct Case {
  std::string command;
  std::string verdict;
  std::string category;
  int line = 0;
};

std::vector<Case> load(const std::string& name) {
  std::ifstream in(std::string(TRAINCTL_SOURCE_DIR) + "/tests/safety/corpus/" + name);
  std::vector<Case> cases;
  std::string text;
  int line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (text.empty()) continue;
    auto j = nlohmann::json::parse(text);
    cases.push_back({j["command"], j["verdict"], j["category"], line});
  }
  return cases;
}

std::string explain(const CommandCheck& check) {
  std::ostringstream out;
  for (const auto& r : check.reasons) out << "\n      " << verdict_name(r.verdict) << " " << r.rule << ": " << r.message;
  return out.str();
}

void expect_corpus(const std::string& name, std::size_t minimum) {
  testing::SafetyProject project;
  auto cases = load(name);
  ASSERT_GE(cases.size(), minimum) << name;
  int failures = 0;
  for (const auto& c : cases) {
    CommandCheck check = project.check(c.command);
    std::string got(verdict_name(check.verdict));
    if (got != c.verdict) {
      ++failures;
      ADD_FAILURE() << name << ":" << c.line << " [" << c.category << "] expected " << c.verdict << ", got " << got
                    << "\n    " << c.command << explain(check);
    }
  }
  EXPECT_EQ(failures, 0) << failures << " of " << cases.size() << " cases in " << name;
}

TEST(CommandCorpus, EveryDenyCaseIsDenied) { expect_corpus("deny.jsonl", 150); }

TEST(CommandCorpus, EveryAllowOrConfirmCaseGetsItsVerdict) { expect_corpus("allow_confirm.jsonl", 150); }

}  // namespace
}  // namespace trainctl::safety
