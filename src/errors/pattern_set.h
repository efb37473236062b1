// Every knowledge-base pattern and the structure markers (tracebacks, torchrun summaries, commands,
// config paths, exit statuses, normal ends) compiled once into one Hyperscan database, so that a
// log is scanned in one pass however many patterns there are. Hyperscan runs loosened expressions
// (regex_prefilter.h) over raw bytes; RE2 then confirms each candidate line with the exact regex,
// applies `exclude` and fills `extract` groups. The compiled database can be cached on disk
// (keyed by every expression and the Hyperscan version) because compiling takes ~0.2 s.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "errors/knowledge_base.h"

namespace trainctl::errors {

// Lines that give a log its structure; each is a pattern in the same database as the entries.
enum class MarkerKind {
  kTraceback,      // "Traceback (most recent call last):"
  kChainContext,   // "During handling of the above exception, another exception occurred:"
  kChainCause,     // "The above exception was the direct cause of the following exception:"
  kRootCause,      // torchrun's "Root Cause (first observed failure):"
  kFailures,       // torchrun's "Failures:" (the other failed workers)
  kExitStatus,     // "exitcode : -9", "exited with code 137", "return code = 1"
  kCommand,        // a logged command line: "python train.py --config x.yaml", "torchrun ..."
  kConfigPath,     // "config: configs/x.yaml", "--config=x.yaml", "config file x.yaml"
  kFinished,       // "Training completed", HF's 'train_runtime', Lightning's "`Trainer.fit` stopped"
  kVocabSize,      // "vocab 44", "vocab_size: 50257": the vocabulary the data or tokenizer has
};

struct MarkerSpec {
  MarkerKind kind;
  std::string_view regex;
  bool nocase = false;
};

// The marker patterns (a constant table).
const std::vector<MarkerSpec>& structure_markers();

struct PatternRef {
  bool is_marker = false;
  std::size_t index = 0;    // the entry (in the knowledge base) or the marker (in structure_markers())
  std::size_t pattern = 0;  // within the entry: patterns first, then patterns_nocase
};

class PatternSet {
 public:
  struct Options {
    std::optional<std::string> cache_dir;  // where compiled databases are kept; none: always compile
  };

  // Compiles every pattern of `kb` and the markers. A pattern neither engine accepts is a usage
  // error naming its entry (a user entry's, in practice: built-in ones are tested).
  static core::Result<PatternSet> compile(const KnowledgeBase& kb, const Options& options);

  PatternSet(PatternSet&&) noexcept;
  PatternSet& operator=(PatternSet&&) noexcept;
  ~PatternSet();

  std::size_t size() const;
  const PatternRef& ref(unsigned id) const;
  bool loaded_from_cache() const;

  // Called for every match end (offset just past the match's last byte); return non-zero to stop.
  using MatchFn = int (*)(unsigned id, std::uint64_t end, void* context);
  // Scans `bytes` (any number of lines) with the loosened expressions.
  core::Status scan(std::string_view bytes, MatchFn on_match, void* context) const;

  // The exact regex of pattern `id` on one normalised line.
  bool confirm(unsigned id, std::string_view line) const;
  // Whether an `exclude` regex of entry `entry` matches the line.
  bool excluded(std::size_t entry, std::string_view line) const;
  // Applies entry `entry`'s `extract` regexes to `text`; a name already in `values` is kept.
  void extract(std::size_t entry, std::string_view text, std::map<std::string, std::string>& values) const;

 private:
  struct State;
  explicit PatternSet(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace trainctl::errors
