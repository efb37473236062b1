// The knowledge base shipped with trainctl: data/errors/*.toml, compiled into the binary by
// src/errors/embed_kb.cmake so that `trainctl explain` never depends on where it is run from.
#pragma once

#include <span>
#include <string_view>

namespace trainctl::errors {

struct EmbeddedFile {
  std::string_view name;  // "memory.toml"
  std::string_view text;  // the whole file
};

// The files in name order.
std::span<const EmbeddedFile> builtin_kb_files();

}  // namespace trainctl::errors
