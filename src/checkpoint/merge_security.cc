#include "checkpoint/merge_security.h"

#include <algorithm>

namespace trainctl::checkpoint {
namespace {

int rank(const std::string& verdict) {
  if (verdict == "dangerous") return 2;
  if (verdict == "unknown") return 1;
  return 0;
}

void add_global(const std::string& name, SecuritySummary& summary) {
  if (std::find(summary.globals.begin(), summary.globals.end(), name) == summary.globals.end()) {
    summary.globals.push_back(name);
  }
}

}  // namespace

void merge_security(const SecurityVerdict& verdict, const std::string& record, SecuritySummary& summary) {
  if (summary.pickles.empty()) summary.verdict = "safe";
  summary.pickles.push_back(record);
  std::string v(safety_name(verdict.verdict));
  if (rank(v) > rank(summary.verdict)) summary.verdict = v;
  for (const GlobalFinding& finding : verdict.globals) {
    std::string name = finding.global.qualified_name();
    add_global(name, summary);
    if (finding.safety == Safety::kDangerous) summary.dangerous.push_back({name, finding.reason, record});
    if (finding.safety == Safety::kUnknown) summary.unknown.push_back({name, finding.reason, record});
  }
  if (verdict.read_error && verdict.verdict != Safety::kDangerous) {
    summary.unknown.push_back({"", "the pickle could not be read to its end: " + *verdict.read_error, record});
  }
}

void merge_summary(const SecuritySummary& part, const std::string& file, SecuritySummary& summary) {
  const bool first = summary.pickles.empty();
  for (const auto& p : part.pickles) summary.pickles.push_back(file + ":" + p);
  if (first || rank(part.verdict) > rank(summary.verdict)) {
    summary.verdict = part.verdict;
  }
  for (const auto& g : part.globals) add_global(g, summary);
  for (const auto& f : part.dangerous) summary.dangerous.push_back({f.global, f.reason, file + ":" + f.record});
  for (const auto& f : part.unknown) summary.unknown.push_back({f.global, f.reason, file + ":" + f.record});
}

void finish_security(SecuritySummary& summary) {
  if (summary.pickles.empty()) summary.verdict = "unknown";
}

}  // namespace trainctl::checkpoint
