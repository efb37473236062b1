// The error knowledge base: what `trainctl explain` knows about training errors, as data. The
// built-in entries are data/errors/*.toml compiled into the binary (builtin_kb.h); users add or
// replace entries in their config folder ($XDG_CONFIG_HOME/trainctl/errors/*.toml, same format)
// and in a project's trainctl.toml ([[explain.error]] tables with the same fields). Format and
// field meanings: data/errors/README.md. Loading validates every field a matcher relies on; a
// broken user entry is a usage error naming its file and id, never silently skipped.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace trainctl::errors {

struct Fix {
  std::string title;
  std::string detail;
  std::string action;  // config, command, code, environment, hardware, info
  std::vector<std::string> config_keys;
};

struct ErrorEntry {
  std::string id;
  std::string title;
  std::string family;
  int priority = 0;  // 0..100: how likely the root cause when several entries match
  std::vector<std::string> patterns;
  std::vector<std::string> patterns_nocase;
  std::vector<std::string> exclude;
  std::vector<std::string> extract;
  std::string cause;
  std::vector<std::string> see_also;
  std::vector<std::string> examples;
  std::vector<std::string> counterexamples;
  std::vector<Fix> fixes;
  std::string source;  // "data/errors/memory.toml" (built in) or the user file
};

struct KnowledgeBase {
  std::vector<ErrorEntry> entries;

  const ErrorEntry* find(std::string_view id) const;
};

// Where user entries come from; unset members are skipped.
struct KnowledgeBaseSources {
  bool builtin = true;
  std::optional<std::string> user_dir;      // a folder of *.toml files in the knowledge-base format
  std::optional<std::string> project_file;  // a trainctl.toml; its [[explain.error]] entries
};

// Parses one knowledge-base file (`family`, `title`, `[[error]]`). `source` names it in errors.
// `strict` (built-in files) also requires `family`, `title` and two examples per entry.
core::Result<std::vector<ErrorEntry>> parse_knowledge_file(std::string_view text, const std::string& source,
                                                           bool strict);
// The [[explain.error]] entries of a trainctl.toml (none when it has no [explain] table).
core::Result<std::vector<ErrorEntry>> parse_project_entries(std::string_view text, const std::string& source);

// The built-in entries, then user-folder files in name order, then the project's entries; an
// entry whose id is already present replaces the earlier one. A missing folder or file is skipped;
// one that cannot be read or parsed is an error.
core::Result<KnowledgeBase> load_knowledge_base(const KnowledgeBaseSources& sources);

}  // namespace trainctl::errors
