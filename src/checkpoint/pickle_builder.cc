#include "checkpoint/pickle_builder.h"

#include <algorithm>

#include <fmt/format.h>

namespace trainctl::checkpoint {

core::Error PickleBuilder::limit_error(const char* what, std::size_t limit, const char* field) const {
  return core::Error::failure(fmt::format(
      "pickle exceeds the limit of {} {} at offset {}: the file is hostile or broken (if it is a "
      "genuine checkpoint, raise PickleLimits::{})",
      limit, what, offset_, field));
}

core::Status PickleBuilder::charge_items(std::size_t count) {
  if (count > limits_.max_container_items || items_ > limits_.max_container_items - count) {
    return limit_error("container items", limits_.max_container_items, "max_container_items");
  }
  items_ += count;
  return core::Ok{};
}

core::Status PickleBuilder::charge_text(std::size_t bytes) {
  if (bytes > limits_.max_string_bytes) {
    return limit_error("bytes in one string", limits_.max_string_bytes, "max_string_bytes");
  }
  if (bytes > limits_.max_total_text_bytes || text_bytes_ > limits_.max_total_text_bytes - bytes) {
    return limit_error("bytes of strings in all", limits_.max_total_text_bytes, "max_total_text_bytes");
  }
  text_bytes_ += bytes;
  return core::Ok{};
}

core::Result<NodeIndex> PickleBuilder::add(Node node) {
  if (doc_.node_count() >= limits_.max_nodes) return limit_error("values", limits_.max_nodes, "max_nodes");
  if (auto status = charge_items(node.items.size() + node.entries.size()); !status) return status.error();
  if (auto status = charge_text(node.text.size()); !status) return status.error();
  std::uint32_t depth = 0;
  auto deeper = [&](NodeIndex child) {
    if (child != kNoNode) depth = std::max(depth, doc_.node(child).depth);
  };
  for (NodeIndex item : node.items) deeper(item);
  for (const auto& [key, value] : node.entries) {
    deeper(key);
    deeper(value);
  }
  deeper(node.args);
  deeper(node.keywords);
  deeper(node.state);
  node.depth = depth + 1;
  if (node.depth > limits_.max_depth) return limit_error("levels of nesting", limits_.max_depth, "max_depth");
  return doc_.add(std::move(node));
}

core::Result<NodeIndex> PickleBuilder::add_string(std::string text, bool from_call) {
  Node node;
  node.kind = ValueKind::kString;
  node.text = std::move(text);
  node.from_call = from_call;
  return add(std::move(node));
}

core::Result<NodeIndex> PickleBuilder::add_bytes(std::string bytes, bool from_call) {
  Node node;
  node.kind = ValueKind::kBytes;
  node.text = std::move(bytes);
  node.from_call = from_call;
  return add(std::move(node));
}

core::Result<NodeIndex> PickleBuilder::add_int(std::int64_t value) {
  Node node;
  node.kind = ValueKind::kInt;
  node.integer = value;
  return add(std::move(node));
}

core::Result<NodeIndex> PickleBuilder::add_float(double value) {
  Node node;
  node.kind = ValueKind::kFloat;
  node.real = value;
  return add(std::move(node));
}

core::Result<NodeIndex> PickleBuilder::add_tuple(std::vector<NodeIndex> items) {
  Node node;
  node.kind = ValueKind::kTuple;
  node.items = std::move(items);
  return add(std::move(node));
}

core::Status PickleBuilder::raise_depth(NodeIndex container, NodeIndex child) {
  // Only the container's own depth is raised: a parent built earlier keeps its depth, which is
  // why walkers cap depth themselves (a pickle can also build cycles).
  // A container holding itself (a list appended into itself) is a cycle, not nesting.
  if (child == container) return core::Ok{};
  std::uint32_t wanted = doc_.node(child).depth + 1;
  Node& target = doc_.mutable_node(container);
  if (wanted > target.depth) {
    if (wanted > limits_.max_depth) return limit_error("levels of nesting", limits_.max_depth, "max_depth");
    target.depth = wanted;
  }
  return core::Ok{};
}

core::Status PickleBuilder::append_item(NodeIndex container, NodeIndex item) {
  if (auto status = charge_items(1); !status) return status;
  if (auto status = raise_depth(container, item); !status) return status;
  doc_.mutable_node(container).items.push_back(item);
  return core::Ok{};
}

core::Status PickleBuilder::append_entry(NodeIndex container, NodeIndex key, NodeIndex value) {
  if (auto status = charge_items(1); !status) return status;
  if (auto status = raise_depth(container, key); !status) return status;
  if (auto status = raise_depth(container, value); !status) return status;
  doc_.mutable_node(container).entries.emplace_back(key, value);
  return core::Ok{};
}

core::Status PickleBuilder::set_state(NodeIndex target, NodeIndex state) {
  if (auto status = raise_depth(target, state); !status) return status;
  doc_.mutable_node(target).state = state;
  return core::Ok{};
}

}  // namespace trainctl::checkpoint
