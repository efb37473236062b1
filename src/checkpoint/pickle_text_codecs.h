// Decoders for the text and number encodings pickle operands use: protocol-0 decimal and float
// lines, Python's string-escape and raw-unicode-escape, two's-complement LONG bytes, and UTF-8
// checks. Pure functions over bounded input; costs are linear except LONG, capped by its caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace trainctl::checkpoint {

// An integer that may not fit int64: then `big` is set and `digits` holds its decimal form.
struct PickleInteger {
  bool big = false;
  std::int64_t value = 0;
  std::string digits;
};

// Decimal text as INT/LONG/GET/PUT write it: optional sign, digits, optional trailing 'L'.
std::optional<PickleInteger> parse_decimal_integer(std::string_view text);
// LONG1/LONG4 operand: little-endian two's complement, any length (the caller caps it).
PickleInteger integer_from_twos_complement(std::string_view little_endian);
// FLOAT operand: Python's repr of a float ("1.5", "1e+100", "nan", "-inf").
std::optional<double> parse_float_text(std::string_view text);

// STRING operand: a quoted Python 2 str literal; returns its bytes.
core::Result<std::string> decode_quoted_string(std::string_view quoted);
// UNICODE operand: raw-unicode-escape (latin-1 bytes plus \uXXXX/\UXXXXXXXX); returns UTF-8.
core::Result<std::string> decode_raw_unicode_escape(std::string_view text);

// Whether `text` is UTF-8 as Python's "surrogatepass" accepts it (encoded surrogates allowed).
bool is_utf8_with_surrogates(std::string_view text);
// `text` (accepted by is_utf8_with_surrogates) with each encoded surrogate replaced by U+FFFD,
// so every string a document holds is valid UTF-8 that JSON can carry.
std::string replace_surrogates(std::string_view text);
// Latin-1 bytes as UTF-8 text.
std::string utf8_from_latin1(std::string_view bytes);
// UTF-8 text as latin-1 bytes; nullopt when a character is above U+00FF or the text is not UTF-8.
std::optional<std::string> latin1_from_utf8(std::string_view text);
void append_utf8(std::string& out, char32_t code_point);

}  // namespace trainctl::checkpoint
