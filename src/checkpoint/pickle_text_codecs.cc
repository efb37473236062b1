#include "checkpoint/pickle_text_codecs.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <vector>

#include <fmt/format.h>

namespace trainctl::checkpoint {
namespace {

std::string_view strip_ascii_space(std::string_view text) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decimal digits of a little-endian magnitude: schoolbook division by 10^9, quadratic in the
// length, which is why callers cap LONG operands (PickleLimits::max_long_bytes).
std::string decimal_from_magnitude(const std::vector<std::uint8_t>& little_endian) {
  std::vector<std::uint32_t> limbs((little_endian.size() + 3) / 4, 0);
  for (std::size_t i = 0; i < little_endian.size(); ++i) {
    limbs[i / 4] |= static_cast<std::uint32_t>(little_endian[i]) << (8 * (i % 4));
  }
  while (!limbs.empty() && limbs.back() == 0) limbs.pop_back();
  if (limbs.empty()) return "0";
  std::vector<std::uint32_t> chunks;  // base 10^9, least significant first
  while (!limbs.empty()) {
    std::uint64_t remainder = 0;
    for (std::size_t i = limbs.size(); i-- > 0;) {
      std::uint64_t current = (remainder << 32) | limbs[i];
      limbs[i] = static_cast<std::uint32_t>(current / 1'000'000'000u);
      remainder = current % 1'000'000'000u;
    }
    chunks.push_back(static_cast<std::uint32_t>(remainder));
    while (!limbs.empty() && limbs.back() == 0) limbs.pop_back();
  }
  std::string out = std::to_string(chunks.back());
  for (std::size_t i = chunks.size() - 1; i-- > 0;) out += fmt::format("{:09d}", chunks[i]);
  return out;
}

}  // namespace

void append_utf8(std::string& out, char32_t cp) {
  auto put = [&](std::uint32_t byte) { out.push_back(static_cast<char>(byte)); };
  auto c = static_cast<std::uint32_t>(cp);
  if (c < 0x80) {
    put(c);
  } else if (c < 0x800) {
    put(0xC0 | (c >> 6));
    put(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    put(0xE0 | (c >> 12));
    put(0x80 | ((c >> 6) & 0x3F));
    put(0x80 | (c & 0x3F));
  } else {
    put(0xF0 | (c >> 18));
    put(0x80 | ((c >> 12) & 0x3F));
    put(0x80 | ((c >> 6) & 0x3F));
    put(0x80 | (c & 0x3F));
  }
}

std::optional<PickleInteger> parse_decimal_integer(std::string_view text) {
  text = strip_ascii_space(text);
  if (!text.empty() && text.back() == 'L') text.remove_suffix(1);
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  while (text.size() > 1 && text.front() == '0') text.remove_prefix(1);
  std::string signed_digits = (negative && text != "0" ? "-" : "") + std::string(text);
  PickleInteger result;
  auto [end, error] = std::from_chars(signed_digits.data(), signed_digits.data() + signed_digits.size(), result.value);
  if (error == std::errc() && end == signed_digits.data() + signed_digits.size()) return result;
  result.big = true;
  result.value = 0;
  result.digits = std::move(signed_digits);
  return result;
}

PickleInteger integer_from_twos_complement(std::string_view bytes) {
  PickleInteger result;
  if (bytes.empty()) return result;
  const bool negative = (static_cast<std::uint8_t>(bytes.back()) & 0x80) != 0;
  // Drop high bytes that only repeat the sign, so that e.g. 9 bytes of a small value still fit.
  const char filler = negative ? '\xff' : '\x00';
  std::size_t length = bytes.size();
  while (length > 1 && bytes[length - 1] == filler &&
         (((static_cast<std::uint8_t>(bytes[length - 2]) & 0x80) != 0) == negative)) {
    --length;
  }
  if (length <= 8) {
    std::uint64_t bits = negative ? ~std::uint64_t{0} : 0;
    for (std::size_t i = 0; i < length; ++i) {
      bits &= ~(std::uint64_t{0xFF} << (8 * i));
      bits |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(bytes[i])) << (8 * i);
    }
    result.value = static_cast<std::int64_t>(bits);
    return result;
  }
  std::vector<std::uint8_t> magnitude(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length));
  if (negative) {
    unsigned carry = 1;
    for (std::uint8_t& byte : magnitude) {
      unsigned sum = static_cast<unsigned>(static_cast<std::uint8_t>(~byte)) + carry;
      byte = static_cast<std::uint8_t>(sum & 0xFF);
      carry = sum >> 8;
    }
  }
  result.big = true;
  result.digits = (negative ? "-" : "") + decimal_from_magnitude(magnitude);
  return result;
}

std::optional<double> parse_float_text(std::string_view text) {
  text = strip_ascii_space(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (end != text.data() + text.size()) return std::nullopt;
  if (error == std::errc::result_out_of_range) {
    // Python's float() turns "1e400" into inf and "1e-400" into 0.0 rather than failing.
    bool tiny = text.find_first_of("eE") != std::string_view::npos &&
                text.find('-', text.find_first_of("eE")) != std::string_view::npos;
    double magnitude = tiny ? 0.0 : std::numeric_limits<double>::infinity();
    return text.front() == '-' ? -magnitude : magnitude;
  }
  if (error != std::errc()) return std::nullopt;
  return value;
}

core::Result<std::string> decode_quoted_string(std::string_view quoted) {
  if (quoted.size() < 2 || quoted.front() != quoted.back() || (quoted.front() != '\'' && quoted.front() != '"')) {
    return core::Error::failure("the STRING opcode argument must be quoted");
  }
  std::string_view text = quoted.substr(1, quoted.size() - 2);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i == text.size()) return core::Error::failure("STRING argument ends with a lone backslash");
    char e = text[i];
    switch (e) {
      case '\n': break;
      case '\\': out.push_back('\\'); break;
      case '\'': out.push_back('\''); break;
      case '"': out.push_back('"'); break;
      case 'a': out.push_back('\a'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'v': out.push_back('\v'); break;
      case 'x': {
        int high = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
        int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
        if (high < 0 || low < 0) return core::Error::failure("STRING argument has an invalid \\x escape");
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          int value = e - '0';
          for (int digits = 1; digits < 3 && i + 1 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '7'; ++digits) {
            value = value * 8 + (text[++i] - '0');
          }
          out.push_back(static_cast<char>(value & 0xFF));
        } else {
          // Python keeps unknown escapes as they are.
          out.push_back('\\');
          out.push_back(e);
        }
    }
  }
  return out;
}

core::Result<std::string> decode_raw_unicode_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  // A high surrogate waiting for its low half; 0 when none (0 is never a surrogate). A plain
  // value rather than std::optional, which GCC 12 at -O2 wrongly reports as maybe-uninitialized.
  char32_t pending_high = 0;
  auto flush_pending = [&] {
    if (pending_high) append_utf8(out, U'\uFFFD');
    pending_high = 0;
  };
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<std::uint8_t>(text[i]);
    if (c != '\\') {
      flush_pending();
      append_utf8(out, c);
      ++i;
      continue;
    }
    // Only an odd run of backslashes starts an escape, as in CPython's decoder.
    std::size_t run_end = i;
    while (run_end < text.size() && text[run_end] == '\\') ++run_end;
    std::size_t run = run_end - i;
    if (run % 2 == 0 || run_end == text.size() || (text[run_end] != 'u' && text[run_end] != 'U')) {
      flush_pending();
      out.append(run, '\\');
      i = run_end;
      continue;
    }
    if (run > 1) flush_pending();
    out.append(run - 1, '\\');
    std::size_t digits = text[run_end] == 'u' ? 4 : 8;
    std::size_t start = run_end + 1;
    if (start + digits > text.size()) return core::Error::failure("UNICODE argument has a truncated \\uXXXX escape");
    std::uint32_t value = 0;
    for (std::size_t k = 0; k < digits; ++k) {
      int h = hex_value(text[start + k]);
      if (h < 0) return core::Error::failure("UNICODE argument has a truncated \\uXXXX escape");
      value = (value << 4) | static_cast<std::uint32_t>(h);
    }
    if (value > 0x10FFFF) return core::Error::failure("UNICODE argument has a \\Uxxxxxxxx escape out of range");
    if (value >= 0xD800 && value < 0xDC00) {
      flush_pending();
      pending_high = static_cast<char32_t>(value);
    } else if (value >= 0xDC00 && value < 0xE000) {
      if (pending_high) {
        append_utf8(out, static_cast<char32_t>(0x10000 + ((pending_high - 0xD800) << 10) + (value - 0xDC00)));
        pending_high = 0;
      } else {
        append_utf8(out, U'\uFFFD');
      }
    } else {
      flush_pending();
      append_utf8(out, static_cast<char32_t>(value));
    }
    i = start + digits;
  }
  flush_pending();
  return out;
}

bool is_utf8_with_surrogates(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto b = static_cast<std::uint8_t>(text[i]);
    std::size_t length;
    std::uint8_t low = 0x80, high = 0xBF;
    if (b < 0x80) {
      ++i;
      continue;
    } else if (b >= 0xC2 && b <= 0xDF) {
      length = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      length = 3;
      if (b == 0xE0) low = 0xA0;  // no overlong forms; 0xED (surrogates) is allowed through
    } else if (b >= 0xF0 && b <= 0xF4) {
      length = 4;
      if (b == 0xF0) low = 0x90;
      if (b == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      auto cont = static_cast<std::uint8_t>(text[i + k]);
      std::uint8_t lo = k == 1 ? low : 0x80, hi = k == 1 ? high : 0xBF;
      if (cont < lo || cont > hi) return false;
    }
    i += length;
  }
  return true;
}

std::string replace_surrogates(std::string_view text) {
  auto surrogate_at = [&](std::size_t i) -> std::optional<std::uint32_t> {
    if (i + 3 > text.size() || static_cast<std::uint8_t>(text[i]) != 0xED ||
        static_cast<std::uint8_t>(text[i + 1]) < 0xA0) {
      return std::nullopt;
    }
    return 0xD000u | ((static_cast<std::uint32_t>(static_cast<std::uint8_t>(text[i + 1])) & 0x3F) << 6) |
           (static_cast<std::uint32_t>(static_cast<std::uint8_t>(text[i + 2])) & 0x3F);
  };
  if (text.find('\xED') == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    auto first = surrogate_at(i);
    if (!first) {
      out.push_back(text[i++]);
      continue;
    }
    auto second = surrogate_at(i + 3);
    if (*first < 0xDC00 && second && *second >= 0xDC00) {
      append_utf8(out, static_cast<char32_t>(0x10000 + ((*first - 0xD800) << 10) + (*second - 0xDC00)));
      i += 6;
    } else {
      append_utf8(out, U'\uFFFD');
      i += 3;
    }
  }
  return out;
}

std::string utf8_from_latin1(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) append_utf8(out, static_cast<std::uint8_t>(c));
  return out;
}

std::optional<std::string> latin1_from_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto b = static_cast<std::uint8_t>(text[i]);
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
    } else if ((b == 0xC2 || b == 0xC3) && i + 1 < text.size() &&
               (static_cast<std::uint8_t>(text[i + 1]) & 0xC0) == 0x80) {
      out.push_back(static_cast<char>(((b & 0x03) << 6) | (static_cast<std::uint8_t>(text[i + 1]) & 0x3F)));
      ++i;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace trainctl::checkpoint
