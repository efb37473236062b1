// Internal to the pickle reader: adds values to a PickleDocument while charging them against
// PickleLimits, so that the reader and the callable models cannot grow the document unchecked.
// Every addition either fits the limits or returns an error naming the limit and the offset.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "checkpoint/pickle_limits.h"
#include "checkpoint/pickle_value.h"
#include "core/result.h"

namespace trainctl::checkpoint {

class PickleBuilder {
 public:
  PickleBuilder(PickleDocument& document, const PickleLimits& limits) : doc_(document), limits_(limits) {}

  PickleDocument& doc() { return doc_; }
  const PickleDocument& doc() const { return doc_; }
  const PickleLimits& limits() const { return limits_; }
  void set_offset(std::size_t offset) { offset_ = offset; }
  std::size_t offset() const { return offset_; }

  // Adds a node, computing its depth from what it holds; charges its items and text.
  core::Result<NodeIndex> add(Node node);
  core::Result<NodeIndex> add_string(std::string text, bool from_call);
  core::Result<NodeIndex> add_bytes(std::string bytes, bool from_call);
  core::Result<NodeIndex> add_int(std::int64_t value);
  core::Result<NodeIndex> add_float(double value);
  core::Result<NodeIndex> add_tuple(std::vector<NodeIndex> items);

  // Mutations of existing containers (APPEND, SETITEM, BUILD), keeping depth current.
  core::Status append_item(NodeIndex container, NodeIndex item);
  core::Status append_entry(NodeIndex container, NodeIndex key, NodeIndex value);
  core::Status set_state(NodeIndex target, NodeIndex state);

  core::Status charge_items(std::size_t count);
  core::Status charge_text(std::size_t bytes);

  // One storage node per storage key, so tensors on one storage share it.
  std::unordered_map<std::string, NodeIndex>& storage_nodes() { return storage_nodes_; }

  core::Error limit_error(const char* what, std::size_t limit, const char* field) const;

  // Models may call models (_rebuild_from_type_v2 rebuilds its inner tensor); this bounds the
  // recursion whatever the arguments nest.
  bool enter_model() { return ++model_nesting_ <= kMaxModelNesting; }
  void leave_model() { --model_nesting_; }
  static constexpr int kMaxModelNesting = 4;

 private:
  core::Status raise_depth(NodeIndex container, NodeIndex child);

  PickleDocument& doc_;
  const PickleLimits& limits_;
  std::size_t offset_ = 0;
  std::size_t items_ = 0;
  std::size_t text_bytes_ = 0;
  int model_nesting_ = 0;
  std::unordered_map<std::string, NodeIndex> storage_nodes_;
};

}  // namespace trainctl::checkpoint
