#include "cli/cli_context.h"

namespace trainctl::cli {
namespace {

const char* kind_name(core::ErrorKind kind) {
  switch (kind) {
    case core::ErrorKind::kFailure: return "failure";
    case core::ErrorKind::kUsage: return "usage";
    case core::ErrorKind::kRefused: return "refused";
    case core::ErrorKind::kNotFound: return "not_found";
  }
  return "failure";
}

}  // namespace

void CliContext::fail(const core::Error& error) {
  exit_status = core::exit_status_for(error.kind);
  if (json) {
    print_json({{"error", {{"kind", kind_name(error.kind)}, {"message", error.message}}}});
  } else {
    *err << err_style.red("error:") << " " << error.message << "\n";
  }
}

void CliContext::print_json(const nlohmann::json& document) const {
  // error_handler::replace: a stray invalid UTF-8 byte from a device name or log never aborts output.
  *out << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace trainctl::cli
