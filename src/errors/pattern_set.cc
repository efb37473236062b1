#include "errors/pattern_set.h"

#include <hs/hs.h>
#include <re2/re2.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>

#include "errors/regex_prefilter.h"

namespace trainctl::errors {
namespace {

namespace fs = std::filesystem;

// The structure markers. Each is loosened like an entry's pattern for Hyperscan and confirmed
// with RE2 on the normalised line, so they are written for the normalised line.
const std::vector<MarkerSpec> kMarkers = {
    {MarkerKind::kTraceback, R"(Traceback \(most recent call last\))"},
    {MarkerKind::kChainContext, R"(During handling of the above exception, another exception occurred)"},
    {MarkerKind::kChainCause, R"(The above exception was the direct cause of the following exception)"},
    {MarkerKind::kRootCause, R"(Root Cause \(first observed failure\))"},
    {MarkerKind::kFailures, R"(^Failures:$)"},
    {MarkerKind::kExitStatus, R"(exitcode\s*: -?[0-9]+|exit(?:ed)? (?:with )?(?:exit )?(?:code|status):? -?[0-9]+|return code = -?[0-9]+|returned non-zero exit status -?[0-9]+|terminated with (?:exit code|signal) \S+)"},
    {MarkerKind::kCommand, R"((?:^|[\s'"/+$>\[])(?:python[0-9.]*|torchrun|accelerate launch|deepspeed|srun)['",]*\s[^\n]*\.py\b)"},
    {MarkerKind::kConfigPath, R"((?:--|\b)(?:config|config[_-]file|config[_-]path|cfg|deepspeed|config-name)(?:\s*[:=]\s*|\s+)['"]?[A-Za-z0-9_./~-]+\.(?:ya?ml|json|toml)\b|\bconfig file [A-Za-z0-9_./~-]+\.(?:ya?ml|json|toml)\b)", true},
    {MarkerKind::kFinished, R"(\btraining (?:is )?(?:complete|completed|finished|done)\b|\bfinished training\b|'train_runtime'|`Trainer\.fit` stopped|^done: [0-9]+ steps)", true},
    {MarkerKind::kVocabSize, R"(\bvocab(?:ulary)?(?:[ _]?size)?\b ?[:=]? ?[0-9][0-9,]*\b)", true},
};

struct CompiledRe2 {
  std::unique_ptr<RE2> re;
};

RE2::Options re2_options(bool nocase) {
  RE2::Options o;
  // Latin-1: every byte is one character, as in Hyperscan; a log with stray binary bytes matches
  // the same way whatever they are.
  o.set_encoding(RE2::Options::EncodingLatin1);
  o.set_case_sensitive(!nocase);
  o.set_log_errors(false);
  return o;
}

std::uint64_t fnv1a(std::uint64_t hash, std::string_view text) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

struct HsDatabaseDeleter {
  void operator()(hs_database_t* db) const { hs_free_database(db); }
};
struct HsScratchDeleter {
  void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
};

}  // namespace

const std::vector<MarkerSpec>& structure_markers() { return kMarkers; }

struct PatternSet::State {
  std::vector<PatternRef> refs;
  std::vector<std::string> regexes;  // exact, for RE2
  std::vector<bool> nocase;
  std::unique_ptr<hs_database_t, HsDatabaseDeleter> db;
  std::unique_ptr<hs_scratch_t, HsScratchDeleter> scratch;
  bool from_cache = false;
  // RE2 objects are built on first use: most patterns never see a candidate line.
  mutable std::vector<CompiledRe2> exact;
  std::vector<std::vector<std::string>> excludes;  // per entry
  std::vector<std::vector<std::string>> extracts;  // per entry
  mutable std::vector<std::vector<CompiledRe2>> exclude_re;
  mutable std::vector<std::vector<CompiledRe2>> extract_re;

  const RE2& get(std::vector<CompiledRe2>& slot, std::size_t i, const std::string& regex, bool nocase_flag) const {
    if (!slot[i].re) slot[i].re = std::make_unique<RE2>(regex, re2_options(nocase_flag));
    return *slot[i].re;
  }
};

PatternSet::PatternSet(std::unique_ptr<State> state) : state_(std::move(state)) {}
PatternSet::PatternSet(PatternSet&&) noexcept = default;
PatternSet& PatternSet::operator=(PatternSet&&) noexcept = default;
PatternSet::~PatternSet() = default;

core::Result<PatternSet> PatternSet::compile(const KnowledgeBase& kb, const Options& options) {
  auto state = std::make_unique<State>();
  std::vector<std::string> expressions;
  std::vector<unsigned> flags;
  auto add = [&](PatternRef ref, const std::string& regex, bool nocase) {
    state->refs.push_back(ref);
    state->regexes.push_back(regex);
    state->nocase.push_back(nocase);
    expressions.push_back(prefilter_expression(regex));
    flags.push_back(nocase ? HS_FLAG_CASELESS : 0U);
  };
  for (std::size_t e = 0; e < kb.entries.size(); ++e) {
    const ErrorEntry& entry = kb.entries[e];
    std::size_t p = 0;
    for (const auto& rx : entry.patterns) add({false, e, p++}, rx, false);
    for (const auto& rx : entry.patterns_nocase) add({false, e, p++}, rx, true);
    state->excludes.push_back(entry.exclude);
    state->extracts.push_back(entry.extract);
  }
  for (std::size_t m = 0; m < kMarkers.size(); ++m) {
    add({true, m, 0}, std::string(kMarkers[m].regex), kMarkers[m].nocase);
  }
  state->exact.resize(state->regexes.size());
  state->exclude_re.resize(state->excludes.size());
  state->extract_re.resize(state->extracts.size());
  for (std::size_t e = 0; e < state->excludes.size(); ++e) {
    state->exclude_re[e].resize(state->excludes[e].size());
    state->extract_re[e].resize(state->extracts[e].size());
  }

  auto where = [&](std::size_t i) {
    const PatternRef& ref = state->refs[i];
    if (ref.is_marker) return fmt::format("structure marker {}", ref.index);
    const ErrorEntry& entry = kb.entries[ref.index];
    return fmt::format("{}: entry '{}' pattern {}", entry.source, entry.id, ref.pattern + 1);
  };
  // User entries are checked with RE2 now, so that a bad regex is reported rather than never matching.
  for (std::size_t i = 0; i < state->regexes.size(); ++i) {
    const PatternRef& ref = state->refs[i];
    bool user = !ref.is_marker && kb.entries[ref.index].source.rfind("data/errors/", 0) != 0;
    if (!user) continue;
    const RE2& re = state->get(state->exact, i, state->regexes[i], state->nocase[i]);
    if (!re.ok()) return core::Error::usage(fmt::format("{}: not a valid regex ({})", where(i), re.error()));
    const ErrorEntry& entry = kb.entries[ref.index];
    for (std::size_t x = 0; x < entry.exclude.size(); ++x) {
      const RE2& ex = state->get(state->exclude_re[ref.index], x, entry.exclude[x], false);
      if (!ex.ok()) return core::Error::usage(fmt::format("{}: entry '{}' exclude {}: not a valid regex ({})", entry.source, entry.id, x + 1, ex.error()));
    }
    for (std::size_t x = 0; x < entry.extract.size(); ++x) {
      const RE2& ex = state->get(state->extract_re[ref.index], x, entry.extract[x], false);
      if (!ex.ok()) return core::Error::usage(fmt::format("{}: entry '{}' extract {}: not a valid regex ({})", entry.source, entry.id, x + 1, ex.error()));
    }
  }

  std::uint64_t key = fnv1a(14695981039346656037ULL, hs_version());
  for (std::size_t i = 0; i < expressions.size(); ++i) {
    key = fnv1a(key, expressions[i]);
    key = fnv1a(key, std::to_string(flags[i]) + '\n');
  }
  std::optional<fs::path> cache_file;
  if (options.cache_dir) cache_file = fs::path(*options.cache_dir) / fmt::format("explain-{:016x}.hsdb", key);

  hs_database_t* db = nullptr;
  if (cache_file) {
    std::ifstream in(*cache_file, std::ios::binary);
    if (in) {
      std::ostringstream bytes;
      bytes << in.rdbuf();
      std::string blob = bytes.str();
      if (hs_deserialize_database(blob.data(), blob.size(), &db) == HS_SUCCESS) state->from_cache = true;
      else db = nullptr;
    }
  }
  if (!db) {
    std::vector<const char*> pointers;
    std::vector<unsigned> ids;
    for (std::size_t i = 0; i < expressions.size(); ++i) {
      pointers.push_back(expressions[i].c_str());
      ids.push_back(static_cast<unsigned>(i));
    }
    hs_compile_error_t* error = nullptr;
    if (hs_compile_multi(pointers.data(), flags.data(), ids.data(), static_cast<unsigned>(pointers.size()), HS_MODE_BLOCK,
                         nullptr, &db, &error) != HS_SUCCESS) {
      std::string message = error ? error->message : "unknown error";
      int at = error ? error->expression : -1;
      hs_free_compile_error(error);
      if (at >= 0 && static_cast<std::size_t>(at) < expressions.size()) {
        return core::Error::usage(fmt::format("{}: Hyperscan cannot use '{}' ({}); keep to the regex subset of "
                                              "data/errors/README.md", where(static_cast<std::size_t>(at)),
                                              state->regexes[static_cast<std::size_t>(at)], message));
      }
      return core::Error::failure(fmt::format("cannot compile the error patterns: {}", message));
    }
    if (cache_file) {
      char* blob = nullptr;
      std::size_t length = 0;
      if (hs_serialize_database(db, &blob, &length) == HS_SUCCESS) {
        // Written beside and renamed into place, so that a concurrent reader never sees half a file.
        std::error_code ec;
        fs::create_directories(cache_file->parent_path(), ec);
        fs::path tmp = cache_file->string() + fmt::format(".{}.tmp", ::getpid());
        {
          std::ofstream out(tmp, std::ios::binary);
          out.write(blob, static_cast<std::streamsize>(length));
        }
        fs::rename(tmp, *cache_file, ec);
        if (ec) fs::remove(tmp, ec);
        std::free(blob);
      }
    }
  }
  state->db.reset(db);
  hs_scratch_t* scratch = nullptr;
  if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) return core::Error::failure("cannot allocate Hyperscan scratch space");
  state->scratch.reset(scratch);
  return PatternSet(std::move(state));
}

std::size_t PatternSet::size() const { return state_->refs.size(); }
const PatternRef& PatternSet::ref(unsigned id) const { return state_->refs[id]; }
bool PatternSet::loaded_from_cache() const { return state_->from_cache; }

namespace {
struct ScanContext {
  PatternSet::MatchFn fn;
  void* context;
};
int on_hs_match(unsigned int id, unsigned long long /*from*/, unsigned long long to, unsigned int /*flags*/, void* ctx) {
  auto* c = static_cast<ScanContext*>(ctx);
  return c->fn(id, to, c->context);
}
}  // namespace

core::Status PatternSet::scan(std::string_view bytes, MatchFn on_match, void* context) const {
  if (bytes.empty()) return core::Ok{};
  ScanContext ctx{on_match, context};
  // Hyperscan takes an unsigned int length: scan a larger buffer in pieces (a match across a
  // piece boundary is lost; pieces are 1 GiB, and log chunks are far smaller).
  constexpr std::size_t kPiece = std::size_t{1} << 30;
  for (std::size_t at = 0; at < bytes.size(); at += kPiece) {
    std::size_t n = std::min(kPiece, bytes.size() - at);
    hs_error_t rc = hs_scan(state_->db.get(), bytes.data() + at, static_cast<unsigned>(n), 0, state_->scratch.get(),
                            on_hs_match, &ctx);
    if (rc == HS_SCAN_TERMINATED) return core::Ok{};
    if (rc != HS_SUCCESS) return core::Error::failure(fmt::format("Hyperscan scan failed (error {})", rc));
  }
  return core::Ok{};
}

bool PatternSet::confirm(unsigned id, std::string_view line) const {
  const RE2& re = state_->get(state_->exact, id, state_->regexes[id], state_->nocase[id]);
  return re.ok() && RE2::PartialMatch(line, re);
}

bool PatternSet::excluded(std::size_t entry, std::string_view line) const {
  const auto& list = state_->excludes[entry];
  for (std::size_t i = 0; i < list.size(); ++i) {
    const RE2& re = state_->get(state_->exclude_re[entry], i, list[i], false);
    if (re.ok() && RE2::PartialMatch(line, re)) return true;
  }
  return false;
}

void PatternSet::extract(std::size_t entry, std::string_view text, std::map<std::string, std::string>& values) const {
  const auto& list = state_->extracts[entry];
  for (std::size_t i = 0; i < list.size(); ++i) {
    const RE2& re = state_->get(state_->extract_re[entry], i, list[i], false);
    if (!re.ok() || re.NumberOfCapturingGroups() == 0) continue;
    int groups = re.NumberOfCapturingGroups();
    std::vector<re2::StringPiece> found(static_cast<std::size_t>(groups) + 1);
    if (!re.Match(text, 0, text.size(), RE2::UNANCHORED, found.data(), groups + 1)) continue;
    for (const auto& [name, index] : re.NamedCapturingGroups()) {
      if (values.count(name)) continue;
      const re2::StringPiece& piece = found[static_cast<std::size_t>(index)];
      if (piece.data() == nullptr) continue;  // the group did not take part in the match
      values[name] = std::string(piece.data(), piece.size());
    }
  }
}

}  // namespace trainctl::errors
