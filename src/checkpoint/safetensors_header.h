// Reads a .safetensors file's header: the tensor names, dtypes, shapes and byte ranges, and the
// free-form __metadata__. Reads 8 + header bytes, never the tensor data; checks every range
// against the file size so a truncated download is reported, not trusted.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"

namespace trainctl::checkpoint {

// A header larger than this is hostile or broken: real ones are kilobytes to a few megabytes.
inline constexpr std::uint64_t kMaxSafetensorsHeaderBytes = 100ULL << 20;

struct SafetensorsTensor {
  std::string name;
  std::string dtype;                  // trainctl's names: "float32", "bfloat16", "int8", ...
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0;            // byte range within the data section
  std::uint64_t end = 0;
};

struct SafetensorsHeader {
  std::uint64_t header_bytes = 0;
  std::uint64_t file_bytes = 0;
  std::uint64_t data_bytes = 0;       // the largest end offset: what the data section must hold
  std::vector<SafetensorsTensor> tensors;
  std::map<std::string, std::string> metadata;
};

// Fails with a message that says what is wrong: not safetensors, header too large, a tensor whose
// range lies outside the file ("truncated: 612 MB of 1.02 GB"), an unknown dtype.
core::Result<SafetensorsHeader> read_safetensors_header(const std::string& path);

// "F32" → "float32"; empty when the safetensors dtype is unknown.
std::string safetensors_dtype_name(const std::string& code);
// Bytes per element of a trainctl dtype name ("float32" → 4); 0 when unknown; sub-byte → 1.
std::uint64_t dtype_size(const std::string& dtype);

}  // namespace trainctl::checkpoint
