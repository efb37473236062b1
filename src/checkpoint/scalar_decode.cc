#include "checkpoint/scalar_decode.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "checkpoint/safetensors_header.h"

namespace trainctl::checkpoint {
namespace {

template <typename T>
T load(std::span<const unsigned char> bytes) {
  T value;
  std::memcpy(&value, bytes.data(), sizeof(T));  // x86-64 and aarch64 are little-endian, as the files are
  return value;
}

double half_to_double(std::uint16_t h) {
  int exponent = (h >> 10) & 0x1F;
  int mantissa = h & 0x3FF;
  double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  if (exponent == 31) return mantissa ? NAN : sign * INFINITY;
  return sign * std::ldexp(mantissa + 1024, exponent - 25);
}

}  // namespace

std::optional<double> decode_scalar(std::span<const unsigned char> bytes, const std::string& dtype) {
  if (bytes.size() < dtype_size(dtype) || dtype_size(dtype) == 0) return std::nullopt;
  if (dtype == "float32") return load<float>(bytes);
  if (dtype == "float64") return load<double>(bytes);
  if (dtype == "float16") return half_to_double(load<std::uint16_t>(bytes));
  if (dtype == "bfloat16") {
    std::uint32_t bits = static_cast<std::uint32_t>(load<std::uint16_t>(bytes)) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
  if (dtype == "int64") return static_cast<double>(load<std::int64_t>(bytes));
  if (dtype == "int32") return load<std::int32_t>(bytes);
  if (dtype == "int16") return load<std::int16_t>(bytes);
  if (dtype == "int8") return load<std::int8_t>(bytes);
  if (dtype == "uint8" || dtype == "bool") return load<std::uint8_t>(bytes);
  return std::nullopt;
}

}  // namespace trainctl::checkpoint
