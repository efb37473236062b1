#include "errors/knowledge_base.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "errors/log_scan.h"
#include "errors/pattern_set.h"
#include "errors_test_support.h"
#include "temp_dir.h"

namespace trainctl::errors {
namespace {

std::vector<std::string> file_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') out.push_back(line);
  }
  return out;
}

const KnowledgeBase& builtin() {
  static const KnowledgeBase kb = [] {
    auto loaded = load_knowledge_base({});
    EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.error().message);
    return loaded.ok() ? *loaded : KnowledgeBase{};
  }();
  return kb;
}

TEST(KnowledgeBase, BuiltInCoversEveryTaxonomyIdOnce) {
  const KnowledgeBase& kb = builtin();
  EXPECT_GE(kb.entries.size(), 60u);
  std::map<std::string, int> seen;
  for (const auto& e : kb.entries) ++seen[e.id];
  for (const auto& id : file_lines(std::string(TRAINCTL_SOURCE_DIR) + "/data/errors/taxonomy_ids.txt")) {
    if (id == "none") {
      EXPECT_EQ(seen.count(id), 0u);
      continue;
    }
    EXPECT_EQ(seen[id], 1) << "taxonomy id " << id;
  }
  for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << id;
}

TEST(KnowledgeBase, EntriesCarryTheirFields) {
  const ErrorEntry* oom = builtin().find("cuda_oom");
  ASSERT_NE(oom, nullptr);
  EXPECT_EQ(oom->family, "memory");
  EXPECT_EQ(oom->source, "data/errors/memory.toml");
  EXPECT_EQ(oom->priority, 90);
  EXPECT_FALSE(oom->extract.empty());
  ASSERT_FALSE(oom->fixes.empty());
  EXPECT_EQ(oom->fixes[0].action, "config");
  EXPECT_NE(std::find(oom->fixes[0].config_keys.begin(), oom->fixes[0].config_keys.end(), "gradient_accumulation_steps"),
            oom->fixes[0].config_keys.end());
  EXPECT_NE(std::find(oom->see_also.begin(), oom->see_also.end(), "cublas_error"), oom->see_also.end());
}

constexpr const char* kUserEntry = R"(
family = "mine"
title = "My errors"
[[error]]
id = "my_dataset_lock"
title = "Dataset lock held"
priority = 77
patterns = ['''DatasetLockError: lock held by''']
cause = "Another job holds the dataset lock; it was held by {holder}."
extract = ['''lock held by (?P<holder>\S+)''']
[[error.fixes]]
title = "Wait for the other job"
detail = "Or remove the stale lock file."
action = "info"
)";

TEST(KnowledgeBase, UserFolderAndProjectEntriesAddAndReplace) {
  testing::TempDir dir;
  dir.write("errors/mine.toml", kUserEntry);
  dir.write("proj/trainctl.toml", R"(
[safety]
deny = ["rm -rf /"]
[[explain.error]]
id = "cuda_oom"
title = "Our own OOM text"
priority = 91
patterns = ['''CUDA out of memory''']
cause = "Our cluster's GPUs are small; use the big partition."
[[explain.error.fixes]]
title = "Use the big partition"
detail = "sbatch -p big"
action = "command"
)");
  auto kb = load_knowledge_base({true, (dir.path() / "errors").string(), (dir.path() / "proj/trainctl.toml").string()});
  ASSERT_TRUE(kb.ok()) << kb.error().message;
  const ErrorEntry* mine = kb->find("my_dataset_lock");
  ASSERT_NE(mine, nullptr);
  EXPECT_EQ(mine->family, "mine");
  const ErrorEntry* oom = kb->find("cuda_oom");
  ASSERT_NE(oom, nullptr);
  EXPECT_EQ(oom->title, "Our own OOM text");
  EXPECT_EQ(oom->family, "project");
  EXPECT_EQ(kb->entries.size(), builtin().entries.size() + 1);
}

TEST(KnowledgeBase, BrokenUserEntriesAreUsageErrorsNamingThem) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"[[error]]\nid = \"x\"\ntitle = \"t\"\npriority = 50\ncause = \"c\"\n[[error.fixes]]\ntitle=\"a\"\ndetail=\"b\"\naction=\"info\"\n",
       "needs at least one of `patterns`"},
      {"[[error]]\nid = \"Bad-Id\"\ntitle = \"t\"\npriority = 50\npatterns=['x']\ncause = \"c\"\n[[error.fixes]]\ntitle=\"a\"\ndetail=\"b\"\naction=\"info\"\n",
       "snake_case"},
      {"[[error]]\nid = \"x\"\ntitle = \"t\"\npriority = 500\npatterns=['x']\ncause = \"c\"\n[[error.fixes]]\ntitle=\"a\"\ndetail=\"b\"\naction=\"info\"\n",
       "priority"},
      {"[[error]]\nid = \"x\"\ntitle = \"t\"\npriority = 5\npatterns=['x']\ncause = \"c\"\n[[error.fixes]]\ntitle=\"a\"\ndetail=\"b\"\naction=\"pray\"\n",
       "`action` must be one of"},
      {"[[error]]\nid = \"x\"\ntitle = \"t\"\npriority = 5\npatterns=['x']\ncause = \"c\"\n", "needs at least one fix"},
      {"[[error]]\nid = \"x\"\ntitel = \"t\"\n", "unknown key `titel`"},
      {"[[error]\n", "mine.toml:1"},
  };
  for (const auto& c : cases) {
    testing::TempDir dir;
    dir.write("errors/mine.toml", c.text);
    auto kb = load_knowledge_base({true, (dir.path() / "errors").string(), std::nullopt});
    ASSERT_FALSE(kb.ok()) << c.text;
    EXPECT_EQ(kb.error().kind, core::ErrorKind::kUsage);
    EXPECT_NE(kb.error().message.find(c.message), std::string::npos) << kb.error().message;
    EXPECT_NE(kb.error().message.find("mine.toml"), std::string::npos) << kb.error().message;
  }
}

TEST(KnowledgeBase, BadUserRegexIsReportedWhenCompiling) {
  testing::TempDir dir;
  dir.write("errors/mine.toml",
            "[[error]]\nid = \"x\"\ntitle = \"t\"\npriority = 5\npatterns=['(unclosed']\ncause = \"c\"\n"
            "[[error.fixes]]\ntitle=\"a\"\ndetail=\"b\"\naction=\"info\"\n");
  auto kb = load_knowledge_base({true, (dir.path() / "errors").string(), std::nullopt});
  ASSERT_TRUE(kb.ok());
  auto patterns = PatternSet::compile(*kb, {});
  ASSERT_FALSE(patterns.ok());
  EXPECT_EQ(patterns.error().kind, core::ErrorKind::kUsage);
  EXPECT_NE(patterns.error().message.find("entry 'x' pattern 1"), std::string::npos) << patterns.error().message;
}

// Scans `lines` as one log and returns, per line, the entries that matched it.
std::vector<std::set<std::string>> matched_per_line(const std::vector<std::string>& lines, const std::string& prefix,
                                                    const std::string& suffix) {
  const KnowledgeBase& kb = builtin();
  auto patterns = PatternSet::compile(kb, {testing::errors_cache_dir()});
  EXPECT_TRUE(patterns.ok());
  std::string text;
  for (const auto& l : lines) text += prefix + l + suffix + "\n";
  LogReader reader = LogReader::from_text(text, 1 << 16);
  ScanLimits limits;
  limits.hits_kept = 1000000;
  auto scan = scan_log(reader, *patterns, kb.entries.size(), limits);
  EXPECT_TRUE(scan.ok());
  std::vector<std::set<std::string>> out(lines.size());
  for (std::size_t e = 0; e < kb.entries.size(); ++e) {
    for (const auto& hit : scan->entries[e].hits) out[hit.line - 1].insert(kb.entries[e].id);
  }
  return out;
}

struct Labelled {
  std::vector<std::string> lines;
  std::vector<std::string> owner;
  std::vector<bool> example;  // false: a counterexample
};

Labelled examples_and_counterexamples() {
  Labelled l;
  for (const auto& e : builtin().entries) {
    for (const auto& x : e.examples) {
      l.lines.push_back(x);
      l.owner.push_back(e.id);
      l.example.push_back(true);
    }
    for (const auto& x : e.counterexamples) {
      l.lines.push_back(x);
      l.owner.push_back(e.id);
      l.example.push_back(false);
    }
  }
  return l;
}

void expect_examples_match(const std::string& prefix, const std::string& suffix) {
  Labelled l = examples_and_counterexamples();
  auto matched = matched_per_line(l.lines, prefix, suffix);
  int checked = 0;
  for (std::size_t i = 0; i < l.lines.size(); ++i) {
    bool hit = matched[i].count(l.owner[i]) > 0;
    if (l.example[i]) EXPECT_TRUE(hit) << l.owner[i] << " misses its example: " << l.lines[i];
    else EXPECT_FALSE(hit) << l.owner[i] << " matches its counterexample: " << l.lines[i];
    ++checked;
  }
  EXPECT_GT(checked, 400);
}

TEST(KnowledgeBase, EveryExampleMatchesItsEntryAndNoCounterexampleDoes) { expect_examples_match("", ""); }

TEST(KnowledgeBase, ExamplesStillMatchUnderRankPrefixesColourAndProgressBars) {
  expect_examples_match("\x1b[0m[rank3]: ", "\x1b[0m");
  expect_examples_match(" 45%|####5     | 450/1000 [01:02<01:10]\r[default5]:", "");
  expect_examples_match("7: ", "\r");  // CRLF line ends
}

TEST(KnowledgeBase, NoEntryMatchesALineFromAHealthyRun) {
  auto clean = file_lines(std::string(TRAINCTL_SOURCE_DIR) + "/data/errors/clean_lines.txt");
  ASSERT_GT(clean.size(), 50u);
  auto matched = matched_per_line(clean, "", "");
  for (std::size_t i = 0; i < clean.size(); ++i) {
    EXPECT_TRUE(matched[i].empty()) << *matched[i].begin() << " matches the clean line: " << clean[i];
  }
}

TEST(KnowledgeBase, CompiledDatabaseIsCachedAndReused) {
  testing::TempDir dir;
  auto first = PatternSet::compile(builtin(), {dir.path().string()});
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->loaded_from_cache());
  auto second = PatternSet::compile(builtin(), {dir.path().string()});
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->loaded_from_cache());
  EXPECT_EQ(first->size(), second->size());
}

}  // namespace
}  // namespace trainctl::errors
