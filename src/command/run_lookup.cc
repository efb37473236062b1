#include "command/run_lookup.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "checkpoint/inspect.h"
#include "command/candidates.h"
#include "command/plan_support.h"
#include "project/project_scan.h"

namespace trainctl::command {
namespace {

namespace fs = std::filesystem;

bool is_below(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/';
}

std::string stem_of(const std::string& path) {
  std::string name = fs::path(path).filename().string();
  return name.substr(0, name.rfind('.'));
}

// A folder that is one checkpoint (Hugging Face checkpoint-N, DeepSpeed global_stepN, DCP).
bool is_checkpoint_folder(const std::string& dir) {
  std::error_code ec;
  std::string name = fs::path(dir).filename().string();
  return name.starts_with("checkpoint-") || name.starts_with("global_step") ||
         fs::exists(fs::path(dir) / "trainer_state.json", ec) || fs::exists(fs::path(dir) / ".metadata", ec);
}

struct Latest {
  checkpoint::LatestCheckpoint found;
  std::string dir;
};

// The newest valid checkpoint over several folders; errors of folders without one are dropped
// unless no folder has one, in which case the first real error is returned.
std::variant<Latest, core::Error> latest_in(const std::vector<std::string>& dirs) {
  std::optional<Latest> best;
  std::optional<core::Error> first_error;
  for (const auto& dir : dirs) {
    auto found = checkpoint::latest_checkpoint(dir);
    if (!found) {
      if (!first_error || first_error->message.starts_with("no checkpoint found")) first_error = found.error();
      continue;
    }
    if (!best || checkpoint::newer(found->checkpoint, best->found.checkpoint)) best = Latest{std::move(*found), dir};
  }
  if (best) return std::move(*best);
  if (first_error) return *first_error;
  return core::Error::not_found("no checkpoint found");
}

std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

// The output folder a candidate's run writes to: its config's, or an --output_dir-like argument.
std::optional<std::string> output_dir_of(const project::TrainingProject& p, const Candidate& c) {
  const project::EntryPoint* e = entry_of(p, c.entry);
  if (!e) return std::nullopt;
  static const std::vector<std::string> kFlags = {"--output_dir", "--output-dir", "--out_dir", "--out-dir",
                                                  "--checkpoint_dir", "--checkpoint-dir", "--save_dir", "--save-dir",
                                                  "--ckpt_dir", "--default_root_dir", "--trainer.default_root_dir"};
  for (std::size_t i = 0; i < c.args.size(); ++i) {
    for (const auto& flag : kFlags) {
      std::optional<std::string> value;
      if (c.args[i] == flag && i + 1 < c.args.size()) value = c.args[i + 1];
      if (c.args[i].starts_with(flag + "=")) value = c.args[i].substr(flag.size() + 1);
      if (value && !value->empty()) {
        std::string dir = (*value)[0] == '/' ? *value : p.root + "/" + *value;
        return fs::path(dir).lexically_normal().string();
      }
    }
  }
  SelectedConfig selected = selected_config(p, *e, c);
  return project::config_output_dir(p, selected.values);
}

std::vector<std::string> hydra_overrides(const std::string& file) {
  std::vector<std::string> out;
  auto text = project::read_config(file);
  if (!text.values.is_array()) return out;
  for (const auto& v : text.values) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

// The run folder's own record of how it was started: Hydra's .hydra/overrides.yaml, or the
// config.yaml LightningCLI writes into its log folder.
std::optional<Candidate> saved_run(const project::TrainingProject& p, const std::string& checkpoint_path,
                                   std::string* evidence, std::string* run_dir) {
  fs::path dir = fs::path(checkpoint_path).parent_path();
  for (int level = 0; level < kMaxRunFolderClimb && is_below(dir.string(), p.root); ++level, dir = dir.parent_path()) {
    std::error_code ec;
    if (fs::exists(dir / ".hydra" / "overrides.yaml", ec)) {
      for (const auto& e : p.entry_points) {
        if (e.role != project::EntryRole::kTrain || e.cli.framework != project::CliFramework::kHydra) continue;
        Candidate c;
        c.project_root = p.root;
        c.project = p.relative;
        c.entry = e.path;
        auto hydra = project::read_config((dir / ".hydra" / "hydra.yaml").string());
        const nlohmann::json* name = project::value_at(hydra.values, "hydra.job.config_name");
        if (name && name->is_string()) {
          std::string config_name = name->get<std::string>();
          for (const char* ext : {".yaml", ".yml"}) {
            if (config_name.ends_with(ext)) config_name.resize(config_name.size() - std::string(ext).size());
          }
          if (config_name != e.cli.hydra_config_name) c.args.push_back("--config-name=" + config_name);
        }
        for (const auto& o : hydra_overrides((dir / ".hydra" / "overrides.yaml").string())) {
          std::string key = o.substr(0, o.find('='));
          while (!key.empty() && (key[0] == '+' || key[0] == '~')) key.erase(0, 1);
          if (e.resume && key == e.resume->flag) continue;  // a resume of a resume: the new path replaces it
          c.args.push_back(o);
          std::string group = key;
          for (const auto& cfg : p.configs) {
            if (cfg.hydra_group == group && o.ends_with("=" + cfg.hydra_option)) c.config = cfg.path;
          }
        }
        *evidence = fmt::format("as Hydra saved them in {}",
                                relative_to((dir / ".hydra" / "overrides.yaml").string(), p.root));
        *run_dir = dir.string();
        return c;
      }
    }
    if (fs::exists(dir / "config.yaml", ec)) {
      for (const auto& e : p.entry_points) {
        if (e.role != project::EntryRole::kTrain || e.cli.framework != project::CliFramework::kLightningCli) continue;
        Candidate c;
        c.project_root = p.root;
        c.project = p.relative;
        c.entry = e.path;
        std::string rel = relative_to((dir / "config.yaml").string(), p.root);
        c.args = {"--config", rel};
        c.config = rel;
        *evidence = fmt::format("as LightningCLI saved them in {}", rel);
        *run_dir = dir.string();
        return c;
      }
    }
  }
  return std::nullopt;
}

// Which candidate's run wrote the checkpoint; an Ambiguity when several fit equally.
std::variant<std::monostate, Candidate, Ambiguity> run_of(const project::TrainingProject& p,
                                                         const checkpoint::CheckpointInfo& info,
                                                         std::vector<Candidate>& candidates, std::string* evidence,
                                                         std::string* run_dir) {
  // The config the checkpoint itself names ({"config": {"name": ...}}).
  if (info.config.is_object() && info.config.contains("name") && info.config["name"].is_string()) {
    std::string name = info.config["name"].get<std::string>();
    std::vector<const Candidate*> named;
    for (const auto& c : candidates) {
      if (c.config && (stem_of(*c.config) == name)) named.push_back(&c);
    }
    if (named.size() == 1) {
      *evidence = fmt::format("the checkpoint names its config '{}'", name);
      if (auto out = output_dir_of(p, *named[0])) *run_dir = *out;
      return *named[0];
    }
  }
  double best = 0;
  std::vector<Candidate*> tied;
  for (auto& c : candidates) {
    auto out = output_dir_of(p, c);
    if (!out || !is_below(info.path, *out)) continue;
    // Deeper output folders fit better; a config whose name is a folder on the way fits best.
    double score = static_cast<double>(std::count(out->begin(), out->end(), '/'));
    std::string rest = info.path.substr(out->size() + 1);
    std::string name = c.config ? stem_of(*c.config) : "";
    if (!name.empty() && ("/" + rest).find("/" + name + "/") != std::string::npos) score += 100;
    c.score = score;
    if (score > best) {
      best = score;
      tied = {&c};
    } else if (score == best) {
      tied.push_back(&c);
    }
  }
  if (tied.empty()) return std::monostate{};
  if (tied.size() > 1) {
    std::vector<Candidate*> defaults;
    for (auto* c : tied) {
      if (c->is_default) defaults.push_back(c);
    }
    if (defaults.size() != 1) {
      std::vector<Candidate> listed;
      for (auto* c : tied) listed.push_back(*c);
      return Ambiguity{fmt::format("{} runs write to the folder of {}; say which config it was trained with (trainctl"
                                   " resume NAME)",
                                   tied.size(), info.path),
                       listed, false};
    }
    tied = defaults;
  }
  auto out = output_dir_of(p, *tied[0]);
  *run_dir = out.value_or("");
  *evidence = fmt::format("its output folder, {}, holds the checkpoint", relative_to(*run_dir, p.root));
  return *tied[0];
}

const project::TrainingProject* project_holding(const project::ProjectScan& scan, const std::string& path) {
  const project::TrainingProject* best = nullptr;
  for (const auto& p : scan.projects) {
    if ((path == p.root || is_below(path, p.root)) && (!best || p.root.size() > best->root.size())) best = &p;
  }
  return best;
}

}  // namespace

RunLookupResult find_run(const project::ProjectScan& scan, const PlanRequest& request) {
  if (scan.projects.empty()) {
    return core::Error::not_found(fmt::format("no training project under {}: no train*.py or other entry point found", scan.root));
  }
  RunLookup lookup;
  std::vector<Candidate> all = train_candidates(scan);
  std::string target = join_words(request.words);
  std::optional<Candidate> named_run;

  if (target.empty()) {
    std::vector<std::pair<const project::TrainingProject*, Latest>> found;
    std::optional<core::Error> error;
    for (const auto& p : scan.projects) {
      if (p.checkpoint_dirs.empty()) continue;
      auto latest = latest_in(p.checkpoint_dirs);
      if (auto* l = std::get_if<Latest>(&latest)) {
        found.emplace_back(&p, std::move(*l));
      } else if (!error) {
        error = std::get<core::Error>(latest);
      }
    }
    if (found.empty()) {
      if (error) return *error;
      std::string names;
      for (const auto& p : scan.projects) names += (names.empty() ? "" : ", ") + p.root;
      return core::Error::not_found(fmt::format(
          "no checkpoint folder in {} (looked for checkpoints/, outputs/, runs/, lightning_logs/, out*/ and each"
          " config's output folder); train first, or name a checkpoint: trainctl resume PATH",
          names));
    }
    if (found.size() > 1) {
      Ambiguity a{"several projects here have checkpoints; name one: trainctl resume DIR", {}, false};
      for (const auto& [p, l] : found) {
        Candidate c;
        c.project_root = p->root;
        c.project = p->relative;
        c.entry = p->train_entry() ? p->train_entry()->path : "";
        c.matched = {l.found.checkpoint.path};
        a.candidates.push_back(std::move(c));
      }
      return a;
    }
    lookup.project = found[0].first;
    lookup.checkpoint = std::move(found[0].second.found.checkpoint);
    lookup.skipped = std::move(found[0].second.found.skipped);
  } else {
    fs::path path(target);
    if (path.is_relative()) path = fs::path(request.working_dir) / path;
    std::string absolute = path.lexically_normal().string();
    while (absolute.size() > 1 && absolute.back() == '/') absolute.pop_back();
    std::error_code ec;
    if (fs::exists(absolute, ec)) {
      if (fs::is_directory(absolute, ec) && !is_checkpoint_folder(absolute)) {
        auto latest = checkpoint::latest_checkpoint(absolute);
        if (!latest) return latest.error();
        lookup.checkpoint = std::move(latest->checkpoint);
        lookup.skipped = std::move(latest->skipped);
      } else {
        auto shown = checkpoint::show_checkpoint(absolute);
        if (!shown) return shown.error();
        if (!shown->valid) {
          return core::Error::failure(fmt::format("{} cannot be loaded: {}; name another checkpoint, or run trainctl"
                                                  " resume without one for the latest valid checkpoint",
                                                  absolute, shown->error.value_or("invalid")));
        }
        if (shown->security.verdict == "dangerous") {
          return core::Error::refused(fmt::format("{}: its pickle names globals that can run code (trainctl ckpt scan"
                                                  " shows them); trainctl will not resume from it",
                                                  absolute));
        }
        lookup.checkpoint = std::move(*shown);
      }
      lookup.project = project_holding(scan, lookup.checkpoint.path);
      if (!lookup.project) {
        if (scan.projects.size() != 1) {
          return core::Error::not_found(fmt::format(
              "{} is in none of the projects read under {}; give --project the folder of the project that wrote it",
              lookup.checkpoint.path, scan.root));
        }
        lookup.project = &scan.projects[0];
      }
    } else {
      // A run's name: the config (or Hydra option) it was trained with.
      std::vector<Candidate> with_config;
      for (const auto& c : all) {
        if (c.config) with_config.push_back(c);
      }
      auto chosen = choose(with_config, scan, request.words, request.pick);
      if (auto* a = std::get_if<Ambiguity>(&chosen)) {
        a->message = fmt::format("'{}' is no file or folder, and as a run name: {}", target, a->message);
        return std::move(*a);
      }
      named_run = std::get<Candidate>(chosen);
      lookup.project = project_of(scan, named_run->project_root);
      auto out = output_dir_of(*lookup.project, *named_run);
      if (!out) {
        return core::Error::not_found(fmt::format("the run '{}' ({}) names no output folder, so its checkpoints cannot"
                                                  " be found; give the checkpoint's path instead",
                                                  target, named_run->label()));
      }
      std::string dir = *out;
      std::string name = named_run->config ? stem_of(*named_run->config) : "";
      if (!name.empty() && fs::is_directory(fs::path(dir) / name, ec)) dir = (fs::path(dir) / name).string();
      auto latest = checkpoint::latest_checkpoint(dir);
      if (!latest) return latest.error();
      lookup.checkpoint = std::move(latest->checkpoint);
      lookup.skipped = std::move(latest->skipped);
      lookup.run_dir = dir;
    }
  }

  const project::TrainingProject& p = *lookup.project;
  std::vector<Candidate> candidates;
  for (const auto& c : all) {
    if (c.project_root == p.root) candidates.push_back(c);
  }
  std::string evidence;
  if (!request.config.empty() && !named_run) {
    std::string config = absolute_path(request.config, request.working_dir);
    std::vector<Candidate> given = candidates_for_config(scan, candidates, config);
    if (given.size() != 1) {
      return Ambiguity{fmt::format("--config {} fits {} entry points of {}", request.config, given.size(), p.root), given,
                       given.empty()};
    }
    named_run = given[0];
    if (auto out = output_dir_of(p, *named_run)) lookup.run_dir = *out;
    target = "--config " + request.config;
  }
  if (named_run) {
    lookup.run = named_run;
    evidence = fmt::format("given as '{}'", target);
  } else if (auto saved = saved_run(p, lookup.checkpoint.path, &evidence, &lookup.run_dir)) {
    lookup.run = std::move(*saved);
  } else {
    auto matched = run_of(p, lookup.checkpoint, candidates, &evidence, &lookup.run_dir);
    if (auto* a = std::get_if<Ambiguity>(&matched)) return std::move(*a);
    if (auto* c = std::get_if<Candidate>(&matched)) lookup.run = std::move(*c);
  }
  if (!lookup.run) {
    std::vector<Candidate> trainers;
    for (const auto& c : candidates) trainers.push_back(c);
    if (trainers.size() == 1) {
      lookup.run = trainers[0];
      lookup.notes.push_back(fmt::format("no config's output folder holds {}; resuming with the only way this project"
                                         " trains ({})",
                                         relative_to(lookup.checkpoint.path, p.root), trainers[0].label()));
    } else if (!trainers.empty()) {
      return Ambiguity{fmt::format("no config's output folder holds {}; say which run wrote it (trainctl resume"
                                   " CHECKPOINT with --config, or a run name)",
                                   lookup.checkpoint.path),
                       trainers, false};
    }
  } else {
    lookup.notes.push_back("the original run's config and arguments: " + evidence);
  }
  if (lookup.run) lookup.considered.push_back(*lookup.run);
  for (const auto& c : candidates) {
    if (!lookup.run || c.entry != lookup.run->entry || c.args != lookup.run->args) lookup.considered.push_back(c);
  }
  return lookup;
}

}  // namespace trainctl::command
