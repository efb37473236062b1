#include "command/request_match.h"

#include <map>
#include <set>

#include <fmt/format.h>

namespace trainctl::command {
namespace {

const std::set<std::string> kStopWords = {
    "the",   "a",       "an",       "on",      "with",   "for",      "of",      "to",       "and",    "in",
    "at",    "using",   "use",      "my",      "our",    "please",   "train",   "training", "trains", "run",
    "start", "launch",  "model",    "models",  "resume", "resuming", "continue", "from",    "eval",   "evaluate",
    "evaluation", "checkpoint", "latest", "last", "it", "this", "that", "project", "config", "dataset", "data",
    "by",    "again",   "now",      "new",     "script", "job",      "experiment", "run's", "via", "into", "up"};

std::vector<std::string> tokens(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) out.push_back(current);
    current.clear();
  };
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u >= 0x80) {
      current += c;
    } else if (u >= 'A' && u <= 'Z') {
      current += static_cast<char>(u + 32);
    } else {
      flush();
    }
  }
  flush();
  return out;
}

// "transformers" matches "transformer"; "stories" matches "story" is not attempted.
std::string singular(const std::string& word) {
  if (word.size() > 3 && word.back() == 's' && word[word.size() - 2] != 's') return word.substr(0, word.size() - 1);
  return word;
}

struct Field {
  double weight;
  std::string what;
  std::set<std::string> words;
  std::string joined;  // all the text's letters and digits, to match "customtransformer"
};

Field field(double weight, std::string what, const std::string& text) {
  Field f{weight, std::move(what), {}, ""};
  for (const auto& t : tokens(text)) {
    f.words.insert(singular(t));
    f.joined += t;
  }
  return f;
}

void add_values(const nlohmann::json& value, std::string& text, std::size_t& budget) {
  if (budget == 0) return;
  if (value.is_string()) {
    --budget;
    text += " " + value.get<std::string>();
  } else if (value.is_object() || value.is_array()) {
    for (const auto& item : value) add_values(item, text, budget);
  }
}

}  // namespace

std::vector<std::string> content_words(const std::vector<std::string>& request) {
  std::vector<std::string> out;
  for (const auto& part : request) {
    for (const auto& t : tokens(part)) {
      if (!kStopWords.count(t)) out.push_back(t);
    }
  }
  return out;
}

void score_candidate(Candidate& candidate, const project::TrainingProject& project,
                     const std::vector<std::string>& words) {
  std::vector<Field> fields;
  const project::ProjectConfig* config = candidate.config ? project.config(*candidate.config) : nullptr;
  if (config) {
    std::string name = config->path.substr(config->path.rfind('/') + 1);
    name = name.substr(0, name.rfind('.'));
    fields.push_back(field(kWeightConfigName, "config name", name + " " + config->hydra_option));
    if (!config->hydra_group.empty()) fields.push_back(field(kWeightEntry, "config group", config->hydra_group));
    std::string dataset;
    std::string values;
    std::size_t budget = 200;
    for (const auto& f : config->file.facts) {
      if (f.kind == project::FactKind::kDataset && f.value.is_string()) dataset += " " + f.value.get<std::string>();
    }
    add_values(config->file.values, values, budget);
    // A Hydra primary config names its group options in its defaults list: `train mnist` is what
    // it runs already when it lists data: mnist.
    std::string chosen;
    if (config->role == project::ConfigRole::kHydraPrimary && config->file.values.contains("defaults") &&
        config->file.values["defaults"].is_array()) {
      for (const auto& item : config->file.values["defaults"]) {
        if (!item.is_object()) continue;
        for (const auto& [group, option] : item.items()) {
          if (option.is_string()) chosen += " " + option.get<std::string>();
        }
      }
    }
    fields.push_back(field(kWeightConfigName, "default choice", chosen));
    fields.push_back(field(kWeightDataset, "dataset", dataset));
    fields.push_back(field(kWeightConfigValue, "config value", values));
  }
  std::string argument_values;
  for (const auto& a : candidate.args) {
    if (a.find('=') != std::string::npos && !a.starts_with("-")) {
      fields.push_back(field(kWeightConfigName, "override", a.substr(a.find('=') + 1)));
    } else if (!a.starts_with("-")) {
      argument_values += " " + a;
    } else if (a.find('=') != std::string::npos) {
      argument_values += " " + a.substr(a.find('=') + 1);
    }
  }
  if (!candidate.recipe.empty()) fields.push_back(field(kWeightRecipe, "documented argument", argument_values));
  fields.push_back(field(kWeightProject, "project folder", candidate.project + " " + project.name));
  const project::EntryPoint* entry = nullptr;
  for (const auto& e : project.entry_points) {
    if (e.path == candidate.entry) entry = &e;
  }
  std::string stem = candidate.entry.substr(candidate.entry.rfind('/') + 1);
  fields.push_back(field(kWeightEntry, "entry point", stem.substr(0, stem.rfind('.')) + " " + (entry ? entry->module : "")));
  if (!candidate.recipe.empty()) {
    std::string recipe_text = candidate.recipe;
    for (const auto& r : project.recipes) {
      if (r.source == candidate.recipe) recipe_text += " " + r.target;
    }
    fields.push_back(field(kWeightRecipe, "documented command", recipe_text));
  }
  if (entry) fields.push_back(field(kWeightDescription, "description", entry->description));

  candidate.score = 0;
  candidate.matched.clear();
  for (const auto& word : words) {
    std::string w = singular(word);
    const Field* best = nullptr;
    for (const auto& f : fields) {
      bool hit = f.words.count(w) > 0 || (w.size() >= 4 && f.joined == w);
      if (hit && (!best || f.weight > best->weight)) best = &f;
    }
    if (!best) continue;
    candidate.score += best->weight;
    candidate.matched.push_back(fmt::format("{}: {}", word, best->what));
  }
}

}  // namespace trainctl::command
