// The GPUs an estimate can be asked about: memory and dense tensor-core throughput per precision,
// from the vendors' datasheets (dense, without sparsity). Names are matched loosely, so the name
// `gpus` reports ("NVIDIA H100 80GB HBM3") finds its entry as well as "h100-80gb" does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trainctl::estimate {

struct GpuSpec {
  std::string name;              // "h100-80gb"
  std::string label;             // "NVIDIA H100 SXM 80GB"
  std::int64_t memory_bytes = 0;
  double bf16_tflops = 0;        // dense; 0 when the GPU has no bf16 tensor cores
  double fp16_tflops = 0;
  double fp32_tflops = 0;        // plain FP32 (TF32 is not assumed)
};

const std::vector<GpuSpec>& gpu_table();
// "h100", "H100-80GB", "NVIDIA H100 80GB HBM3", "a100-40gb"...; nullopt when nothing matches.
std::optional<GpuSpec> find_gpu(std::string_view name);

}  // namespace trainctl::estimate
