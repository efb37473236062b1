#include "errors/knowledge_base.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
// toml++ is used header-only with exceptions off, exactly as in safety/project_policy.cc.
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

#include "errors/builtin_kb.h"

namespace trainctl::errors {
namespace {

namespace fs = std::filesystem;

const std::set<std::string_view> kEntryKeys = {"id", "title", "priority", "patterns", "patterns_nocase", "exclude",
                                               "extract", "cause", "see_also", "examples", "counterexamples", "fixes"};
const std::set<std::string_view> kFixKeys = {"title", "detail", "action", "config_keys"};
const std::set<std::string_view> kActions = {"config", "command", "code", "environment", "hardware", "info"};

bool is_snake_case(std::string_view id) {
  if (id.empty() || id[0] < 'a' || id[0] > 'z') return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

class EntryReader {
 public:
  EntryReader(const toml::table& table, std::string where) : table_(table), where_(std::move(where)) {}

  std::optional<core::Error> error;

  std::string string(std::string_view key, bool required) {
    const toml::node* node = table_.get(key);
    if (!node) {
      if (required) fail(fmt::format("missing `{}`", key));
      return {};
    }
    auto value = node->value<std::string>();
    if (!value) {
      fail(fmt::format("`{}` must be a string", key));
      return {};
    }
    return *value;
  }

  std::vector<std::string> strings(std::string_view key) {
    std::vector<std::string> out;
    const toml::node* node = table_.get(key);
    if (!node) return out;
    const toml::array* array = node->as_array();
    if (!array) {
      fail(fmt::format("`{}` must be a list of strings", key));
      return out;
    }
    for (const auto& item : *array) {
      auto value = item.value<std::string>();
      if (!value) {
        fail(fmt::format("`{}` must be a list of strings", key));
        return out;
      }
      out.push_back(*value);
    }
    return out;
  }

  void fail(std::string message) {
    if (!error) error = core::Error::usage(fmt::format("{}: {}", where_, message));
  }

 private:
  const toml::table& table_;
  std::string where_;
};

core::Result<ErrorEntry> read_entry(const toml::table& table, const std::string& source, const std::string& family,
                                    bool strict) {
  std::string label = table.get("id") && table.get("id")->value<std::string>()
                          ? *table.get("id")->value<std::string>()
                          : std::string("?");
  EntryReader r(table, fmt::format("{}: entry '{}'", source, label));
  for (const auto& [key, value] : table) {
    if (!kEntryKeys.count(key.str())) r.fail(fmt::format("unknown key `{}`", key.str()));
  }
  ErrorEntry e;
  e.source = source;
  e.family = family;
  e.id = r.string("id", true);
  e.title = r.string("title", true);
  e.cause = r.string("cause", true);
  e.patterns = r.strings("patterns");
  e.patterns_nocase = r.strings("patterns_nocase");
  e.exclude = r.strings("exclude");
  e.extract = r.strings("extract");
  e.see_also = r.strings("see_also");
  e.examples = r.strings("examples");
  e.counterexamples = r.strings("counterexamples");
  if (const toml::node* p = table.get("priority")) {
    auto v = p->value<std::int64_t>();
    if (!v || *v < 0 || *v > 100 || !p->is_integer()) r.fail("`priority` must be an integer from 0 to 100");
    else e.priority = static_cast<int>(*v);
  } else {
    r.fail("missing `priority`");
  }
  if (!e.id.empty() && !is_snake_case(e.id)) r.fail("`id` must be snake_case (a-z, 0-9, _)");
  if (e.id == "none") r.fail("`none` means no error and cannot be an entry");
  if (e.patterns.empty() && e.patterns_nocase.empty()) r.fail("needs at least one of `patterns`, `patterns_nocase`");
  for (const auto& list : {&e.patterns, &e.patterns_nocase, &e.exclude, &e.extract}) {
    for (const auto& rx : *list) {
      if (rx.empty()) r.fail("a regex is empty");
    }
  }
  if (strict && e.examples.size() < 2) r.fail("needs at least 2 examples");
  if (const toml::node* fixes = table.get("fixes")) {
    const toml::array* array = fixes->as_array();
    if (!array) r.fail("`fixes` must be an array of tables ([[error.fixes]])");
    for (std::size_t i = 0; array && i < array->size(); ++i) {
      const toml::table* ft = (*array)[i].as_table();
      if (!ft) {
        r.fail("each fix must be a table");
        break;
      }
      EntryReader fr(*ft, fmt::format("{}: entry '{}' fix {}", source, label, i + 1));
      for (const auto& [key, value] : *ft) {
        if (!kFixKeys.count(key.str())) fr.fail(fmt::format("unknown key `{}`", key.str()));
      }
      Fix fix;
      fix.title = fr.string("title", true);
      fix.detail = fr.string("detail", true);
      fix.action = fr.string("action", true);
      fix.config_keys = fr.strings("config_keys");
      if (!fix.action.empty() && !kActions.count(fix.action)) {
        fr.fail("`action` must be one of config, command, code, environment, hardware, info");
      }
      if (fr.error) return *fr.error;
      e.fixes.push_back(std::move(fix));
    }
  }
  if (e.fixes.empty()) r.fail("needs at least one fix ([[error.fixes]])");
  if (r.error) return *r.error;
  return e;
}

core::Result<toml::table> parse_toml(std::string_view text, const std::string& source) {
  toml::parse_result parsed = toml::parse(text, source);
  if (!parsed) {
    const auto& error = parsed.error();
    return core::Error::usage(fmt::format("{}:{}:{}: {}", source, error.source().begin.line,
                                          error.source().begin.column, std::string(error.description())));
  }
  return std::move(parsed).table();
}

core::Result<std::vector<ErrorEntry>> read_entries(const toml::node* node, const std::string& source,
                                                   const std::string& family, const char* what, bool strict) {
  std::vector<ErrorEntry> out;
  if (!node) return out;
  const toml::array* array = node->as_array();
  if (!array) return core::Error::usage(fmt::format("{}: `{}` must be an array of tables ([[{}]])", source, what, what));
  for (const auto& item : *array) {
    const toml::table* table = item.as_table();
    if (!table) return core::Error::usage(fmt::format("{}: each [[{}]] must be a table", source, what));
    auto entry = read_entry(*table, source, family, strict);
    if (!entry) return entry.error();
    out.push_back(std::move(*entry));
  }
  return out;
}

core::Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::Error::failure(fmt::format("cannot read {}", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void merge(KnowledgeBase& kb, std::vector<ErrorEntry> entries) {
  for (auto& e : entries) {
    auto same = std::find_if(kb.entries.begin(), kb.entries.end(), [&](const ErrorEntry& x) { return x.id == e.id; });
    if (same != kb.entries.end()) *same = std::move(e);
    else kb.entries.push_back(std::move(e));
  }
}

}  // namespace

const ErrorEntry* KnowledgeBase::find(std::string_view id) const {
  for (const auto& e : entries) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

core::Result<std::vector<ErrorEntry>> parse_knowledge_file(std::string_view text, const std::string& source,
                                                           bool strict) {
  auto root = parse_toml(text, source);
  if (!root) return root.error();
  std::string family;
  if (const toml::node* f = root->get("family")) family = f->value<std::string>().value_or("");
  if (family.empty()) {
    if (strict) return core::Error::usage(fmt::format("{}: missing `family`", source));
    family = fs::path(source).stem().string();
  }
  if (strict && !root->get("title")) return core::Error::usage(fmt::format("{}: missing `title`", source));
  for (const auto& [key, value] : *root) {
    if (key.str() != "family" && key.str() != "title" && key.str() != "error") {
      return core::Error::usage(fmt::format("{}: unknown top-level key `{}` (a file holds family, title and [[error]])",
                                            source, key.str()));
    }
  }
  return read_entries(root->get("error"), source, family, "error", strict);
}

core::Result<std::vector<ErrorEntry>> parse_project_entries(std::string_view text, const std::string& source) {
  auto root = parse_toml(text, source);
  if (!root) return root.error();
  const toml::node* explain = root->get("explain");
  if (!explain) return std::vector<ErrorEntry>();
  const toml::table* table = explain->as_table();
  if (!table) return core::Error::usage(fmt::format("{}: `explain` must be a table ([explain])", source));
  return read_entries(table->get("error"), source, "project", "explain.error", false);
}

core::Result<KnowledgeBase> load_knowledge_base(const KnowledgeBaseSources& sources) {
  KnowledgeBase kb;
  if (sources.builtin) {
    for (const EmbeddedFile& file : builtin_kb_files()) {
      std::string source = "data/errors/" + std::string(file.name);
      auto entries = parse_knowledge_file(file.text, source, true);
      // The built-in files are checked by tests; a failure here is a broken build, not user input.
      if (!entries) return core::Error::failure("the built-in knowledge base is broken: " + entries.error().message);
      merge(kb, std::move(*entries));
    }
  }
  if (sources.user_dir) {
    std::error_code ec;
    if (fs::is_directory(*sources.user_dir, ec)) {
      std::vector<fs::path> files;
      for (const auto& item : fs::directory_iterator(*sources.user_dir, ec)) {
        if (item.path().extension() == ".toml") files.push_back(item.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& path : files) {
        auto text = read_file(path);
        if (!text) return text.error();
        auto entries = parse_knowledge_file(*text, path.string(), false);
        if (!entries) return entries.error();
        merge(kb, std::move(*entries));
      }
    }
  }
  if (sources.project_file) {
    std::error_code ec;
    if (fs::is_regular_file(*sources.project_file, ec)) {
      auto text = read_file(*sources.project_file);
      if (!text) return text.error();
      auto entries = parse_project_entries(*text, *sources.project_file);
      if (!entries) return entries.error();
      merge(kb, std::move(*entries));
    }
  }
  return kb;
}

}  // namespace trainctl::errors
