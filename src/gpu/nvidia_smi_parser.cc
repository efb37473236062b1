#include "gpu/nvidia_smi_parser.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>

namespace trainctl::gpu {
namespace {

constexpr std::uint64_t kBytesPerMiB = 1024ULL * 1024ULL;
constexpr std::size_t kExcerptChars = 80;
// Sanity bounds: a value past them is a misparse, not a GPU.
constexpr std::uint64_t kMaxPercent = 100;
constexpr std::uint64_t kMaxCelsius = 1000;
constexpr double kMaxWatts = 100000;

struct Line {
  std::size_t number = 0;   // 1-based, as a person counts lines
  std::string_view text;
};

std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// The line as it can be shown in an error: short, and with control bytes escaped.
std::string excerpt(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, kExcerptChars)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  if (s.size() > kExcerptChars) out += "...";
  return out;
}

// The non-blank lines of `output`, or an error for binary bytes and for past-the-limit sizes.
core::Result<std::vector<Line>> text_lines(std::string_view output, std::string_view what) {
  std::vector<Line> lines;
  std::size_t number = 0;
  std::size_t start = 0;
  while (start < output.size()) {
    std::size_t end = output.find('\n', start);
    if (end == std::string_view::npos) end = output.size();
    const std::string_view text = output.substr(start, end - start);
    start = end + 1;
    ++number;
    if (number > kMaxSmiLines) {
      return core::Error::failure(fmt::format("{} has more than {} lines; not parsed", what, kMaxSmiLines));
    }
    if (text.size() > kMaxSmiLineBytes) {
      return core::Error::failure(
          fmt::format("{}, line {}: longer than {} bytes; not parsed", what, number, kMaxSmiLineBytes));
    }
    for (char c : text) {
      const auto byte = static_cast<unsigned char>(c);
      if ((byte < 0x20 && c != '\t' && c != '\r') || byte == 0x7f) {
        return core::Error::failure(fmt::format("{}, line {}: binary byte 0x{:02x}, not nvidia-smi text: '{}'", what,
                                                number, byte, excerpt(text)));
      }
    }
    if (!trim(text).empty()) lines.push_back({number, text});
  }
  return lines;
}

std::vector<std::string_view> split_commas(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      fields.push_back(trim(line.substr(start)));
      return fields;
    }
    fields.push_back(trim(line.substr(start, comma - start)));
    start = comma + 1;
  }
}

// Names may hold commas: fields from `first` on are joined back (into `storage`) to leave `keep`.
void merge_fields(std::vector<std::string_view>& fields, std::size_t first, std::size_t keep, std::string& storage) {
  const std::size_t extra = fields.size() - keep;
  storage = fields[first];
  for (std::size_t i = 1; i <= extra; ++i) storage += fmt::format(", {}", fields[first + i]);
  fields.erase(fields.begin() + static_cast<std::ptrdiff_t>(first) + 1,
               fields.begin() + static_cast<std::ptrdiff_t>(first + extra) + 1);
  fields[first] = storage;
}

// nvidia-smi's ways of saying it does not know: "[N/A]", "N/A", "[Not Supported]", "[Unknown Error]",
// "[Insufficient Permissions]", "[GPU requires reset]".
bool is_unknown(std::string_view value) {
  return value.empty() || value == "N/A" || (value.front() == '[' && value.back() == ']');
}

std::optional<std::uint64_t> parse_uint(std::string_view value) {
  std::uint64_t out = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size() || value.empty()) return std::nullopt;
  return out;
}

std::optional<double> parse_double(std::string_view value) {
  double out = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size() || value.empty() || !std::isfinite(out)) {
    return std::nullopt;
  }
  return out;
}

core::Result<std::optional<std::uint64_t>> mib_to_bytes(std::string_view field, std::string_view value) {
  if (is_unknown(value)) return std::optional<std::uint64_t>();
  auto mib = parse_uint(value);
  if (!mib || *mib > std::numeric_limits<std::uint64_t>::max() / kBytesPerMiB) {
    return core::Error::failure(fmt::format("{} is '{}', not a number of MiB", field, excerpt(value)));
  }
  return std::optional<std::uint64_t>(*mib * kBytesPerMiB);
}

core::Result<std::optional<std::uint32_t>> bounded_uint(std::string_view field, std::string_view value,
                                                        std::uint64_t max) {
  if (is_unknown(value)) return std::optional<std::uint32_t>();
  auto number = parse_uint(value);
  if (!number || *number > max) {
    return core::Error::failure(fmt::format("{} is '{}', not a whole number up to {}", field, excerpt(value), max));
  }
  return std::optional<std::uint32_t>(static_cast<std::uint32_t>(*number));
}

core::Result<std::optional<double>> watts(std::string_view field, std::string_view value) {
  if (is_unknown(value)) return std::optional<double>();
  auto number = parse_double(value);
  if (!number || *number < 0 || *number > kMaxWatts) {
    return core::Error::failure(fmt::format("{} is '{}', not a number of watts", field, excerpt(value)));
  }
  return std::optional<double>(*number);
}

bool is_compute_capability(std::string_view value) {
  const auto dot = value.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == value.size()) return false;
  return std::all_of(value.begin(), value.end(), [](char c) { return c == '.' || (c >= '0' && c <= '9'); }) &&
         value.find('.', dot + 1) == std::string_view::npos;
}

template <typename T>
core::Status assign(std::optional<T>& target, core::Result<std::optional<T>> parsed) {
  if (!parsed) return parsed.error();
  target = *parsed;
  return core::Ok{};
}

// Stores one --query-gpu value into the GPU (or the rows, for the driver version).
core::Status set_field(std::string_view field, std::string_view value, Gpu& gpu, SmiGpuRows& rows) {
  if (field == "index") {
    auto index = parse_uint(value);
    if (!index || *index >= kMaxSmiGpus) {
      return core::Error::failure(fmt::format("index is '{}', not a GPU index", excerpt(value)));
    }
    gpu.index = static_cast<std::uint32_t>(*index);
  } else if (field == "name") {
    if (is_unknown(value)) return core::Error::failure("name is empty");
    gpu.name = value;
  } else if (field == "uuid") {
    if (!starts_with(value, "GPU-")) {
      return core::Error::failure(fmt::format("uuid is '{}', not a GPU-... UUID", excerpt(value)));
    }
    gpu.uuid = value;
  } else if (field == "pci.bus_id") {
    if (!is_unknown(value)) gpu.pci_bus_id = value;
  } else if (field == "memory.total") {
    return assign(gpu.memory_total_bytes, mib_to_bytes(field, value));
  } else if (field == "memory.used") {
    return assign(gpu.memory_used_bytes, mib_to_bytes(field, value));
  } else if (field == "memory.free") {
    return assign(gpu.memory_free_bytes, mib_to_bytes(field, value));
  } else if (field == "utilization.gpu") {
    return assign(gpu.utilization_percent, bounded_uint(field, value, kMaxPercent));
  } else if (field == "utilization.memory") {
    return assign(gpu.memory_utilization_percent, bounded_uint(field, value, kMaxPercent));
  } else if (field == "temperature.gpu") {
    return assign(gpu.temperature_c, bounded_uint(field, value, kMaxCelsius));
  } else if (field == "power.draw") {
    return assign(gpu.power_watts, watts(field, value));
  } else if (field == "power.limit") {
    return assign(gpu.power_limit_watts, watts(field, value));
  } else if (field == "compute_cap") {
    if (is_unknown(value)) return core::Ok{};
    if (!is_compute_capability(value)) {
      return core::Error::failure(fmt::format("compute_cap is '{}', not a compute capability", excerpt(value)));
    }
    gpu.compute_capability = std::string(value);
  } else if (field == "driver_version") {
    if (!is_unknown(value) && !rows.driver_version) rows.driver_version = std::string(value);
  } else if (field == "mig.mode.current") {
    if (value == "Enabled") {
      gpu.mig_enabled = true;
    } else if (value != "Disabled" && !is_unknown(value)) {
      return core::Error::failure(fmt::format("mig.mode.current is '{}', not Enabled or Disabled", excerpt(value)));
    }
  }
  return core::Ok{};
}

std::optional<std::size_t> position_of(const std::vector<std::string>& fields, std::string_view name) {
  auto it = std::find(fields.begin(), fields.end(), name);
  if (it == fields.end()) return std::nullopt;
  return static_cast<std::size_t>(it - fields.begin());
}

// "(UUID: X)" at the end of a -L line: X, and the text before it.
std::optional<std::pair<std::string_view, std::string_view>> split_uuid_suffix(std::string_view text) {
  constexpr std::string_view kOpen = "(UUID: ";
  const auto open = text.rfind(kOpen);
  if (open == std::string_view::npos || text.back() != ')') return std::nullopt;
  const std::string_view uuid = trim(text.substr(open + kOpen.size(), text.size() - 1 - open - kOpen.size()));
  if (uuid.empty()) return std::nullopt;
  return std::pair{trim(text.substr(0, open)), uuid};
}

// Reads leading decimal digits off `s`.
std::optional<std::uint64_t> take_number(std::string_view& s) {
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  auto number = parse_uint(s.substr(0, digits));
  if (number) s.remove_prefix(digits);
  return number;
}

core::Result<MigInstance> parse_mig_line(std::string_view text) {
  // "MIG 1g.5gb      Device  0: (UUID: MIG-...)"
  std::string_view rest = trim(text.substr(4));
  const auto space = rest.find_first_of(" \t");
  if (space == std::string_view::npos) return core::Error::failure("a MIG line without 'Device N:'");
  MigInstance instance;
  instance.profile = rest.substr(0, space);
  rest = trim(rest.substr(space));
  if (!starts_with(rest, "Device")) return core::Error::failure("a MIG line without 'Device N:'");
  rest = trim(rest.substr(6));
  auto index = take_number(rest);
  if (!index || *index >= kMaxSmiLines || !starts_with(rest, ":")) {
    return core::Error::failure("a MIG line without 'Device N:'");
  }
  instance.index = static_cast<std::uint32_t>(*index);
  auto uuid = split_uuid_suffix(trim(rest.substr(1)));
  if (!uuid || !uuid->first.empty() || !starts_with(uuid->second, "MIG-")) {
    return core::Error::failure("a MIG line without '(UUID: MIG-...)'");
  }
  instance.uuid = uuid->second;
  // The R450-era form "MIG-GPU-<gpu uuid>/<gpu instance>/<compute instance>" carries the ids.
  if (starts_with(instance.uuid, "MIG-GPU-")) {
    std::string_view ids = instance.uuid;
    const auto first = ids.find('/');
    const auto second = first == std::string_view::npos ? first : ids.find('/', first + 1);
    if (second != std::string_view::npos) {
      auto gi = parse_uint(ids.substr(first + 1, second - first - 1));
      auto ci = parse_uint(ids.substr(second + 1));
      if (gi && ci && *gi < 1024 && *ci < 1024) {
        instance.gpu_instance_id = static_cast<std::uint32_t>(*gi);
        instance.compute_instance_id = static_cast<std::uint32_t>(*ci);
      }
    }
  }
  return instance;
}

core::Result<SmiListedGpu> parse_gpu_line(std::string_view text) {
  // "GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-...)"
  std::string_view rest = text.substr(4);
  auto index = take_number(rest);
  if (!index || *index >= kMaxSmiGpus || !starts_with(rest, ":")) {
    return core::Error::failure("a GPU line without 'GPU N:'");
  }
  auto uuid = split_uuid_suffix(trim(rest.substr(1)));
  if (!uuid || uuid->first.empty() || !starts_with(uuid->second, "GPU-")) {
    return core::Error::failure("a GPU line without a name and '(UUID: GPU-...)'");
  }
  SmiListedGpu gpu;
  gpu.index = static_cast<std::uint32_t>(*index);
  gpu.name = uuid->first;
  gpu.uuid = uuid->second;
  return gpu;
}

// The version after `label` ("CUDA Version: 12.4", "CUDA Version      : 12.4"); digits and dots.
std::optional<std::string> version_after(std::string_view text, std::string_view label) {
  const auto at = text.find(label);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(at + label.size());
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == ':' || rest.front() == '\t')) rest.remove_prefix(1);
  std::size_t length = 0;
  while (length < rest.size() && ((rest[length] >= '0' && rest[length] <= '9') || rest[length] == '.')) ++length;
  if (length == 0 || rest.front() == '.') return std::nullopt;
  return std::string(rest.substr(0, length));
}

}  // namespace

const std::vector<std::string>& query_gpu_fields() {
  static const std::vector<std::string> kFields = {
      "index",           "name",           "uuid",        "pci.bus_id",         "memory.total",
      "memory.used",     "memory.free",    "utilization.gpu", "utilization.memory", "temperature.gpu",
      "power.draw",      "power.limit",    "compute_cap", "driver_version",     "mig.mode.current",
  };
  return kFields;
}

bool is_optional_query_field(std::string_view field) {
  return field != "index" && field != "name" && field != "uuid";
}

std::optional<std::string> rejected_query_field(std::string_view output) {
  constexpr std::string_view kPrefix = "Field \"";
  constexpr std::string_view kSuffix = "\" is not a valid field to query";
  const auto at = output.find(kPrefix);
  if (at == std::string_view::npos) return std::nullopt;
  const auto start = at + kPrefix.size();
  const auto end = output.find(kSuffix, start);
  if (end == std::string_view::npos || end - start > 64) return std::nullopt;
  return std::string(output.substr(start, end - start));
}

core::Result<SmiGpuRows> parse_query_gpu(std::string_view output, const std::vector<std::string>& fields) {
  constexpr std::string_view kWhat = "nvidia-smi --query-gpu output";
  const auto name_at = position_of(fields, "name");
  if (!position_of(fields, "index") || !name_at || !position_of(fields, "uuid")) {
    return core::Error::usage("parse_query_gpu: the fields must include index, name and uuid");
  }
  auto lines = text_lines(output, kWhat);
  if (!lines) return lines.error();
  SmiGpuRows rows;
  std::set<std::uint32_t> seen;
  for (const Line& line : *lines) {
    std::vector<std::string_view> values = split_commas(line.text);
    std::string merged;
    if (values.size() > fields.size()) merge_fields(values, *name_at, fields.size(), merged);
    if (values.size() != fields.size()) {
      return core::Error::failure(fmt::format("{}, line {}: expected {} comma-separated fields, found {}: '{}'", kWhat,
                                              line.number, fields.size(), values.size(), excerpt(line.text)));
    }
    if (rows.gpus.size() >= kMaxSmiGpus) {
      return core::Error::failure(fmt::format("{}: more than {} GPUs; not parsed", kWhat, kMaxSmiGpus));
    }
    Gpu gpu;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      auto set = set_field(fields[i], values[i], gpu, rows);
      if (!set) {
        return core::Error::failure(fmt::format("{}, line {}: {}: '{}'", kWhat, line.number, set.error().message,
                                                excerpt(line.text)));
      }
    }
    if (!seen.insert(gpu.index).second) {
      return core::Error::failure(fmt::format("{}, line {}: GPU index {} appears twice", kWhat, line.number, gpu.index));
    }
    rows.gpus.push_back(std::move(gpu));
  }
  return rows;
}

core::Result<std::vector<SmiComputeApp>> parse_compute_apps(std::string_view output) {
  constexpr std::string_view kWhat = "nvidia-smi --query-compute-apps output";
  constexpr std::size_t kFields = 4;
  auto lines = text_lines(output, kWhat);
  if (!lines) return lines.error();
  std::vector<SmiComputeApp> apps;
  for (const Line& line : *lines) {
    const std::string_view text = trim(line.text);
    // Said instead of rows by some drivers; a lone "[Not Supported]" by old GeForce ones.
    if (text == "No running processes found" || (is_unknown(text) && text.find(',') == std::string_view::npos)) {
      continue;
    }
    std::vector<std::string_view> values = split_commas(text);
    std::string merged;
    if (values.size() > kFields) merge_fields(values, 2, kFields, merged);
    const auto fail = [&](const std::string& why) {
      return core::Error::failure(fmt::format("{}, line {}: {}: '{}'", kWhat, line.number, why, excerpt(line.text)));
    };
    if (values.size() != kFields) return fail(fmt::format("expected {} comma-separated fields", kFields));
    SmiComputeApp app;
    app.gpu_uuid = values[0];
    if (!starts_with(app.gpu_uuid, "GPU-") && !starts_with(app.gpu_uuid, "MIG-")) return fail("no GPU UUID");
    auto pid = parse_uint(values[1]);
    if (!pid || *pid == 0 || *pid > std::numeric_limits<std::uint32_t>::max()) return fail("no process id");
    app.process.pid = static_cast<std::uint32_t>(*pid);
    if (!is_unknown(values[2])) app.process.name = values[2];
    auto memory = mib_to_bytes("used_memory", values[3]);
    if (!memory) return fail(memory.error().message);
    app.process.used_memory_bytes = *memory;
    apps.push_back(std::move(app));
  }
  return apps;
}

core::Result<std::vector<SmiListedGpu>> parse_gpu_list(std::string_view output) {
  constexpr std::string_view kWhat = "nvidia-smi -L output";
  auto lines = text_lines(output, kWhat);
  if (!lines) return lines.error();
  std::vector<SmiListedGpu> gpus;
  for (const Line& line : *lines) {
    const std::string_view text = trim(line.text);
    const auto fail = [&](const std::string& why) {
      return core::Error::failure(fmt::format("{}, line {}: {}: '{}'", kWhat, line.number, why, excerpt(line.text)));
    };
    if (starts_with(text, "GPU ")) {
      if (gpus.size() >= kMaxSmiGpus) return fail(fmt::format("more than {} GPUs", kMaxSmiGpus));
      auto gpu = parse_gpu_line(text);
      if (!gpu) return fail(gpu.error().message);
      gpus.push_back(std::move(*gpu));
    } else if (starts_with(text, "MIG ")) {
      if (gpus.empty()) return fail("a MIG device before any GPU");
      auto instance = parse_mig_line(text);
      if (!instance) return fail(instance.error().message);
      gpus.back().mig_instances.push_back(std::move(*instance));
    } else {
      return fail("neither a 'GPU N:' nor a 'MIG ... Device N:' line");
    }
  }
  return gpus;
}

SmiBanner parse_banner(std::string_view output) {
  SmiBanner banner;
  banner.driver_version = version_after(output, "Driver Version");
  banner.cuda_version = version_after(output, "CUDA Version");
  return banner;
}

}  // namespace trainctl::gpu
