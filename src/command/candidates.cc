#include "command/candidates.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "command/request_match.h"
#include "project/project_scan.h"

namespace trainctl::command {
namespace {

using project::CliFramework;
using project::ConfigRole;

std::string extension_of(const std::string& path) {
  std::size_t dot = path.rfind('.');
  std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
  return ext == "yml" ? "yaml" : ext;
}

bool takes_extension(const project::EntryPoint& entry, const std::string& path) {
  std::string ext = extension_of(path);
  return std::find(entry.config_extensions.begin(), entry.config_extensions.end(), ext) != entry.config_extensions.end();
}

std::vector<std::string> config_args(const project::EntryPoint& entry, const std::string& path) {
  const std::string& flag = entry.config_flag;
  if (flag.empty() || flag[0] != '-') return {path};
  if (entry.cli.style == project::ValueStyle::kEquals) return {flag + "=" + path};
  return {flag, path};
}

// The Hydra groups the primary config's defaults list names (an option of another group needs +).
std::vector<std::string> hydra_default_groups(const project::TrainingProject& p, const project::EntryPoint& e) {
  std::vector<std::string> groups;
  std::string dir = e.hydra_config_dir;
  for (const auto& c : p.configs) {
    if (c.role != ConfigRole::kHydraPrimary || c.hydra_option != e.cli.hydra_config_name) continue;
    if (!c.path.starts_with(dir)) continue;
    const auto& defaults = c.file.values.contains("defaults") ? c.file.values["defaults"] : nlohmann::json();
    if (!defaults.is_array()) continue;
    for (const auto& item : defaults) {
      if (!item.is_object()) continue;
      for (const auto& [group, option] : item.items()) {
        std::string g = group.starts_with("override ") ? group.substr(9) : group;
        if (!g.empty() && g[0] == '/') g = g.substr(1);
        groups.push_back(g.substr(0, g.find('@')));
      }
    }
  }
  return groups;
}

// A config for evaluating, not training: named eval*/test*/sample*/infer*/predict*, or one that
// sets eval_only (nanoGPT's config/eval_gpt2.py).
bool evaluation_config(const project::ProjectConfig& c) {
  std::string name = c.path.substr(c.path.rfind('/') + 1);
  for (const char* prefix : {"eval", "test", "sample", "infer", "predict"}) {
    if (name.starts_with(prefix)) return true;
  }
  const auto& v = c.file.values;
  return v.is_object() && v.contains("eval_only") && v["eval_only"] == true;
}

bool in_dir(const std::string& path, const std::string& dir) {
  return dir.empty() || (path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/');
}

void add_for_entry(const project::TrainingProject& p, const project::EntryPoint& e, std::vector<Candidate>& out) {
  Candidate base;
  base.project_root = p.root;
  base.project = p.relative;
  base.entry = e.path;
  std::size_t first = out.size();
  switch (e.cli.framework) {
    case CliFramework::kHydra: {
      std::vector<std::string> groups = hydra_default_groups(p, e);
      // Another entry point's primary config (eval.yaml beside train.yaml) is not a way to train.
      std::set<std::string> others;
      for (const auto& other : p.entry_points) {
        if (&other != &e && other.cli.framework == CliFramework::kHydra && other.hydra_config_dir == e.hydra_config_dir) {
          others.insert(other.cli.hydra_config_name);
        }
      }
      for (const auto& c : p.configs) {
        if (!in_dir(c.path, e.hydra_config_dir)) continue;
        if (c.role == ConfigRole::kHydraPrimary && others.count(c.hydra_option)) continue;
        Candidate cand = base;
        cand.config = c.path;
        if (c.role == ConfigRole::kHydraPrimary) {
          cand.is_default = c.hydra_option == e.cli.hydra_config_name;
          if (!cand.is_default) cand.args = {"--config-name=" + c.hydra_option};
        } else if (c.role == ConfigRole::kHydraGroup) {
          bool listed = std::find(groups.begin(), groups.end(), c.hydra_group) != groups.end();
          cand.args = {fmt::format("{}{}={}", listed ? "" : "+", c.hydra_group, c.hydra_option)};
        } else {
          continue;
        }
        out.push_back(std::move(cand));
      }
      break;
    }
    case CliFramework::kLightningCli:
    case CliFramework::kConfigurator:
    default:
      if (!e.config_flag.empty()) {
        for (const auto& c : p.configs) {
          if (c.role != ConfigRole::kConfig || !takes_extension(e, c.path) || evaluation_config(c)) continue;
          Candidate cand = base;
          cand.config = c.path;
          cand.args = config_args(e, c.path);
          cand.is_default = c.path == e.default_config;
          out.push_back(std::move(cand));
        }
      }
      break;
  }
  // The commands the project documents for this entry point, when they select something the
  // configs above do not (a Hugging Face script's flags, a Makefile target's arguments).
  for (const auto& r : p.recipes) {
    std::string target = r.script.empty() ? "" : r.script;
    while (target.starts_with("./")) target = target.substr(2);
    bool runs_it = (!r.module.empty() && r.module == e.module) || target == e.path ||
                   (!r.script.empty() && p.relative != "." && target == p.relative + "/" + e.path);
    if (!runs_it || r.args.empty()) continue;
    bool resumes = false;
    for (const auto& a : r.args) {
      if (e.resume && (a == e.resume->flag || a.starts_with(e.resume->flag + "="))) resumes = true;
      if (a == "--do_eval" && std::find(r.args.begin(), r.args.end(), "--do_train") == r.args.end()) resumes = true;
    }
    if (resumes) continue;
    std::optional<std::string> config;
    for (const auto& a : r.args) {
      std::string value = a.substr(a.find('=') + 1);
      if (p.config(value)) config = value;
    }
    if (config && evaluation_config(*p.config(*config))) continue;  // documents an evaluation, not a run
    // Hydra's `+group=option` and `group=option` select the same option.
    auto plain = [](std::vector<std::string> args) {
      for (auto& a : args) {
        if (a.starts_with("+") && !a.starts_with("++")) a = a.substr(1);
      }
      return args;
    };
    auto same = std::find_if(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(), [&](const Candidate& c) {
      return (config && c.config == config) || plain(c.args) == plain(r.args);
    });
    if (same != out.end()) {
      if (same->recipe.empty()) same->recipe = r.source;
      continue;
    }
    Candidate cand = base;
    cand.config = config;
    cand.args = r.args;
    cand.recipe = r.source;
    out.push_back(std::move(cand));
  }
  bool any_default = false;
  for (std::size_t i = first; i < out.size(); ++i) any_default |= out[i].is_default;
  // The entry point with no arguments: when nothing else is known, and for the configurator,
  // whose script's own globals are a complete config.
  if (!any_default && (out.size() == first || e.cli.framework == CliFramework::kConfigurator)) {
    Candidate cand = base;
    cand.is_default = true;
    out.push_back(std::move(cand));
  }
}

// Hydra composes one option per config group, so "the custom transformer on tinystories" is
// model=custom_transformer and data=tinystories together: the best option of every group the
// words match (when a group's best is unique) becomes one more candidate.
void merge_hydra_groups(std::vector<Candidate>& candidates, const project::ProjectScan& scan,
                        const std::vector<std::string>& words) {
  std::vector<Candidate> merged;
  for (const auto& p : scan.projects) {
    for (const auto& e : p.entry_points) {
      if (e.role != project::EntryRole::kTrain || e.cli.framework != CliFramework::kHydra) continue;
      std::vector<std::string> order;
      std::map<std::string, std::vector<const Candidate*>> best;  // group -> its best options
      for (const auto& c : candidates) {
        if (c.project_root != p.root || c.entry != e.path || c.args.size() != 1 || c.score <= 0) continue;
        // Only options the words name; a word found deep in an option's values does not select it.
        bool named = std::any_of(c.matched.begin(), c.matched.end(), [](const std::string& m) {
          return m.ends_with(": config name") || m.ends_with(": override");
        });
        if (!named) continue;
        const std::string& a = c.args[0];
        if (a.starts_with("-") || a.find('=') == std::string::npos) continue;
        std::string group = a.substr(a[0] == '+' ? 1 : 0, a.find('=') - (a[0] == '+' ? 1 : 0));
        auto& list = best[group];
        if (list.empty()) order.push_back(group);
        if (list.empty() || c.score > list[0]->score) {
          list = {&c};
        } else if (c.score == list[0]->score) {
          list.push_back(&c);
        }
      }
      Candidate combined;
      int groups = 0;
      for (const auto& group : order) {
        const auto& list = best[group];
        if (list.size() != 1) continue;
        if (groups++ == 0) combined = *list[0];
        else combined.args.push_back(list[0]->args[0]);
      }
      if (groups < 2) continue;
      combined.is_default = false;
      score_candidate(combined, p, words);
      merged.push_back(std::move(combined));
    }
  }
  candidates.insert(candidates.end(), merged.begin(), merged.end());
}

}  // namespace

const project::TrainingProject* project_of(const project::ProjectScan& scan, const std::string& root) {
  for (const auto& p : scan.projects) {
    if (p.root == root) return &p;
  }
  return nullptr;
}

const project::EntryPoint* entry_of(const project::TrainingProject& project, const std::string& path) {
  for (const auto& e : project.entry_points) {
    if (e.path == path) return &e;
  }
  return nullptr;
}

std::vector<Candidate> train_candidates(const project::ProjectScan& scan) {
  std::vector<Candidate> out;
  for (const auto& p : scan.projects) {
    for (const auto& e : p.entry_points) {
      if (e.role == project::EntryRole::kTrain) add_for_entry(p, e, out);
    }
  }
  return out;
}

std::vector<Candidate> candidates_for_config(const project::ProjectScan& scan, std::vector<Candidate> all,
                                             const std::string& config) {
  std::vector<Candidate> out;
  for (auto& c : all) {
    if (c.config && c.project_root + "/" + *c.config == config) out.push_back(std::move(c));
  }
  if (!out.empty()) return out;
  for (const auto& p : scan.projects) {
    if (!config.starts_with(p.root + "/")) continue;
    std::string rel = config.substr(p.root.size() + 1);
    for (const auto& e : p.entry_points) {
      if (e.role != project::EntryRole::kTrain || e.config_flag.empty()) continue;
      Candidate c;
      c.project_root = p.root;
      c.project = p.relative;
      c.entry = e.path;
      c.config = rel;
      if (e.config_flag[0] == '-') {
        c.args = e.cli.style == project::ValueStyle::kEquals ? std::vector<std::string>{e.config_flag + "=" + rel}
                                                              : std::vector<std::string>{e.config_flag, rel};
      } else {
        c.args = {rel};
      }
      out.push_back(std::move(c));
    }
  }
  return out;
}

std::string absolute_path(const std::string& path, const std::string& working_dir) {
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(working_dir) / p;
  return p.lexically_normal().string();
}

std::vector<std::string> entry_target(const project::EntryPoint& entry) {
  if (!entry.module.empty()) return {"-m", entry.module};
  return {entry.path};
}

std::string train_subcommand(const project::EntryPoint& entry) {
  const auto& cli = entry.cli;
  if (cli.framework == CliFramework::kLightningCli) return cli.lightning_subcommands ? "fit" : "";
  for (const char* name : {"train", "fit", "pretrain", "finetune", "run"}) {
    if (std::find(cli.subcommands.begin(), cli.subcommands.end(), name) != cli.subcommands.end()) return name;
  }
  return cli.subcommands.size() == 1 ? cli.subcommands[0] : "";
}

SelectedConfig selected_config(const project::TrainingProject& project, const project::EntryPoint& entry,
                               const Candidate& candidate) {
  SelectedConfig out;
  if (entry.cli.framework == CliFramework::kHydra) {
    std::string name = entry.cli.hydra_config_name;
    std::vector<std::string> overrides;
    for (const auto& a : candidate.args) {
      if (a.starts_with("--config-name=")) {
        name = a.substr(14);
      } else if (a.find('=') != std::string::npos && !a.starts_with("-")) {
        overrides.push_back(a);
      }
    }
    out.values = project::compose_hydra(project, entry, name, overrides);
    if (candidate.config) out.path = project.root + "/" + *candidate.config;
    out.facts = project::config_facts(out.values);
    return out;
  }
  if (candidate.config) {
    if (const project::ProjectConfig* c = project.config(*candidate.config)) {
      out.path = c->file.path;
      out.values = c->file.values;
      out.facts = c->file.facts;
      if (entry.cli.framework == CliFramework::kConfigurator) {
        // The script's globals, overridden by the config module: what the run sees.
        nlohmann::json merged = entry.cli.globals;
        merged.merge_patch(c->file.values);
        out.values = merged;
        out.facts = project::config_facts(merged);
      }
    } else {
      out.path = project.root + "/" + *candidate.config;
    }
    return out;
  }
  if (entry.cli.framework == CliFramework::kConfigurator) {
    out.values = entry.cli.globals;
    out.facts = project::config_facts(out.values);
  }
  return out;
}

std::variant<Candidate, Ambiguity> choose(std::vector<Candidate>& candidates, const project::ProjectScan& scan,
                                          const std::vector<std::string>& request, std::optional<std::size_t> pick) {
  std::vector<std::string> words = content_words(request);
  for (auto& c : candidates) {
    if (const project::TrainingProject* p = project_of(scan, c.project_root)) score_candidate(c, *p, words);
  }
  if (!words.empty()) merge_hydra_groups(candidates, scan, words);
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  std::string asked;
  for (const auto& w : request) asked += (asked.empty() ? "" : " ") + w;
  if (candidates.empty()) {
    return Ambiguity{"no training entry point was found", {}, true};
  }
  if (pick) {
    if (*pick >= candidates.size()) {
      return Ambiguity{fmt::format("there is no candidate {}; choose 1 to {}", *pick + 1, candidates.size()), candidates,
                       false};
    }
    return candidates[*pick];
  }
  if (words.empty()) {
    if (candidates.size() == 1) return candidates[0];
    std::vector<const Candidate*> defaults;
    for (const auto& c : candidates) {
      if (c.is_default) defaults.push_back(&c);
    }
    bool one_project = std::all_of(candidates.begin(), candidates.end(),
                                   [&](const Candidate& c) { return c.project_root == candidates[0].project_root; });
    if (defaults.size() == 1 && one_project) {
      Candidate chosen = *defaults[0];
      return chosen;
    }
    return Ambiguity{fmt::format("{} ways to train are found here; say which (a project folder, a config name, a"
                                 " dataset) or pass --config",
                                 candidates.size()),
                     candidates, false};
  }
  double top = candidates[0].score;
  if (top <= 0) {
    return Ambiguity{fmt::format("nothing here matches '{}'", asked), candidates, true};
  }
  std::vector<Candidate> tied;
  for (const auto& c : candidates) {
    if (c.score == top) tied.push_back(c);
  }
  if (tied.size() == 1) return tied[0];
  std::vector<const Candidate*> defaults;
  for (const auto& c : tied) {
    if (c.is_default) defaults.push_back(&c);
  }
  bool one_project = std::all_of(tied.begin(), tied.end(),
                                 [&](const Candidate& c) { return c.project_root == tied[0].project_root; });
  if (defaults.size() == 1 && one_project) return *defaults[0];
  return Ambiguity{fmt::format("'{}' fits {} candidates equally; say more, or pass --config", asked, tied.size()),
                   candidates, false};
}

}  // namespace trainctl::command
