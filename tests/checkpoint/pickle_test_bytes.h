// Builds pickle byte strings opcode by opcode, for the tests that need what no Python writer
// makes on demand: hostile and malicious pickles. They are only ever read by trainctl's reader;
// nothing loads them with Python.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace trainctl::checkpoint::testing {

class PickleBytes {
 public:
  PickleBytes& raw(std::string_view bytes) {
    out_ += bytes;
    return *this;
  }
  PickleBytes& op(std::uint8_t code) {
    out_.push_back(static_cast<char>(code));
    return *this;
  }
  PickleBytes& proto(int protocol) { return op(0x80).op(static_cast<std::uint8_t>(protocol)); }
  PickleBytes& mark() { return op('('); }
  PickleBytes& stop() { return op('.'); }
  PickleBytes& none() { return op('N'); }
  PickleBytes& boolean(bool value) { return op(value ? 0x88 : 0x89); }
  PickleBytes& tuple() { return op('t'); }
  PickleBytes& tuple1() { return op(0x85); }
  PickleBytes& tuple2() { return op(0x86); }
  PickleBytes& tuple3() { return op(0x87); }
  PickleBytes& empty_tuple() { return op(')'); }
  PickleBytes& empty_list() { return op(']'); }
  PickleBytes& empty_dict() { return op('}'); }
  PickleBytes& reduce() { return op('R'); }
  PickleBytes& build() { return op('b'); }
  PickleBytes& newobj() { return op(0x81); }
  PickleBytes& append() { return op('a'); }
  PickleBytes& appends() { return op('e'); }
  PickleBytes& setitem() { return op('s'); }
  PickleBytes& setitems() { return op('u'); }
  PickleBytes& memoize() { return op(0x94); }
  PickleBytes& stack_global() { return op(0x93); }
  PickleBytes& binpersid() { return op('Q'); }
  PickleBytes& put(std::uint8_t index) { return op('q').op(index); }
  PickleBytes& get(std::uint8_t index) { return op('h').op(index); }
  PickleBytes& global(std::string_view module, std::string_view name) {
    op('c');
    out_ += module;
    out_ += '\n';
    out_ += name;
    out_ += '\n';
    return *this;
  }
  PickleBytes& unicode(std::string_view text) {
    if (text.size() < 256) {
      op(0x8c).op(static_cast<std::uint8_t>(text.size()));
    } else {
      op('X');
      little_endian(text.size(), 4);
    }
    out_ += text;
    return *this;
  }
  PickleBytes& bytes(std::string_view data) {
    op('C').op(static_cast<std::uint8_t>(data.size()));
    out_ += data;
    return *this;
  }
  PickleBytes& integer(std::int64_t value) {
    if (value >= 0 && value < 256) return op('K').op(static_cast<std::uint8_t>(value));
    if (value >= INT32_MIN && value <= INT32_MAX) {
      op('J');
      return little_endian(static_cast<std::uint64_t>(value), 4);
    }
    op(0x8a).op(8);
    return little_endian(static_cast<std::uint64_t>(value), 8);
  }
  PickleBytes& frame(std::uint64_t length) {
    op(0x95);
    return little_endian(length, 8);
  }
  PickleBytes& little_endian(std::uint64_t value, int width) {
    for (int i = 0; i < width; ++i) out_.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
    return *this;
  }

  const std::string& text() const { return out_; }
  std::span<const std::uint8_t> span() const {
    return {reinterpret_cast<const std::uint8_t*>(out_.data()), out_.size()};
  }

 private:
  std::string out_;
};

inline std::span<const std::uint8_t> as_bytes(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace trainctl::checkpoint::testing
