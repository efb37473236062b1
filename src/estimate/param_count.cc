#include "estimate/param_count.h"

#include <algorithm>

#include <fmt/format.h>

namespace trainctl::estimate {

namespace {

std::vector<ParamTensor> tensors_of(const ModelShape& s) {
  const std::int64_t c = s.d_model, f = s.d_ff, hd = s.head_dim(), l = s.n_layers;
  const std::int64_t q = s.n_heads * hd, kv = s.n_kv_heads * hd;
  std::vector<ParamTensor> t;
  auto layer = [&](std::string name, std::int64_t rows, std::int64_t cols, bool linear) {
    t.push_back({"layers.*." + std::move(name), rows, cols, l, linear});
  };
  if (s.family == Family::kGpt2) {
    t.push_back({"wte.weight", s.vocab, c, 1, false});
    t.push_back({"wpe.weight", s.max_seq, c, 1, false});
    layer("ln_1.weight", c, 1, false);
    layer("ln_1.bias", c, 1, false);
    layer("attn.c_attn.weight", 3 * c, c, true);
    layer("attn.c_attn.bias", 3 * c, 1, false);
    layer("attn.c_proj.weight", c, c, true);
    layer("attn.c_proj.bias", c, 1, false);
    layer("ln_2.weight", c, 1, false);
    layer("ln_2.bias", c, 1, false);
    layer("mlp.c_fc.weight", f, c, true);
    layer("mlp.c_fc.bias", f, 1, false);
    layer("mlp.c_proj.weight", c, f, true);
    layer("mlp.c_proj.bias", c, 1, false);
    t.push_back({"ln_f.weight", c, 1, 1, false});
    t.push_back({"ln_f.bias", c, 1, 1, false});
  } else {
    t.push_back({"embed_tokens.weight", s.vocab, c, 1, false});
    layer("input_layernorm.weight", c, 1, false);
    layer("self_attn.q_proj.weight", q, c, true);
    layer("self_attn.k_proj.weight", kv, c, true);
    layer("self_attn.v_proj.weight", kv, c, true);
    if (s.qkv_bias) {
      layer("self_attn.q_proj.bias", q, 1, false);
      layer("self_attn.k_proj.bias", kv, 1, false);
      layer("self_attn.v_proj.bias", kv, 1, false);
    }
    layer("self_attn.o_proj.weight", c, q, true);
    layer("post_attention_layernorm.weight", c, 1, false);
    layer("mlp.gate_proj.weight", f, c, true);
    layer("mlp.up_proj.weight", f, c, true);
    layer("mlp.down_proj.weight", c, f, true);
    t.push_back({"norm.weight", c, 1, 1, false});
  }
  if (!s.tied_embeddings) t.push_back({"lm_head.weight", s.vocab, c, 1, false});
  return t;
}

}  // namespace

ParamCount count_params(const ModelShape& s) {
  ParamCount out;
  out.list = tensors_of(s);
  ParamGroup embedding{"embedding", 0, 0}, layers{fmt::format("layers (x{})", s.n_layers), 0, 0},
      norm{"final norm", 0, 0}, head{"output layer", 0, 0};
  for (const auto& t : out.list) {
    ParamGroup& g = t.repeat > 1 || t.name.rfind("layers.", 0) == 0 ? layers
                    : t.name == "lm_head.weight"                     ? head
                    : t.name.find("norm") != std::string::npos || t.name.rfind("ln_f", 0) == 0 ? norm
                                                                     : embedding;
    g.count += t.elements() * t.repeat;
    g.tensors += t.repeat;
    out.largest_tensor = std::max(out.largest_tensor, t.elements());
  }
  for (ParamGroup* g : {&embedding, &layers, &norm, &head}) {
    if (g->tensors == 0) continue;
    out.total += g->count;
    out.tensors += g->tensors;
    out.groups.push_back(*g);
  }
  // The position table is only looked up; so is the token table when a separate output layer
  // does the vocabulary matmul.
  if (s.family == Family::kGpt2) out.lookup_only += s.max_seq * s.d_model;
  if (!s.tied_embeddings) out.lookup_only += s.vocab * s.d_model;
  return out;
}

nlohmann::json to_json(const ParamCount& count) {
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : count.groups) groups.push_back({{"name", g.name}, {"params", g.count}, {"tensors", g.tensors}});
  nlohmann::json tensors = nlohmann::json::array();
  for (const auto& t : count.list) {
    tensors.push_back({{"name", t.name}, {"shape", t.cols == 1 ? nlohmann::json{t.rows} : nlohmann::json{t.rows, t.cols}},
                       {"repeat", t.repeat}});
  }
  return {{"total", count.total}, {"tensors", count.tensors}, {"largest_tensor", count.largest_tensor},
          {"groups", groups}, {"list", tensors}};
}

}  // namespace trainctl::estimate
