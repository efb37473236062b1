// The security verdict on one pickle, from the globals it names (never by running it):
// dangerous if any global can run code or touch the system, unknown if any is off the allowlist
// or the pickle cannot be read to its end, safe only when fully read and every global allowlisted.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checkpoint/pickle_reader.h"
#include "checkpoint/pickle_security_rules.h"

namespace trainctl::checkpoint {

struct GlobalFinding {
  GlobalReference global;
  Safety safety = Safety::kUnknown;
  std::string reason;
  // Found by the opcode scan that continues past a read error: Python might never reach it,
  // but a pickle that hides a dangerous global behind an error is dangerous all the same.
  bool after_read_error = false;
};

struct SecurityVerdict {
  Safety verdict = Safety::kUnknown;
  std::vector<GlobalFinding> globals;       // every distinct global, in order of appearance
  std::optional<std::string> read_error;    // why reading stopped before STOP, if it did
  std::size_t bytes_consumed = 0;           // of a complete read: where the next pickle starts

  std::size_t count(Safety safety) const;
  nlohmann::json to_json() const;
};

// Judges one global reference: its name's classification, made dangerous when the pickle
// computes the name at load time or modifies the object it names.
GlobalFinding judge_global(const GlobalReference& global);

// Reads and judges the pickle at the start of `bytes` in one pass. On a read error, the rest of
// the bytes are still scanned opcode by opcode for further GLOBAL/INST/STACK_GLOBAL names.
SecurityVerdict scan_pickle(std::span<const std::uint8_t> bytes, const PickleLimits& limits = {});

// The same verdict for a read already made (read_pickle_partial), e.g. by a caller that also
// wants the document; `bytes` must be what was read.
SecurityVerdict judge_read(const PickleReadAttempt& attempt, std::span<const std::uint8_t> bytes,
                           const PickleLimits& limits = {});

}  // namespace trainctl::checkpoint
