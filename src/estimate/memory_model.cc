#include "estimate/memory_model.h"

#include <algorithm>

namespace trainctl::estimate {

namespace {

using i64 = std::int64_t;

constexpr i64 kIndexBytes = 8;         // int64 token ids
constexpr i64 kScalarBytes = 8;        // a Python float saved by a scaled matmul (float64 scalar)
constexpr i64 kCudaContext = 512LL << 20;      // CUDA context with lazy module loading (PyTorch 2.x)
constexpr i64 kCublasWorkspace = 32LL << 20;   // PyTorch's default cuBLAS workspaces on Hopper
constexpr double kAllocatorSlack = 0.06;       // reserved but unallocated, steady state

struct Dims {
  i64 b, t, c, f, v, h, kv, l;
};

bool mixed(Precision p) { return p == Precision::kBf16Mixed || p == Precision::kFp16Mixed; }

// Bytes of one layer's matmul weights, as the autocast copies saved for backward hold them.
i64 layer_matmul_weights(const ModelShape& s) {
  const i64 c = s.d_model, f = s.d_ff, q = s.n_heads * s.head_dim(), kv = s.n_kv_heads * s.head_dim();
  if (s.family == Family::kGpt2) return 3 * c * c + c * c + 2 * f * c;
  return c * q + 2 * c * kv + q * c + 3 * f * c;
}

// Attention's saved score tensors and their helpers, per layer.
i64 attention_scores(const ModelShape& s, const Dims& d, const TrainingSetting& st) {
  const i64 scores = d.b * d.h * d.t * d.t;
  if (st.attention == AttentionKind::kFlash) return d.b * d.h * d.t * 4;  // the softmax's log-sum-exp only
  if (s.family == Family::kGpt2) {
    i64 bytes = st.precision == Precision::kFp32 ? 4 : 2;  // softmax in the matmul's dtype
    return scores * bytes + d.t * d.t /* the boolean causal mask */ + kScalarBytes;
  }
  // softmax(dtype=float32), then a copy in the matmul's dtype unless that is float32 already.
  return scores * 4 + (st.precision == Precision::kFp32 ? 0 : scores * 2) + kScalarBytes;
}

// What one layer saves for backward without checkpointing.
i64 layer_activations(const ModelShape& s, const Dims& d, const TrainingSetting& st) {
  const i64 btc = d.b * d.t * d.c, btf = d.b * d.t * d.f, bt = d.b * d.t;
  const i64 scores = attention_scores(s, d, st);
  if (s.family == Family::kGpt2) {
    if (mixed(st.precision)) {
      // Residual and LayerNorm in float32; each matmul input and weight as a 16-bit copy.
      return 2 * btc * 4 + 4 * bt * 4 + 2 * btc * 2 + 3 * btc * 2 + btc * 2 + 2 * btf * 2 + scores +
             layer_matmul_weights(s) * 2;
    }
    const i64 a = st.precision == Precision::kFp32 ? 4 : 2;
    // x, ln_1 out, q, k, v, attention out, x + attn, ln_2 out; fc out, gelu out; LayerNorm stats.
    return 8 * btc * a + 2 * btf * a + 4 * bt * a + scores;
  }
  const i64 norm_stats = 2 * bt * 4;  // RMSNorm's rsqrt, twice
  if (st.precision == Precision::kFp32) {
    // Each RMSNorm: input, its square, normalised, output; q, k, v (repeated to every head),
    // attention out; gate, silu, up, product.
    return 12 * btc * 4 + 4 * btf * 4 + norm_stats + scores;
  }
  if (mixed(st.precision)) {
    // RMSNorms in float32 (input, square, normalised); the normalised output cast for q, k, v and
    // for gate, up (five copies); q, k, v, attention out in 16 bits; 16-bit weight copies.
    return 6 * btc * 4 + 5 * btc * 2 + 4 * btc * 2 + 4 * btf * 2 + norm_stats + scores + layer_matmul_weights(s) * 2;
  }
  // Pure bf16: RMSNorm upcasts (float32 input copy and square), then normalised and output in bf16.
  return 4 * btc * 4 + 4 * btc * 2 + 4 * btc * 2 + 4 * btf * 2 + norm_stats + scores;
}

// Outside the layers: token ids (and positions), the final norm, the output layer's input, the
// loss's saved log-probabilities and targets.
i64 outer_activations(const ModelShape& s, const Dims& d, const TrainingSetting& st) {
  const i64 btc = d.b * d.t * d.c, bt = d.b * d.t, btv = d.b * d.t * d.v;
  i64 bytes = 2 * bt * kIndexBytes;  // inputs and targets
  const bool pure = st.precision == Precision::kBf16Pure;
  if (s.family == Family::kGpt2) {
    bytes += d.t * kIndexBytes;  // positions
    const i64 a = pure ? 2 : 4;
    bytes += btc * a + 2 * bt * a;  // ln_f input and stats
    bytes += mixed(st.precision) ? btc * 2 + d.v * d.c * 2 : btc * a;
  } else {
    bytes += pure ? 2 * btc * 4 + bt * 4 + 2 * btc * 2 : 3 * btc * 4 + bt * 4;
    bytes += st.precision == Precision::kFp32 ? btc * 4 : mixed(st.precision) ? btc * 2 + d.v * d.c * 2 : 0;
  }
  if (st.fused_loss) return bytes + bt * 4;  // the log-sum-exp per token
  return bytes + (pure ? btv * 2 + 2 : btv * 4 + 4);
}

// What a layer saves after its attention scores (the attention output onwards): freed by the time
// backward reaches the scores.
i64 layer_after_scores(const ModelShape& s, const Dims& d, const TrainingSetting& st) {
  const i64 btc = d.b * d.t * d.c, btf = d.b * d.t * d.f, bt = d.b * d.t, c = s.d_model, f = s.d_ff;
  const i64 q = s.n_heads * s.head_dim();
  if (s.family == Family::kGpt2) {
    if (mixed(st.precision)) return btc * 2 + c * c * 2 + btc * 4 + 2 * bt * 4 + btc * 2 + 2 * f * c * 2 + 2 * btf * 2;
    const i64 a = st.precision == Precision::kFp32 ? 4 : 2;
    return 3 * btc * a + 2 * bt * a + 2 * btf * a;
  }
  if (st.precision == Precision::kFp32) return btc * 4 + 4 * btc * 4 + bt * 4 + 4 * btf * 4;
  if (mixed(st.precision)) return btc * 2 + q * c * 2 + 3 * btc * 4 + bt * 4 + 2 * btc * 2 + 3 * f * c * 2 + 4 * btf * 2;
  return btc * 2 + 2 * btc * 4 + bt * 4 + 2 * btc * 2 + 4 * btf * 2;
}

// The gradient of the attention probabilities and of the scores, both alive in softmax's backward.
i64 scores_backward(const ModelShape& s, const Dims& d, const TrainingSetting& st) {
  if (st.attention == AttentionKind::kFlash) return 0;
  const bool float32_scores = st.precision == Precision::kFp32 || s.family == Family::kLlama;
  return 2 * d.b * d.h * d.t * d.t * (float32_scores ? 4 : 2);
}

// Bytes of the residual stream entering a layer: what full checkpointing keeps per layer.
i64 layer_input(const Dims& d, const TrainingSetting& st) {
  return d.b * d.t * d.c * (st.precision == Precision::kBf16Pure ? 2 : 4);
}

// The loss's backward: the gradient of the log-probabilities and of the logits, both full size.
i64 loss_backward(const Dims& d, const TrainingSetting& st) {
  if (st.fused_loss) return 0;
  return 2 * d.b * d.t * d.v * (st.precision == Precision::kBf16Pure ? 2 : 4);
}

i64 optimizer_state(const ParamCount& params, i64 trainable, i64 trainable_tensors, i64 state_bytes,
                    OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::kAdamW:
      return 2 * trainable * state_bytes + trainable_tensors * 4;  // exp_avg, exp_avg_sq; a float32 step each
    case OptimizerKind::kSgd: return 0;
    case OptimizerKind::kSgdMomentum: return trainable * state_bytes;
    case OptimizerKind::kLion: return trainable * state_bytes;
    case OptimizerKind::kAdam8bit: return 2 * trainable + trainable / 2048 * 2 * 4;  // 8-bit states, block scales
    case OptimizerKind::kAdafactor: {
      // Factored second moments: a row and a column vector per matrix, the full moment for vectors.
      i64 bytes = 0;
      for (const auto& t : params.list) bytes += (t.cols > 1 ? t.rows + t.cols : t.rows) * 4 * t.repeat;
      return bytes;
    }
  }
  return 0;
}

// Temporaries the optimizer's step makes: per tensor (CPU, single-tensor loops) or over all
// tensors at once (CUDA's default foreach kernels).
i64 optimizer_step_transient(const ParamCount& params, i64 trainable, i64 state_bytes, const TrainingSetting& st) {
  i64 largest = params.largest_tensor * state_bytes;
  switch (st.optimizer) {
    case OptimizerKind::kAdamW:
      return st.on_gpu ? trainable * state_bytes : 2 * largest;  // sqrt(v), and its quotient
    case OptimizerKind::kLion: return st.on_gpu ? trainable * state_bytes : largest;
    case OptimizerKind::kAdafactor: return 2 * largest;
    default: return 0;
  }
}

}  // namespace

const char* precision_name(Precision p) {
  switch (p) {
    case Precision::kFp32: return "fp32";
    case Precision::kBf16Mixed: return "bf16";
    case Precision::kFp16Mixed: return "fp16";
    case Precision::kBf16Pure: return "bf16-pure";
  }
  return "fp32";
}

const char* optimizer_name(OptimizerKind o) {
  switch (o) {
    case OptimizerKind::kAdamW: return "adamw";
    case OptimizerKind::kSgd: return "sgd";
    case OptimizerKind::kSgdMomentum: return "sgd-momentum";
    case OptimizerKind::kLion: return "lion";
    case OptimizerKind::kAdafactor: return "adafactor";
    case OptimizerKind::kAdam8bit: return "adamw-8bit";
  }
  return "adamw";
}

MemoryBreakdown estimate_memory(const ModelShape& s, const ParamCount& params, const TrainingSetting& st) {
  const Dims d{st.micro_batch, st.seq > 0 ? st.seq : s.max_seq, s.d_model, s.d_ff, s.vocab, s.n_heads, s.n_kv_heads,
               s.n_layers};
  const i64 n = std::max<i64>(st.gpus, 1);
  const bool pure = st.precision == Precision::kBf16Pure;
  const i64 weight_bytes = pure ? 2 : 4;  // mixed precision keeps float32 weights (the master copy)

  MemoryBreakdown m;
  i64 trainable = params.total, trainable_tensors = params.tensors, state_bytes = weight_bytes;
  if (st.lora_rank > 0) {
    // Adapters A (r x in) and B (out x r) on every block matmul, trained in float32; the base is
    // frozen in 16 bits or 4 (NF4 with its block constants: about 4.127 bits a weight).
    trainable = 0;
    trainable_tensors = 0;
    i64 adapted = 0;
    for (const auto& t : params.list) {
      if (!t.linear_weight) continue;
      trainable += st.lora_rank * (t.rows + t.cols) * t.repeat;
      trainable_tensors += 2 * t.repeat;
      adapted += t.elements() * t.repeat;
    }
    state_bytes = 4;
    i64 base = params.total - adapted;
    i64 adapted_bytes = st.lora_base_bits == 4 ? adapted * 4127 / 8000 : adapted * 2;
    m.weights = base * 2 + adapted_bytes + trainable * 4;
  } else {
    m.weights = params.total * weight_bytes;
  }
  m.trainable = trainable;
  m.gradients = trainable * state_bytes;
  m.optimizer = optimizer_state(params, trainable, trainable_tensors, state_bytes, st.optimizer);

  // ZeRO shards the optimizer state (1), then the gradients (2), then the weights (3).
  if (st.zero >= 1) m.optimizer /= n;
  if (st.zero >= 2) m.gradients /= n;
  if (st.zero >= 3) m.weights /= n;

  const i64 layer = layer_activations(s, d, st);
  const i64 outer = outer_activations(s, d, st);
  if (st.checkpointing == Checkpointing::kFull) {
    m.activations = d.l * layer_input(d, st) + outer;
  } else {
    m.activations = d.l * layer + outer;
  }

  // The highest moments of a step. In backward: its start (every saved activation and the loss's
  // gradients); the last layer's softmax backward (the layers below still saved, the scores'
  // gradients); with checkpointing, the last layer recomputed. Then the optimizer's step (every
  // gradient, and the step's temporaries).
  const i64 inputs = 2 * d.b * d.t * kIndexBytes + (s.family == Family::kGpt2 ? d.t * kIndexBytes : 0);
  const i64 top = outer - inputs;  // the final norm's and the loss's saved tensors, freed first
  const i64 top_gradients = s.vocab * s.d_model * state_bytes;  // the output layer's gradient
  i64 backward_extra = loss_backward(d, st);
  if (st.checkpointing == Checkpointing::kFull) {
    // The last layer recomputed (its input is the saved one, not a copy), then its MLP's backward:
    // the gradients of the MLP's wide tensors and of the residual stream beside what it saved.
    const i64 again = layer_activations(s, d, st);
    const i64 act = st.precision == Precision::kFp32 ? 4 : 2;
    const i64 mlp_gradients = (s.family == Family::kGpt2 ? 1 : 2) * d.b * d.t * d.f * act;
    const i64 inside = std::max(again - layer_input(d, st) + mlp_gradients + 2 * layer_input(d, st),
                                again - layer_after_scores(s, d, st) + scores_backward(s, d, st));
    backward_extra = std::max(backward_extra, inside + top_gradients - top);
  } else {
    backward_extra =
        std::max(backward_extra, scores_backward(s, d, st) + top_gradients - top - layer_after_scores(s, d, st));
  }
  if (st.gpus > 1 && st.zero == 0) backward_extra += m.gradients;  // DDP's gradient buckets
  if (st.zero >= 3) backward_extra += 2 * params.largest_tensor * weight_bytes;  // a gathered layer
  const i64 at_backward = m.weights + m.optimizer + m.activations + backward_extra;
  const i64 step_extra = optimizer_step_transient(params, trainable, state_bytes, st);
  const i64 at_step = m.weights + m.optimizer + m.gradients + step_extra;
  if (at_backward >= at_step) {
    m.peak_phase = "backward";
    m.transient = backward_extra;
    m.peak = at_backward;
  } else {
    m.peak_phase = "optimizer";
    m.transient = step_extra;
    m.peak = at_step;
  }
  if (st.on_gpu) {
    m.overhead = kCudaContext + kCublasWorkspace + static_cast<i64>(static_cast<double>(m.peak) * kAllocatorSlack);
    m.peak += m.overhead;
  }
  return m;
}

nlohmann::json to_json(const MemoryBreakdown& m) {
  return {{"weights", m.weights},         {"gradients", m.gradients}, {"optimizer", m.optimizer},
          {"activations", m.activations}, {"transient", m.transient}, {"overhead", m.overhead},
          {"peak", m.peak}};
}

}  // namespace trainctl::estimate
