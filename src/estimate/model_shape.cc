#include "estimate/model_shape.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

namespace trainctl::estimate {

namespace {

struct Preset {
  const char* name;
  ModelShape shape;
};

ModelShape gpt2(const char* name, std::int64_t c, std::int64_t layers, std::int64_t heads) {
  return {name, Family::kGpt2, 50257, c, layers, heads, heads, 4 * c, 1024, true, false};
}

ModelShape llama(const char* name, std::int64_t vocab, std::int64_t c, std::int64_t layers, std::int64_t heads,
                 std::int64_t kv, std::int64_t ff, std::int64_t seq, bool tied = false, bool qkv_bias = false) {
  return {name, Family::kLlama, vocab, c, layers, heads, kv, ff, seq, tied, qkv_bias};
}

// Sizes from each model's published config.json.
const std::array<Preset, 10>& presets() {
  static const std::array<Preset, 10> table = {{
      {"gpt2", gpt2("gpt2", 768, 12, 12)},
      {"gpt2-medium", gpt2("gpt2-medium", 1024, 24, 16)},
      {"gpt2-large", gpt2("gpt2-large", 1280, 36, 20)},
      {"gpt2-xl", gpt2("gpt2-xl", 1600, 48, 25)},
      {"llama-2-7b", llama("llama-2-7b", 32000, 4096, 32, 32, 32, 11008, 4096)},
      {"llama-3-8b", llama("llama-3-8b", 128256, 4096, 32, 32, 8, 14336, 8192)},
      {"llama-3-70b", llama("llama-3-70b", 128256, 8192, 80, 64, 8, 28672, 8192)},
      {"mistral-7b", llama("mistral-7b", 32000, 4096, 32, 32, 8, 14336, 8192)},
      {"qwen2.5-7b", llama("qwen2.5-7b", 152064, 3584, 28, 28, 4, 18944, 8192, false, true)},
      {"tinyllama-1.1b", llama("tinyllama-1.1b", 32000, 2048, 22, 32, 4, 5632, 2048)},
  }};
  return table;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return out;
}

std::optional<std::int64_t> integer(const nlohmann::json& config, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    auto it = config.find(key);
    if (it != config.end() && it->is_number_integer()) return it->get<std::int64_t>();
  }
  return std::nullopt;
}

// The first integer under any of `keys`, at any depth (a project config nests: model.d_model).
std::optional<std::int64_t> find_integer(const nlohmann::json& values, std::initializer_list<const char*> keys,
                                         int depth = 0) {
  if (!values.is_object() || depth > 8) return std::nullopt;
  if (auto direct = integer(values, keys)) return direct;
  for (const auto& [key, child] : values.items()) {
    if (auto nested = find_integer(child, keys, depth + 1)) return nested;
  }
  return std::nullopt;
}

// Whether any key or string value at any depth mentions one of `words` (lower case).
bool mentions(const nlohmann::json& values, std::initializer_list<const char*> words, int depth = 0) {
  if (depth > 8) return false;
  auto has = [&](const std::string& text) {
    std::string l = lower(text);
    return std::any_of(words.begin(), words.end(), [&](const char* w) { return l.find(w) != std::string::npos; });
  };
  if (values.is_string()) return has(values.get<std::string>());
  if (!values.is_object()) return false;
  for (const auto& [key, child] : values.items()) {
    if (has(key) || mentions(child, words, depth + 1)) return true;
  }
  return false;
}

// Meta's rule for the SwiGLU width when a config does not give it: 2/3 of 4·d, rounded up to 256.
std::int64_t swiglu_width(std::int64_t d_model) {
  std::int64_t width = 2 * 4 * d_model / 3;
  return (width + 255) / 256 * 256;
}

}  // namespace

const char* family_name(Family family) { return family == Family::kGpt2 ? "gpt2" : "llama"; }

core::Result<ModelShape> validated(ModelShape s) {
  auto bad = [&](const char* what, std::int64_t value) {
    return core::Error::usage(fmt::format("model {}: {} is {}; it must be a positive number", s.name, what, value));
  };
  if (s.vocab <= 0) return bad("the vocabulary size (vocab_size; --vocab)", s.vocab);
  if (s.d_model <= 0) return bad("the width (d_model)", s.d_model);
  if (s.n_layers <= 0) return bad("the number of layers", s.n_layers);
  if (s.n_heads <= 0) return bad("the number of heads", s.n_heads);
  if (s.n_kv_heads <= 0) s.n_kv_heads = s.n_heads;
  if (s.d_ff <= 0) return bad("the MLP width (d_ff)", s.d_ff);
  if (s.max_seq <= 0) return bad("the context length (max_seq_len; --seq)", s.max_seq);
  if (s.d_model % s.n_heads != 0) {
    return core::Error::usage(fmt::format("model {}: {} heads do not divide d_model {}", s.name, s.n_heads, s.d_model));
  }
  if (s.n_heads % s.n_kv_heads != 0) {
    return core::Error::usage(
        fmt::format("model {}: {} key/value heads do not divide {} heads", s.name, s.n_kv_heads, s.n_heads));
  }
  return s;
}

core::Result<ModelShape> shape_from_hf_config(const nlohmann::json& config) {
  if (!config.is_object()) return core::Error::usage("config.json is not a JSON object");
  std::string type = config.value("model_type", std::string());
  ModelShape s;
  s.name = type.empty() ? "config.json" : type;
  if (type == "gpt2" || (type.empty() && config.contains("n_embd"))) {
    s.family = Family::kGpt2;
    s.d_model = integer(config, {"n_embd"}).value_or(0);
    s.n_layers = integer(config, {"n_layer"}).value_or(0);
    s.n_heads = integer(config, {"n_head"}).value_or(0);
    s.n_kv_heads = s.n_heads;
    s.d_ff = integer(config, {"n_inner"}).value_or(4 * s.d_model);
    s.vocab = integer(config, {"vocab_size"}).value_or(0);
    s.max_seq = integer(config, {"n_positions", "n_ctx"}).value_or(0);
    s.tied_embeddings = config.value("tie_word_embeddings", true);
    return validated(s);
  }
  static const std::array<const char*, 6> kLlamaLike = {"llama", "mistral", "qwen2", "mixtral_dense", "yi", "internlm2"};
  bool llama_like = std::find(kLlamaLike.begin(), kLlamaLike.end(), type) != kLlamaLike.end() ||
                    (type.empty() && config.contains("intermediate_size") && config.contains("rms_norm_eps"));
  if (!llama_like) {
    return core::Error::usage(fmt::format(
        "config.json: model_type '{}' is not modelled yet (gpt2 and the llama family: llama, mistral, qwen2 are); "
        "give its sizes with a preset or the project's config",
        type));
  }
  if (config.contains("head_dim") && config["head_dim"].is_number_integer() && config.contains("hidden_size") &&
      config.contains("num_attention_heads") && config["num_attention_heads"].is_number_integer() &&
      config["num_attention_heads"].get<std::int64_t>() > 0 &&
      config["head_dim"].get<std::int64_t>() * config["num_attention_heads"].get<std::int64_t>() !=
          config.value("hidden_size", std::int64_t{0})) {
    return core::Error::usage("config.json: a head_dim that is not hidden_size / num_attention_heads is not modelled yet");
  }
  s.family = Family::kLlama;
  s.d_model = integer(config, {"hidden_size"}).value_or(0);
  s.n_layers = integer(config, {"num_hidden_layers"}).value_or(0);
  s.n_heads = integer(config, {"num_attention_heads"}).value_or(0);
  s.n_kv_heads = integer(config, {"num_key_value_heads"}).value_or(s.n_heads);
  s.d_ff = integer(config, {"intermediate_size"}).value_or(0);
  s.vocab = integer(config, {"vocab_size"}).value_or(0);
  s.max_seq = std::min<std::int64_t>(integer(config, {"max_position_embeddings"}).value_or(0), 8192);
  s.tied_embeddings = config.value("tie_word_embeddings", false);
  s.qkv_bias = type == "qwen2" || config.value("attention_bias", false);
  return validated(s);
}

core::Result<ModelShape> shape_from_config_values(const nlohmann::json& values) {
  ModelShape s;
  s.name = "project config";
  s.d_model = find_integer(values, {"d_model", "n_embd", "hidden_size", "dim", "embed_dim", "model_dim"}).value_or(0);
  s.n_layers = find_integer(values, {"n_layer", "n_layers", "num_layers", "num_hidden_layers", "depth"}).value_or(0);
  s.n_heads = find_integer(values, {"n_head", "n_heads", "num_heads", "num_attention_heads"}).value_or(0);
  auto kv = find_integer(values, {"n_kv_heads", "n_kv_head", "num_key_value_heads", "num_kv_heads"});
  s.n_kv_heads = kv.value_or(s.n_heads);
  s.vocab = find_integer(values, {"vocab_size", "n_vocab", "num_tokens"}).value_or(0);
  s.max_seq = find_integer(values, {"block_size", "max_seq_len", "seq_len", "max_seq_length", "context_length",
                                    "n_positions", "max_position_embeddings", "n_ctx"})
                  .value_or(0);
  bool llama = kv.has_value() || mentions(values, {"rmsnorm", "swiglu", "rotary", "rope", "llama"});
  s.family = llama ? Family::kLlama : Family::kGpt2;
  s.tied_embeddings = !llama;
  if (auto tie = values.find("tie_word_embeddings"); tie != values.end() && tie->is_boolean()) s.tied_embeddings = *tie;
  auto ff = find_integer(values, {"d_ff", "intermediate_size", "ffn_dim", "n_inner", "mlp_dim", "ffn_hidden_size"});
  s.d_ff = ff.value_or(llama ? swiglu_width(s.d_model) : 4 * s.d_model);
  if (s.d_model <= 0 || s.n_layers <= 0 || s.n_heads <= 0) {
    return core::Error::usage(
        "the config has no model sizes trainctl recognises (d_model/n_embd/hidden_size, n_layer/num_hidden_layers, "
        "n_head/num_attention_heads); give --model with a config.json or a preset");
  }
  return s;  // vocabulary and context may still be unknown: the caller fills them, then validates
}

std::optional<ModelShape> preset(std::string_view name) {
  std::string wanted = lower(name);
  for (const auto& p : presets()) {
    if (wanted == p.name) return p.shape;
  }
  return std::nullopt;
}

std::vector<std::string> preset_names() {
  std::vector<std::string> names;
  for (const auto& p : presets()) names.emplace_back(p.name);
  return names;
}

nlohmann::json to_json(const ModelShape& s) {
  return {{"name", s.name},         {"family", family_name(s.family)}, {"vocab", s.vocab},
          {"d_model", s.d_model},   {"n_layers", s.n_layers},          {"n_heads", s.n_heads},
          {"n_kv_heads", s.n_kv_heads}, {"d_ff", s.d_ff},              {"max_seq", s.max_seq},
          {"tied_embeddings", s.tied_embeddings}};
}

}  // namespace trainctl::estimate
