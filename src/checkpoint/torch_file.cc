#include "checkpoint/torch_file.h"


#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "checkpoint/merge_security.h"
#include "checkpoint/pickle_reader.h"
#include "checkpoint/pickle_security.h"
#include "checkpoint/safetensors_header.h"
#include "checkpoint/scalar_decode.h"
#include "checkpoint/state_metadata.h"
#include "checkpoint/zip_archive.h"
#include "core/file_times.h"
#include "core/human_units.h"
#include "core/read_only_file.h"

namespace trainctl::checkpoint {
namespace {

namespace fs = std::filesystem;

// The first pickle of a legacy (pre-1.6) torch.save: the magic number 0x1950a86a20f9469cfc6c as
// a protocol-2 LONG1. Files saved with other protocols start with PROTO n instead of PROTO 2.
constexpr unsigned char kLegacyMagic[] = {0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
constexpr std::uint64_t kFirstPickleChunk = 1 << 20;

bool is_temporary_name(const std::string& name) {
  for (const char* suffix : {".tmp", ".temp", ".partial", ".incomplete", "~"}) {
    std::string s(suffix);
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) return true;
  }
  return false;
}

std::uint64_t storage_bytes(const StorageRef& storage) {
  return static_cast<std::uint64_t>(std::max<std::int64_t>(storage.numel.value_or(0), 0)) *
         std::max<std::uint64_t>(dtype_size(storage.dtype), 1);
}

// The archive's folder: "archive/" for recent torch, the file's stem for older ones.
std::string archive_prefix(const std::vector<ZipEntry>& entries) {
  for (const auto& e : entries) {
    if (e.name == "data.pkl") return "";
    auto slash = e.name.find('/');
    if (slash != std::string::npos && e.name.compare(slash, std::string::npos, "/data.pkl") == 0) {
      return e.name.substr(0, slash + 1);
    }
  }
  return "";
}

PickleReadAttempt read_pickle_at(const core::ReadOnlyFile& file, std::uint64_t file_size, std::uint64_t offset,
                                 std::vector<unsigned char>& bytes);

// A zip whose directory never arrived: say how much of the save did. PyTorch streams records with
// data descriptors (sizes after the data), so the local headers alone cannot be walked; but the
// pickle comes first, ends at its STOP opcode, and names every storage with its size, which is
// enough to know how large the whole file was going to be.
void explain_truncated_zip(const std::string& open_error, const core::ReadOnlyFile& file, std::uint64_t file_size,
                           CheckpointInfo& info) {
  auto header = file.read(0, 30);
  if (header.size() < 30) {
    info.mark_invalid(fmt::format("truncated: only {} bytes, not even one zip record", file_size));
    return;
  }
  std::uint64_t name_len = header[26] | (header[27] << 8);
  std::uint64_t extra_len = header[28] | (header[29] << 8);
  auto name_bytes = file.read(30, name_len);
  std::string name(name_bytes.begin(), name_bytes.end());
  if (name.size() < 8 || name.compare(name.size() - 8, 8, "data.pkl") != 0) {
    info.mark_invalid(open_error);
    return;
  }
  std::uint64_t start = 30 + name_len + extra_len;
  std::vector<unsigned char> bytes;
  PickleReadAttempt attempt = read_pickle_at(file, file_size, start, bytes);
  merge_security(judge_read(attempt, std::span<const std::uint8_t>(bytes.data(), bytes.size())), name, info.security);
  if (attempt.error) {
    info.mark_invalid(fmt::format("truncated: {} ends inside the checkpoint's pickle; the save was probably interrupted",
                              core::format_bytes(file_size)));
    return;
  }
  // Each record: a local header (30 bytes, the name, PyTorch's alignment padding), the data and a
  // data descriptor; then the central directory. The estimate is within a few hundred bytes.
  std::uint64_t expected = start + attempt.document.bytes_consumed() + 24;
  for (const auto& storage : attempt.document.storages()) expected += 30 + name.size() + 64 + storage_bytes(storage) + 24;
  expected += (attempt.document.storages().size() + 4) * (46 + name.size() + 24) + 22;
  info.mark_invalid(fmt::format("truncated: {} of about {}; the save was probably interrupted",
                            core::format_bytes(file_size), core::format_bytes(std::max(expected, file_size + 1))));
  extract_state_metadata(attempt.document, nullptr, info);
}

void inspect_zip(const std::string& path, const InspectOptions& options, const core::ReadOnlyFile& file, CheckpointInfo& info) {
  // A truncated file has no directory; its metadata is still shown from the pickle, marked invalid.
  info.format = "pytorch_zip";
  auto archive = ZipArchive::open(path);
  if (!archive) {
    explain_truncated_zip(archive.error().message, file, info.file_bytes, info);
    return;
  }
  const std::string prefix = archive_prefix(archive->entries());
  bool torchscript = false;
  for (const auto& e : archive->entries()) {
    if (e.name.rfind(prefix + "code/", 0) == 0 || e.name == prefix + "constants.pkl") torchscript = true;
  }
  if (torchscript) {
    info.format = "torchscript";
    info.framework = "torchscript";
  }

  std::optional<PickleDocument> document;
  for (const auto& entry : archive->entries()) {
    if (entry.name.size() < 4 || entry.name.compare(entry.name.size() - 4, 4, ".pkl") != 0) continue;
    auto bytes = archive->read(entry, kMaxPickleBytes);
    if (!bytes) {
      info.mark_invalid(bytes.error().message);
      continue;
    }
    std::span<const std::uint8_t> span(bytes->data(), bytes->size());
    if (entry.name == prefix + "data.pkl") {
      PickleReadAttempt attempt = read_pickle_partial(span);
      merge_security(judge_read(attempt, span), entry.name, info.security);
      if (attempt.error) {
        info.mark_invalid(fmt::format("the checkpoint's pickle ({}) cannot be read: {}", entry.name, attempt.error->message));
      } else {
        document = std::move(attempt.document);
      }
    } else {
      merge_security(scan_pickle(span), entry.name, info.security);
    }
  }
  if (!archive->find(prefix + "data.pkl")) {
    info.mark_invalid("a zip archive without data.pkl: not a PyTorch checkpoint");
    return;
  }
  if (!document) return;

  const ZipArchive& zip = *archive;
  ScalarReader read_scalar = [&zip, &prefix](const TensorRef& t) -> std::optional<double> {
    const ZipEntry* record = zip.find(prefix + "data/" + t.storage_key);
    std::uint64_t size = dtype_size(t.dtype);
    if (!record || size == 0) return std::nullopt;
    auto start = zip.data_offset(*record);
    std::uint64_t at = static_cast<std::uint64_t>(t.storage_offset) * size;
    if (!start || at + size > record->uncompressed_size) return std::nullopt;
    auto bytes = zip.read(*record, 4096, /*verify_crc=*/false);  // scalar storages are tiny
    if (!bytes || at + size > bytes->size()) return std::nullopt;
    return decode_scalar(std::span<const unsigned char>(bytes->data() + at, size), t.dtype);
  };
  extract_state_metadata(*document, read_scalar, info);
  if (torchscript) info.framework = "torchscript";

  for (const StorageRef& storage : document->storages()) {
    const ZipEntry* record = archive->find(prefix + "data/" + storage.key);
    if (!record) {
      info.mark_invalid(fmt::format("tensor data record 'data/{}' is missing: the file is incomplete or was edited", storage.key));
      break;
    }
    if (record->uncompressed_size < storage_bytes(storage)) {
      info.mark_invalid(fmt::format("tensor data record 'data/{}' holds {} bytes but its tensors need {}", storage.key,
                                record->uncompressed_size, storage_bytes(storage)));
      break;
    }
    if (auto start = archive->data_offset(*record); !start) {
      info.mark_invalid(start.error().message);
      break;
    }
  }
  if (options.verify) {
    for (const auto& entry : archive->entries()) {
      if (auto s = archive->verify(entry); !s) {
        info.mark_invalid(s.error().message);
        break;
      }
    }
  }
}

// Reads the pickle at `offset`, growing the window until it fits (legacy files hold no sizes).
PickleReadAttempt read_pickle_at(const core::ReadOnlyFile& file, std::uint64_t file_size, std::uint64_t offset,
                                 std::vector<unsigned char>& bytes) {
  std::uint64_t window = kFirstPickleChunk;
  while (true) {
    bytes = file.read(offset, std::min<std::uint64_t>(window, file_size - std::min(offset, file_size)));
    PickleReadAttempt attempt = read_pickle_partial(std::span<const std::uint8_t>(bytes.data(), bytes.size()));
    bool window_cut = offset + bytes.size() < file_size && attempt.error;
    if (!window_cut || window >= kMaxPickleBytes) return attempt;
    window *= 8;
  }
}

void inspect_legacy(const core::ReadOnlyFile& file, std::uint64_t file_size, CheckpointInfo& info) {
  info.format = "pytorch_legacy";
  std::uint64_t offset = 0;
  std::vector<unsigned char> bytes;
  // magic number, protocol version, system info: small pickles checked like the rest.
  for (const char* what : {"magic number", "protocol version", "system info"}) {
    PickleReadAttempt attempt = read_pickle_at(file, file_size, offset, bytes);
    merge_security(judge_read(attempt, std::span<const std::uint8_t>(bytes.data(), bytes.size())), what, info.security);
    if (attempt.error) {
      info.mark_invalid(fmt::format("truncated or damaged legacy checkpoint: its {} cannot be read ({})", what,
                                attempt.error->message));
      return;
    }
    offset += attempt.document.bytes_consumed();
  }
  PickleReadAttempt main = read_pickle_at(file, file_size, offset, bytes);
  merge_security(judge_read(main, std::span<const std::uint8_t>(bytes.data(), bytes.size())), "data", info.security);
  if (main.error) {
    info.mark_invalid(fmt::format("truncated or damaged legacy checkpoint: its pickle cannot be read ({})", main.error->message));
    return;
  }
  offset += main.document.bytes_consumed();
  PickleReadAttempt keys = read_pickle_at(file, file_size, offset, bytes);
  merge_security(judge_read(keys, std::span<const std::uint8_t>(bytes.data(), bytes.size())), "storage keys", info.security);
  if (keys.error) {
    info.mark_invalid(fmt::format("truncated: {} ends before the list of tensor storages; the save was probably interrupted",
                              core::format_bytes(file_size)));
    return;
  }
  offset += keys.document.bytes_consumed();

  // Each storage follows in key order: an int64 element count, then the elements.
  const PickleDocument& doc = main.document;
  std::map<std::string, const StorageRef*> by_key;
  std::uint64_t expected = offset;
  for (const StorageRef& s : doc.storages()) {
    by_key[s.key] = &s;
    expected += 8 + storage_bytes(s);
  }
  std::map<std::string, std::uint64_t> data_at;
  const Node& key_list = keys.document.node(keys.document.root());
  for (NodeIndex key_node : key_list.items) {
    const std::string* key = keys.document.as_string(key_node);
    if (!key || !by_key.count(*key)) {
      info.mark_invalid("the storage list names a storage the pickle does not use: the file is damaged");
      break;
    }
    auto count = file.read(offset, 8);
    if (count.size() < 8) break;
    std::int64_t elements = 0;
    std::memcpy(&elements, count.data(), 8);
    std::uint64_t element_size = std::max<std::uint64_t>(dtype_size(by_key[*key]->dtype), 1);
    if (elements < 0 || static_cast<std::uint64_t>(elements) > file_size / element_size) {
      offset = file_size + 1;
      break;
    }
    data_at[*key] = offset + 8;
    offset += 8 + static_cast<std::uint64_t>(elements) * element_size;
  }
  if (info.valid && offset > file_size) {
    info.mark_invalid(fmt::format("truncated: {} of {}; the save was probably interrupted", core::format_bytes(file_size),
                              core::format_bytes(expected)));
  } else if (info.valid && data_at.size() < by_key.size() && offset >= file_size) {
    info.mark_invalid(fmt::format("truncated: {} of {}; the save was probably interrupted", core::format_bytes(file_size),
                              core::format_bytes(expected)));
  }
  ScalarReader read_scalar = [&file, &data_at](const TensorRef& t) -> std::optional<double> {
    auto it = data_at.find(t.storage_key);
    std::uint64_t size = dtype_size(t.dtype);
    if (it == data_at.end() || size == 0) return std::nullopt;
    auto raw = file.read(it->second + static_cast<std::uint64_t>(t.storage_view_offset + t.storage_offset) * size, size);
    return decode_scalar(raw, t.dtype);
  };
  extract_state_metadata(doc, read_scalar, info);
}

void inspect_bare_pickle(const core::ReadOnlyFile& file, std::uint64_t file_size, CheckpointInfo& info) {
  info.format = "pickle";
  std::vector<unsigned char> bytes;
  PickleReadAttempt attempt = read_pickle_at(file, file_size, 0, bytes);
  merge_security(judge_read(attempt, std::span<const std::uint8_t>(bytes.data(), bytes.size())), "pickle", info.security);
  if (attempt.error) {
    info.mark_invalid("the pickle cannot be read: " + attempt.error->message);
    return;
  }
  extract_state_metadata(attempt.document, nullptr, info);
}

}  // namespace

CheckpointInfo inspect_torch_file(const std::string& path, const InspectOptions& options) {
  CheckpointInfo info;
  std::error_code ec;
  info.path = fs::absolute(path, ec).lexically_normal().string();
  info.format = "unknown";
  info.framework = "unknown";
  info.valid = true;
  auto opened = core::ReadOnlyFile::open(path);
  if (!opened) {
    info.mark_invalid(opened.error().message);
    return info;
  }
  const core::ReadOnlyFile& file = *opened;
  info.file_bytes = file.size();
  info.modified_time = core::modified_time(file.status());
  if (info.file_bytes == 0) {
    info.mark_invalid("empty file: the save never wrote anything (interrupted, or the disk was full)");
    return info;
  }
  auto head = file.read(0, 16);
  std::string_view first(reinterpret_cast<const char*>(head.data()), head.size());
  if (starts_like_zip(first)) {
    inspect_zip(path, options, file, info);
  } else if (head.size() >= 2 + sizeof kLegacyMagic && head[0] == 0x80 &&
             std::memcmp(head.data() + 2, kLegacyMagic, sizeof kLegacyMagic) == 0) {
    inspect_legacy(file, info.file_bytes, info);
  } else if (!head.empty() && (head[0] == 0x80 || head[0] == '(' || head[0] == '}' || head[0] == ']')) {
    inspect_bare_pickle(file, info.file_bytes, info);
  } else {
    info.mark_invalid("not a PyTorch checkpoint: neither a zip archive nor a pickle");
  }
  finish_security(info.security);
  if (info.valid && is_temporary_name(fs::path(path).filename().string())) {
    info.mark_invalid("a temporary file: the save that wrote it did not finish (it was never renamed)");
  }
  return info;
}

}  // namespace trainctl::checkpoint
