// Which devices a CUDA program started with this environment would see, applying
// CUDA_VISIBLE_DEVICES the way the CUDA driver does. Guarantees: never fails; whatever CUDA would
// ignore or refuse becomes a warning that names the entries.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gpu/gpu_report.h"

namespace trainctl::gpu {

struct Visibility {
  std::vector<VisibleDevice> visible;             // in CUDA's numbering: cuda:0, cuda:1, ...
  std::vector<std::string> warnings;
  std::optional<std::string> no_gpu_reason_code;  // a kReason* code, set when visible is empty
  std::optional<std::string> no_gpu_reason;
};

// `gpus` in nvidia-smi's index order, with their MIG devices; the two variables as set (nullopt
// when unset: unset and empty differ). The rules, as CUDA applies them:
//  - entries are integer indices, GPU-<uuid>, MIG-<uuid> (or unique prefixes of either), or the
//    R450 form MIG-GPU-<uuid>/<gi>/<ci>; the list ends at the first entry matching nothing
//    ("-1", an index out of range, an ambiguous prefix), and "" hides every GPU;
//  - a GPU in MIG mode is not a CUDA device, its MIG devices are, and CUDA enumerates only one MIG
//    device per process: the first is kept and the others are warned about;
//  - numbering follows nvidia-smi (CUDA_DEVICE_ORDER=PCI_BUS_ID); CUDA's default, FASTEST_FIRST,
//    can differ on machines with mixed models, which is warned about.
Visibility resolve_visible_devices(const std::vector<Gpu>& gpus, const std::optional<std::string>& cuda_visible_devices,
                                   const std::optional<std::string>& cuda_device_order);

}  // namespace trainctl::gpu
