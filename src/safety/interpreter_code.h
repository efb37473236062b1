// Judges inline interpreter code (python -c, perl -e, node -e, ruby -e, php -r, awk and sed
// programs) without running it: code that deletes, writes, spawns processes, kills, or hides
// what it does (exec/eval, __import__, base64-decoded payloads) is denied; code that loads
// pickles, reaches the network or imports modules not known to be read-only needs a yes; code
// that only imports known modules and prints is allowed. A reader of tokens, not an interpreter:
// anything it cannot see through counts against the code.
#pragma once

#include <string>

#include "safety/verdict.h"

namespace trainctl::safety {

struct CodeJudgement {
  Verdict verdict = Verdict::kConfirm;
  std::string rule;      // interpreter-dangerous-code, interpreter-code, read-only
  std::string message;   // names what was found, e.g. "calls shutil.rmtree"
};

// `language`: "python", "perl", "ruby", "javascript", "php", "lua", "r", "awk", "sed", other.
CodeJudgement judge_interpreter_code(const std::string& language, const std::string& code);

}  // namespace trainctl::safety
