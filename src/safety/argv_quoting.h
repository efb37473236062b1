// Quoting argv for display and for the shell: the one-line form a person can paste, which the
// parser reads back as exactly the same words.
#pragma once

#include <string>
#include <vector>

namespace trainctl::safety {

// The word unchanged when it needs no quoting, else in single quotes ('it'\''s').
std::string shell_quote(const std::string& word);
std::string shell_join(const std::vector<std::string>& argv);

}  // namespace trainctl::safety
