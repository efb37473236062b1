// Sizes and durations written for people ("79.2 GiB", "1.4 s"). JSON output never uses these:
// it carries bytes and seconds as numbers.
#pragma once

#include <cstdint>
#include <string>

namespace trainctl::core {

std::string format_bytes(std::uint64_t bytes);    // binary units: B, KiB, MiB, GiB, TiB
std::string format_seconds(double seconds);       // "850 ms", "1.4 s", "3 min 20 s", "2 h 05 min"

}  // namespace trainctl::core
