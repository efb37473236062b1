// `trainctl estimate`: GPU memory per GPU by component, whether it fits, the largest micro-batch
// that does, what to change when it does not, and the step's FLOPs and time. All arithmetic lives
// in src/estimate; this file parses flags and renders.
#include <fmt/format.h>

#include "cli/commands.h"
#include "core/human_units.h"
#include "estimate/estimate_options.h"

namespace trainctl::cli {
namespace {

std::string bytes(std::int64_t n) { return core::format_bytes(static_cast<std::uint64_t>(std::max<std::int64_t>(n, 0))); }

std::string duration(double seconds) {
  if (seconds < 0.001) return fmt::format("{:.3g} us", seconds * 1e6);
  if (seconds < 1) return fmt::format("{:.3g} ms", seconds * 1000);
  if (seconds < 120) return fmt::format("{:.1f} s", seconds);
  if (seconds < 7200) return fmt::format("{:.1f} min", seconds / 60);
  if (seconds < 172800) return fmt::format("{:.1f} h", seconds / 3600);
  return fmt::format("{:.1f} days", seconds / 86400);
}

std::string render(const estimate::EstimateAnswer& a, bool breakdown, const core::TerminalStyle& style) {
  const auto& e = a.estimate;
  const auto& m = e.memory;
  const auto& s = e.setting;
  std::string out;
  out += fmt::format("model       {} ({}: {} layers, d_model {}, {} heads{}, d_ff {}, vocab {})\n", a.model.source,
                     estimate::family_name(e.model.family), e.model.n_layers, e.model.d_model, e.model.n_heads,
                     e.model.n_kv_heads != e.model.n_heads ? fmt::format(" / {} kv", e.model.n_kv_heads) : "",
                     e.model.d_ff, e.model.vocab);
  if (a.model.note) out += fmt::format("            {}\n", *a.model.note);
  if (a.model.vocab_from) out += fmt::format("            vocab {}\n", *a.model.vocab_from);
  out += fmt::format("params      {}{}\n", fmt::group_digits(e.params.total),
                     m.trainable != e.params.total ? fmt::format(" ({} trainable)", fmt::group_digits(m.trainable)) : "");
  if (breakdown) {
    for (const auto& g : e.params.groups) {
      out += fmt::format("            {:<14} {:>16}  {} tensors\n", g.name, fmt::group_digits(g.count), g.tensors);
    }
  }
  out += fmt::format("setting     micro-batch {} x seq {} x accum {}{}, {}, {}, checkpointing {}, attention {}{}{}{}\n",
                     s.micro_batch, s.seq, s.grad_accum, s.gpus > 1 ? fmt::format(" x {} GPUs", s.gpus) : "",
                     estimate::precision_name(s.precision), estimate::optimizer_name(s.optimizer),
                     s.checkpointing == estimate::Checkpointing::kFull ? "full" : "none",
                     s.attention == estimate::AttentionKind::kFlash ? "flash" : "eager", s.fused_loss ? ", fused loss" : "",
                     s.zero ? fmt::format(", ZeRO-{}", s.zero) : "",
                     s.lora_rank ? fmt::format(", LoRA r={}{}", s.lora_rank, s.lora_base_bits == 4 ? " (4-bit base)" : "") : "");
  out += "memory per GPU\n";
  auto row = [&](const char* name, std::int64_t value, const char* note) {
    out += fmt::format("  {:<12} {:>10}  {}\n", name, bytes(value), note);
  };
  row("weights", m.weights, "");
  row("gradients", m.gradients, "");
  row("optimizer", m.optimizer, "");
  row("activations", m.activations, "saved for backward");
  row("transient", m.transient, m.peak_phase == "backward" ? "at the peak, in backward" : "at the peak, in the optimizer step");
  if (m.overhead) row("overhead", m.overhead, "CUDA context, cuBLAS workspace, allocator slack");
  out += fmt::format("  {:<12} {:>10}\n", "peak", style.bold(bytes(m.peak)));
  if (e.gpu) {
    out += fmt::format("gpu         {} ({}): {}\n", e.gpu->label, bytes(e.gpu->memory_bytes),
                       *e.fits ? style.green("fits") : style.red("does not fit"));
    if (e.max_micro_batch) {
      if (*e.max_micro_batch == 0) {
        out += "            not even a micro-batch of 1 fits\n";
      } else {
        out += fmt::format("            largest micro-batch that fits: {}{} (gradient accumulation {} keeps the global batch of {})\n",
                           *e.max_micro_batch >= estimate::kMaxMicroBatch ? "at least " : "", *e.max_micro_batch,
                           e.grad_accum_for_max.value_or(1), s.micro_batch * s.grad_accum);
      }
    }
  }
  out += fmt::format("compute     {:.3g} FLOPs per step, {} tokens per step\n", e.flops_per_step,
                     fmt::group_digits(e.tokens_per_step));
  if (e.seconds_per_step) {
    out += fmt::format("time        {} per step at {:.0f}% MFU ({} tokens/s){}\n", duration(*e.seconds_per_step), e.mfu * 100,
                       fmt::group_digits(static_cast<std::int64_t>(*e.tokens_per_second)),
                       e.total_seconds ? fmt::format("; {} for the run", duration(*e.total_seconds)) : "");
  }
  if (!e.suggestions.empty()) {
    out += "to fit\n";
    int i = 0;
    for (const auto& sug : e.suggestions) {
      out += fmt::format("  {}. {}: peak {}{}  ({})\n", ++i, sug.change, bytes(sug.peak), sug.fits ? ", fits" : "", sug.cost);
    }
  }
  return out;
}

}  // namespace

Command add_estimate_command(CLI::App& app, CliContext& ctx) {
  auto* sub = app.add_subcommand("estimate", "GPU memory, time and the largest micro-batch that fits, before a run");
  auto o = std::make_shared<estimate::EstimateOptions>();
  auto breakdown = std::make_shared<bool>(false);
  auto vocab = std::make_shared<std::int64_t>(0);
  auto cpu = std::make_shared<bool>(false);
  sub->add_option("--model", o->model.model, "A preset (gpt2, llama-3-8b, ...), a config.json or model folder, a training config, or a checkpoint; default: the project's config");
  sub->add_option("--project", o->model.project_dir, "The project whose config is read when --model is not given")->capture_default_str();
  sub->add_option("--vocab", *vocab, "The vocabulary size, when the config leaves it to the data");
  sub->add_option("--batch", o->batch, "Micro-batch per GPU (default: the config's batch size, else 1)");
  sub->add_option("--seq", o->seq, "Tokens per sequence (default: the model's context length)");
  sub->add_option("--grad-accum", o->grad_accum, "Gradient accumulation steps")->capture_default_str();
  sub->add_option("--dtype", o->dtype, "fp32, fp16 or bf16 (autocast, float32 master weights), bf16-pure")->capture_default_str();
  sub->add_option("--optimizer", o->optimizer, "adamw, sgd, sgd-momentum, lion, adafactor, adamw-8bit")->capture_default_str();
  sub->add_option("--grad-checkpointing", o->checkpointing, "none or full")->capture_default_str();
  sub->add_option("--attention", o->attention, "eager (keeps the score matrix) or flash (SDPA memory-efficient)")->capture_default_str();
  sub->add_flag("--fused-loss", o->fused_loss, "A fused or chunked cross-entropy that never holds the full logits");
  sub->add_option("--gpus", o->gpus, "Data-parallel GPUs")->capture_default_str();
  sub->add_option("--zero", o->zero, "ZeRO stage 0-3 (3 = FSDP full shard)")->capture_default_str();
  sub->add_option("--lora", o->lora_rank, "LoRA rank: adapters on every block matmul, the base frozen in 16 bits");
  sub->add_flag("--qlora", o->qlora, "With --lora: the frozen base in 4 bits (NF4)");
  sub->add_option("--gpu", o->gpu, "Judge the fit and the time on this GPU (h100-80gb, a100-40gb, rtx4090-24gb, ...)");
  sub->add_option("--mfu", o->mfu, "Model-FLOPs utilisation assumed for the time")->capture_default_str();
  sub->add_option("--steps", o->steps, "Optimizer steps of the run (default: the config's)");
  sub->add_flag("--breakdown", *breakdown, "Parameters by group");
  sub->add_flag("--cpu", *cpu, "Leave out the CUDA runtime's overhead (a CPU run)");
  sub->footer(
      "Memory is per GPU: weights, gradients, optimizer state, the activations saved for backward, the transient\n"
      "peak on top of them, and the CUDA runtime's overhead. Checked against real PyTorch steps (docs/estimate.md).\n"
      "Exit status: 0 estimated (fits, or no --gpu); 1 it does not fit the --gpu; 2 usage; 4 no model found.");
  return {sub, [&ctx, o, breakdown, vocab, cpu] {
            if (*vocab > 0) o->model.vocab = *vocab;
            o->on_gpu = !*cpu;
            auto answer = estimate::run_estimate(*o);
            if (!answer) return ctx.fail(answer.error());
            if (ctx.json) {
              ctx.print_json(answer->to_json());
            } else {
              *ctx.out << render(*answer, *breakdown, ctx.out_style);
            }
            if (answer->estimate.fits && !*answer->estimate.fits) ctx.exit_status = core::kExitFailure;
          }};
}

}  // namespace trainctl::cli
