#include "cleanup/trash.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "cleanup/file_hash.h"
#include "core/file_times.h"

namespace trainctl::cleanup {
namespace {

namespace fs = std::filesystem;

double clock_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string batch_id(double now) {
  std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &tm);
  return text;
}

// Why abs may not be moved, or "" when it may: inside root, not trainctl's own folder, and every
// component below root a real folder (no symlink on the way), itself not a symlink.
std::string unsafe(const std::string& root, const std::string& abs) {
  if (abs.size() <= root.size() + 1 || abs.compare(0, root.size() + 1, root + "/") != 0) return "outside the project";
  std::string rel = abs.substr(root.size() + 1);
  if (rel == ".trainctl" || rel.rfind(".trainctl/", 0) == 0) return "trainctl's own records";
  std::string path = root;
  std::size_t start = 0;
  for (;;) {
    std::size_t slash = rel.find('/', start);
    std::string part = rel.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || part == "." || part == "..") return "not a plain path";
    path += "/" + part;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) return "no longer there";
    if (S_ISLNK(st.st_mode)) return "reached through a symlink";
    if (slash == std::string::npos) break;
    if (!S_ISDIR(st.st_mode)) return "a parent is not a folder";
    start = slash + 1;
  }
  return "";
}

TrashFile describe(const std::string& root, const std::string& abs, const struct stat& st) {
  TrashFile f;
  f.original = abs.substr(root.size() + 1);
  f.bytes = static_cast<std::uint64_t>(st.st_size);
  f.hash = file_hash(abs).value_or("unreadable");
  f.mode = st.st_mode & 07777;
  f.modified_time = core::modified_time(st);
  return f;
}

// Every regular file at or under abs, without following symlinks.
void describe_all(const std::string& root, const std::string& abs, std::vector<TrashFile>& out) {
  struct stat st;
  if (::lstat(abs.c_str(), &st) != 0) return;
  if (S_ISREG(st.st_mode)) {
    out.push_back(describe(root, abs, st));
  } else if (S_ISDIR(st.st_mode)) {
    std::error_code ec;
    std::vector<std::string> children;
    for (fs::directory_iterator it(abs, ec), end; !ec && it != end; it.increment(ec)) children.push_back(it->path().string());
    std::sort(children.begin(), children.end());
    for (const auto& c : children) describe_all(root, c, out);
  }
}

nlohmann::json file_json(const TrashFile& f) {
  return {{"original", f.original}, {"bytes", f.bytes}, {"hash", f.hash}, {"mode", f.mode}, {"mtime", f.modified_time}};
}

core::Status write_manifest(const std::string& dir, const TrashBatch& batch) {
  std::string path = dir + "/" + kManifestName;
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << batch.to_json().dump(1) << "\n";
    if (!out) return core::Error::failure(fmt::format("cannot write {}: is the disk full?", temp));
  }
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) return core::Error::failure(fmt::format("cannot write {}: {}", path, ec.message()));
  return core::Ok{};
}

core::Result<TrashBatch> read_manifest(const std::string& dir) {
  std::string path = dir + "/" + kManifestName;
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return core::Error::not_found(fmt::format("{}: no manifest; not a trash batch trainctl wrote", dir));
  if (size > kMaxManifestBytes) return core::Error::failure(fmt::format("{} is over {} MiB; not read", path, kMaxManifestBytes >> 20));
  std::ifstream in(path, std::ios::binary);
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return core::Error::failure(fmt::format("{} is not valid JSON; restore by hand from {}/files/", path, dir));
  TrashBatch b;
  try {
    b.id = doc.at("id").get<std::string>();
    b.root = doc.at("root").get<std::string>();
    b.created = doc.value("created", 0.0);
    b.bytes = doc.value("bytes", std::uint64_t{0});
    for (const auto& i : doc.at("items")) {
      TrashItem item;
      item.original = i.at("original").get<std::string>();
      item.kind = i.value("kind", "");
      item.bytes = i.value("bytes", std::uint64_t{0});
      for (const auto& f : i.at("files")) {
        item.files.push_back({f.at("original").get<std::string>(), f.at("bytes").get<std::uint64_t>(),
                              f.at("hash").get<std::string>(), f.at("mode").get<std::uint32_t>(), f.at("mtime").get<double>()});
      }
      b.items.push_back(std::move(item));
    }
  } catch (const nlohmann::json::exception& e) {
    return core::Error::failure(fmt::format("{}: {}; restore by hand from {}/files/", path, e.what(), dir));
  }
  return b;
}

bool is_plain_relative(const std::string& rel) {
  if (rel.empty() || rel[0] == '/') return false;
  std::stringstream parts(rel);
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (part.empty() || part == "." || part == "..") return false;
  }
  return true;
}

}  // namespace

nlohmann::json TrashBatch::to_json() const {
  nlohmann::json items_json = nlohmann::json::array();
  for (const auto& i : items) {
    nlohmann::json files_json = nlohmann::json::array();
    for (const auto& f : i.files) files_json.push_back(file_json(f));
    items_json.push_back({{"original", i.original}, {"kind", i.kind}, {"bytes", i.bytes}, {"files", files_json}});
  }
  return {{"id", id}, {"root", root}, {"created", created}, {"bytes", bytes}, {"items", items_json}, {"skipped", skipped}};
}

std::string trash_dir(const std::string& root) { return root + "/.trainctl/trash"; }

std::vector<const Finding*> selected_findings(const CleanupReport& report, const ApplyRequest& request) {
  std::vector<const Finding*> out;
  for (const auto& f : report.findings) {
    if (!applicable_kind(f.kind)) continue;
    bool named = std::any_of(f.paths.begin(), f.paths.end(), [&](const std::string& p) {
      return std::find(request.named.begin(), request.named.end(), p) != request.named.end();
    });
    bool kind = request.kinds.empty() || std::find(request.kinds.begin(), request.kinds.end(), f.kind) != request.kinds.end();
    if (named || (kind && request.named.empty() && f.safe_to_apply)) out.push_back(&f);
  }
  return out;
}

core::Result<TrashBatch> move_to_trash(const CleanupReport& report, const ApplyRequest& request) {
  auto chosen = selected_findings(report, request);
  if (chosen.empty()) {
    return core::Error::usage("nothing to move: no finding of the selected kinds is safe to apply (see `trainctl cleanup` "
                              "for the list; name a path to move one that git tracks)");
  }
  std::set<std::string> keep;
  for (const auto& p : report.protected_paths) keep.insert(p.path);

  TrashBatch batch;
  batch.root = report.root;
  batch.created = request.now > 0 ? request.now : clock_now();
  batch.id = batch_id(batch.created);
  std::string base = trash_dir(report.root);
  std::error_code ec;
  for (int n = 2; fs::exists(base + "/" + batch.id, ec); ++n) batch.id = batch_id(batch.created) + "-" + std::to_string(n);
  std::string dir = base + "/" + batch.id;
  fs::create_directories(dir + "/files", ec);
  if (ec) return core::Error::failure(fmt::format("cannot create {}: {}", dir, ec.message()));

  std::set<std::string> seen;
  for (const Finding* f : chosen) {
    for (const auto& abs : f->paths) {
      if (!seen.insert(abs).second) continue;
      bool named = std::find(request.named.begin(), request.named.end(), abs) != request.named.end();
      if (!request.named.empty() && !named) continue;
      if (keep.count(abs)) {
        batch.skipped.push_back(abs + ": protected (latest, best or running)");
        continue;
      }
      if (std::string why = unsafe(report.root, abs); !why.empty()) {
        batch.skipped.push_back(abs + ": " + why);
        continue;
      }
      TrashItem item;
      item.original = abs.substr(report.root.size() + 1);
      item.kind = f->kind;
      describe_all(report.root, abs, item.files);
      for (const auto& file : item.files) item.bytes += file.bytes;
      batch.items.push_back(std::move(item));
    }
  }
  // The manifest first: a crash mid-way leaves every moved path described.
  if (auto w = write_manifest(dir, batch); !w) return w.error();
  std::vector<TrashItem> moved;
  for (auto& item : batch.items) {
    fs::path to = fs::path(dir) / "files" / item.original;
    fs::create_directories(to.parent_path(), ec);
    if (ec || ::rename((report.root + "/" + item.original).c_str(), to.c_str()) != 0) {
      batch.skipped.push_back(fmt::format("{}/{}: cannot move ({})", report.root, item.original, ec ? ec.message() : std::strerror(errno)));
      continue;
    }
    batch.bytes += item.bytes;
    moved.push_back(std::move(item));
  }
  batch.items = std::move(moved);
  if (auto w = write_manifest(dir, batch); !w) return w.error();
  return batch;
}

core::Result<std::vector<TrashBatch>> list_trash(const std::string& root) {
  std::vector<TrashBatch> out;
  std::error_code ec;
  std::string base = trash_dir(root);
  if (!fs::is_directory(base, ec)) return out;
  for (fs::directory_iterator it(base, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory()) continue;
    auto b = read_manifest(it->path().string());
    if (b) out.push_back(std::move(*b));
  }
  std::sort(out.begin(), out.end(), [](const TrashBatch& a, const TrashBatch& b) { return a.id > b.id; });
  return out;
}

core::Result<TrashBatch> undo_trash(const std::string& root, const std::string& id) {
  auto batches = list_trash(root);
  if (!batches) return batches.error();
  if (batches->empty()) return core::Error::not_found(fmt::format("the trash of {} is empty: nothing to undo", root));
  const TrashBatch* pick = &batches->front();
  if (!id.empty()) {
    pick = nullptr;
    for (const auto& b : *batches) {
      if (b.id == id) pick = &b;
    }
    if (!pick) return core::Error::not_found(fmt::format("no trash batch {} (the newest is {}; trainctl cleanup --json lists them)", id, batches->front().id));
  }
  TrashBatch batch = *pick;
  std::string dir = trash_dir(root) + "/" + batch.id;
  // Check everything first: undo restores all of a batch or nothing.
  for (const auto& item : batch.items) {
    if (!is_plain_relative(item.original)) return core::Error::refused(fmt::format("{}/manifest.json names {}, which is not a path inside the project; not restored", dir, item.original));
    struct stat st;
    std::string to = root + "/" + item.original;
    std::string from = dir + "/files/" + item.original;
    if (::lstat(from.c_str(), &st) != 0) continue;  // moved back already, or never moved
    if (::lstat(to.c_str(), &st) == 0) {
      return core::Error::refused(fmt::format("{} exists again: move it away, then run trainctl cleanup --undo {}", to, batch.id));
    }
    std::string parent = fs::path(to).parent_path().string();
    if (parent != root) {
      if (std::string why = unsafe(root, parent); !why.empty() && why != "no longer there") {
        return core::Error::refused(fmt::format("cannot restore {}: its folder is {}", to, why));
      }
    }
  }
  std::error_code ec;
  for (const auto& item : batch.items) {
    std::string to = root + "/" + item.original;
    std::string from = dir + "/files/" + item.original;
    struct stat st;
    if (::lstat(from.c_str(), &st) != 0) continue;
    fs::create_directories(fs::path(to).parent_path(), ec);
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return core::Error::failure(fmt::format("cannot move {} back to {}: {}", from, to, std::strerror(errno)));
    }
    for (const auto& f : item.files) {
      std::string path = root + "/" + f.original;
      ::chmod(path.c_str(), static_cast<mode_t>(f.mode));
      struct timespec times[2];
      times[0].tv_sec = 0;
      times[0].tv_nsec = UTIME_OMIT;
      times[1].tv_sec = static_cast<time_t>(f.modified_time);
      times[1].tv_nsec = static_cast<long>((f.modified_time - static_cast<double>(times[1].tv_sec)) * 1e9);
      ::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW);
      auto hash = file_hash(path);
      if (!hash || *hash != f.hash || fs::file_size(path, ec) != f.bytes) {
        return core::Error::failure(fmt::format("{} came back with different bytes than were moved ({} expected); the trash "
                                                "batch {} is kept", path, f.hash, batch.id));
      }
    }
  }
  fs::remove_all(dir, ec);
  return batch;
}

core::Result<EmptiedTrash> empty_trash(const std::string& root) {
  auto batches = list_trash(root);
  if (!batches) return batches.error();
  EmptiedTrash out;
  std::error_code ec;
  std::string base = trash_dir(root);
  std::vector<fs::path> dirs;
  for (fs::directory_iterator it(base, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory() && !it->is_symlink()) dirs.push_back(it->path());
  }
  for (const auto& d : dirs) {
    for (fs::recursive_directory_iterator f(d, ec), fend; !ec && f != fend; f.increment(ec)) {
      if (f->is_regular_file() && !f->is_symlink()) out.bytes += f->file_size();
    }
    fs::remove_all(d, ec);
    if (ec) return core::Error::failure(fmt::format("cannot delete {}: {}", d.string(), ec.message()));
    ++out.batches;
  }
  return out;
}

}  // namespace trainctl::cleanup
