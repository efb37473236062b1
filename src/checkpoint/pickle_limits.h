// The limits that keep a hostile pickle from exhausting memory or time. Every value a pickle makes
// costs at least one input byte, so memory grows linearly with the input up to these caps; each
// cap, when hit, is an error naming it, never a crash.
#pragma once

#include <cstddef>

namespace trainctl::checkpoint {

// Nesting of values as built and of MARKs: Python's own unpickler recurses no deeper than ~1000.
inline constexpr std::size_t kMaxPickleDepth = 1000;
// Bytes one pickle may span (a torch data.pkl is kilobytes to a few megabytes).
inline constexpr std::size_t kMaxPickleBytes = std::size_t{1} << 30;
// Values in one document (~130 bytes each): a 10k-tensor checkpoint with optimizer state
// needs a few hundred thousand.
inline constexpr std::size_t kMaxPickleNodes = 2'000'000;
inline constexpr std::size_t kMaxPickleMemoEntries = 2'000'000;
// Entries of the unpickling stack: bounds DUP/GET, which push without making values.
inline constexpr std::size_t kMaxPickleStackEntries = 2'000'000;
// Items of all containers together, including those copied by modelled calls like list(x).
inline constexpr std::size_t kMaxPickleContainerItems = 32'000'000;
// One string or bytes value, and all of them together (copies by modelled calls included).
inline constexpr std::size_t kMaxPickleStringBytes = std::size_t{256} << 20;
inline constexpr std::size_t kMaxPickleTotalTextBytes = std::size_t{1} << 30;
// LONG1/LONG4 operand bytes and LONG/INT digits: decimal conversion is quadratic in these.
// Python itself refuses int↔str conversions over 4300 digits.
inline constexpr std::size_t kMaxPickleLongBytes = 2048;
inline constexpr std::size_t kMaxPickleLongDigits = 5000;
// Dimensions of one modelled tensor (PyTorch allows 64).
inline constexpr std::size_t kMaxTensorDims = 64;

struct PickleLimits {
  std::size_t max_depth = kMaxPickleDepth;
  std::size_t max_bytes = kMaxPickleBytes;
  std::size_t max_nodes = kMaxPickleNodes;
  std::size_t max_memo_entries = kMaxPickleMemoEntries;
  std::size_t max_stack_entries = kMaxPickleStackEntries;
  std::size_t max_container_items = kMaxPickleContainerItems;
  std::size_t max_string_bytes = kMaxPickleStringBytes;
  std::size_t max_total_text_bytes = kMaxPickleTotalTextBytes;
  std::size_t max_long_bytes = kMaxPickleLongBytes;
  std::size_t max_long_digits = kMaxPickleLongDigits;
};

}  // namespace trainctl::checkpoint
