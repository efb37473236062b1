// The launch commands a project writes down for its users: fenced code blocks in its README,
// Makefile targets and shell scripts. Each command that starts Python (python, python -m,
// torchrun, python -m torch.distributed.run/launch, accelerate launch, deepspeed) is split into
// its launcher, the script or module it runs, and that script's arguments. Read with the safety
// shell parser; nothing is expanded or run.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace trainctl::project {

inline constexpr std::size_t kMaxRecipesPerFile = 200;

enum class Launcher { kPython, kTorchrun, kAccelerate, kDeepspeed, kLightning };
const char* launcher_name(Launcher launcher);

struct Recipe {
  std::string source;                    // "README.md:42", "Makefile:train", "scripts/train.sh:3"
  std::string target;                    // the Makefile target, "" otherwise
  std::vector<std::string> words;        // the whole command as written (variables left as $X)
  Launcher launcher = Launcher::kPython;
  std::vector<std::string> launcher_args;  // the launcher's own options: {"--nproc_per_node=8"}
  std::string script;                    // "train.py" (as written) or "" when a module runs
  std::string module;                    // "pkg.train" for -m, else ""
  std::vector<std::string> args;         // the script's arguments
};

// Splits one command's words (already unquoted) into a Recipe; nullopt unless it launches Python.
std::optional<Recipe> recipe_from_words(const std::vector<std::string>& words);

// The Python launches in a shell script (or one README line), in order.
std::vector<Recipe> recipes_in_shell(std::string_view text, const std::string& source_name);
// In the fenced code blocks of a Markdown file (lines continued with \ are joined; a leading
// "$ " prompt is dropped).
std::vector<Recipe> recipes_in_markdown(std::string_view text, const std::string& source_name);
// In a Makefile's target recipes, with simple variables ($(PYTHON), ${CONFIG}) substituted.
std::vector<Recipe> recipes_in_makefile(std::string_view text, const std::string& source_name);

nlohmann::json to_json(const Recipe& recipe);

}  // namespace trainctl::project
