// The shape of a decoder-only transformer, as far as memory and time depend on it, read from a
// Hugging Face config.json, from a project's own config keys (d_model/n_embd/hidden_size, ...),
// or from a built-in preset. Two families are modelled, each as its reference code writes it:
// GPT-2 (nanoGPT; LayerNorm with bias, learned positions, fused QKV, GELU MLP) and LLaMA (Hugging
// Face eager; RMSNorm, rotary positions, grouped-query attention, SwiGLU, no biases), which also
// covers Mistral and Qwen2 (Qwen2 adds biases on q/k/v).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace trainctl::estimate {

enum class Family { kGpt2, kLlama };
const char* family_name(Family family);

struct ModelShape {
  std::string name;              // preset or model_type, for people
  Family family = Family::kGpt2;
  std::int64_t vocab = 0;
  std::int64_t d_model = 0;
  std::int64_t n_layers = 0;
  std::int64_t n_heads = 0;
  std::int64_t n_kv_heads = 0;   // = n_heads without grouped-query attention
  std::int64_t d_ff = 0;         // the MLP's inner width
  std::int64_t max_seq = 0;      // learned position table size (GPT-2); the default sequence length
  bool tied_embeddings = true;   // the output layer shares the token embedding
  bool qkv_bias = false;         // LLaMA family: biases on q/k/v (Qwen2)

  std::int64_t head_dim() const { return n_heads ? d_model / n_heads : 0; }
};

// Checks the numbers a shape needs (all positive, heads divide d_model and kv heads divide heads).
core::Result<ModelShape> validated(ModelShape shape);

// A Hugging Face config.json: gpt2, llama, mistral, qwen2 (model_type), or anything with the same
// keys. kUsage naming the missing key when it is not a decoder the estimator models.
core::Result<ModelShape> shape_from_hf_config(const nlohmann::json& config);

// A project's training config (any nesting): d_model/n_embd/hidden_size/dim, n_layer(s)/
// num_hidden_layers, n_head(s), n_kv_heads, d_ff/intermediate_size, vocab_size, block_size/
// max_seq_len. The family is LLaMA when the config says so (rmsnorm, swiglu, rotary, n_kv_heads).
// Not validated: vocab_size and the context may be 0 (left to the data); see validated().
core::Result<ModelShape> shape_from_config_values(const nlohmann::json& values);

// Built-in presets: gpt2, gpt2-medium, gpt2-large, gpt2-xl, llama-3-8b, llama-3-70b, llama-2-7b,
// mistral-7b, qwen2.5-7b, tinyllama-1.1b.
std::optional<ModelShape> preset(std::string_view name);
std::vector<std::string> preset_names();

nlohmann::json to_json(const ModelShape& shape);

}  // namespace trainctl::estimate
