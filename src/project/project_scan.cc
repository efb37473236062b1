#include "project/project_scan.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "project/entry_points.h"
#include "project/file_text.h"
#include "project/python_module.h"

namespace trainctl::project {
namespace {

namespace fs = std::filesystem;

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }
bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return s;
}

std::string parent_of(const std::string& rel) {
  std::size_t slash = rel.rfind('/');
  return slash == std::string::npos ? "" : rel.substr(0, slash);
}
std::string base_of(const std::string& rel) {
  std::size_t slash = rel.rfind('/');
  return slash == std::string::npos ? rel : rel.substr(slash + 1);
}
std::string join(const std::string& dir, const std::string& name) { return dir.empty() ? name : dir + "/" + name; }
// rel below dir ("" is the root): the rest of the path, or nullopt.
std::optional<std::string> below(const std::string& rel, const std::string& dir) {
  if (dir.empty()) return rel;
  if (rel.size() > dir.size() && starts_with(rel, dir) && rel[dir.size()] == '/') return rel.substr(dir.size() + 1);
  return std::nullopt;
}
// a/b/../c -> a/c; leading ./ removed; nullopt when it climbs above the start.
std::optional<std::string> normalize(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  std::string out;
  for (const auto& p : parts) out = join(out, p);
  return out;
}

const std::set<std::string> kMarkers = {"readme.md", "readme.rst", "readme", "readme.txt", "pyproject.toml",
                                        "setup.py", "setup.cfg", "requirements.txt", "makefile", "environment.yml",
                                        "environment.yaml"};
const std::set<std::string> kConfigDirs = {"config", "configs", "conf", "cfg", "cfgs", "hparams", "yamls", "recipes",
                                           "experiments", "hydra_configs"};
const std::set<std::string> kNotConfigs = {
    "package.json", "package-lock.json", "tsconfig.json", ".pre-commit-config.yaml", "environment.yml",
    "environment.yaml", "mkdocs.yml", "mkdocs.yaml", "docker-compose.yml", "docker-compose.yaml", "codecov.yml",
    ".readthedocs.yaml", ".readthedocs.yml", "pyproject.toml", "cargo.toml", "vocab.json", "tokenizer.json",
    "tokenizer_config.json", "special_tokens_map.json", "generation_config.json", "citation.cff", "meta.yaml",
    "pixi.toml", "ruff.toml", ".flake8", "setup.cfg", "renovate.json", ".markdownlint.json", "launch.json",
    "settings.json", "extensions.json", "dependabot.yml", "uv.lock", "poetry.lock"};

bool in_config_dir(const std::string& rel) {
  std::string dir = parent_of(rel);
  while (!dir.empty()) {
    if (kConfigDirs.count(lower(base_of(dir)))) return true;
    dir = parent_of(dir);
  }
  return false;
}

bool is_launcher_config(const ConfigFile& config) {
  const auto& v = config.values;
  if (!v.is_object()) return false;
  return v.contains("compute_environment") || v.contains("distributed_type") || v.contains("zero_optimization") ||
         v.contains("train_micro_batch_size_per_gpu") || v.contains("fsdp_config");
}

nlohmann::json scalar_from_override(const std::string& text) {
  auto parsed = parse_yaml(text);
  if (parsed && !parsed->is_object()) return *parsed;
  return text;
}

void set_dotted(nlohmann::json& values, const std::string& dotted, nlohmann::json value) {
  nlohmann::json* node = &values;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = dotted.find('.', start);
    std::string key = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object()) *node = nlohmann::json::object();
    if (dot == std::string::npos) {
      (*node)[key] = std::move(value);
      return;
    }
    node = &(*node)[key];
    start = dot + 1;
  }
}

class Scanner {
  struct Found {
    std::string rel;      // relative to the scanned root
    std::string project;  // the project folder, relative to the scanned root
    EntryPoint entry;
  };

 public:
  explicit Scanner(const ScanLimits& limits) : limits_(limits) {}

  core::Result<ProjectScan> run(const std::string& dir) {
    auto tree = walk_tree(dir, limits_.walk);
    if (!tree) return tree.error();
    tree_ = std::move(*tree);
    scan_.root = tree_.root;
    scan_.skipped = tree_.skipped;
    scan_.files_listed = tree_.files.size();
    scan_.truncated = tree_.truncated;
    scan_.truncated_by = tree_.truncated_by;
    mark_project_folders();
    read_recipes();
    read_console_scripts();
    find_entries();
    build_projects();
    return std::move(scan_);
  }

 private:
  // ---- reading, with the limits ----
  const PythonModule* module(const std::string& rel) {
    auto it = modules_.find(rel);
    if (it != modules_.end()) return it->second.get();
    if (!tree_.has_file(rel) || scan_.files_read >= limits_.max_python_files) {
      if (scan_.files_read >= limits_.max_python_files && !scan_.truncated) {
        scan_.truncated = true;
        scan_.truncated_by = fmt::format("max_python_files ({})", limits_.max_python_files);
      }
      modules_[rel] = nullptr;
      return nullptr;
    }
    ++scan_.files_read;
    auto text = read_file_text(tree_.root + "/" + rel, kMaxPythonSourceBytes);
    std::shared_ptr<PythonModule> m;
    if (text) m = std::make_shared<PythonModule>(read_python(std::move(text->text)));
    modules_[rel] = m;
    return m.get();
  }

  std::string text_of(const std::string& rel, std::size_t max_bytes) {
    ++scan_.files_read;
    auto text = read_file_text(tree_.root + "/" + rel, max_bytes);
    return text ? std::move(text->text) : std::string();
  }

  // ---- project folders ----
  void mark_project_folders() {
    for (const auto& f : tree_.files) {
      std::string dir = parent_of(f);
      if (kMarkers.count(lower(base_of(f)))) marked_.insert(dir);
      // A folder holding a config folder is a project folder too.
      std::string d = dir;
      while (!d.empty()) {
        if (kConfigDirs.count(lower(base_of(d)))) marked_.insert(parent_of(d));
        d = parent_of(d);
      }
    }
  }

  std::string project_folder_for(std::string dir) const {
    while (true) {
      if (marked_.count(dir) || dir.empty()) return dir;
      dir = parent_of(dir);
    }
  }

  // ---- recipes ----
  void read_recipes() {
    std::size_t files = 0;
    for (const auto& f : tree_.files) {
      if (files >= limits_.max_recipe_files) break;
      std::string name = lower(base_of(f));
      bool markdown = starts_with(name, "readme") && (ends_with(name, ".md") || name == "readme");
      bool makefile = name == "makefile" || name == "gnumakefile";
      bool shell = ends_with(name, ".sh") || ends_with(name, ".bash");
      if (!markdown && !makefile && !shell) continue;
      ++files;
      std::string text = text_of(f, kMaxPythonSourceBytes);
      std::vector<Recipe> found = markdown ? recipes_in_markdown(text, f)
                                  : makefile ? recipes_in_makefile(text, f)
                                             : recipes_in_shell(text, f);
      for (auto& r : found) recipes_.push_back({parent_of(f), std::move(r)});
    }
  }

  // The file a recipe runs, relative to the scanned root: its path from the recipe file's project
  // folder, then from the recipe file's own folder.
  std::string recipe_target(const std::string& recipe_dir, const Recipe& r) const {
    std::vector<std::string> bases = {project_folder_for(recipe_dir), recipe_dir};
    for (const auto& base : bases) {
      std::string candidate;
      if (!r.script.empty()) {
        auto n = normalize(join(base, r.script));
        if (n) candidate = *n;
      } else if (!r.module.empty()) {
        std::string path = r.module;
        std::replace(path.begin(), path.end(), '.', '/');
        candidate = tree_.has_file(join(base, path + ".py")) ? join(base, path + ".py") : join(base, path + "/__main__.py");
      }
      if (!candidate.empty() && tree_.has_file(candidate)) return candidate;
    }
    return "";
  }

  // ---- [project.scripts] ----
  void read_console_scripts() {
    for (const auto& f : tree_.files) {
      if (base_of(f) != "pyproject.toml") continue;
      auto values = parse_toml(text_of(f, kMaxConfigBytes));
      if (!values) continue;
      std::string dir = parent_of(f);
      for (const char* table : {"project.scripts", "tool.poetry.scripts"}) {
        const nlohmann::json* scripts = value_at(*values, table);
        if (!scripts || !scripts->is_object()) continue;
        for (const auto& [name, target] : scripts->items()) {
          if (!target.is_string()) continue;
          std::string spec = target.get<std::string>();
          std::string mod = spec.substr(0, spec.find(':'));
          std::string path = mod;
          std::replace(path.begin(), path.end(), '.', '/');
          for (const std::string& base : {dir, join(dir, "src")}) {
            for (const std::string& candidate : {join(base, path + ".py"), join(base, path + "/__main__.py")}) {
              if (tree_.has_file(candidate)) console_scripts_[candidate] = name;
            }
          }
        }
      }
    }
  }

  // ---- entry points ----
  std::vector<const PythonModule*> helpers_of(const std::string& rel, const PythonModule& m) {
    std::vector<const PythonModule*> out;
    std::string dir = parent_of(rel);
    std::set<std::string> seen;
    for (const PythonImport& imp : m.imports) {
      if (out.size() >= limits_.max_helpers_per_entry) break;
      std::string base = dir;
      for (int i = 1; i < imp.level; ++i) base = parent_of(base);
      std::string path = imp.module;
      std::replace(path.begin(), path.end(), '.', '/');
      std::vector<std::string> candidates;
      std::vector<std::string> bases = {base};
      if (imp.level == 0) bases.push_back(project_folder_for(dir));
      for (const auto& b : bases) {
        if (!path.empty()) {
          candidates.push_back(join(b, path + ".py"));
          candidates.push_back(join(b, path + "/__init__.py"));
        }
        if (!imp.name.empty()) candidates.push_back(join(b, join(path, imp.name) + ".py"));
      }
      for (const auto& c : candidates) {
        if (c == rel || seen.count(c) || !tree_.has_file(c)) continue;
        seen.insert(c);
        if (const PythonModule* h = module(c)) out.push_back(h);
        break;
      }
    }
    return out;
  }

  void find_entries() {
    std::set<std::string> candidates;
    for (const auto& f : tree_.files) {
      if (is_entry_candidate_name(f)) candidates.insert(f);
    }
    for (const auto& [path, name] : console_scripts_) candidates.insert(path);
    for (const auto& [dir, r] : recipes_) {
      std::string target = recipe_target(dir, r);
      if (!target.empty()) candidates.insert(target);
    }
    for (const auto& rel : candidates) {
      if (in_test_folder(rel)) continue;
      const PythonModule* m = module(rel);
      if (!m) continue;
      std::vector<const PythonModule*> helpers = helpers_of(rel, *m);
      auto script = console_scripts_.find(rel);
      std::string console = script == console_scripts_.end() ? "" : script->second;
      std::optional<EntryRole> role = classify_entry(rel, *m, helpers, console);
      if (!role && launched_by_recipe(rel) && runs_as_script(*m) && trains(*m, helpers)) role = EntryRole::kTrain;
      if (!role) continue;
      Found found;
      found.rel = rel;
      found.entry.role = *role;
      found.entry.console_script = console;
      found.entry.cli = read_cli(*m, helpers);
      std::string description = found.entry.cli.description.empty() ? m->docstring : found.entry.cli.description;
      found.entry.description = first_paragraph(description);
      found.entry.launcher = detect_launcher(*m, helpers, &found.entry.launcher_evidence);
      place(found, *m);
      found_.push_back(std::move(found));
    }
  }

  bool launched_by_recipe(const std::string& rel) const {
    for (const auto& [dir, r] : recipes_) {
      if (recipe_target(dir, r) == rel) return true;
    }
    return false;
  }

  // Where the entry runs from: its package's parent for python -m, else its project folder.
  void place(Found& found, const PythonModule& m) {
    std::string dir = parent_of(found.rel);
    if (tree_.has_file(join(dir, "__init__.py"))) {
      std::string package = dir;
      while (!parent_of(package).empty() && tree_.has_file(join(parent_of(package), "__init__.py"))) {
        package = parent_of(package);
      }
      if (!package.empty()) {
        std::string top = base_of(package);
        bool uses_package = false;
        for (const PythonImport& imp : m.imports) {
          if (imp.level > 0 || imp.module == top || starts_with(imp.module, top + ".")) uses_package = true;
        }
        // A script that puts the project on sys.path itself (sys.path.insert, rootutils) runs by path.
        bool sets_path = false;
        for (const PythonCall& c : m.calls) {
          if (!c.function.empty()) continue;
          sets_path |= c.callee == "sys.path.insert" || c.callee == "sys.path.append" || c.method() == "setup_root";
        }
        if (uses_package && !sets_path) {
          std::string module_root = parent_of(package);
          std::string rest = *below(found.rel, module_root);
          std::string mod = rest.substr(0, rest.size() - 3);
          std::replace(mod.begin(), mod.end(), '/', '.');
          if (ends_with(mod, ".__main__")) mod.resize(mod.size() - 9);
          found.entry.module = mod;
          found.project = module_root;
          found.entry.path = rest;
          return;
        }
      }
    }
    found.project = project_folder_for(dir);
    found.entry.path = *below(found.rel, found.project);
  }

  // ---- projects ----
  void build_projects() {
    std::map<std::string, TrainingProject> by_folder;
    for (auto& f : found_) {
      TrainingProject& p = by_folder[f.project];
      p.relative = f.project.empty() ? "." : f.project;
      p.root = f.project.empty() ? tree_.root : tree_.root + "/" + f.project;
      p.name = base_of(p.root);
      p.entry_points.push_back(std::move(f.entry));
    }
    std::vector<std::string> folders;
    for (const auto& [folder, p] : by_folder) folders.push_back(folder);
    auto owner = [&folders](const std::string& rel) -> std::optional<std::string> {
      std::optional<std::string> best;
      for (const auto& folder : folders) {
        if ((folder.empty() || below(rel, folder)) && (!best || folder.size() > best->size())) best = folder;
      }
      return best;
    };
    for (const auto& [dir, r] : recipes_) {
      std::string target = recipe_target(dir, r);
      auto folder = owner(target.empty() ? join(dir, "x") : target);
      if (!folder || target.empty()) continue;
      TrainingProject& p = by_folder[*folder];
      Recipe recipe = r;
      std::string rel_target = *below(target, *folder);
      for (EntryPoint& e : p.entry_points) {
        if (e.path != rel_target) continue;
        if (!recipe.script.empty()) e.module.clear();  // the project runs it by path
        if (recipe.launcher != Launcher::kPython && e.role == EntryRole::kTrain) {
          e.launcher = recipe.launcher;
          e.launcher_evidence = fmt::format("{} launches it with {}", recipe.source, launcher_name(recipe.launcher));
        }
      }
      p.recipes.push_back(std::move(recipe));
    }
    std::size_t configs_read = 0;
    for (auto& [folder, p] : by_folder) {
      std::stable_sort(p.entry_points.begin(), p.entry_points.end(), [](const EntryPoint& a, const EntryPoint& b) {
        return static_cast<int>(a.role) < static_cast<int>(b.role);
      });
      // Hydra config folders, relative to the project.
      std::set<std::string> hydra_dirs;
      for (EntryPoint& e : p.entry_points) {
        if (e.cli.framework != CliFramework::kHydra) continue;
        auto dir = normalize(join(parent_of(e.path), e.cli.hydra_config_path));
        if (dir) {
          e.hydra_config_dir = *dir;
          hydra_dirs.insert(*dir);
        }
      }
      bool python_configs = false;
      for (const EntryPoint& e : p.entry_points) python_configs |= e.cli.framework == CliFramework::kConfigurator;
      std::set<std::string> wanted_paths;
      for (const EntryPoint& e : p.entry_points) {
        if (!e.default_config.empty()) wanted_paths.insert(e.default_config);
      }
      for (const Recipe& r : p.recipes) {
        for (const auto& a : r.args) {
          if (config_format_for(a)) wanted_paths.insert(a.substr(a.find('=') + 1));
        }
      }
      for (const auto& f : tree_.files) {
        auto in_project = folder.empty() ? std::optional<std::string>(f) : below(f, folder);
        if (!in_project || owner(f) != folder) continue;
        const std::string& rel = *in_project;
        auto format = config_format_for(rel);
        if (!format || kNotConfigs.count(lower(base_of(rel)))) continue;
        bool hydra = false;
        for (const auto& d : hydra_dirs) hydra |= d.empty() || below(rel, d).has_value();
        if (*format == ConfigFormat::kPython && !(python_configs && in_config_dir(rel))) continue;
        bool top_level = parent_of(rel).empty() && *format != ConfigFormat::kPython &&
                         (lower(rel).find("config") != std::string::npos || lower(rel).find("cfg") != std::string::npos);
        if (!hydra && !in_config_dir(rel) && !top_level && !wanted_paths.count(rel)) continue;
        if (++configs_read > limits_.max_config_files) {
          p.notes.push_back(fmt::format("stopped reading configs at max_config_files ({})", limits_.max_config_files));
          break;
        }
        ++scan_.files_read;
        ProjectConfig config;
        config.path = rel;
        config.file = read_config(p.root + "/" + rel);
        config.file.path = p.root + "/" + rel;
        for (const auto& d : hydra_dirs) {
          auto inside = d.empty() ? std::optional<std::string>(rel) : below(rel, d);
          if (!inside || *format != ConfigFormat::kYaml) continue;
          std::string group = parent_of(*inside);
          std::string name = base_of(*inside);
          config.hydra_option = name.substr(0, name.rfind('.'));
          config.hydra_group = group;
          config.role = group.empty() ? ConfigRole::kHydraPrimary : ConfigRole::kHydraGroup;
        }
        if (config.role == ConfigRole::kConfig && is_launcher_config(config.file)) config.role = ConfigRole::kLauncher;
        if (config.file.error) p.notes.push_back(fmt::format("{}: {}", rel, *config.file.error));
        p.configs.push_back(std::move(config));
      }
      for (EntryPoint& e : p.entry_points) {
        nlohmann::json primary = nlohmann::json::object();
        if (e.cli.framework == CliFramework::kHydra && !e.cli.hydra_config_name.empty()) {
          primary = compose_hydra(p, e, e.cli.hydra_config_name, {});
        }
        read_conventions(e, primary);
        if (!e.default_config.empty()) {
          auto n = normalize(e.default_config);
          e.default_config = n && p.config(*n) ? *n : "";
        }
      }
      collect_checkpoint_dirs(folder, p, owner);
      scan_.projects.push_back(std::move(p));
    }
  }

  template <typename Owner>
  void collect_checkpoint_dirs(const std::string& folder, TrainingProject& p, const Owner& owner) {
    std::set<std::string> dirs;
    for (const SkippedFolder& s : tree_.skipped) {
      if (s.kind != SkipKind::kCheckpoints) continue;
      if ((folder.empty() || below(s.path, folder)) && owner(s.path) == folder) dirs.insert(tree_.root + "/" + s.path);
    }
    for (const ProjectConfig& c : p.configs) {
      if (c.role == ConfigRole::kLauncher) continue;
      if (auto out = config_output_dir(p, c.file.values)) {
        std::error_code ec;
        if (fs::is_directory(*out, ec)) dirs.insert(*out);
      }
    }
    // The output folder a documented command writes to (a Hugging Face example's --output_dir).
    for (const Recipe& r : p.recipes) {
      for (std::size_t i = 0; i < r.args.size(); ++i) {
        std::string value;
        for (const char* flag : {"--output_dir", "--output-dir", "--out_dir", "--checkpoint_dir", "--save_dir"}) {
          if (r.args[i] == flag && i + 1 < r.args.size()) value = r.args[i + 1];
          if (r.args[i].starts_with(std::string(flag) + "=")) value = r.args[i].substr(std::string(flag).size() + 1);
        }
        if (value.empty() || value.find('$') != std::string::npos) continue;
        std::string dir = fs::path(value[0] == '/' ? value : p.root + "/" + value).lexically_normal().string();
        std::error_code ec;
        if (fs::is_directory(dir, ec)) dirs.insert(dir);
      }
    }
    // A checkpoint folder inside another listed one is part of it.
    for (const auto& d : dirs) {
      bool nested = false;
      for (const auto& other : dirs) nested |= other != d && starts_with(d, other + "/");
      if (!nested) p.checkpoint_dirs.push_back(d);
    }
  }

  ScanLimits limits_;
  ProjectTree tree_;
  ProjectScan scan_;
  std::set<std::string> marked_;
  std::map<std::string, std::shared_ptr<PythonModule>> modules_;
  std::vector<std::pair<std::string, Recipe>> recipes_;  // (folder of the file it is in, recipe)
  std::map<std::string, std::string> console_scripts_;   // file -> script name
  std::vector<Found> found_;
};

}  // namespace

core::Result<ProjectScan> scan_projects(const std::string& dir, const ScanLimits& limits) {
  return Scanner(limits).run(dir);
}

nlohmann::json compose_hydra(const TrainingProject& project, const EntryPoint& entry, const std::string& config_name,
                             const std::vector<std::string>& overrides) {
  std::string dir = entry.hydra_config_dir.empty() ? project.root : project.root + "/" + entry.hydra_config_dir;
  auto load = [&dir](const std::string& name) {
    std::string path = dir + "/" + name + ".yaml";
    std::error_code ec;
    if (!fs::exists(path, ec)) path = dir + "/" + name + ".yml";
    return read_config(path);
  };
  ConfigFile primary = load(config_name);
  nlohmann::json values = primary.values.is_object() ? primary.values : nlohmann::json::object();
  std::vector<std::pair<std::string, nlohmann::json>> choices;
  if (values.contains("defaults") && values["defaults"].is_array()) {
    for (const auto& item : values["defaults"]) {
      if (!item.is_object()) continue;
      for (const auto& [group, option] : item.items()) {
        std::string g = group;
        if (starts_with(g, "override ")) g = g.substr(9);
        if (!g.empty() && g[0] == '/') g = g.substr(1);
        g = g.substr(0, g.find('@'));
        auto it = std::find_if(choices.begin(), choices.end(), [&g](const auto& c) { return c.first == g; });
        if (it != choices.end()) {
          it->second = option;
        } else {
          choices.emplace_back(g, option);
        }
      }
    }
  }
  values.erase("defaults");
  std::vector<std::pair<std::string, nlohmann::json>> assignments;
  for (const auto& o : overrides) {
    std::size_t eq = o.find('=');
    if (eq == std::string::npos) continue;
    std::string key = o.substr(0, eq);
    while (!key.empty() && (key[0] == '+' || key[0] == '~')) key.erase(0, 1);
    std::string value = o.substr(eq + 1);
    std::error_code ec;
    if (fs::is_directory(dir + "/" + key, ec)) {
      auto it = std::find_if(choices.begin(), choices.end(), [&key](const auto& c) { return c.first == key; });
      if (it != choices.end()) {
        it->second = value;
      } else {
        choices.emplace_back(key, value);
      }
    } else {
      assignments.emplace_back(key, scalar_from_override(value));
    }
  }
  for (const auto& [group, option] : choices) {
    if (!option.is_string()) continue;
    ConfigFile part = load(group + "/" + option.get<std::string>());
    if (!part.values.is_object()) continue;
    nlohmann::json body = part.values;
    body.erase("defaults");
    if (part.hydra_package == "_global_") {
      values.merge_patch(body);
    } else {
      std::string key = group;
      std::replace(key.begin(), key.end(), '/', '.');
      nlohmann::json wrapped = nlohmann::json::object();
      set_dotted(wrapped, key, body);
      values.merge_patch(wrapped);
    }
  }
  for (auto& [key, value] : assignments) set_dotted(values, key, std::move(value));
  return values;
}

std::optional<std::string> config_output_dir(const TrainingProject& project, const nlohmann::json& values) {
  for (const ConfigFact& f : config_facts(values)) {
    if (f.kind != FactKind::kOutputDir || !f.value.is_string()) continue;
    std::string path = f.value.get<std::string>();
    if (path.empty() || path.find("${") != std::string::npos) continue;
    if (path[0] != '/') path = project.root + "/" + path;
    return fs::path(path).lexically_normal().string();
  }
  return std::nullopt;
}

}  // namespace trainctl::project
