// Where the model comes from: presets, Hugging Face config.json files (GPT-2 and the LLaMA family),
// training configs with their own key names, and a vocabulary solved from an exact count.
#include <gtest/gtest.h>

#include "estimate/model_source.h"
#include "estimate/param_count.h"
#include "temp_dir.h"

namespace trainctl::estimate {
namespace {

using testing::TempDir;

TEST(ModelSource, PresetsResolveByNameInAnyCase) {
  auto m = resolve_model({"Llama-3-8B", ".", std::nullopt, std::nullopt});
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->shape.n_kv_heads, 8);
  EXPECT_EQ(m->source, "preset llama-3-8b");
  auto missing = resolve_model({"gpt-5", ".", std::nullopt, std::nullopt});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("presets: gpt2"), std::string::npos);
}

TEST(ModelSource, HuggingFaceConfigsOfBothFamilies) {
  TempDir dir;
  dir.write("mistral/config.json", R"({"model_type": "mistral", "hidden_size": 4096, "intermediate_size": 14336,
    "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 32000,
    "max_position_embeddings": 32768, "rms_norm_eps": 1e-05, "tie_word_embeddings": false})");
  auto folder = resolve_model({(dir.path() / "mistral").string(), ".", std::nullopt, std::nullopt});
  ASSERT_TRUE(folder.ok()) << folder.error().message;
  EXPECT_EQ(count_params(folder->shape).total, 7'241'732'096);
  EXPECT_EQ(folder->shape.max_seq, 8192);  // a long context is capped to a training length

  dir.write("gpt2.json", R"({"model_type": "gpt2", "n_embd": 768, "n_layer": 12, "n_head": 12, "n_positions": 1024,
    "vocab_size": 50257, "n_inner": null})");
  auto gpt2 = resolve_model({(dir.path() / "gpt2.json").string(), ".", std::nullopt, std::nullopt});
  ASSERT_TRUE(gpt2.ok()) << gpt2.error().message;
  EXPECT_EQ(count_params(gpt2->shape).total, 124'439'808);

  dir.write("bert.json", R"({"model_type": "bert", "hidden_size": 768})");
  auto bert = resolve_model({(dir.path() / "bert.json").string(), ".", std::nullopt, std::nullopt});
  ASSERT_FALSE(bert.ok());
  EXPECT_NE(bert.error().message.find("not modelled yet"), std::string::npos);
}

TEST(ModelSource, TrainingConfigsWithTheirOwnKeyNames) {
  TempDir dir;
  dir.write("configs/small.yaml",
            "model:\n  n_layer: 6\n  n_head: 8\n  n_embd: 512\n  block_size: 256\n  vocab_size: 8000\n"
            "train:\n  batch_size: 24\n  max_iters: 5000\n");
  auto m = resolve_model({(dir.path() / "configs/small.yaml").string(), ".", std::nullopt, std::nullopt});
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->shape.family, Family::kGpt2);
  EXPECT_EQ(m->shape.d_ff, 2048);
  EXPECT_EQ(m->batch, 24);
  EXPECT_EQ(m->steps, 5000);

  dir.write("llama.yaml", "dim: 1024\nn_layers: 8\nn_heads: 16\nn_kv_heads: 4\nvocab_size: 32000\nmax_seq_len: 2048\n");
  auto l = resolve_model({(dir.path() / "llama.yaml").string(), ".", std::nullopt, std::nullopt});
  ASSERT_TRUE(l.ok()) << l.error().message;
  EXPECT_EQ(l->shape.family, Family::kLlama);
  EXPECT_EQ(l->shape.d_ff, 2816);  // Meta's rule: 2/3 of 4 x dim, rounded up to 256
  EXPECT_FALSE(l->shape.tied_embeddings);

  dir.write("novocab.yaml", "model:\n  n_layer: 2\n  n_head: 4\n  d_model: 64\n  block_size: 32\n");
  auto unknown = resolve_model({(dir.path() / "novocab.yaml").string(), ".", std::nullopt, std::nullopt});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("--vocab"), std::string::npos) << unknown.error().message;
  auto given = resolve_model({(dir.path() / "novocab.yaml").string(), ".", 44, std::nullopt});
  ASSERT_TRUE(given.ok()) << given.error().message;
  EXPECT_EQ(count_params(given->shape).total, 104'960);
}

TEST(ModelSource, AVocabularyIsSolvedFromAnExactParameterCount) {
  ModelShape tiny{"tiny", Family::kGpt2, 0, 64, 2, 4, 4, 256, 32, true, false};
  EXPECT_EQ(vocab_for_param_count(tiny, 104'960), 44);
  EXPECT_EQ(vocab_for_param_count(tiny, 104'961), std::nullopt);  // no whole vocabulary gives it
  ModelShape untied = *preset("llama-3-8b");
  EXPECT_EQ(vocab_for_param_count(untied, 8'030'261'248ULL), 128256);
}

}  // namespace
}  // namespace trainctl::estimate
