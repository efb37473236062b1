// Internal to the policy: the helper every per-program judgement uses to read options, place
// paths and add reasons. Not part of the safety module's public contract.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "safety/command_policy.h"

namespace trainctl::safety {

// Options and operands of one command, read the way most GNU tools read them.
struct ParsedArgs {
  std::vector<const ArgValue*> operands;
  std::vector<std::string> options;               // as written: "-rf", "--force", "--target-directory=x"
  std::map<std::string, const ArgValue*> values;  // option -> its separate value argument
  bool unknown_options = false;                   // an unknown word that may split into options

  bool has(std::string_view long_name, char short_letter = 0) const;
  const ArgValue* value(std::initializer_list<std::string_view> names) const;
  // The value of --name=VALUE or of a separate-argument option.
  std::string text_value(std::initializer_list<std::string_view> names) const;
};

// Where one possible value of a path argument lands.
struct PlacedPath {
  PathPlace place = PathPlace::kOutside;
  std::string shown;          // as written
  std::string resolved;
  bool unknown = false;       // not known at check time
  bool glob = false;
  bool glob_everything = false;   // the last component matches every name (*, .*, *.*)
  bool filtered = false;          // find -exec {}: only names matching a filter
  std::string glob_dir_resolved;  // the folder the glob lists
  bool left_through_symlink = false;
  bool credential = false;    // SSH keys, cloud credentials, tokens
  bool history = false;       // shell history files
};

class Judge {
 public:
  Judge(const EvaluatedCommand& command, int index, const PolicyContext& context, LineState& line,
        std::vector<Reason>& out);

  const EvaluatedCommand& command;
  std::string program;

  void add(std::string_view rule, std::string message, Span span);
  void add(std::string_view rule, std::string message) { add(rule, std::move(message), command.span); }

  ParsedArgs parse(std::size_t first, std::initializer_list<std::string_view> with_value = {},
                   bool options_anywhere = true) const;
  std::vector<PlacedPath> place(const ArgValue& arg, bool follow_last = true) const;
  bool all_known(std::size_t first = 1) const;
  const std::string& arg(std::size_t i) const;  // known text or "" (unknown or absent)

  // Common judgements.
  // A path written to (cp/mv destination, tee, touch, redirect): deny outside, confirm inside.
  // sink_ok: writing into /dev/null is harmless (a redirect, tee); moving a file onto it is not.
  void judge_write_target(const ArgValue& arg, std::string_view verb, std::string_view outside_rule = "write-outside-project",
                          bool follow_last = true, bool sink_ok = true);
  // A path deleted or moved away (rm, mv source, truncate).
  void judge_delete_target(const ArgValue& arg, std::string_view verb, bool recursive, bool named_filter = false);
  void unknown_argument(const ArgValue& arg, std::string_view what);

  LineState& line;

 private:
  int index_;
  const PolicyContext& context_;
  std::vector<Reason>& out_;
};

// Per-family judgements (each returns true when it knew the program).
bool judge_file_operation(Judge& j);
bool judge_git(Judge& j);
bool judge_packages(Judge& j);
bool judge_processes_and_system(Judge& j);
bool judge_network(Judge& j);
bool judge_gpu_and_jobs(Judge& j);
bool judge_read_only(Judge& j);

}  // namespace trainctl::safety
