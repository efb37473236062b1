#include "errors/finding_notes.h"

#include "errors/fix_plan.h"

namespace trainctl::errors {

void add_notes(Finding& f, const std::string& id, const ConfigText* config, const std::string& config_name) {
  auto value = [&](const char* name) -> std::string {
    auto it = f.values.find(name);
    return it == f.values.end() ? "" : it->second;
  };
  auto settings = [&](bool (*wanted)(std::string_view)) {
    std::string out;
    if (!config) return out;
    for (const auto& v : config->values()) {
      if (wanted(v.key)) out += (out.empty() ? "" : ", ") + v.path + ": " + v.text;
    }
    return out;
  };
  if (id == "nan_loss") {
    std::string step = value("step"), lr = value("lr"), line = value("first_nan_line");
    if (!line.empty()) {
      std::string text = "The loss is first NaN or inf on line " + line;
      if (!step.empty()) text += ", at step " + step;
      if (!lr.empty()) text += ", with a learning rate of " + lr;
      f.notes.push_back(text + ".");
    }
    std::string s = settings([](std::string_view k) {
      return is_learning_rate_key(k) || k == "min_lr" || k.find("warmup") != std::string_view::npos || k == "fp16" ||
             k == "bf16" || k == "mixed_precision" || k == "precision" || k == "grad_clip" || k == "max_grad_norm" ||
             k == "gradient_clip_val";
    });
    if (!s.empty()) {
      bool precision = s.find("fp16") != std::string::npos || s.find("bf16") != std::string::npos || s.find("precision") != std::string::npos;
      f.notes.push_back(config_name + " sets " + s + (precision ? "." : "; it sets no fp16/bf16, so the run is in fp32 unless the code autocasts."));
    }
  } else if (id == "cuda_oom") {
    std::string s = settings([](std::string_view k) {
      return is_batch_key(k) || is_accumulation_key(k) || k == "gradient_checkpointing" || k == "bf16" || k == "fp16" ||
             k == "max_seq_length" || k == "block_size" || k == "max_length";
    });
    if (!s.empty()) f.notes.push_back(config_name + " sets " + s + ".");
  } else if (id == "config_error" || id == "hf_trainer_args_error") {
    std::string key = value("key");
    if (config && !key.empty()) {
      if (config->find(key)) {
        f.notes.push_back(config_name + " has " + config->find(key)->path + ": " + config->find(key)->text + ".");
      } else {
        f.notes.push_back(config_name + " has no `" + key + "` setting: the code expects it (add it, or give the code a default).");
      }
    }
  } else if (id == "index_out_of_range_embedding" || id == "device_side_assert" || id == "state_dict_size_mismatch") {
    std::string s = settings([](std::string_view k) {
      return k == "vocab_size" || k == "num_labels" || k == "num_classes" || k == "max_position_embeddings" ||
             k == "block_size" || k == "max_length" || k == "max_seq_length" || k == "n_positions";
    });
    if (!s.empty()) f.notes.push_back(config_name + " sets " + s + "; an id at or above a table's size is out of range.");
  }
  if (id == "state_dict_missing_unexpected_keys") {
    std::string strip = value("strip_prefix"), add = value("add_prefix");
    if (!strip.empty()) {
      f.notes.push_back("The checkpoint's keys carry the prefix `" + strip + "` that the model's keys lack: load with "
                        "`{k.removeprefix(\"" + strip + "\"): v for k, v in state_dict.items()}`.");
    } else if (!add.empty()) {
      f.notes.push_back("The model's keys carry the prefix `" + add + "` that the checkpoint's keys lack: load into the "
                        "unwrapped model (`model.module` for DDP, `model._orig_mod` after torch.compile).");
    }
  }
  if (id == "shape_mismatch_matmul") {
    // "64x512" and "256x10": the layer takes 256 features and was given 512.
    std::string a = value("mat1"), b = value("mat2");
    std::size_t xa = a.find('x'), xb = b.find('x');
    if (xa != std::string::npos && xb != std::string::npos) {
      std::string given = a.substr(xa + 1), expected = b.substr(0, xb);
      std::string code = value("user_code");
      f.notes.push_back("The input is " + a + " and the weight " + b + ": the layer takes " + expected +
                        " features and was given " + given +
                        (code.empty() ? "" : " (in `" + code + "`)") + "; make its in_features " + given +
                        ", or fix what produces " + given + ".");
    }
  }
  if (id == "shape_mismatch" && !value("size_a").empty() && !value("size_b").empty()) {
    std::string code = value("user_code");
    f.notes.push_back("Tensor a has " + value("size_a") + " and tensor b has " + value("size_b") +
                      (value("dim").empty() ? "" : " at dimension " + value("dim")) +
                      (code.empty() ? "" : " in `" + code + "`") + ".");
  }
  if (id == "device_side_assert" && !value("assertion").empty()) {
    f.notes.push_back("The kernel's assertion: `" + value("assertion") + "`" +
                      (value("kernel").empty() ? "" : " in " + value("kernel")) + ".");
  }
}

}  // namespace trainctl::errors
