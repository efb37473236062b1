// trainctl's entry point: builds the context from the process and hands over to the CLI.
#include <unistd.h>

#include "cli/commands.h"

int main(int argc, char** argv) {
  trainctl::cli::CliContext ctx;
  ctx.env = trainctl::core::EnvironmentVars::from_process();
  ctx.out_style = trainctl::core::TerminalStyle::for_stream(STDOUT_FILENO, ctx.env);
  ctx.err_style = trainctl::core::TerminalStyle::for_stream(STDERR_FILENO, ctx.env);
  return trainctl::cli::run_cli(argc, argv, ctx);
}
