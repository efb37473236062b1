#include "checkpoint/pickle_reader.h"

#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "checkpoint/pickle_builder.h"
#include "checkpoint/pickle_callables.h"
#include "checkpoint/pickle_names.h"
#include "checkpoint/pickle_opcodes.h"
#include "checkpoint/pickle_text_codecs.h"

namespace trainctl::checkpoint {
namespace {

constexpr int kHighestProtocol = 5;

// A stack machine like CPython's Unpickler (Lib/pickle.py), with the same MARK semantics: values
// pushed since the last MARK form the current frame, and popping below it is an underflow.
class Reader {
 public:
  Reader(std::span<const std::uint8_t> bytes, const PickleLimits& limits, PickleDocument& doc)
      : bytes_(bytes), limits_(limits), builder_(doc, limits) {}

  core::Status run() {
    for (;;) {
      if (pos_ >= limits_.max_bytes) {
        return builder_.limit_error("bytes in one pickle", limits_.max_bytes, "max_bytes");
      }
      auto op = decode_opcode(bytes_, pos_, limits_.max_string_bytes);
      if (!op) return op.error();
      op_ = &*op;
      builder_.set_offset(pos_);
      if (auto status = execute(*op); !status) return status;
      pos_ += op->size;
      if (stopped_) {
        doc().set_bytes_consumed(pos_);
        return core::Ok{};
      }
    }
  }

  std::size_t offset() const { return pos_; }

 private:
  PickleDocument& doc() { return builder_.doc(); }

  core::Error fail(std::string_view what) const {
    return core::Error::failure(fmt::format("{} at offset {}: {}", op_->info->name, pos_, what));
  }

  std::size_t frame_base() const { return marks_.empty() ? 0 : marks_.back(); }

  core::Result<NodeIndex> pop() {
    if (stack_.size() <= frame_base()) {
      return fail(marks_.empty() ? "the stack is empty (stack underflow); the pickle is corrupted"
                                 : "no value since the last MARK (stack underflow); the pickle is corrupted");
    }
    NodeIndex value = stack_.back();
    stack_.pop_back();
    return value;
  }

  core::Result<NodeIndex> top() {
    if (stack_.size() <= frame_base()) return fail("the stack is empty (stack underflow); the pickle is corrupted");
    return stack_.back();
  }

  core::Status push(NodeIndex value) {
    if (stack_.size() >= limits_.max_stack_entries) {
      return builder_.limit_error("stack entries", limits_.max_stack_entries, "max_stack_entries");
    }
    stack_.push_back(value);
    return core::Ok{};
  }

  core::Status push(core::Result<NodeIndex> value) {
    if (!value) return value.error();
    return push(*value);
  }

  core::Result<std::vector<NodeIndex>> pop_mark() {
    if (marks_.empty()) return fail("there is no MARK before it; the pickle is corrupted");
    std::size_t mark = marks_.back();
    marks_.pop_back();
    std::vector<NodeIndex> items(stack_.begin() + static_cast<std::ptrdiff_t>(mark), stack_.end());
    stack_.resize(mark);
    return items;
  }

  core::Result<NodeIndex> add_container(ValueKind kind, std::vector<NodeIndex> items) {
    Node node;
    node.kind = kind;
    node.items = std::move(items);
    return builder_.add(std::move(node));
  }

  // STRING/BINSTRING are Python 2 str: text when it is UTF-8 (as torch.load decodes them), else bytes.
  core::Result<NodeIndex> add_python2_string(std::string bytes) {
    if (is_utf8_with_surrogates(bytes)) return builder_.add_string(replace_surrogates(bytes), false);
    return builder_.add_bytes(std::move(bytes), false);
  }

  core::Result<NodeIndex> add_integer(const PickleInteger& value) {
    if (!value.big) return builder_.add_int(value.value);
    if (value.digits.size() > limits_.max_long_digits) {
      return builder_.limit_error("digits in one integer", limits_.max_long_digits, "max_long_digits");
    }
    Node node;
    node.kind = ValueKind::kBigInt;
    node.text = value.digits;
    return builder_.add(std::move(node));
  }

  core::Result<std::uint64_t> memo_key(const DecodedOpcode& op) {
    if (op.info->operand != Operand::kLine) return op.number;
    auto key = parse_decimal_integer(op.data);
    if (!key || key->big || key->value < 0) return fail("its argument is not a memo index; the pickle is corrupted");
    return static_cast<std::uint64_t>(key->value);
  }

  core::Status memo_put(std::uint64_t key, NodeIndex value) {
    auto found = memo_.find(key);
    if (found != memo_.end()) {
      found->second = value;
      return core::Ok{};
    }
    if (memo_.size() >= limits_.max_memo_entries) {
      return builder_.limit_error("memo entries", limits_.max_memo_entries, "max_memo_entries");
    }
    memo_.emplace(key, value);
    return core::Ok{};
  }

  // Records a global and makes its value: a constant (torch.float16 → "float16") or a global node.
  core::Result<NodeIndex> add_global(std::string module, std::string name, bool built_at_load_time) {
    std::string key = module + '\n' + name + (built_at_load_time ? "\n?" : "");
    auto [found, inserted] = global_index_.try_emplace(key, static_cast<std::uint32_t>(doc().globals().size()));
    if (inserted) {
      if (auto status = builder_.charge_text(key.size()); !status) return status.error();
      GlobalReference global;
      global.module = module;
      global.name = name;
      global.opcode = std::string(op_->info->name);
      global.offset = pos_;
      global.built_at_load_time = built_at_load_time;
      doc().mutable_globals().push_back(std::move(global));
    }
    GlobalReference& global = doc().mutable_globals()[found->second];
    ++global.count;
    if (!built_at_load_time) {
      auto [module3, name3] = python3_global(module, name);
      if (auto constant = model_global_constant(module3, name3)) return builder_.add_string(*constant, true);
    }
    Node node;
    node.kind = ValueKind::kGlobal;
    node.ref = found->second;
    return builder_.add(std::move(node));
  }

  core::Result<std::pair<std::string, std::string>> global_lines(const DecodedOpcode& op) {
    // Python decodes both lines as UTF-8 and fails otherwise.
    if (!is_utf8_with_surrogates(op.data) || !is_utf8_with_surrogates(op.data2)) {
      return fail("its module or name is not UTF-8; the pickle is corrupted");
    }
    return std::pair{replace_surrogates(op.data), replace_surrogates(op.data2)};
  }

  // What STACK_GLOBAL names when its operands are not string constants.
  std::string describe_operand(NodeIndex index) {
    const Node& n = doc().node(index);
    if (n.kind == ValueKind::kString) return n.text;
    std::string type = doc().object_type(index);
    return fmt::format("<{}{}>", kind_name(n.kind), type.empty() ? "" : " from " + type);
  }

  core::Result<NodeIndex> call(NodeIndex callable, NodeIndex args, NodeIndex keywords) {
    if (doc().node(callable).kind == ValueKind::kGlobal) doc().mutable_globals()[doc().node(callable).ref].called = true;
    const bool no_keywords = keywords == kNoNode || (doc().node(keywords).kind == ValueKind::kDict &&
                                                     doc().node(keywords).entries.empty());
    if (no_keywords) {
      auto modelled = model_call(builder_, callable, args);
      if (!modelled) return modelled.error();
      if (*modelled) return **modelled;
    }
    Node node;
    node.kind = ValueKind::kObject;
    node.callable = callable;
    node.args = args;
    node.keywords = keywords;
    return builder_.add(std::move(node));
  }

  // APPEND/SETITEM/BUILD on a global changes a module-level object: record it for the scan.
  void note_mutation(NodeIndex target) {
    if (doc().node(target).kind == ValueKind::kGlobal) doc().mutable_globals()[doc().node(target).ref].mutated = true;
  }

  core::Status append_items(const std::vector<NodeIndex>& items, bool to_set) {
    auto target = top();
    if (!target) return target.error();
    ValueKind kind = doc().node(*target).kind;
    bool accepts = kind == ValueKind::kObject || kind == ValueKind::kGlobal ||
                   kind == (to_set ? ValueKind::kSet : ValueKind::kList);
    if (!accepts) {
      return fail(fmt::format("it adds items to a {}, which takes none; the pickle is corrupted", kind_name(kind)));
    }
    note_mutation(*target);
    for (NodeIndex item : items) {
      if (auto status = builder_.append_item(*target, item); !status) return status;
    }
    return core::Ok{};
  }

  core::Status set_items(const std::vector<NodeIndex>& items) {
    if (items.size() % 2 != 0) return fail("it has an odd number of values (keys without values); the pickle is corrupted");
    auto target = top();
    if (!target) return target.error();
    ValueKind kind = doc().node(*target).kind;
    if (kind != ValueKind::kDict && kind != ValueKind::kObject && kind != ValueKind::kGlobal) {
      return fail(fmt::format("it sets items on a {}, which takes none; the pickle is corrupted", kind_name(kind)));
    }
    note_mutation(*target);
    for (std::size_t i = 0; i < items.size(); i += 2) {
      if (auto status = builder_.append_entry(*target, items[i], items[i + 1]); !status) return status;
    }
    return core::Ok{};
  }

  core::Status execute(const DecodedOpcode& op) {
    switch (op.info->code) {
      case '(':  // MARK
        if (marks_.size() >= limits_.max_depth) {
          return builder_.limit_error("nested MARKs", limits_.max_depth, "max_depth");
        }
        marks_.push_back(stack_.size());
        return core::Ok{};
      case '.': {  // STOP
        auto value = pop();
        if (!value) return value.error();
        doc().set_root(*value);
        stopped_ = true;
        return core::Ok{};
      }
      case '0':  // POP: Python pops the MARK itself when its frame is empty
        if (stack_.size() > frame_base()) {
          stack_.pop_back();
          return core::Ok{};
        }
        if (!marks_.empty()) {
          marks_.pop_back();
          return core::Ok{};
        }
        return pop().ok() ? core::Status(core::Ok{}) : pop().error();
      case '1': {  // POP_MARK
        auto items = pop_mark();
        if (!items) return items.error();
        return core::Ok{};
      }
      case '2': {  // DUP
        auto value = top();
        if (!value) return value.error();
        return push(*value);
      }
      case 'F': {  // FLOAT
        auto value = parse_float_text(op.data);
        if (!value) return fail("its argument is not a number; the pickle is corrupted");
        return push(builder_.add_float(*value));
      }
      case 'I': {  // INT, where "00"/"01" are protocol 0's False/True
        if (op.data == "00") return push(PickleDocument::kFalseNode);
        if (op.data == "01") return push(PickleDocument::kTrueNode);
        auto value = parse_decimal_integer(op.data);
        if (!value) return fail("its argument is not an integer; the pickle is corrupted");
        return push(add_integer(*value));
      }
      case 'L': {  // LONG
        auto value = parse_decimal_integer(op.data);
        if (!value) return fail("its argument is not an integer; the pickle is corrupted");
        return push(add_integer(*value));
      }
      case 'J': return push(builder_.add_int(op.signed_number));   // BININT
      case 'K':                                                     // BININT1
      case 'M': return push(builder_.add_int(static_cast<std::int64_t>(op.number)));  // BININT2
      case 0x8a:  // LONG1
      case 0x8b:  // LONG4
        if (op.data.size() > limits_.max_long_bytes) {
          return builder_.limit_error("bytes in one LONG", limits_.max_long_bytes, "max_long_bytes");
        }
        return push(add_integer(integer_from_twos_complement(op.data)));
      case 'N': return push(PickleDocument::kNoneNode);
      case 0x88: return push(PickleDocument::kTrueNode);
      case 0x89: return push(PickleDocument::kFalseNode);
      case 'G': return push(builder_.add_float(op.real));  // BINFLOAT
      case 'S': {  // STRING
        auto bytes = decode_quoted_string(op.data);
        if (!bytes) return fail(bytes.error().message + "; the pickle is corrupted");
        return push(add_python2_string(std::move(*bytes)));
      }
      case 'T':  // BINSTRING
      case 'U':  // SHORT_BINSTRING
        return push(add_python2_string(std::string(op.data)));
      case 'V': {  // UNICODE
        auto text = decode_raw_unicode_escape(op.data);
        if (!text) return fail(text.error().message + "; the pickle is corrupted");
        return push(builder_.add_string(std::move(*text), false));
      }
      case 'X':    // BINUNICODE
      case 0x8c:   // SHORT_BINUNICODE
      case 0x8d:   // BINUNICODE8
        if (!is_utf8_with_surrogates(op.data)) return fail("its text is not UTF-8; the pickle is corrupted");
        return push(builder_.add_string(replace_surrogates(op.data), false));
      case 'B':    // BINBYTES
      case 'C':    // SHORT_BINBYTES
      case 0x8e:   // BINBYTES8
      case 0x96:   // BYTEARRAY8
        return push(builder_.add_bytes(std::string(op.data), false));
      case ')': return push(add_container(ValueKind::kTuple, {}));
      case ']': return push(add_container(ValueKind::kList, {}));
      case '}': {
        Node node;
        node.kind = ValueKind::kDict;
        return push(builder_.add(std::move(node)));
      }
      case 0x8f: return push(add_container(ValueKind::kSet, {}));  // EMPTY_SET
      case 't':    // TUPLE
      case 'l':    // LIST
      case 0x91: {  // FROZENSET
        auto items = pop_mark();
        if (!items) return items.error();
        ValueKind kind = op.info->code == 't' ? ValueKind::kTuple
                         : op.info->code == 'l' ? ValueKind::kList : ValueKind::kFrozenSet;
        return push(add_container(kind, std::move(*items)));
      }
      case 0x85:   // TUPLE1
      case 0x86:   // TUPLE2
      case 0x87: {  // TUPLE3
        std::size_t count = static_cast<std::size_t>(op.info->code - 0x84);
        std::vector<NodeIndex> items(count);
        for (std::size_t i = count; i-- > 0;) {
          auto value = pop();
          if (!value) return value.error();
          items[i] = *value;
        }
        return push(add_container(ValueKind::kTuple, std::move(items)));
      }
      case 'd': {  // DICT
        auto items = pop_mark();
        if (!items) return items.error();
        if (items->size() % 2 != 0) return fail("it has an odd number of values (keys without values); the pickle is corrupted");
        Node node;
        node.kind = ValueKind::kDict;
        for (std::size_t i = 0; i < items->size(); i += 2) node.entries.emplace_back((*items)[i], (*items)[i + 1]);
        return push(builder_.add(std::move(node)));
      }
      case 'a': {  // APPEND
        auto value = pop();
        if (!value) return value.error();
        return append_items({*value}, false);
      }
      case 'e': {  // APPENDS
        auto items = pop_mark();
        if (!items) return items.error();
        return append_items(*items, false);
      }
      case 0x90: {  // ADDITEMS
        auto items = pop_mark();
        if (!items) return items.error();
        return append_items(*items, true);
      }
      case 's': {  // SETITEM
        auto value = pop();
        if (!value) return value.error();
        auto key = pop();
        if (!key) return key.error();
        return set_items({*key, *value});
      }
      case 'u': {  // SETITEMS
        auto items = pop_mark();
        if (!items) return items.error();
        return set_items(*items);
      }
      case 'b': {  // BUILD
        auto state = pop();
        if (!state) return state.error();
        auto target = top();
        if (!target) return target.error();
        if (*target <= PickleDocument::kTrueNode) {
          return fail(fmt::format("it sets state on {}; the pickle is corrupted", kind_name(doc().node(*target).kind)));
        }
        note_mutation(*target);
        return builder_.set_state(*target, *state);
      }
      case 'c': {  // GLOBAL
        auto names = global_lines(op);
        if (!names) return names.error();
        return push(add_global(std::move(names->first), std::move(names->second), false));
      }
      case 0x93: {  // STACK_GLOBAL
        auto name = pop();
        if (!name) return name.error();
        auto module = pop();
        if (!module) return module.error();
        const Node& m = doc().node(*module);
        const Node& n = doc().node(*name);
        bool constant = m.kind == ValueKind::kString && n.kind == ValueKind::kString && !m.from_call && !n.from_call;
        return push(add_global(describe_operand(*module), describe_operand(*name), !constant));
      }
      case 'i': {  // INST: MARK args... INST module name
        auto names = global_lines(op);
        if (!names) return names.error();
        auto items = pop_mark();
        if (!items) return items.error();
        auto cls = add_global(std::move(names->first), std::move(names->second), false);
        if (!cls) return cls.error();
        auto args = add_container(ValueKind::kTuple, std::move(*items));
        if (!args) return args.error();
        return push(call(*cls, *args, kNoNode));
      }
      case 'o': {  // OBJ: MARK cls args... OBJ
        auto items = pop_mark();
        if (!items) return items.error();
        if (items->empty()) return fail("there is no class after its MARK; the pickle is corrupted");
        NodeIndex cls = items->front();
        auto args = add_container(ValueKind::kTuple, std::vector<NodeIndex>(items->begin() + 1, items->end()));
        if (!args) return args.error();
        return push(call(cls, *args, kNoNode));
      }
      case 'R': {  // REDUCE
        auto args = pop();
        if (!args) return args.error();
        auto callable = pop();
        if (!callable) return callable.error();
        return push(call(*callable, *args, kNoNode));
      }
      case 0x81: {  // NEWOBJ
        auto args = pop();
        if (!args) return args.error();
        auto cls = pop();
        if (!cls) return cls.error();
        return push(call(*cls, *args, kNoNode));
      }
      case 0x92: {  // NEWOBJ_EX
        auto keywords = pop();
        if (!keywords) return keywords.error();
        auto args = pop();
        if (!args) return args.error();
        auto cls = pop();
        if (!cls) return cls.error();
        return push(call(*cls, *args, *keywords));
      }
      case 'P': {  // PERSID
        for (char c : op.data) {
          if (static_cast<unsigned char>(c) >= 0x80) return fail("its persistent id is not ASCII; the pickle is corrupted");
        }
        auto pid = builder_.add_string(std::string(op.data), false);
        if (!pid) return pid.error();
        return push(model_persistent_id(builder_, *pid));
      }
      case 'Q': {  // BINPERSID
        auto pid = pop();
        if (!pid) return pid.error();
        return push(model_persistent_id(builder_, *pid));
      }
      case 'g':     // GET
      case 'h':     // BINGET
      case 'j': {   // LONG_BINGET
        auto key = memo_key(op);
        if (!key) return key.error();
        auto found = memo_.find(*key);
        if (found == memo_.end()) {
          return fail(fmt::format("memo entry {} was never stored (a GET before its PUT); the pickle is corrupted", *key));
        }
        return push(found->second);
      }
      case 'p':     // PUT
      case 'q':     // BINPUT
      case 'r': {   // LONG_BINPUT
        auto key = memo_key(op);
        if (!key) return key.error();
        auto value = top();
        if (!value) return value.error();
        return memo_put(*key, *value);
      }
      case 0x94: {  // MEMOIZE
        auto value = top();
        if (!value) return value.error();
        return memo_put(memo_.size(), *value);
      }
      case 0x80:  // PROTO
        if (op.number > kHighestProtocol) {
          return fail(fmt::format("pickle protocol {} is newer than 5, the highest this reader (and Python 3.8-3.12) "
                                  "knows; the file is damaged or from a future Python",
                                  op.number));
        }
        doc().set_protocol(static_cast<int>(op.number));
        return core::Ok{};
      case 0x95:  // FRAME: only a hint for buffering, but its length must fit
        if (op.number > bytes_.size() - pos_ - op.size) {
          return fail(fmt::format("the frame declares {} bytes but only {} remain; the pickle is truncated", op.number,
                                  bytes_.size() - pos_ - op.size));
        }
        return core::Ok{};
      case 0x97:  // NEXT_BUFFER
      case 0x98:  // READONLY_BUFFER
        return fail("out-of-band buffers (protocol 5 PickleBuffer) are not supported: the data is not in the pickle");
      case 0x82:  // EXT1
      case 0x83:  // EXT2
      case 0x84:  // EXT4
        return fail(fmt::format("extension code {} names a class through the copyreg extension registry, which "
                                "cannot be known without running Python; not supported",
                                op.info->operand == Operand::kI4 ? static_cast<std::uint64_t>(op.signed_number) : op.number));
    }
    return fail("this opcode is not supported");
  }

  std::span<const std::uint8_t> bytes_;
  const PickleLimits& limits_;
  PickleBuilder builder_;
  std::vector<NodeIndex> stack_;
  std::vector<std::size_t> marks_;
  std::unordered_map<std::uint64_t, NodeIndex> memo_;
  std::unordered_map<std::string, std::uint32_t> global_index_;
  const DecodedOpcode* op_ = nullptr;
  std::size_t pos_ = 0;
  bool stopped_ = false;
};

}  // namespace

PickleReadAttempt read_pickle_partial(std::span<const std::uint8_t> bytes, const PickleLimits& limits) {
  PickleReadAttempt attempt;
  Reader reader(bytes, limits, attempt.document);
  if (auto status = reader.run(); !status) {
    attempt.error = status.error();
    attempt.error_offset = reader.offset();
  }
  return attempt;
}

core::Result<PickleDocument> read_pickle(std::span<const std::uint8_t> bytes, const PickleLimits& limits) {
  PickleReadAttempt attempt = read_pickle_partial(bytes, limits);
  if (attempt.error) return *attempt.error;
  return std::move(attempt.document);
}

}  // namespace trainctl::checkpoint
