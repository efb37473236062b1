#include "checkpoint/safetensors_header.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/human_units.h"
#include "core/read_only_file.h"

namespace trainctl::checkpoint {

std::string safetensors_dtype_name(const std::string& code) {
  static const std::map<std::string, std::string> kNames = {
      {"F64", "float64"}, {"F32", "float32"}, {"F16", "float16"}, {"BF16", "bfloat16"},
      {"F8_E4M3", "float8_e4m3fn"}, {"F8_E5M2", "float8_e5m2"}, {"I64", "int64"}, {"I32", "int32"},
      {"I16", "int16"}, {"I8", "int8"}, {"U64", "uint64"}, {"U32", "uint32"}, {"U16", "uint16"},
      {"U8", "uint8"}, {"BOOL", "bool"}, {"C64", "complex64"}};
  auto it = kNames.find(code);
  return it == kNames.end() ? std::string() : it->second;
}

std::uint64_t dtype_size(const std::string& dtype) {
  static const std::map<std::string, std::uint64_t> kSizes = {
      {"float64", 8}, {"float32", 4}, {"float16", 2}, {"bfloat16", 2}, {"float8_e4m3fn", 1},
      {"float8_e5m2", 1}, {"int64", 8}, {"int32", 4}, {"int16", 2}, {"int8", 1}, {"uint64", 8},
      {"uint32", 4}, {"uint16", 2}, {"uint8", 1}, {"bool", 1}, {"complex64", 8}, {"complex128", 16},
      {"complex32", 4}, {"qint8", 1}, {"quint8", 1}, {"qint32", 4}, {"quint4x2", 1}, {"quint2x4", 1}};
  auto it = kSizes.find(dtype);
  return it == kSizes.end() ? 0 : it->second;
}

core::Result<SafetensorsHeader> read_safetensors_header(const std::string& path) {
  auto file = core::ReadOnlyFile::open(path);
  if (!file) return file.error();
  SafetensorsHeader header;
  header.file_bytes = file->size();
  if (header.file_bytes == 0) return core::Error::failure(path + ": the file is empty; the save was probably interrupted");
  unsigned char size_bytes[8];
  if (file->read_at(size_bytes, 8, 0) < 8) {
    return core::Error::failure(fmt::format("{}: {} bytes is too short for a safetensors header", path, header.file_bytes));
  }
  for (int i = 7; i >= 0; --i) header.header_bytes = (header.header_bytes << 8) | size_bytes[i];
  if (header.header_bytes > kMaxSafetensorsHeaderBytes) {
    return core::Error::failure(fmt::format("{}: header of {} bytes is over the {} limit: not a safetensors file, or damaged",
                                            path, header.header_bytes, core::format_bytes(kMaxSafetensorsHeaderBytes)));
  }
  if (8 + header.header_bytes > header.file_bytes) {
    return core::Error::failure(fmt::format("truncated: {} has {} bytes but its header alone needs {}", path,
                                            header.file_bytes, 8 + header.header_bytes));
  }
  std::string text(header.header_bytes, '\0');
  if (file->read_at(text.data(), text.size(), 8) < text.size()) {
    return core::Error::failure(path + ": unexpected end of file in the header");
  }
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return core::Error::failure(path + ": the header is not a JSON object: not a safetensors file, or damaged");

  for (auto it = json.begin(); it != json.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (it->is_object()) {
        for (auto m = it->begin(); m != it->end(); ++m) {
          if (m->is_string()) header.metadata[m.key()] = m->get<std::string>();
        }
      }
      continue;
    }
    const nlohmann::json& t = *it;
    if (!t.is_object() || !t.contains("dtype") || !t["dtype"].is_string() || !t.contains("shape") ||
        !t["shape"].is_array() || !t.contains("data_offsets") || !t["data_offsets"].is_array() ||
        t["data_offsets"].size() != 2 || !t["data_offsets"][0].is_number_unsigned() ||
        !t["data_offsets"][1].is_number_unsigned()) {
      return core::Error::failure(fmt::format("{}: tensor '{}' has a malformed header entry", path, it.key()));
    }
    SafetensorsTensor tensor;
    tensor.name = it.key();
    tensor.dtype = safetensors_dtype_name(t["dtype"].get<std::string>());
    if (tensor.dtype.empty()) {
      return core::Error::failure(fmt::format("{}: tensor '{}' has unknown dtype '{}'", path, it.key(), t["dtype"].get<std::string>()));
    }
    std::uint64_t elements = 1;
    for (const auto& dim : t["shape"]) {
      if (!dim.is_number_unsigned()) return core::Error::failure(fmt::format("{}: tensor '{}' has a malformed shape", path, it.key()));
      auto d = dim.get<std::uint64_t>();
      tensor.shape.push_back(static_cast<std::int64_t>(d));
      if (d != 0 && elements > UINT64_MAX / d / 16) {
        return core::Error::failure(fmt::format("{}: tensor '{}' has an impossible shape", path, it.key()));
      }
      elements *= d;
    }
    tensor.begin = t["data_offsets"][0].get<std::uint64_t>();
    tensor.end = t["data_offsets"][1].get<std::uint64_t>();
    std::uint64_t size = dtype_size(tensor.dtype);
    if (tensor.end < tensor.begin || elements * size != tensor.end - tensor.begin) {
      return core::Error::failure(fmt::format("{}: tensor '{}' claims bytes {}..{}, which do not fit its shape and dtype",
                                              path, it.key(), tensor.begin, tensor.end));
    }
    header.data_bytes = std::max(header.data_bytes, tensor.end);
    header.tensors.push_back(std::move(tensor));
  }
  std::uint64_t needed = 8 + header.header_bytes + header.data_bytes;
  if (needed > header.file_bytes) {
    return core::Error::failure(fmt::format("truncated: {} of {}; the save or download was probably interrupted",
                                            core::format_bytes(header.file_bytes), core::format_bytes(needed)));
  }
  return header;
}

}  // namespace trainctl::checkpoint
