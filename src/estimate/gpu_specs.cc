#include "estimate/gpu_specs.h"

#include <algorithm>
#include <cctype>

namespace trainctl::estimate {

namespace {

constexpr std::int64_t kGB = 1000LL * 1000 * 1000;

// Lower case, letters and digits only: "NVIDIA H100 80GB HBM3" -> "nvidiah10080gbhbm3".
std::string squash(std::string_view text) {
  std::string out;
  for (unsigned char ch : text) {
    if (std::isalnum(ch)) out.push_back(static_cast<char>(std::tolower(ch)));
  }
  return out;
}

}  // namespace

const std::vector<GpuSpec>& gpu_table() {
  // Usable memory as the driver reports it (80 GB parts show about 79.6 GiB of 81,559 MiB).
  static const std::vector<GpuSpec> table = {
      {"h200-141gb", "NVIDIA H200 141GB", 141 * kGB, 989, 989, 67},
      {"h100-80gb", "NVIDIA H100 SXM 80GB", 81559LL * 1024 * 1024, 989, 989, 67},
      {"h100-pcie-80gb", "NVIDIA H100 PCIe 80GB", 81559LL * 1024 * 1024, 756, 756, 51},
      {"a100-80gb", "NVIDIA A100 80GB", 81920LL * 1024 * 1024, 312, 312, 19.5},
      {"a100-40gb", "NVIDIA A100 40GB", 40960LL * 1024 * 1024, 312, 312, 19.5},
      {"l40s-48gb", "NVIDIA L40S 48GB", 46068LL * 1024 * 1024, 362, 362, 91.6},
      {"a6000-48gb", "NVIDIA RTX A6000 48GB", 49140LL * 1024 * 1024, 155, 155, 38.7},
      {"rtx4090-24gb", "NVIDIA GeForce RTX 4090 24GB", 24564LL * 1024 * 1024, 165, 165, 82.6},
      {"rtx3090-24gb", "NVIDIA GeForce RTX 3090 24GB", 24576LL * 1024 * 1024, 71, 71, 35.6},
      {"l4-24gb", "NVIDIA L4 24GB", 23034LL * 1024 * 1024, 121, 121, 30.3},
      {"a10g-24gb", "NVIDIA A10G 24GB", 23028LL * 1024 * 1024, 70, 70, 31.2},
      {"v100-32gb", "NVIDIA V100 32GB", 32768LL * 1024 * 1024, 0, 125, 15.7},
      {"v100-16gb", "NVIDIA V100 16GB", 16384LL * 1024 * 1024, 0, 125, 15.7},
      {"t4-16gb", "NVIDIA T4 16GB", 15360LL * 1024 * 1024, 0, 65, 8.1},
  };
  return table;
}

std::optional<GpuSpec> find_gpu(std::string_view name) {
  std::string wanted = squash(name);
  if (wanted.empty()) return std::nullopt;
  // Exact short names first, then the reported label's model and memory ("h100" and "80gb").
  for (const auto& g : gpu_table()) {
    if (squash(g.name) == wanted) return g;
  }
  const GpuSpec* best = nullptr;
  std::size_t best_score = 0;
  for (const auto& g : gpu_table()) {
    std::string model = squash(g.name.substr(0, g.name.find('-')));
    std::string memory = squash(g.name.substr(g.name.rfind('-') + 1));
    if (wanted.find(model) == std::string::npos) continue;
    bool pcie = wanted.find("pcie") != std::string::npos;
    std::size_t score = 1 + (wanted.find(memory) != std::string::npos ? 2 : 0) +
                        ((g.name.find("pcie") != std::string::npos) == pcie ? 1 : 0);
    if (score > best_score) {
      best = &g;
      best_score = score;
    }
  }
  if (best) return *best;
  return std::nullopt;
}

}  // namespace trainctl::estimate
