#include "errors/run_context.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

namespace trainctl::errors {
namespace {

namespace fs = std::filesystem;

// Every folder a relative path in the log may be relative to: the project, the log's folder, and
// the folders of the user's own files in the tracebacks (and their parents).
std::vector<fs::path> base_dirs(const RunContextRequest& request, const std::vector<const Frame*>& user_frames) {
  std::vector<fs::path> dirs;
  auto add = [&](const fs::path& p) {
    if (p.empty()) return;
    if (std::find(dirs.begin(), dirs.end(), p) == dirs.end()) dirs.push_back(p);
  };
  add(request.project_dir);
  add(".");
  if (request.log_path) add(fs::path(*request.log_path).parent_path());
  for (const Frame* f : user_frames) {
    fs::path p(f->file);
    if (!p.is_absolute()) continue;
    fs::path dir = p.parent_path();
    for (int up = 0; up < 3 && !dir.empty(); ++up) {
      add(dir);
      dir = dir.parent_path();
    }
  }
  return dirs;
}

std::optional<fs::path> resolve(const std::string& written, const std::vector<fs::path>& dirs,
                                const std::optional<std::string>& home) {
  std::error_code ec;
  fs::path p(written);
  if (written.rfind("~/", 0) == 0 && home) p = fs::path(*home) / written.substr(2);
  if (p.is_absolute()) return fs::is_regular_file(p, ec) ? std::optional<fs::path>(p) : std::nullopt;
  for (const auto& dir : dirs) {
    fs::path candidate = dir / p;
    if (fs::is_regular_file(candidate, ec)) return candidate.lexically_normal();
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> read_small_file(const fs::path& path, std::size_t limit) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  auto size = fs::file_size(path, ec);
  if (ec || size > limit) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The training command in a logged line: from the interpreter or launcher on. A command logged as
// a Python list (['/usr/bin/python3', '-u', 'train.py', ...], DeepSpeed's launcher) becomes words.
std::string command_from(std::string_view line) {
  std::size_t list = line.find("['");
  if (list != std::string_view::npos) {
    std::size_t end = line.find("']", list);
    std::string words;
    std::string_view inner = line.substr(list + 2, end == std::string_view::npos ? std::string_view::npos : end - list - 2);
    std::size_t start = 0;
    while (start <= inner.size()) {
      std::size_t sep = inner.find("', '", start);
      std::string_view word = inner.substr(start, sep == std::string_view::npos ? std::string_view::npos : sep - start);
      words += (words.empty() ? "" : " ") + std::string(word);
      if (sep == std::string_view::npos) break;
      start = sep + 4;
    }
    return words;
  }
  std::size_t best = std::string_view::npos;
  for (std::string_view start : {"torchrun", "accelerate launch", "deepspeed", "srun", "python"}) {
    std::size_t at = line.find(start);
    if (at == std::string_view::npos) continue;
    // Back up over a path prefix: /usr/bin/python3.
    std::size_t from = at;
    while (from > 0 && line[from - 1] != ' ' && line[from - 1] != '\'' && line[from - 1] != '"' && line[from - 1] != '$' &&
           line[from - 1] != '+' && line[from - 1] != '>' && line[from - 1] != '[') {
      --from;
    }
    best = std::min(best, from);
  }
  if (best == std::string_view::npos) return std::string(line);
  std::string_view cmd = line.substr(best);
  while (!cmd.empty() && (cmd.back() == ' ' || cmd.back() == '\'' || cmd.back() == ']' || cmd.back() == '"')) cmd.remove_suffix(1);
  return std::string(cmd);
}

namespace {

std::vector<const Frame*> user_frames_of(const std::vector<ExceptionChain>& chains) {
  constexpr std::size_t kMaxUserFrames = 64;
  std::vector<const Frame*> out;
  for (const auto& chain : chains) {
    for (const auto& ex : chain.exceptions) {
      for (const auto& f : ex.frames) {
        if (f.user && out.size() < kMaxUserFrames) out.push_back(&f);
      }
    }
  }
  return out;
}

// The config paths the log writes, most explicit first: the command's, then config lines, then
// error messages naming a config file.
std::vector<std::string> config_paths_written(const std::optional<std::string>& command, const std::vector<MarkerHit>& markers) {
  std::vector<std::string> written;
  if (command) written = config_paths_in_command(*command);
  for (const MarkerHit& m : markers) {
    if (m.kind != MarkerKind::kConfigPath && m.kind != MarkerKind::kCommand) continue;
    for (auto& p : config_paths_in_command(m.text)) written.push_back(p);
    std::size_t at = m.text.find("config file ");
    if (at != std::string::npos) {
      std::string rest = m.text.substr(at + 12);
      written.push_back(rest.substr(0, rest.find_first_of(" :,")));
    }
  }
  return written;
}

// The user's Python sources: the files of their frames and the script the command runs.
ProjectCode read_user_code(const std::vector<const Frame*>& user_frames, const std::optional<std::string>& command,
                           const std::vector<fs::path>& dirs, const std::optional<std::string>& home) {
  std::vector<std::string> files;
  for (const Frame* f : user_frames) files.push_back(f->file);
  if (command) {
    std::istringstream words(*command);
    for (std::string w; words >> w;) {
      if (w.size() > 3 && w.substr(w.size() - 3) == ".py") files.push_back(w);
    }
  }
  ProjectCode code;
  std::set<std::string> seen;
  for (const auto& f : files) {
    if (code.texts.size() >= kMaxCodeFiles) break;
    auto p = resolve(f, dirs, home);
    std::error_code ec;
    if (!p || !seen.insert(fs::weakly_canonical(*p, ec).string()).second) continue;  // one file, named twice
    if (auto text = read_small_file(*p, kMaxCodeFileBytes)) code.texts.push_back(std::move(*text));
  }
  return code;
}

// The largest vocabulary size the log reports ("vocab 44", "vocab_size: 50257"), with its line.
std::optional<std::pair<long, std::uint64_t>> log_vocabulary(const std::vector<MarkerHit>& markers) {
  std::optional<std::pair<long, std::uint64_t>> out;
  for (const MarkerHit& m : markers) {
    if (m.kind != MarkerKind::kVocabSize) continue;
    std::string lower = m.text;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::size_t digit = lower.find_first_of("0123456789", lower.find("vocab"));
    if (digit == std::string::npos) continue;
    long n = 0;
    for (std::size_t i = digit; i < lower.size() && i < digit + 12; ++i) {
      if (lower[i] == ',') continue;
      if (!std::isdigit(static_cast<unsigned char>(lower[i]))) break;
      n = n * 10 + (lower[i] - '0');
    }
    if (n > 0 && (!out || n > out->first)) out = std::make_pair(n, m.line);
  }
  return out;
}

}  // namespace

core::Result<RunContext> find_run_context(const RunContextRequest& request, const std::vector<MarkerHit>& markers,
                                          const std::vector<ExceptionChain>& chains) {
  RunContext out;
  for (const MarkerHit& m : markers) {
    if (m.kind == MarkerKind::kCommand && !out.command) out.command = command_from(m.text);
  }
  auto user_frames = user_frames_of(chains);
  auto dirs = base_dirs(request, user_frames);
  std::optional<fs::path> config_file;
  if (request.config_path) {
    std::error_code ec;
    if (!fs::is_regular_file(*request.config_path, ec)) {
      return core::Error::not_found(fmt::format("--config {}: no such file", *request.config_path));
    }
    config_file = *request.config_path;
    out.config_display = *request.config_path;
    out.config_from = "--config";
  } else {
    for (const auto& w : config_paths_written(out.command, markers)) {
      if (auto p = resolve(w, dirs, request.home)) {
        config_file = *p;
        out.config_display = w;
        out.config_from = "log";
        break;
      }
    }
  }
  if (config_file) {
    if (auto text = read_small_file(*config_file, kMaxConfigBytes)) {
      out.config = ConfigText::parse(*text, config_file->filename().string());
      out.config_file = config_file->string();
    }
  }
  out.code = read_user_code(user_frames, out.command, dirs, request.home);
  out.log_vocab = log_vocabulary(markers);
  return out;
}

}  // namespace trainctl::errors
