// libFuzzer target for a whole checkpoint file: the zip reader, the legacy stream walk, the pickle
// reader and the metadata extraction together, then the safetensors header parser, on any bytes.
// Any input must end in an info (valid or not), never a crash, hang or leak; an invalid
// checkpoint must say why.
// Seeds: the files tests/checkpoint/fixtures/make_checkpoints.py and make_zip_fixtures.py write.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "checkpoint/safetensors_header.h"
#include "checkpoint/torch_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The readers take paths (they pread only what they need); a memfd gives the input one.
  int fd = ::memfd_create("checkpoint", 0);
  if (fd < 0) return 0;
  std::size_t written = 0;
  while (written < size) {
    ssize_t n = ::write(fd, data + written, size - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  trainctl::checkpoint::CheckpointInfo info = trainctl::checkpoint::inspect_torch_file(path, {true});
  if (!info.valid && !info.error) __builtin_trap();
  if (info.security.verdict == "safe" && info.security.pickles.empty()) __builtin_trap();
  (void)trainctl::checkpoint::to_json(info).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // The same bytes as a safetensors file: its header parser is the other reader of untrusted files.
  (void)trainctl::checkpoint::read_safetensors_header(path);
  ::close(fd);
  return 0;
}
