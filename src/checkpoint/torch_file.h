// Inspects one PyTorch checkpoint file without Python: the zip format (torch >= 1.6), the legacy
// stream format, TorchScript archives and bare pickles. Reads the directory and the pickles, never
// the tensor payloads (only single-element tensors that hold metrics, and every record's CRC when
// verify is set). Every pickle in the file is scanned for the security verdict.
#pragma once

#include <string>

#include "checkpoint/checkpoint_info.h"

namespace trainctl::checkpoint {

struct InspectOptions {
  bool verify = false;   // check the CRC-32 of every tensor record too (reads the whole file)
};

// Never fails: an unreadable checkpoint is an info with valid == false and the reason in error.
CheckpointInfo inspect_torch_file(const std::string& path, const InspectOptions& options = {});

}  // namespace trainctl::checkpoint
