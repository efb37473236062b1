// Facts from the log and from the run's config that a finding's fixes depend on, written as
// sentences: where a NaN loss began and at what learning rate, the batch settings an
// out-of-memory error meets, the key a config lacks, the two shapes of a mismatch, the prefix to
// strip from state_dict keys, the assertion under a device-side assert.
#pragma once

#include <string>

#include "errors/config_text.h"
#include "errors/explain.h"

namespace trainctl::errors {

// Appends to f.notes from f.values and `config` (may be null); `config_name` names it in the text.
void add_notes(Finding& f, const std::string& id, const ConfigText* config, const std::string& config_name);

}  // namespace trainctl::errors
