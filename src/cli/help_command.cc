// `trainctl help [COMMAND]`: the same text as `trainctl COMMAND --help`.
#include <fmt/format.h>

#include "cli/commands.h"

namespace trainctl::cli {

Command add_help_command(CLI::App& app, CliContext& ctx) {
  auto* sub = app.add_subcommand("help", "Show help for trainctl or one of its commands");
  auto topic = std::make_shared<std::string>();
  sub->add_option("command", *topic, "The command to explain");
  return {sub, [&app, &ctx, topic] {
            if (topic->empty()) {
              *ctx.out << app.help();
              return;
            }
            CLI::App* target = nullptr;
            try {
              target = app.get_subcommand(*topic);
            } catch (const CLI::OptionNotFound&) {
              ctx.fail(core::Error::usage(fmt::format(
                  "no command named '{}'; 'trainctl help' lists them", *topic)));
              return;
            }
            *ctx.out << target->help(app.get_name());
          }};
}

}  // namespace trainctl::cli
