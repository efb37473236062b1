#include "errors/explain.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "core/json_util.h"
#include "errors/finding_notes.h"
#include "errors/pattern_set.h"
#include "errors/run_context.h"

namespace trainctl::errors {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxExceptionsMatched = 400;
constexpr std::size_t kMaxEvidenceChars = 2000;

std::string cut(std::string_view text, std::size_t limit = kMaxEvidenceChars) {
  if (text.size() <= limit) return std::string(text);
  return std::string(text.substr(0, limit)) + "...";
}

// The entries whose patterns match one normalised line (Hyperscan, then RE2, then `exclude`).
std::set<std::size_t> entries_matching(const PatternSet& patterns, std::string_view line) {
  struct Ids {
    std::vector<unsigned> ids;
  } found;
  auto status = patterns.scan(line, [](unsigned id, std::uint64_t, void* ctx) {
    auto* f = static_cast<Ids*>(ctx);
    if (std::find(f->ids.begin(), f->ids.end(), id) == f->ids.end()) f->ids.push_back(id);
    return 0;
  }, &found);
  std::set<std::size_t> out;
  if (!status) return out;
  for (unsigned id : found.ids) {
    const PatternRef& ref = patterns.ref(id);
    if (ref.is_marker || out.count(ref.index)) continue;
    if (patterns.confirm(id, line) && !patterns.excluded(ref.index, line)) out.insert(ref.index);
  }
  return out;
}

std::string exception_text(const PythonException& ex) {
  return ex.message.empty() ? ex.type : ex.type + ": " + ex.message;
}

struct ExceptionRef {
  std::size_t chain = 0;
  std::size_t index = 0;
};

// Where a line number sits among the chains' exception and message lines.
std::map<std::uint64_t, ExceptionRef> exception_lines(const std::vector<ExceptionChain>& chains) {
  std::map<std::uint64_t, ExceptionRef> out;
  for (std::size_t c = 0; c < chains.size(); ++c) {
    for (std::size_t i = 0; i < chains[c].exceptions.size(); ++i) {
      const PythonException& ex = chains[c].exceptions[i];
      if (ex.line == 0) continue;
      out[ex.line] = {c, i};
      for (auto n : ex.message_line_numbers) out[n] = {c, i};
    }
  }
  return out;
}

std::string first_word_number(std::string_view text, std::initializer_list<std::string_view> words) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view w : words) {
    std::size_t at = lower.find(w);
    while (at != std::string::npos) {
      bool word_start = at == 0 || !std::isalnum(static_cast<unsigned char>(lower[at - 1]));
      std::size_t i = at + w.size();
      while (i < lower.size() && (lower[i] == ' ' || lower[i] == ':' || lower[i] == '=' || lower[i] == '\'' || lower[i] == '"')) ++i;
      std::size_t j = i;
      while (j < lower.size() && (std::isdigit(static_cast<unsigned char>(lower[j])) || lower[j] == '.' || lower[j] == 'e' ||
                                  lower[j] == '-' || lower[j] == '+')) {
        ++j;
      }
      if (word_start && j > i && std::isdigit(static_cast<unsigned char>(lower[i]))) return std::string(text.substr(i, j - i));
      at = lower.find(w, at + 1);
    }
  }
  return "";
}

std::string join_lines(const std::string& first, const std::vector<std::string>& rest) {
  std::string out = first;
  for (const auto& r : rest) out += "\n" + r;
  return out;
}

double confidence_for(double score, bool root_exception) {
  double c = 0.3 + 0.55 * std::min(1.0, score / 115.0) + (root_exception ? 0.1 : 0.0);
  return std::clamp(c, 0.05, 0.97);
}

}  // namespace

std::string render_template(std::string_view text, const std::map<std::string, std::string>& values) {
  // Sentences end at ". " before a capital letter or a backquote; each is kept only when every
  // {name} in it is known.
  std::vector<std::string_view> sentences;
  std::size_t start = 0;
  for (std::size_t i = 0; i + 2 < text.size(); ++i) {
    if (text[i] == '.' && text[i + 1] == ' ' && (std::isupper(static_cast<unsigned char>(text[i + 2])) || text[i + 2] == '`')) {
      sentences.push_back(text.substr(start, i + 1 - start));
      start = i + 2;
    }
  }
  sentences.push_back(text.substr(start));
  std::string out;
  for (std::string_view s : sentences) {
    std::string rendered;
    bool complete = true;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '{') {
        std::size_t close = s.find('}', i);
        if (close != std::string_view::npos) {
          std::string name(s.substr(i + 1, close - i - 1));
          bool is_name = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
          });
          if (is_name) {
            auto it = values.find(name);
            if (it == values.end() || it->second.empty()) {
              complete = false;
              break;
            }
            rendered += it->second;
            i = close;
            continue;
          }
        }
      }
      rendered += s[i];
    }
    if (!complete) continue;
    if (!out.empty()) out += ' ';
    out += rendered;
  }
  return out;
}

nlohmann::json Finding::to_json() const {
  nlohmann::json evidence_json = nlohmann::json::array();
  for (const auto& e : evidence) {
    evidence_json.push_back({{"line", e.line}, {"text", e.text}, {"rank", e.rank < 0 ? nlohmann::json(nullptr) : nlohmann::json(e.rank)}});
  }
  nlohmann::json fixes_json = nlohmann::json::array();
  for (const auto& f : fixes) {
    fixes_json.push_back({{"title", f.title}, {"detail", f.detail}, {"action", f.action}, {"config_keys", f.config_keys},
                          {"patched", f.patched}});
  }
  nlohmann::json j = {{"id", id},
                      {"title", title},
                      {"family", family},
                      {"confidence", std::round(confidence * 100) / 100},
                      {"score", score},
                      {"priority", priority},
                      {"count", count},
                      {"rank", rank < 0 ? nlohmann::json(nullptr) : nlohmann::json(rank)},
                      {"root_exception", root_exception},
                      {"evidence", evidence_json},
                      {"cause", cause},
                      {"fixes", fixes_json},
                      {"values", values},
                      {"where", where ? where->to_json() : nlohmann::json(nullptr)},
                      {"notes", notes},
                      {"see_also", see_also}};
  j["patch"] = patch ? nlohmann::json(patch->diff) : nlohmann::json(nullptr);
  j["patch_detail"] = patch ? patch->to_json() : nlohmann::json(nullptr);
  return j;
}

nlohmann::json Explanation::to_json() const {
  nlohmann::json findings_json = nlohmann::json::array();
  for (const auto& f : findings) findings_json.push_back(f.to_json());
  nlohmann::json chain_json = nlohmann::json::array();
  for (const auto& e : chain) chain_json.push_back(e.to_json());
  nlohmann::json frames_json = nlohmann::json::array();
  if (exception) {
    for (const auto& f : exception->frames) frames_json.push_back(f.to_json());
  }
  nlohmann::json workers_json = nlohmann::json::array();
  for (const auto& w : workers) {
    workers_json.push_back({{"rank", w.rank}, {"local_rank", w.local_rank}, {"exitcode", core::json_or_null(w.exitcode)},
                            {"host", w.host}, {"time", w.time}, {"traceback", w.traceback}, {"root_cause", w.root_cause},
                            {"line", w.line}});
  }
  nlohmann::json exit_json = nullptr;
  if (exit) {
    exit_json = {{"code", exit->code}, {"signal", exit->signal.empty() ? nlohmann::json(nullptr) : nlohmann::json(exit->signal)},
                 {"meaning", exit->meaning}, {"line", exit->line}, {"rank", exit->rank < 0 ? nlohmann::json(nullptr) : nlohmann::json(exit->rank)}};
  }
  return {{"source", {{"name", source}, {"bytes", bytes}, {"lines", lines}}},
          {"clean", clean()},
          {"findings", findings_json},
          {"more_findings", more_findings},
          {"exception", exception ? exception->to_json() : nlohmann::json(nullptr)},
          {"chain", chain_json},
          {"frames", frames_json},
          {"workers", workers_json},
          {"first_failing_rank", first_failing_rank < 0 ? nlohmann::json(nullptr) : nlohmann::json(first_failing_rank)},
          {"exit", exit_json},
          {"ended", {{"state", ended.state}, {"line", core::json_or_null(ended.line)},
                     {"text", ended.text.empty() ? nlohmann::json(nullptr) : nlohmann::json(ended.text)}, {"detail", ended.detail}}},
          {"command", core::json_or_null(command)},
          {"config", config_file ? nlohmann::json{{"file", *config_file}, {"from", config_from}} : nlohmann::json(nullptr)},
          {"knowledge_base", {{"entries", kb_entries}, {"patterns", patterns}}}};
}

core::Result<Explanation> explain(const ExplainRequest& request) {
  auto kb = load_knowledge_base(request.kb_sources);
  if (!kb) return kb.error();
  auto patterns = PatternSet::compile(*kb, {request.cache_dir});
  if (!patterns) return patterns.error();

  std::optional<LogReader> reader;
  std::string source;
  switch (request.input) {
    case ExplainRequest::Input::kFile: {
      auto opened = LogReader::open_file(request.path, request.window_bytes);
      if (!opened) return opened.error();
      reader.emplace(std::move(*opened));
      source = request.path;
      break;
    }
    case ExplainRequest::Input::kDescriptor:
      reader.emplace(LogReader::from_descriptor(request.fd, request.window_bytes));
      source = "-";
      break;
    case ExplainRequest::Input::kText:
      reader.emplace(LogReader::from_text(request.text, request.window_bytes));
      source = "--text";
      break;
  }
  auto scanned = scan_log(*reader, *patterns, kb->entries.size(), request.limits);
  if (!scanned) return scanned.error();
  const LogScan& scan = *scanned;

  // Structure: tracebacks and torchrun's summary, from the lines kept around their markers.
  std::vector<ExceptionChain> chains;
  std::vector<WorkerFailure> workers;
  for (const auto& region : scan.regions) {
    for (auto& chain : parse_tracebacks(region)) chains.push_back(std::move(chain));
    for (auto& w : parse_worker_failures(region)) workers.push_back(std::move(w));
  }
  std::stable_sort(chains.begin(), chains.end(),
                   [](const ExceptionChain& a, const ExceptionChain& b) { return a.first_line() < b.first_line(); });

  // Which entries each exception line matches, whether or not the scan kept that hit.
  std::vector<ExceptionMatch> matches;
  std::size_t matched = 0;
  for (const auto& chain : chains) {
    for (const auto& ex : chain.exceptions) {
      if (ex.line == 0 || ++matched > kMaxExceptionsMatched) continue;
      auto add = [&](std::uint64_t line, std::string_view text) {
        auto found = entries_matching(*patterns, text);
        if (!found.empty()) matches.push_back({line, std::move(found)});
      };
      add(ex.line, exception_text(ex));
      for (std::size_t k = 0; k < ex.message_lines.size() && k < 12; ++k) add(ex.message_line_numbers[k], ex.message_lines[k]);
    }
  }

  RootCauseInput input{&*kb, &scan, &chains, &workers, &matches};
  RootCause root = find_root_cause(input);
  auto where_line = exception_lines(chains);

  Explanation out;
  out.source = source;
  out.bytes = scan.bytes;
  out.lines = scan.lines;
  out.workers = workers;
  out.exit = root.exit;
  out.ended = root.ended;
  out.first_failing_rank = root.first_failing_rank;
  out.kb_entries = kb->entries.size();
  out.patterns = patterns->size();

  // The context fixes are shown against: the command, its config, the user's code.
  RunContextRequest context_request{request.project_dir, std::nullopt, request.config_path, request.home};
  if (request.input == ExplainRequest::Input::kFile) context_request.log_path = request.path;
  auto found_context = find_run_context(context_request, scan.markers, chains);
  if (!found_context) return found_context.error();
  const RunContext& context = *found_context;
  out.command = context.command;
  out.config_file = context.config_file;
  out.config_from = context.config_from;
  const std::optional<ConfigText>& config = context.config;
  const std::string& config_display = context.config_display;
  const ProjectCode& code = context.code;
  const auto& data_vocab = context.log_vocab;

  // Findings, best first.
  const std::vector<ExceptionChain>* chain_list = &chains;
  auto exception_of = [&](std::uint64_t line) -> const PythonException* {
    auto it = where_line.find(line);
    if (it == where_line.end()) return nullptr;
    return &(*chain_list)[it->second.chain].exceptions[it->second.index];
  };
  std::vector<Finding> findings;
  for (const RankedEntry& r : root.ranked) {
    const ErrorEntry& entry = kb->entries[r.entry];
    const EntryHits& hits = scan.entries[r.entry];
    Finding f;
    f.id = entry.id;
    f.title = entry.title;
    f.family = entry.family;
    f.priority = entry.priority;
    f.score = r.score;
    f.count = std::max<std::uint64_t>(hits.count, r.exception_lines.empty() ? 0 : 1);
    f.root_exception = r.on_root_exception;
    f.see_also = entry.see_also;

    // Evidence: the exception lines it matched (the root's first), the first hits, the last one.
    std::vector<Evidence> ev;
    const PythonException* about = nullptr;
    for (std::uint64_t line : r.exception_lines) {
      const PythonException* ex = exception_of(line);
      if (!ex) continue;
      bool is_root = root.root_chain && chains[*root.root_chain].rank == ex->rank &&
                     std::any_of(chains[*root.root_chain].exceptions.begin(), chains[*root.root_chain].exceptions.end(),
                                 [&](const PythonException& x) { return x.line == ex->line; });
      if (!about || (is_root && !f.where)) {
        about = ex;
        if (const Frame* uf = ex->user_frame()) f.where = *uf;
      }
      std::string text = line == ex->line ? exception_text(*ex) : "";
      for (std::size_t k = 0; text.empty() && k < ex->message_line_numbers.size(); ++k) {
        if (ex->message_line_numbers[k] == line) text = ex->message_lines[k];
      }
      ev.push_back({line, ex->rank, cut(text)});
      patterns->extract(r.entry, join_lines(exception_text(*ex), ex->message_lines), f.values);
    }
    for (const LineHit& h : hits.hits) {
      if (ev.size() >= kMaxEvidence + 4) break;
      ev.push_back({h.line, h.rank, cut(h.text)});
    }
    for (const LineHit& h : hits.hits) {
      patterns->extract(r.entry, h.text, f.values);
      if (!h.after.empty()) patterns->extract(r.entry, join_lines(h.text, h.after), f.values);
    }
    if (hits.last) {
      ev.push_back({hits.last->line, hits.last->rank, cut(hits.last->text)});
      patterns->extract(r.entry, hits.last->text, f.values);
    }
    std::sort(ev.begin(), ev.end(), [](const Evidence& a, const Evidence& b) { return a.line < b.line; });
    ev.erase(std::unique(ev.begin(), ev.end(), [](const Evidence& a, const Evidence& b) { return a.line == b.line; }), ev.end());
    if (ev.size() > kMaxEvidence) {
      // Keep the first ones and the last one: where it began and where it ended.
      Evidence last = ev.back();
      ev.resize(kMaxEvidence - 1);
      ev.push_back(last);
    }
    f.evidence = std::move(ev);
    f.rank = about ? about->rank : (hits.hits.empty() ? -1 : hits.hits.front().rank);
    if (f.rank >= 0) f.values.emplace("rank", std::to_string(f.rank));
    if (about) {
      f.values.emplace("exception_type", about->type);
      f.values.emplace("exception_message", cut(about->message, 500));
    }
    if (f.where) {
      f.values.emplace("user_file", f.where->file);
      f.values.emplace("user_line", std::to_string(f.where->file_line));
      if (!f.where->code.empty()) f.values.emplace("user_code", f.where->code);
    }
    // What each kind of error needs from the log beyond its own line.
    if (entry.id == "nan_loss" && !hits.hits.empty()) {
      const LineHit& first = hits.hits.front();
      f.values.emplace("first_nan_line", std::to_string(first.line));
      std::string step = first_word_number(first.text, {"step", "iter", "iteration", "global_step"});
      if (!step.empty()) f.values.emplace("step", step);
      std::string lr = first_word_number(first.text, {"learning_rate", "lr"});
      if (!lr.empty()) f.values.emplace("lr", lr);
      std::string epoch = first_word_number(first.text, {"epoch"});
      if (!epoch.empty()) f.values.emplace("epoch", epoch);
    }
    if (entry.id == "state_dict_missing_unexpected_keys") {
      auto missing = f.values.find("missing_first");
      auto unexpected = f.values.find("unexpected_first");
      if (missing != f.values.end() && unexpected != f.values.end()) {
        const std::string& m = missing->second;
        const std::string& u = unexpected->second;
        if (u.size() > m.size() && u.compare(u.size() - m.size(), m.size(), m) == 0) {
          f.values.emplace("strip_prefix", u.substr(0, u.size() - m.size()));
        } else if (m.size() > u.size() && m.compare(m.size() - u.size(), u.size(), u) == 0) {
          f.values.emplace("add_prefix", m.substr(0, m.size() - u.size()));
        }
      }
    }
    if (config) {
      for (const auto& v : config->values()) {
        bool wanted = (entry.id == "cuda_oom" && (is_batch_key(v.key) || is_accumulation_key(v.key))) ||
                      (entry.id == "nan_loss" && (is_learning_rate_key(v.key) || v.key == "fp16" || v.key == "bf16" ||
                                                  v.key == "mixed_precision" || v.key == "precision" ||
                                                  v.key == "warmup_steps" || v.key == "grad_clip" || v.key == "max_grad_norm")) ||
                      ((entry.id == "index_out_of_range_embedding" || entry.id == "device_side_assert") &&
                       (v.key == "vocab_size" || v.key == "max_position_embeddings" || v.key == "block_size" ||
                        v.key == "num_labels" || v.key == "num_classes"));
        if (wanted) f.values.emplace("config." + v.path, v.text);
      }
    }
    add_notes(f, entry.id, config ? &*config : nullptr, config_display);
    f.cause = render_template(entry.cause, f.values);
    for (const Fix& fix : entry.fixes) {
      f.fixes.push_back({render_template(fix.title, f.values), render_template(fix.detail, f.values), fix.action,
                         fix.config_keys, false});
    }
    // The change, shown against the config the run used.
    const std::string config_path = context.config_file.value_or("");
    std::string display = config_display.empty() ? config_path : config_display;
    if (entry.id == "cuda_oom") {
      if (config) f.patch = plan_memory_patch(*config, config_path, display, code);
      if (!f.patch && out.command) f.patch = plan_memory_command(*out.command);
    } else if (entry.id == "nan_loss" && config) {
      f.patch = plan_nan_patch(*config, config_path, display);
    } else if ((entry.id == "index_out_of_range_embedding" || entry.id == "device_side_assert") && config && data_vocab) {
      f.values.emplace("log_vocab_size", std::to_string(data_vocab->first));
      f.patch = plan_vocab_patch(*config, config_path, display, data_vocab->first);
      if (f.patch) {
        f.notes.push_back(fmt::format("The log reports a vocabulary of {} (line {}), more than the model's embedding has.",
                                      data_vocab->first, data_vocab->second));
      }
    }
    if (f.patch) {
      for (auto& fix : f.fixes) {
        for (const auto& change : f.patch->changes) {
          std::string key = change.key.substr(change.key.rfind('.') == std::string::npos ? 0 : change.key.rfind('.') + 1);
          if (std::find(fix.config_keys.begin(), fix.config_keys.end(), key) != fix.config_keys.end() ||
              std::find(fix.config_keys.begin(), fix.config_keys.end(), change.key) != fix.config_keys.end()) {
            fix.patched = true;
          }
        }
      }
    }
    findings.push_back(std::move(f));
  }

  // An exception no entry knows, on the root traceback: still the root cause, by its own words.
  if (root.unrecognized_root && root.root_chain) {
    const ExceptionChain& rc = chains[*root.root_chain];
    const PythonException* ex = nullptr;
    for (const auto& e : rc.exceptions) {
      if (!e.type.empty()) {
        ex = &e;
        break;
      }
    }
    if (ex) {
      Finding f;
      f.id = std::string(kUnrecognizedId);
      f.title = fmt::format("{} (not in the knowledge base)", ex->type);
      f.family = "python";
      f.score = root.unrecognized_score;
      f.count = 1;
      f.rank = ex->rank;
      f.root_exception = true;
      f.evidence.push_back({ex->line, ex->rank, cut(exception_text(*ex))});
      for (std::size_t k = 0; k < ex->message_lines.size() && k < 3; ++k) {
        f.evidence.push_back({ex->message_line_numbers[k], ex->rank, cut(ex->message_lines[k])});
      }
      f.values["exception_type"] = ex->type;
      f.values["exception_message"] = cut(ex->message, 500);
      if (const Frame* uf = ex->user_frame()) {
        f.where = *uf;
        f.values["user_file"] = uf->file;
        f.values["user_line"] = std::to_string(uf->file_line);
        if (!uf->code.empty()) f.values["user_code"] = uf->code;
      }
      f.cause = render_template(
          "The run stopped with {exception_type}, which no knowledge-base entry describes: {exception_message}. "
          "It was raised from your code at {user_file}:{user_line}: {user_code}. "
          "Read the message and the traceback from the innermost frame of your own code.",
          f.values);
      f.fixes.push_back({"Read the exception at your own line of code",
                         "The last frame in your code shows the call that failed; the exception's message says what "
                         "it expected. Run it again with the failing input to reproduce it quickly.",
                         "info", {}, false});
      f.fixes.push_back({"Teach trainctl this error",
                         "Add an [[explain.error]] entry (same fields as data/errors/*.toml) to the project's "
                         "trainctl.toml, or a file to ~/.config/trainctl/errors/, so the next explain names it.",
                         "info", {}, false});
      auto pos = std::find_if(findings.begin(), findings.end(), [&](const Finding& x) { return x.score < f.score; });
      findings.insert(pos, std::move(f));
    }
  }

  // Confidence: how strong the best is, and how far ahead of the next.
  for (std::size_t i = 0; i < findings.size(); ++i) {
    Finding& f = findings[i];
    f.confidence = confidence_for(f.score, f.root_exception);
    if (findings.size() == 1) f.confidence += 0.08;  // nothing competes with it
    if (!f.root_exception && f.count >= 3) f.confidence += 0.04;  // said again and again
    if (i == 0 && findings.size() > 1 && findings[1].score > f.score - 5) f.confidence -= 0.1;
    if (i > 0) f.confidence = std::min(f.confidence, findings[i - 1].confidence - 0.05);
    f.confidence = std::clamp(f.confidence, 0.05, 0.97);
  }
  if (findings.size() > kMaxFindings) {
    out.more_findings = findings.size() - kMaxFindings;
    findings.resize(kMaxFindings);
  }
  out.findings = std::move(findings);

  // The exception the top finding is about, with its chain and frames.
  if (root.root_chain) {
    const ExceptionChain& rc = chains[*root.root_chain];
    out.chain = rc.exceptions;
    const PythonException* chosen = nullptr;
    if (!out.findings.empty()) {
      for (const auto& ev : out.findings.front().evidence) {
        for (const auto& ex : rc.exceptions) {
          if (ex.line == ev.line) chosen = &ex;
        }
      }
    }
    if (!chosen) chosen = &rc.exceptions.front();
    out.exception = *chosen;
  } else if (!chains.empty() && !out.findings.empty()) {
    // No root chain (only wrappers): the last traceback is still the best context there is.
    out.chain = chains.back().exceptions;
    out.exception = chains.back().exceptions.back();
  }
  return out;
}

core::Result<AppliedPatch> apply_config_patch(const ConfigPatch& patch) {
  if (patch.is_command) {
    return core::Error::usage("this fix changes the command line, not a file: run the new command yourself");
  }
  auto current = read_small_file(patch.file, kMaxConfigBytes);
  if (!current) return core::Error::failure(fmt::format("cannot read {} again", patch.file));
  if (*current != patch.original) {
    return core::Error::refused(fmt::format("{} changed since it was read; run `trainctl explain` again to see the change "
                                            "against the file as it is now",
                                            patch.file));
  }
  std::error_code ec;
  std::string backup = patch.file + ".bak";
  for (int n = 1; fs::exists(backup, ec) && n < 1000; ++n) backup = fmt::format("{}.bak.{}", patch.file, n);
  fs::copy_file(patch.file, backup, fs::copy_options::none, ec);
  if (ec) return core::Error::failure(fmt::format("cannot write the backup {}: {}", backup, ec.message()));
  // Written beside the file and renamed over it, with the file's permissions.
  std::string tmp = fmt::format("{}.trainctl-{}.tmp", patch.file, ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << patch.patched;
    if (!out.flush()) {
      fs::remove(tmp, ec);
      return core::Error::failure(fmt::format("cannot write {}", tmp));
    }
  }
  struct stat st {};
  if (::stat(patch.file.c_str(), &st) == 0) ::chmod(tmp.c_str(), st.st_mode & 07777);
  fs::rename(tmp, patch.file, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return core::Error::failure(fmt::format("cannot replace {}: {}", patch.file, ec.message()));
  }
  return AppliedPatch{patch.file, backup};
}

}  // namespace trainctl::errors
