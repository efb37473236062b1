// Folds the verdicts of the several pickles one checkpoint holds into the checkpoint's summary:
// the worst verdict wins, and every finding keeps the name of the pickle it came from.
#pragma once

#include <string>

#include "checkpoint/checkpoint_info.h"
#include "checkpoint/pickle_security.h"

namespace trainctl::checkpoint {

void merge_security(const SecurityVerdict& verdict, const std::string& record, SecuritySummary& summary);

// Folds a file's whole summary into its folder's (Hugging Face, DeepSpeed, DCP); records are
// named "<file>:<record>". The first file sets the verdict, later ones can only make it worse.
void merge_summary(const SecuritySummary& part, const std::string& file, SecuritySummary& summary);

// After all pickles are merged: "safe" only if at least one pickle was scanned and none was worse.
void finish_security(SecuritySummary& summary);

}  // namespace trainctl::checkpoint
