#include "checkpoint/pickle_opcodes.h"

#include <array>
#include <bit>
#include <cstring>

#include <fmt/format.h>

namespace trainctl::checkpoint {
namespace {

// Names as in CPython's pickletools, so that errors match what `python -m pickletools` shows.
constexpr OpcodeInfo kOpcodes[] = {
    {'(', "MARK", Operand::kNone},
    {'.', "STOP", Operand::kNone},
    {'0', "POP", Operand::kNone},
    {'1', "POP_MARK", Operand::kNone},
    {'2', "DUP", Operand::kNone},
    {'F', "FLOAT", Operand::kLine},
    {'I', "INT", Operand::kLine},
    {'J', "BININT", Operand::kI4},
    {'K', "BININT1", Operand::kU1},
    {'L', "LONG", Operand::kLine},
    {'M', "BININT2", Operand::kU2},
    {'N', "NONE", Operand::kNone},
    {'P', "PERSID", Operand::kLine},
    {'Q', "BINPERSID", Operand::kNone},
    {'R', "REDUCE", Operand::kNone},
    {'S', "STRING", Operand::kLine},
    {'T', "BINSTRING", Operand::kData4Signed},
    {'U', "SHORT_BINSTRING", Operand::kData1},
    {'V', "UNICODE", Operand::kLine},
    {'X', "BINUNICODE", Operand::kData4},
    {'a', "APPEND", Operand::kNone},
    {'b', "BUILD", Operand::kNone},
    {'c', "GLOBAL", Operand::kTwoLines},
    {'d', "DICT", Operand::kNone},
    {'}', "EMPTY_DICT", Operand::kNone},
    {'e', "APPENDS", Operand::kNone},
    {'g', "GET", Operand::kLine},
    {'h', "BINGET", Operand::kU1},
    {'i', "INST", Operand::kTwoLines},
    {'j', "LONG_BINGET", Operand::kU4},
    {'l', "LIST", Operand::kNone},
    {']', "EMPTY_LIST", Operand::kNone},
    {'o', "OBJ", Operand::kNone},
    {'p', "PUT", Operand::kLine},
    {'q', "BINPUT", Operand::kU1},
    {'r', "LONG_BINPUT", Operand::kU4},
    {'s', "SETITEM", Operand::kNone},
    {'t', "TUPLE", Operand::kNone},
    {')', "EMPTY_TUPLE", Operand::kNone},
    {'u', "SETITEMS", Operand::kNone},
    {'G', "BINFLOAT", Operand::kFloat8},
    {0x80, "PROTO", Operand::kU1},
    {0x81, "NEWOBJ", Operand::kNone},
    {0x82, "EXT1", Operand::kU1},
    {0x83, "EXT2", Operand::kU2},
    {0x84, "EXT4", Operand::kI4},
    {0x85, "TUPLE1", Operand::kNone},
    {0x86, "TUPLE2", Operand::kNone},
    {0x87, "TUPLE3", Operand::kNone},
    {0x88, "NEWTRUE", Operand::kNone},
    {0x89, "NEWFALSE", Operand::kNone},
    {0x8a, "LONG1", Operand::kData1},
    {0x8b, "LONG4", Operand::kData4Signed},
    {'B', "BINBYTES", Operand::kData4},
    {'C', "SHORT_BINBYTES", Operand::kData1},
    {0x8c, "SHORT_BINUNICODE", Operand::kData1},
    {0x8d, "BINUNICODE8", Operand::kData8},
    {0x8e, "BINBYTES8", Operand::kData8},
    {0x8f, "EMPTY_SET", Operand::kNone},
    {0x90, "ADDITEMS", Operand::kNone},
    {0x91, "FROZENSET", Operand::kNone},
    {0x92, "NEWOBJ_EX", Operand::kNone},
    {0x93, "STACK_GLOBAL", Operand::kNone},
    {0x94, "MEMOIZE", Operand::kNone},
    {0x95, "FRAME", Operand::kU8},
    {0x96, "BYTEARRAY8", Operand::kData8},
    {0x97, "NEXT_BUFFER", Operand::kNone},
    {0x98, "READONLY_BUFFER", Operand::kNone},
};

constexpr std::array<const OpcodeInfo*, 256> make_table() {
  std::array<const OpcodeInfo*, 256> table{};
  for (const OpcodeInfo& info : kOpcodes) table[info.code] = &info;
  return table;
}
constexpr std::array<const OpcodeInfo*, 256> kTable = make_table();

std::uint64_t little_endian(std::span<const std::uint8_t> bytes, std::size_t at, int width) {
  std::uint64_t value = 0;
  for (int i = width - 1; i >= 0; --i) value = (value << 8) | bytes[at + static_cast<std::size_t>(i)];
  return value;
}

std::string_view view(std::span<const std::uint8_t> bytes, std::size_t at, std::size_t length) {
  return {reinterpret_cast<const char*>(bytes.data() + at), length};
}

core::Error truncated(const DecodedOpcode& op, std::size_t needed, std::size_t remaining) {
  return core::Error::failure(fmt::format(
      "pickle data is truncated: {} at offset {} needs {} more bytes but only {} remain "
      "(the file was cut short or is not a pickle)",
      op.info->name, op.offset, needed, remaining));
}

}  // namespace

const OpcodeInfo* find_opcode(std::uint8_t code) { return kTable[code]; }

core::Result<DecodedOpcode> decode_opcode(std::span<const std::uint8_t> bytes, std::size_t offset,
                                          std::size_t max_data_bytes) {
  if (offset >= bytes.size()) {
    return core::Error::failure(fmt::format(
        "pickle data is truncated: it ends at offset {} before its STOP opcode", offset));
  }
  DecodedOpcode op;
  op.offset = offset;
  op.info = kTable[bytes[offset]];
  if (op.info == nullptr) {
    return core::Error::failure(fmt::format(
        "unknown pickle opcode 0x{:02x} at offset {}: not part of pickle protocols 0-5, so this is "
        "not a pickle or it is corrupted there",
        bytes[offset], offset));
  }
  const std::size_t at = offset + 1;
  const std::size_t remaining = bytes.size() - at;
  auto fixed = [&](int width) -> core::Status {
    if (remaining < static_cast<std::size_t>(width)) return truncated(op, static_cast<std::size_t>(width), remaining);
    op.number = little_endian(bytes, at, width);
    op.size = 1 + static_cast<std::size_t>(width);
    return core::Ok{};
  };
  auto line_end = [&](std::size_t from) -> std::size_t {
    const void* found = std::memchr(bytes.data() + from, '\n', bytes.size() - from);
    return found ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(found) - bytes.data()) : bytes.size();
  };
  auto data = [&](int width, bool is_signed) -> core::Status {
    if (auto status = fixed(width); !status) return status;
    std::uint64_t length = op.number;
    if (is_signed && (length & 0x80000000u) != 0) {
      return core::Error::failure(fmt::format("{} at offset {} has a negative length; the pickle is corrupted",
                                              op.info->name, offset));
    }
    if (length > max_data_bytes) {
      return core::Error::failure(fmt::format(
          "{} at offset {} declares {} bytes, more than the limit of {} for one value; the pickle is "
          "corrupted or hostile (raise PickleLimits::max_string_bytes if it is genuine)",
          op.info->name, offset, length, max_data_bytes));
    }
    std::size_t available = remaining - static_cast<std::size_t>(width);
    if (length > available) return truncated(op, static_cast<std::size_t>(width) + length, remaining);
    op.data = view(bytes, at + static_cast<std::size_t>(width), static_cast<std::size_t>(length));
    op.size += static_cast<std::size_t>(length);
    return core::Ok{};
  };

  core::Status status = core::Ok{};
  switch (op.info->operand) {
    case Operand::kNone: op.size = 1; break;
    case Operand::kU1: status = fixed(1); break;
    case Operand::kU2: status = fixed(2); break;
    case Operand::kU4: status = fixed(4); break;
    case Operand::kU8: status = fixed(8); break;
    case Operand::kI4:
      status = fixed(4);
      op.signed_number = static_cast<std::int32_t>(static_cast<std::uint32_t>(op.number));
      break;
    case Operand::kFloat8:
      if (remaining < 8) return truncated(op, 8, remaining);
      {
        std::uint64_t bits = 0;
        for (std::size_t i = 0; i < 8; ++i) bits = (bits << 8) | bytes[at + i];
        op.real = std::bit_cast<double>(bits);
      }
      op.size = 9;
      break;
    case Operand::kLine: {
      std::size_t end = line_end(at);
      if (end == bytes.size()) {
        return core::Error::failure(fmt::format(
            "pickle data is truncated: {} at offset {} has no end-of-line for its argument",
            op.info->name, offset));
      }
      if (end - at > max_data_bytes) {
        return core::Error::failure(fmt::format("{} at offset {} has a {}-byte argument, over the limit of {}",
                                                op.info->name, offset, end - at, max_data_bytes));
      }
      op.data = view(bytes, at, end - at);
      op.size = end + 1 - offset;
      break;
    }
    case Operand::kTwoLines: {
      std::size_t first = line_end(at);
      std::size_t second = first == bytes.size() ? first : line_end(first + 1);
      if (second == bytes.size()) {
        return core::Error::failure(fmt::format(
            "pickle data is truncated: {} at offset {} needs a module line and a name line",
            op.info->name, offset));
      }
      op.data = view(bytes, at, first - at);
      op.data2 = view(bytes, first + 1, second - first - 1);
      op.size = second + 1 - offset;
      break;
    }
    case Operand::kData1: status = data(1, false); break;
    case Operand::kData4: status = data(4, false); break;
    case Operand::kData4Signed: status = data(4, true); break;
    case Operand::kData8: status = data(8, false); break;
  }
  if (!status) return status.error();
  return op;
}

}  // namespace trainctl::checkpoint
