// libFuzzer target for what `trainctl project` reads from a project it does not trust: the Python
// tokenizer and module reader, the CLI reader over that module (argparse, click, typer, Hydra,
// HfArgumentParser, the configurator...), the config parsers (YAML with its aliases, JSON, TOML,
// Python config modules) and their facts, the launch recipes in shell scripts, READMEs and
// Makefiles, and .gitignore rules with git's wildcard match. Nothing may crash, hang or leak, and
// every token must lie inside the source. Seeds: the fixture projects' files and the example.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "project/config_file.h"
#include "project/gitignore.h"
#include "project/python_cli.h"
#include "project/python_module.h"
#include "project/python_tokens.h"
#include "project/recipes.h"

namespace {

using namespace trainctl::project;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);

  TokenStream stream = tokenize_python(input);
  check(stream.tokens.size() == stream.match.size());
  for (std::size_t i = 0; i < stream.tokens.size(); ++i) {
    const Token& t = stream.tokens[i];
    check(std::size_t{t.begin} + t.length <= input.size());
    if (stream.match[i] != kNoMatch) {
      check(stream.match[i] < stream.tokens.size());
      // Pairs point at each other; a bracket left open matches the end of the stream.
      check(stream.match[i] == stream.tokens.size() - 1 || stream.match[stream.match[i]] == i);
    }
    if (t.kind == TokenKind::kString) python_string_value(std::string_view(input).substr(t.begin, t.length));
  }

  PythonModule module = read_python(input);
  CliSpec cli = read_cli(module);
  for (const auto& option : cli.options) (void)to_json(option);
  (void)python_config_values(input);

  for (ConfigFormat format : {ConfigFormat::kYaml, ConfigFormat::kJson, ConfigFormat::kToml, ConfigFormat::kPython}) {
    ConfigFile config = parse_config("/fuzz/config", format, input);
    // A config that could not be read keeps no values, so nothing downstream trusts half of it.
    if (config.error) check(config.facts.empty());
  }

  for (const auto& recipe : recipes_in_shell(input, "run.sh")) (void)to_json(recipe);
  for (const auto& recipe : recipes_in_markdown(input, "README.md")) (void)to_json(recipe);
  for (const auto& recipe : recipes_in_makefile(input, "Makefile")) (void)to_json(recipe);

  IgnoreFile ignore = parse_ignore_file("/fuzz", input);
  check(ignore.rules.size() <= kMaxIgnoreRules);
  std::string_view path = std::string_view(input).substr(0, 256);
  (void)ignore_verdict(ignore, std::string("/fuzz/") + std::string(path), false);
  if (!ignore.rules.empty()) (void)wildmatch(ignore.rules.front().pattern, path);
  return 0;
}
