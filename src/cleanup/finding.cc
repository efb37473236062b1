#include "cleanup/finding.h"

#include <algorithm>

namespace trainctl::cleanup {

const std::vector<std::string>& all_kinds() {
  static const std::vector<std::string> kinds = {kKindCheckpoints, kKindPartial,   kKindDuplicate,
                                                 kKindDeadRun,     kKindEmptyRun,  kKindCache,
                                                 kKindGitTracked,  kKindNotIgnored, kKindDuplicateConfig,
                                                 kKindHomePath,    kKindSecret};
  return kinds;
}

bool applicable_kind(const std::string& kind) {
  static const std::vector<std::string> kinds = {kKindCheckpoints, kKindPartial, kKindDuplicate,
                                                 kKindDeadRun,     kKindEmptyRun, kKindCache};
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

nlohmann::json Finding::to_json() const {
  return {{"kind", kind},     {"paths", paths},   {"bytes", bytes},
          {"reason", reason}, {"action", action}, {"safe_to_apply", safe_to_apply}};
}

nlohmann::json CleanupReport::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& f : findings) list.push_back(f.to_json());
  nlohmann::json kept = nlohmann::json::array();
  for (const auto& p : protected_paths) kept.push_back({{"path", p.path}, {"reason", p.reason}});
  return {{"root", root},
          {"findings", list},
          {"total_bytes", total_bytes},
          {"protected", kept},
          {"files_seen", files_seen},
          {"bytes_seen", bytes_seen},
          {"truncated", truncated}};
}

}  // namespace trainctl::cleanup
