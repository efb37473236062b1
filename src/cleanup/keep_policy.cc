#include "cleanup/keep_policy.h"

#include <algorithm>
#include <array>
#include <set>
#include <string_view>

#include <fmt/format.h>

namespace trainctl::cleanup {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

bool newer(const RunCheckpoint& a, const RunCheckpoint& b) {
  if (a.step && b.step && *a.step != *b.step) return *a.step > *b.step;
  if (a.epoch && b.epoch && *a.epoch != *b.epoch) return *a.epoch > *b.epoch;
  if (a.modified_time != b.modified_time) return a.modified_time > b.modified_time;
  return a.path > b.path;
}

int metric_rank(const std::string& name) {
  std::string n = lower(name);
  int rank = 0;
  if (n.rfind("val", 0) == 0 || n.rfind("eval", 0) == 0 || contains(n, "valid") || contains(n, "test")) rank += 4;
  if (n.rfind("best", 0) == 0) rank -= 8;  // a running best is not this checkpoint's value
  if (lower_is_better(n).value_or(false)) rank += 2;
  return rank;
}

}  // namespace

std::optional<bool> lower_is_better(const std::string& name) {
  std::string n = lower(name);
  for (std::string_view w : {"loss", "perplexity", "ppl", "error", "err", "wer", "cer", "mse", "mae", "rmse", "nll"}) {
    if (contains(n, w)) return true;
  }
  for (std::string_view w : {"acc", "f1", "bleu", "rouge", "auc", "precision", "recall", "map", "iou", "score"}) {
    if (contains(n, w)) return false;
  }
  return std::nullopt;
}

std::optional<MonitoredMetric> monitored_metric(const std::vector<RunCheckpoint>& checkpoints) {
  std::map<std::string, int> counts;
  for (const auto& c : checkpoints) {
    for (const auto& [name, value] : c.metrics) {
      if (lower_is_better(name)) ++counts[name];
    }
  }
  std::optional<MonitoredMetric> best;
  int best_key = 0;
  for (const auto& [name, count] : counts) {
    int key = count * 16 + metric_rank(name);  // the metric most checkpoints carry, then the preferred kind
    if (!best || key > best_key) {
      best = MonitoredMetric{name, *lower_is_better(name)};
      best_key = key;
    }
  }
  return best;
}

KeepDecision decide(const std::vector<RunCheckpoint>& checkpoints, const KeepPolicy& policy) {
  KeepDecision d;
  std::vector<const RunCheckpoint*> order;
  for (const auto& c : checkpoints) order.push_back(&c);
  std::sort(order.begin(), order.end(), [](const RunCheckpoint* a, const RunCheckpoint* b) { return newer(*a, *b); });
  if (order.empty()) return d;

  std::map<std::string, std::string> why;
  auto keep = [&](const RunCheckpoint* c, std::string reason) { why.emplace(c->path, std::move(reason)); };

  d.latest = order.front()->path;
  int last = std::max(1, policy.keep_last);
  for (int i = 0; i < last && i < static_cast<int>(order.size()); ++i) keep(order[static_cast<std::size_t>(i)], i == 0 ? "latest" : "--keep-last");

  d.metric = monitored_metric(checkpoints);
  if (d.metric) {
    std::vector<const RunCheckpoint*> ranked;
    for (const auto* c : order) {
      if (c->metrics.count(d.metric->name)) ranked.push_back(c);
    }
    const std::string& name = d.metric->name;
    bool low = d.metric->lower_is_better;
    std::stable_sort(ranked.begin(), ranked.end(), [&](const RunCheckpoint* a, const RunCheckpoint* b) {
      double x = a->metrics.at(name), y = b->metrics.at(name);
      return low ? x < y : x > y;
    });
    int best = std::max(1, policy.keep_best);
    for (int i = 0; i < best && i < static_cast<int>(ranked.size()); ++i) {
      const auto* c = ranked[static_cast<std::size_t>(i)];
      if (i == 0) d.best = c->path;
      keep(c, fmt::format("{} {}={:.6g}", i == 0 ? "best" : "--keep-best", name, c->metrics.at(name)));
    }
  }
  if (policy.keep_every && *policy.keep_every > 0) {
    for (const auto* c : order) {
      if (c->step && *c->step % *policy.keep_every == 0) keep(c, fmt::format("--keep-every {}", *policy.keep_every));
    }
  }
  for (const auto* c : order) {
    auto it = why.find(c->path);
    if (it != why.end()) {
      d.keep.emplace_back(c->path, it->second);
    } else {
      d.drop.push_back(c->path);
    }
  }
  return d;
}

}  // namespace trainctl::cleanup
