// The pickle opcodes of protocols 0-5 and a decoder of one opcode with its operand, shared by the
// reader and by the security scan that goes on past a read error. Decoding only slices the input:
// it checks every length against what remains and never allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/result.h"

namespace trainctl::checkpoint {

enum class Operand : std::uint8_t {
  kNone,
  kU1,          // 1-byte unsigned
  kU2,          // 2-byte little-endian unsigned
  kI4,          // 4-byte little-endian signed
  kU4,          // 4-byte little-endian unsigned
  kU8,          // 8-byte little-endian unsigned
  kFloat8,      // 8-byte big-endian IEEE double
  kLine,        // text up to '\n'
  kTwoLines,    // two '\n'-terminated lines (GLOBAL, INST)
  kData1,       // 1-byte length, then that many bytes
  kData4,       // 4-byte unsigned length, then bytes
  kData4Signed, // 4-byte signed length (BINSTRING, LONG4): negative is an error
  kData8,       // 8-byte length, then bytes
};

struct OpcodeInfo {
  std::uint8_t code;
  std::string_view name;
  Operand operand;
};

// nullptr for a byte that is no pickle opcode.
const OpcodeInfo* find_opcode(std::uint8_t code);

struct DecodedOpcode {
  const OpcodeInfo* info = nullptr;
  std::size_t offset = 0;   // of the opcode byte
  std::size_t size = 0;     // opcode byte plus operand
  std::uint64_t number = 0; // kU1..kU8 operand; data length for kData*
  std::int64_t signed_number = 0;  // kI4 operand
  double real = 0;          // kFloat8 operand
  std::string_view data;    // kData* bytes; kLine text without '\n'; kTwoLines first line
  std::string_view data2;   // kTwoLines second line
};

// Decodes the opcode at `offset`. Errors name the opcode and offset: unknown byte, operand cut
// short by the end of input, negative or over-`max_data_bytes` lengths.
core::Result<DecodedOpcode> decode_opcode(std::span<const std::uint8_t> bytes, std::size_t offset,
                                          std::size_t max_data_bytes);

}  // namespace trainctl::checkpoint
