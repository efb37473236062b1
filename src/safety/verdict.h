// The three verdicts of the command-safety guard, ordered so that the stricter one wins.
#pragma once

#include <optional>
#include <string_view>

namespace trainctl::safety {

enum class Verdict {
  kAllow = 0,    // read-only inspection: may run at once
  kConfirm = 1,  // runs only after an explicit yes
  kDeny = 2,     // never runs, whatever flags or confirmations are given
};

constexpr Verdict stricter(Verdict a, Verdict b) { return a > b ? a : b; }

constexpr std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kAllow: return "allow";
    case Verdict::kConfirm: return "confirm";
    case Verdict::kDeny: return "deny";
  }
  return "deny";
}

inline std::optional<Verdict> parse_verdict(std::string_view name) {
  if (name == "allow") return Verdict::kAllow;
  if (name == "confirm") return Verdict::kConfirm;
  if (name == "deny") return Verdict::kDeny;
  return std::nullopt;
}

}  // namespace trainctl::safety
