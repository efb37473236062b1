// Which checkpoints of one run to keep: the latest valid one and the best by the run's monitored
// metric always, plus what the policy adds (--keep-last, --keep-best, --keep-every), like the
// retention policies of experiment platforms. Pure: decides on data, touches nothing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace trainctl::cleanup {

struct KeepPolicy {
  int keep_last = 1;                        // newest valid ones (the latest is kept even at 0)
  int keep_best = 1;                        // best by the monitored metric (the best is kept even at 0)
  std::optional<std::int64_t> keep_every;   // every checkpoint whose step is a multiple of this
};

// A valid checkpoint of a run, with the metrics it (or its trainer_state.json) records.
struct RunCheckpoint {
  std::string path;
  std::optional<std::int64_t> step;
  std::optional<std::int64_t> epoch;
  double modified_time = 0;
  std::map<std::string, double> metrics;
};

// The metric a run is judged by and its direction.
struct MonitoredMetric {
  std::string name;
  bool lower_is_better = true;
};

// Loss-like names (loss, perplexity, error, wer, cer, mse, mae) are lower-is-better;
// accuracy-like (acc, f1, bleu, rouge, auc, precision, recall, map, iou, score) higher.
// nullopt: neither (the metric is not used).
std::optional<bool> lower_is_better(const std::string& name);

// The metric the checkpoints share, preferring validation ones (val_/eval_/valid) over training
// ones and loss over accuracy; nullopt when none is recorded by any of them.
std::optional<MonitoredMetric> monitored_metric(const std::vector<RunCheckpoint>& checkpoints);

struct KeepDecision {
  std::optional<MonitoredMetric> metric;
  std::string latest;                            // path of the latest (empty when none)
  std::string best;                              // path of the best (empty without a metric)
  std::vector<std::pair<std::string, std::string>> keep;  // path, why
  std::vector<std::string> drop;                 // the rest, newest first
};

// Decides for the valid checkpoints of one run (any order). Newest: step, then epoch, then time.
KeepDecision decide(const std::vector<RunCheckpoint>& checkpoints, const KeepPolicy& policy);

}  // namespace trainctl::cleanup
