#include "safety/project_policy.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
// toml++ is used header-only, in this one translation unit, so trainctl loads no extra library.
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

#include "safety/policy_rules.h"

namespace trainctl::safety {
namespace {

std::vector<std::string> split_words(const std::string& prefix) {
  std::vector<std::string> words;
  std::istringstream in(prefix);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

core::Result<std::vector<std::vector<std::string>>> prefixes(const toml::table& safety, const char* key,
                                                            const std::string& source) {
  std::vector<std::vector<std::string>> out;
  const toml::node* node = safety.get(key);
  if (!node) return out;
  const toml::array* array = node->as_array();
  if (!array) {
    return core::Error::usage(fmt::format("{}: [safety] {} must be a list of commands, e.g. {} = [\"git push\"]", source,
                                          key, key));
  }
  for (const auto& item : *array) {
    auto text = item.value<std::string>();
    if (!text || split_words(*text).empty()) {
      return core::Error::usage(fmt::format("{}: [safety] {} holds a value that is not a command string", source, key));
    }
    out.push_back(split_words(*text));
  }
  return out;
}

}  // namespace

core::Result<ProjectPolicy> parse_project_policy(const std::string& text, const std::string& source) {
  toml::parse_result parsed = toml::parse(text, source);
  if (!parsed) {
    const auto& error = parsed.error();
    return core::Error::usage(fmt::format("{}:{}:{}: {} (fix the file, or remove it to use the default policy)", source,
                                          error.source().begin.line, error.source().begin.column,
                                          std::string(error.description())));
  }
  ProjectPolicy policy;
  policy.source = source;
  const toml::table& root = parsed.table();
  const toml::node* safety_node = root.get("safety");
  if (!safety_node) return policy;
  const toml::table* safety = safety_node->as_table();
  if (!safety) return core::Error::usage(fmt::format("{}: 'safety' must be a table ([safety])", source));
  auto deny = prefixes(*safety, "deny", source);
  if (!deny) return deny.error();
  auto confirm = prefixes(*safety, "confirm", source);
  if (!confirm) return confirm.error();
  policy.deny = std::move(*deny);
  policy.confirm = std::move(*confirm);
  if (const toml::node* rules_node = safety->get("rules")) {
    const toml::table* rules = rules_node->as_table();
    if (!rules) return core::Error::usage(fmt::format("{}: [safety.rules] must be a table of rule = \"verdict\"", source));
    for (const auto& [key, value] : *rules) {
      std::string id(key.str());
      const PolicyRule* rule = find_policy_rule(id);
      if (!rule) {
        return core::Error::usage(fmt::format("{}: [safety.rules] names '{}', which is not a rule (see `trainctl "
                                              "check-command --rules`)", source, id));
      }
      auto name = value.value<std::string>();
      auto verdict = name ? parse_verdict(*name) : std::nullopt;
      if (!verdict) {
        return core::Error::usage(fmt::format("{}: [safety.rules] {} must be \"allow\", \"confirm\" or \"deny\"", source, id));
      }
      if (*verdict < rule->verdict) {
        return core::Error::usage(fmt::format(
            "{}: [safety.rules] {} = \"{}\" would loosen a {} rule; a project may only tighten the policy", source, id,
            *name, verdict_name(rule->verdict)));
      }
      policy.raised[id] = *verdict;
    }
  }
  for (const auto& [key, value] : *safety) {
    std::string k(key.str());
    if (k != "deny" && k != "confirm" && k != "rules" && k != "allow") {
      return core::Error::usage(fmt::format("{}: [safety] has an unknown key '{}' (known: deny, confirm, rules)", source, k));
    }
    if (k == "allow") {
      return core::Error::usage(fmt::format("{}: [safety] allow is not supported: a project may only tighten the policy",
                                            source));
    }
    (void)value;
  }
  return policy;
}

core::Result<ProjectPolicy> load_project_policy(const std::string& project_root) {
  std::filesystem::path path = std::filesystem::path(project_root) / kProjectSettingsFile;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return ProjectPolicy{};
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return core::Error::failure(fmt::format("{}: cannot read it: {}", path.string(), ec.message()));
  if (size > kMaxProjectSettingsBytes) {
    return core::Error::usage(fmt::format("{}: {} bytes is larger than the {} bytes a settings file may have",
                                          path.string(), size, kMaxProjectSettingsBytes));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return core::Error::failure(fmt::format("{}: cannot read it", path.string()));
  return parse_project_policy(text.str(), path.string());
}

}  // namespace trainctl::safety
