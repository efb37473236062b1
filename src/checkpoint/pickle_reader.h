// Reads one pickle (protocols 0-5) into a PickleDocument without executing anything: GLOBAL and
// STACK_GLOBAL never import, allowlisted callables are modelled (pickle_callables.h), all else
// becomes an opaque object. Every limit in PickleLimits holds; damage is an error with its offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "checkpoint/pickle_limits.h"
#include "checkpoint/pickle_value.h"
#include "core/result.h"

namespace trainctl::checkpoint {

// A read that may have stopped early: `document` holds everything read before `error`,
// in particular every global named up to that point (what the security scan needs).
struct PickleReadAttempt {
  PickleDocument document;
  std::optional<core::Error> error;
  std::size_t error_offset = 0;   // the opcode that failed
};

// Reads the pickle at the start of `bytes`, stopping at its STOP opcode: bytes after it are left
// alone, and document.bytes_consumed() says where the next pickle (legacy torch files hold
// several in a row) or raw data begins.
core::Result<PickleDocument> read_pickle(std::span<const std::uint8_t> bytes, const PickleLimits& limits = {});

PickleReadAttempt read_pickle_partial(std::span<const std::uint8_t> bytes, const PickleLimits& limits = {});

}  // namespace trainctl::checkpoint
