#include "gpu/visible_devices.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace trainctl::gpu {
namespace {

// One device CUDA could be given: a whole GPU, or one MIG device of it (positions in the vectors).
struct Unit {
  std::size_t gpu = 0;
  std::optional<std::size_t> mig;
  bool operator<(const Unit& other) const {
    return std::pair(gpu, mig.value_or(SIZE_MAX)) < std::pair(other.gpu, other.mig.value_or(SIZE_MAX));
  }
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// UUID hex digits compare without regard to case.
bool has_prefix_ignoring_case(std::string_view text, std::string_view prefix) {
  if (prefix.size() > text.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

std::vector<std::string_view> split_entries(std::string_view text) {
  std::vector<std::string_view> entries;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    entries.push_back(trim(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) return entries;
    start = comma + 1;
  }
}

std::optional<std::size_t> parse_index(std::string_view entry) {
  if (entry.empty() || entry.size() > 9) return std::nullopt;
  std::size_t value = 0;
  for (char c : entry) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  return value;
}

// "MIG-GPU-<gpu uuid>/<gi>/<ci>", the form CUDA 11.0 documented.
std::optional<Unit> match_legacy_mig(const std::vector<Gpu>& gpus, std::string_view entry) {
  const std::string_view rest = entry.substr(4);   // "GPU-<uuid>/<gi>/<ci>"
  const auto first = rest.find('/');
  const auto second = first == std::string_view::npos ? first : rest.find('/', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const auto gi = parse_index(rest.substr(first + 1, second - first - 1));
  const auto ci = parse_index(rest.substr(second + 1));
  for (std::size_t g = 0; g < gpus.size(); ++g) {
    if (gpus[g].uuid.size() != first || !has_prefix_ignoring_case(gpus[g].uuid, rest.substr(0, first))) continue;
    for (std::size_t m = 0; m < gpus[g].mig_instances.size(); ++m) {
      const MigInstance& mig = gpus[g].mig_instances[m];
      const bool same_uuid = mig.uuid == entry;
      const bool same_ids = gi && ci && mig.gpu_instance_id == *gi && mig.compute_instance_id == *ci;
      if (same_uuid || same_ids) return Unit{g, m};
    }
  }
  return std::nullopt;
}

// The device one CUDA_VISIBLE_DEVICES entry names, or nullopt when CUDA would find none (or several).
std::optional<Unit> match_entry(const std::vector<Gpu>& gpus, std::string_view entry) {
  if (auto index = parse_index(entry)) {
    if (*index < gpus.size()) return Unit{*index, std::nullopt};
    return std::nullopt;
  }
  std::vector<Unit> matches;
  if (starts_with(entry, "GPU-")) {
    for (std::size_t g = 0; g < gpus.size(); ++g) {
      if (has_prefix_ignoring_case(gpus[g].uuid, entry)) matches.push_back({g, std::nullopt});
    }
  } else if (starts_with(entry, "MIG-GPU-") && entry.find('/') != std::string_view::npos) {
    if (auto unit = match_legacy_mig(gpus, entry)) matches.push_back(*unit);
  } else if (starts_with(entry, "MIG-")) {
    for (std::size_t g = 0; g < gpus.size(); ++g) {
      for (std::size_t m = 0; m < gpus[g].mig_instances.size(); ++m) {
        if (has_prefix_ignoring_case(gpus[g].mig_instances[m].uuid, entry)) matches.push_back({g, m});
      }
    }
  }
  if (matches.size() != 1) return std::nullopt;
  return matches.front();
}

std::string describe(const std::vector<Gpu>& gpus, const Unit& unit) {
  const Gpu& gpu = gpus[unit.gpu];
  if (!unit.mig) return fmt::format("GPU {}", gpu.index);
  const MigInstance& mig = gpu.mig_instances[*unit.mig];
  return fmt::format("GPU {} MIG device {} ({})", gpu.index, mig.index, mig.uuid);
}

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

}  // namespace

Visibility resolve_visible_devices(const std::vector<Gpu>& gpus, const std::optional<std::string>& cuda_visible_devices,
                                   const std::optional<std::string>& cuda_device_order) {
  Visibility result;
  if (gpus.empty()) {
    result.no_gpu_reason_code = kReasonNoDevice;
    result.no_gpu_reason = "the NVIDIA driver is installed but reports no GPU";
    return result;
  }

  std::vector<Unit> chosen;
  if (!cuda_visible_devices) {
    for (std::size_t g = 0; g < gpus.size(); ++g) chosen.push_back({g, std::nullopt});
  } else if (trim(*cuda_visible_devices).empty()) {
    result.no_gpu_reason_code = kReasonCudaVisibleDevicesEmpty;
    result.no_gpu_reason = fmt::format(
        "CUDA_VISIBLE_DEVICES is set to an empty string, which hides every GPU from CUDA; unset it to use the {} here",
        plural(gpus.size(), "GPU"));
    return result;
  } else {
    const std::vector<std::string_view> entries = split_entries(*cuda_visible_devices);
    std::set<Unit> seen;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      auto unit = match_entry(gpus, entries[i]);
      if (!unit) {
        // CUDA reads the list up to the first entry it cannot match and ignores the rest.
        std::vector<std::string_view> ignored(entries.begin() + static_cast<std::ptrdiff_t>(i), entries.end());
        result.warnings.push_back(fmt::format(
            "CUDA_VISIBLE_DEVICES entry '{}' matches no GPU here (indices 0-{}, or a unique GPU-/MIG- UUID prefix), "
            "so CUDA ignores it and everything after it: {}",
            entries[i], gpus.size() - 1, fmt::join(ignored, ",")));
        break;
      }
      if (!seen.insert(*unit).second) {
        result.warnings.push_back(fmt::format(
            "CUDA_VISIBLE_DEVICES names {} more than once (again as '{}'); CUDA may refuse to start with a "
            "duplicate entry, list each device once",
            describe(gpus, *unit), entries[i]));
        continue;
      }
      chosen.push_back(*unit);
    }
    if (chosen.empty()) {
      result.no_gpu_reason_code = kReasonCudaVisibleDevicesEmpty;
      result.no_gpu_reason = fmt::format(
          "CUDA_VISIBLE_DEVICES={} names none of the {} here, so CUDA sees no device; unset it, or list GPU indices "
          "(0-{}) or UUIDs",
          *cuda_visible_devices, plural(gpus.size(), "GPU"), gpus.size() - 1);
      return result;
    }
  }

  // A GPU in MIG mode is not a CUDA device itself: its MIG devices are.
  std::vector<Unit> devices;
  std::vector<std::string> mig_without_devices;
  for (const Unit& unit : chosen) {
    const Gpu& gpu = gpus[unit.gpu];
    if (unit.mig || !gpu.mig_enabled) {
      devices.push_back(unit);
    } else if (gpu.mig_instances.empty()) {
      mig_without_devices.push_back(fmt::format("GPU {}", gpu.index));
    } else {
      for (std::size_t m = 0; m < gpu.mig_instances.size(); ++m) devices.push_back({unit.gpu, m});
    }
  }
  if (!mig_without_devices.empty()) {
    result.warnings.push_back(fmt::format(
        "{} {} in MIG mode with no MIG devices created, so CUDA cannot use {} (create them with `nvidia-smi mig "
        "-cgi <profiles> -C`, or disable MIG)",
        fmt::join(mig_without_devices, ", "), mig_without_devices.size() == 1 ? "is" : "are",
        mig_without_devices.size() == 1 ? "it" : "them"));
  }
  const auto first_mig = std::find_if(devices.begin(), devices.end(), [](const Unit& u) { return u.mig.has_value(); });
  if (first_mig != devices.end()) {
    const Unit kept = *first_mig;
    const auto before = devices.size();
    devices.erase(std::remove_if(devices.begin(), devices.end(),
                                 [&](const Unit& u) { return u.mig && (u.gpu != kept.gpu || u.mig != kept.mig); }),
                  devices.end());
    if (devices.size() < before) {
      result.warnings.push_back(fmt::format(
          "CUDA enumerates only one MIG device per process: a run started here uses {} and not the other {}; name "
          "the one to use with CUDA_VISIBLE_DEVICES=MIG-<uuid>",
          describe(gpus, kept), plural(before - devices.size(), "MIG device")));
    }
  }

  for (const Unit& unit : devices) {
    const Gpu& gpu = gpus[unit.gpu];
    VisibleDevice device;
    device.cuda_index = static_cast<std::uint32_t>(result.visible.size());
    device.gpu_index = gpu.index;
    device.uuid = unit.mig ? gpu.mig_instances[*unit.mig].uuid : gpu.uuid;
    device.mig = unit.mig.has_value();
    result.visible.push_back(std::move(device));
  }
  if (result.visible.empty()) {
    result.no_gpu_reason_code = kReasonNoDevice;
    result.no_gpu_reason = fmt::format("{} {} in MIG mode with no MIG devices created, so CUDA has no device to use",
                                       fmt::join(mig_without_devices, ", "),
                                       mig_without_devices.size() == 1 ? "is" : "are");
  }

  std::set<std::string> names;
  for (const Gpu& gpu : gpus) names.insert(gpu.name);
  if (names.size() > 1 && cuda_device_order.value_or("") != "PCI_BUS_ID") {
    result.warnings.push_back(
        "these GPUs are of different models and CUDA_DEVICE_ORDER is not PCI_BUS_ID: CUDA numbers the fastest "
        "first, so cuda:N (and integer CUDA_VISIBLE_DEVICES entries) may not match the GPU indices shown here; set "
        "CUDA_DEVICE_ORDER=PCI_BUS_ID to make them match");
  }
  return result;
}

}  // namespace trainctl::gpu
