// Plans over the fixture projects, in process: scan one family's folder, plan, and hand back the
// plan (or fail the test with the ambiguity or error).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "command/plans.h"
#include "project/project_fixtures.h"
#include "project/project_scan.h"

namespace trainctl::command {

using Planner = PlanResult (*)(const project::ProjectScan&, const PlanRequest&);

inline std::string fixture(const std::string& family) { return (testing::project_fixtures() / family).string(); }

inline PlanRequest request_for(const std::string& family, std::vector<std::string> words = {}) {
  PlanRequest r;
  r.words = std::move(words);
  r.working_dir = fixture(family);
  r.env = core::EnvironmentVars::of({{"HOME", "/home/user"}});
  return r;
}

inline PlanResult plan_in(const std::string& family, Planner planner, const PlanRequest& request) {
  auto scan = project::scan_projects(fixture(family));
  if (!scan) {
    ADD_FAILURE() << scan.error().message;
    return PlanResult::of(scan.error());
  }
  return planner(*scan, request);
}

// The plan's argv, or a description of why there is none.
inline std::vector<std::string> argv_of(const PlanResult& r) {
  if (r.plan) return r.plan->argv;
  if (r.ambiguity) {
    std::string list;
    for (const auto& c : r.ambiguity->candidates) list += " | " + c.label();
    return {"AMBIGUOUS: " + r.ambiguity->message + list};
  }
  return {"ERROR: " + (r.error ? r.error->message : std::string("?"))};
}

inline std::vector<std::string> argv_for(const std::string& family, Planner planner,
                                         std::vector<std::string> words = {}) {
  return argv_of(plan_in(family, planner, request_for(family, std::move(words))));
}

}  // namespace trainctl::command
