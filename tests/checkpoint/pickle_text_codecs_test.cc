#include "checkpoint/pickle_text_codecs.h"

#include <gtest/gtest.h>

#include <cmath>

namespace trainctl::checkpoint {
namespace {

TEST(PickleTextCodecs, DecimalIntegers) {
  EXPECT_EQ(parse_decimal_integer("42")->value, 42);
  EXPECT_EQ(parse_decimal_integer("-0007L")->value, -7);
  EXPECT_EQ(parse_decimal_integer("-0")->value, 0);
  EXPECT_EQ(parse_decimal_integer("9223372036854775807")->value, INT64_MAX);
  EXPECT_EQ(parse_decimal_integer("-9223372036854775808")->value, INT64_MIN);
  auto big = parse_decimal_integer("9223372036854775808");
  ASSERT_TRUE(big);
  EXPECT_TRUE(big->big);
  EXPECT_EQ(big->digits, "9223372036854775808");
  EXPECT_EQ(parse_decimal_integer("-000123456789012345678901234567890L")->digits, "-123456789012345678901234567890");
  EXPECT_FALSE(parse_decimal_integer(""));
  EXPECT_FALSE(parse_decimal_integer("12a"));
  EXPECT_FALSE(parse_decimal_integer("-"));
  EXPECT_FALSE(parse_decimal_integer("0x10"));
}

TEST(PickleTextCodecs, TwosComplementBytes) {
  EXPECT_EQ(integer_from_twos_complement("").value, 0);
  EXPECT_EQ(integer_from_twos_complement("\xff").value, -1);
  EXPECT_EQ(integer_from_twos_complement(std::string("\x00\x80", 2)).value, -32768);
  EXPECT_EQ(integer_from_twos_complement(std::string("\xff\x00", 2)).value, 255);
  EXPECT_EQ(integer_from_twos_complement(std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8)).value, INT64_MAX);
  // 2**64 and -(2**64): nine bytes that do not fit.
  EXPECT_EQ(integer_from_twos_complement(std::string("\x00\x00\x00\x00\x00\x00\x00\x00\x01", 9)).digits,
            "18446744073709551616");
  EXPECT_EQ(integer_from_twos_complement(std::string("\x00\x00\x00\x00\x00\x00\x00\x00\xff", 9)).digits,
            "-18446744073709551616");
  // 2**100, as Python writes it with LONG1.
  std::string bytes(12, '\0');
  bytes.push_back('\x10');
  bytes.push_back('\0');
  EXPECT_EQ(integer_from_twos_complement(bytes).digits, "1267650600228229401496703205376");
}

TEST(PickleTextCodecs, FloatText) {
  EXPECT_EQ(parse_float_text("1.5"), 1.5);
  EXPECT_EQ(parse_float_text("+1e+100"), 1e100);
  EXPECT_EQ(parse_float_text("-inf"), -INFINITY);
  EXPECT_TRUE(std::isnan(*parse_float_text("nan")));
  EXPECT_EQ(parse_float_text("1e400"), INFINITY);
  EXPECT_EQ(parse_float_text("1e-400"), 0.0);
  EXPECT_FALSE(parse_float_text("1.5x"));
  EXPECT_FALSE(parse_float_text(""));
}

TEST(PickleTextCodecs, QuotedStrings) {
  EXPECT_EQ(*decode_quoted_string("'a\\tb\\x41\\101\\\\'"), "a\tbAA\\");
  EXPECT_EQ(*decode_quoted_string("\"it's\""), "it's");
  EXPECT_EQ(*decode_quoted_string("'keep \\q'"), "keep \\q");
  EXPECT_FALSE(decode_quoted_string("'unterminated"));
  EXPECT_FALSE(decode_quoted_string("'bad \\xZZ'"));
  EXPECT_FALSE(decode_quoted_string("'trailing \\'"));
}

TEST(PickleTextCodecs, RawUnicodeEscape) {
  EXPECT_EQ(*decode_raw_unicode_escape("caf\xe9"), "caf\xC3\xA9");  // latin-1 byte
  EXPECT_EQ(*decode_raw_unicode_escape("\\u20ac \\U0001F600"), "\xE2\x82\xAC \xF0\x9F\x98\x80");
  EXPECT_EQ(*decode_raw_unicode_escape("\\\\u0041"), "\\\\u0041");  // even backslashes: no escape
  EXPECT_EQ(*decode_raw_unicode_escape("\\\\\\u0041"), "\\\\A");
  EXPECT_EQ(*decode_raw_unicode_escape("\\ud83d\\ude00"), "\xF0\x9F\x98\x80");  // a surrogate pair joins
  EXPECT_EQ(*decode_raw_unicode_escape("\\ud800!"), "\xEF\xBF\xBD!");       // a lone one becomes U+FFFD
  EXPECT_FALSE(decode_raw_unicode_escape("\\u12"));
  EXPECT_FALSE(decode_raw_unicode_escape("\\U00110000"));
}

TEST(PickleTextCodecs, Utf8) {
  EXPECT_TRUE(is_utf8_with_surrogates("plain \xC3\xA9 \xF0\x9F\x98\x80"));
  EXPECT_TRUE(is_utf8_with_surrogates("\xED\xA0\x80"));  // surrogatepass
  EXPECT_FALSE(is_utf8_with_surrogates("\xC0\x80"));     // overlong
  EXPECT_FALSE(is_utf8_with_surrogates("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_utf8_with_surrogates("\xE2\x82"));     // cut short
  EXPECT_EQ(replace_surrogates("a\xED\xA0\x80z"), "a\xEF\xBF\xBDz");
  EXPECT_EQ(replace_surrogates("\xED\xA0\xBD\xED\xB8\x80"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(utf8_from_latin1("\xff"), "\xC3\xBF");
  EXPECT_EQ(*latin1_from_utf8("\xC3\xBF\x41"), "\xff\x41");
  EXPECT_FALSE(latin1_from_utf8("\xE2\x82\xAC"));
}

}  // namespace
}  // namespace trainctl::checkpoint
