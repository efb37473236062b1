#include "checkpoint/checkpoint_info.h"

#include "core/json_util.h"

namespace trainctl::checkpoint {
namespace {

nlohmann::json findings_json(const std::vector<SecurityFinding>& findings) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : findings) out.push_back({{"global", f.global}, {"reason", f.reason}, {"record", f.record}});
  return out;
}

}  // namespace

nlohmann::json to_json(const CheckpointInfo& info) {
  using core::json_or_null;
  nlohmann::json optimizer = nullptr;
  if (info.optimizer) {
    optimizer = {{"type", info.optimizer->type},
                 {"state_bytes", info.optimizer->state_bytes},
                 {"param_groups", info.optimizer->param_groups},
                 {"lr", json_or_null(info.optimizer->lr)},
                 {"state_keys", info.optimizer->state_keys}};
  }
  return {{"path", info.path},
          {"format", info.format},
          {"framework", info.framework},
          {"valid", info.valid},
          {"error", json_or_null(info.error)},
          {"step", json_or_null(info.step)},
          {"epoch", json_or_null(info.epoch)},
          {"metrics", info.metrics},
          {"config", info.config},
          {"config_key", json_or_null(info.config_key)},
          {"param_count", json_or_null(info.param_count)},
          {"tensor_bytes", info.tensor_bytes},
          {"dtypes", info.dtypes},
          {"optimizer", optimizer},
          {"security",
           {{"verdict", info.security.verdict},
            {"globals", info.security.globals},
            {"dangerous", findings_json(info.security.dangerous)},
            {"unknown", findings_json(info.security.unknown)},
            {"pickles", info.security.pickles}}},
          {"file_bytes", info.file_bytes},
          {"modified_time", info.modified_time},
          {"warnings", info.warnings}};
}

}  // namespace trainctl::checkpoint
