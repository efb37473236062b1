// Helpers for the errors tests: explain a log given as text or as a file, with the compiled
// pattern database cached in one folder for the whole suite (ctest runs each test in its own
// process; compiling Hyperscan's database each time would cost ~0.3 s per test).
#pragma once

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "errors/explain.h"

namespace trainctl::testing {

inline std::string errors_cache_dir() {
  return (std::filesystem::temp_directory_path() / "trainctl-errors-test-cache").string();
}

inline errors::ExplainRequest text_request(std::string text) {
  errors::ExplainRequest r;
  r.input = errors::ExplainRequest::Input::kText;
  r.text = std::move(text);
  r.cache_dir = errors_cache_dir();
  r.project_dir = "/nonexistent-project";
  return r;
}

inline errors::ExplainRequest file_request(const std::string& path) {
  errors::ExplainRequest r;
  r.input = errors::ExplainRequest::Input::kFile;
  r.path = path;
  r.cache_dir = errors_cache_dir();
  r.project_dir = "/nonexistent-project";
  return r;
}

inline errors::Explanation explain_or_fail(const errors::ExplainRequest& request) {
  auto result = errors::explain(request);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  if (!result.ok()) return {};
  return std::move(*result);
}

inline errors::Explanation explain_text(std::string text) { return explain_or_fail(text_request(std::move(text))); }

inline std::string top_id(const errors::Explanation& x) { return x.findings.empty() ? "none" : x.findings.front().id; }

inline std::vector<std::string> ids(const errors::Explanation& x) {
  std::vector<std::string> out;
  for (const auto& f : x.findings) out.push_back(f.id);
  return out;
}

}  // namespace trainctl::testing
