// End-to-end: logs written the way real runs write them (generated here, not committed), through
// the whole of explain(): one scan, structure, ranking, values, fixes and config changes.
#include "errors/explain.h"

#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "errors_test_support.h"
#include "temp_dir.h"

namespace trainctl::errors {
namespace {

using testing::explain_text;
using testing::ids;
using testing::top_id;

std::string progress(int from, int to, int total, const std::string& prefix = "") {
  std::string out;
  for (int i = from; i <= to; ++i) {
    out += fmt::format("{}step {}/{} | loss {:.4f} | lr 3.0e-04 | 71 ms/step\n", prefix, i, total, 3.0 / (1 + i * 1e-4));
  }
  return out;
}

std::string oom_traceback(const std::string& prefix) {
  return prefix + "Traceback (most recent call last):\n" +
         prefix + "  File \"/home/alice/llm/train.py\", line 142, in <module>\n" +
         prefix + "    main()\n" +
         prefix + "  File \"/home/alice/llm/train.py\", line 118, in train_step\n" +
         prefix + "    logits = model(input_ids).logits\n" +
         prefix + "  File \"/opt/conda/lib/python3.10/site-packages/torch/nn/modules/module.py\", line 1511, in _wrapped_call_impl\n" +
         prefix + "    return self._call_impl(*args, **kwargs)\n" +
         prefix + "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 3 has a total capacity of 79.14 GiB "
                  "of which 1.21 GiB is free. Including non-PyTorch memory, this process has 77.91 GiB memory in use. Of the "
                  "allocated memory 74.02 GiB is allocated by PyTorch, and 2.37 GiB is reserved by PyTorch but unallocated.\n";
}

TEST(Explain, ErrorBuriedUnder200kProgressLines) {
  std::string log = progress(1, 200000, 300000) + oom_traceback("");
  Explanation x = explain_text(log);
  ASSERT_FALSE(x.findings.empty());
  const Finding& f = x.findings.front();
  EXPECT_EQ(f.id, "cuda_oom");
  EXPECT_TRUE(f.root_exception);
  EXPECT_EQ(x.lines, 200008u);
  ASSERT_FALSE(f.evidence.empty());
  EXPECT_EQ(f.evidence.back().line, 200008u);
  EXPECT_EQ(f.values.at("requested"), "2.00 GiB");
  EXPECT_EQ(f.values.at("capacity"), "79.14 GiB");
  EXPECT_EQ(f.values.at("reserved_unallocated"), "2.37 GiB");
  ASSERT_TRUE(f.where);
  EXPECT_EQ(f.where->file, "/home/alice/llm/train.py");
  EXPECT_EQ(f.where->file_line, 118u);
  EXPECT_EQ(f.where->code, "logits = model(input_ids).logits");
  EXPECT_NE(f.cause.find("The step asked for 2.00 GiB more."), std::string::npos);
  // A sentence whose value the log does not give is left out.
  EXPECT_EQ(f.cause.find("{other_pid}"), std::string::npos);
  EXPECT_EQ(f.cause.find("Another process (PID"), std::string::npos);
  EXPECT_EQ(x.ended.state, "failed");
  ASSERT_TRUE(x.exception);
  EXPECT_EQ(x.exception->type, "torch.OutOfMemoryError");
  EXPECT_EQ(x.exception->frames.size(), 3u);
}

// Eight ranks under torchrun --tee: rank 3 runs out of memory; the seven others time out in NCCL
// ten minutes later; torchrun prints its summary with rank 3 as the root cause.
std::string eight_rank_log() {
  std::string log = "+ torchrun --nproc_per_node 8 train.py --config configs/llama.yaml\n";
  for (int step = 1; step <= 300; ++step) {
    for (int r = 0; r < 8; ++r) {
      log += fmt::format("[default{}]:step {}/5000 | loss {:.4f} | lr 2.0e-05 | 412 ms/step\n", r, step, 2.5 - step * 1e-3);
    }
  }
  log += oom_traceback("[default3]:");
  for (int r : {0, 1, 2, 4, 5, 6, 7}) {
    log += fmt::format(
        "[default{}]:[E321 02:07:08.408271257 ProcessGroupNCCL.cpp:607] [Rank {}] Watchdog caught collective operation "
        "timeout: WorkNCCL(SeqNum=1580, OpType=ALLREDUCE, NumelIn=466119168, NumelOut=466119168, Timeout(ms)=600000) ran "
        "for 600060 milliseconds before timing out.\n",
        r, r);
  }
  for (int r : {0, 1, 2, 4, 5, 6, 7}) {
    log += fmt::format("[default{}]:Traceback (most recent call last):\n", r);
    log += fmt::format("[default{}]:  File \"/home/alice/llm/train.py\", line 120, in train_step\n", r);
    log += fmt::format("[default{}]:    loss.backward()\n", r);
    log += fmt::format("[default{}]:torch.distributed.DistBackendError: NCCL communicator was aborted on rank {}.  Original "
                       "reason for failure was: [Rank {}] Watchdog caught collective operation timeout\n", r, r, r);
  }
  log += R"(E0321 02:17:09.000000 140 torch/distributed/elastic/multiprocessing/api.py:826] failed (exitcode: 1) local_rank: 3 (pid: 4243) of binary: /opt/conda/bin/python
Traceback (most recent call last):
  File "/opt/conda/bin/torchrun", line 8, in <module>
    sys.exit(main())
  File "/opt/conda/lib/python3.10/site-packages/torch/distributed/run.py", line 812, in main
    run(args)
torch.distributed.elastic.multiprocessing.errors.ChildFailedError: 
============================================================
train.py FAILED
------------------------------------------------------------
Failures:
[1]:
  time      : 2024-03-21_02:17:08
  host      : gpu-node17
  rank      : 0 (local_rank: 0)
  exitcode  : -6 (pid: 4240)
  error_file: <N/A>
  traceback : Signal 6 (SIGABRT) received by PID 4240
------------------------------------------------------------
Root Cause (first observed failure):
[0]:
  time      : 2024-03-21_02:07:01
  host      : gpu-node17
  rank      : 3 (local_rank: 3)
  exitcode  : 1 (pid: 4243)
  error_file: <N/A>
  traceback : To enable traceback see: https://pytorch.org/docs/stable/elastic/errors.html
============================================================
)";
  return log;
}

TEST(Explain, FirstFailingRankOverTheTimeoutsItCaused) {
  Explanation x = explain_text(eight_rank_log());
  ASSERT_GE(x.findings.size(), 3u);
  EXPECT_EQ(x.findings[0].id, "cuda_oom");
  EXPECT_EQ(x.findings[0].rank, 3);
  EXPECT_EQ(x.first_failing_rank, 3);
  auto all = ids(x);
  EXPECT_NE(std::find(all.begin(), all.end(), "nccl_timeout"), all.end());
  EXPECT_NE(std::find(all.begin(), all.end(), "child_failed_torchrun"), all.end());
  EXPECT_GT(x.findings[0].confidence, x.findings[1].confidence);
  ASSERT_TRUE(x.exit);
  EXPECT_EQ(x.exit->code, 1);
  EXPECT_EQ(x.exit->rank, 3);
  ASSERT_EQ(x.workers.size(), 2u);
  EXPECT_TRUE(x.workers[1].root_cause);
  ASSERT_TRUE(x.command);
  EXPECT_EQ(*x.command, "torchrun --nproc_per_node 8 train.py --config configs/llama.yaml");
}

TEST(Explain, SummaryRootCauseRankWinsOverAnEarlierEcho) {
  // Rank 5's NCCL error is printed first, but torchrun names rank 2, whose exception nothing in
  // the knowledge base describes: it still comes first, by its own words.
  std::string log = progress(1, 50, 1000, "[rank5]:") +
                    "[rank5]: Traceback (most recent call last):\n"
                    "[rank5]:   File \"/w/train.py\", line 9, in step\n"
                    "[rank5]:     dist.all_reduce(t)\n"
                    "[rank5]: torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/"
                    "ProcessGroupNCCL.cpp:1275, remote process exited or there was a network error, NCCL version 2.19.3\n"
                    "[rank2]: Traceback (most recent call last):\n"
                    "[rank2]:   File \"/w/data.py\", line 31, in __getitem__\n"
                    "[rank2]:     assert len(tokens) > 0, f\"empty sample {idx}\"\n"
                    "[rank2]: AssertionError: empty sample 88123\n"
                    "Root Cause (first observed failure):\n"
                    "[0]:\n"
                    "  rank      : 2 (local_rank: 2)\n"
                    "  exitcode  : 1 (pid: 77)\n"
                    "============================================================\n";
  Explanation x = explain_text(log);
  ASSERT_GE(x.findings.size(), 2u);
  EXPECT_EQ(x.findings[0].id, kUnrecognizedId);
  EXPECT_EQ(x.findings[0].rank, 2);
  EXPECT_EQ(x.findings[0].values.at("exception_type"), "AssertionError");
  ASSERT_TRUE(x.findings[0].where);
  EXPECT_EQ(x.findings[0].where->code, "assert len(tokens) > 0, f\"empty sample {idx}\"");
  EXPECT_EQ(x.findings[1].id, "nccl_error");
  EXPECT_EQ(x.first_failing_rank, 2);
}

TEST(Explain, OriginalExceptionUnderAChainedOne) {
  std::string log = progress(1, 20, 100) + R"(Traceback (most recent call last):
  File "/w/data.py", line 12, in load
    return open(path).read()
FileNotFoundError: [Errno 2] No such file or directory: 'data/train.jsonl'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/w/train.py", line 40, in <module>
    ds = build_dataset(cfg)
  File "/w/data.py", line 15, in build_dataset
    raise RuntimeError("could not build the training dataset") from None
RuntimeError: could not build the training dataset
)";
  Explanation x = explain_text(log);
  EXPECT_EQ(top_id(x), "dataset_not_found");
  ASSERT_EQ(x.chain.size(), 2u);
  EXPECT_EQ(x.chain[0].type, "FileNotFoundError");
  EXPECT_EQ(x.chain[1].chained, "context");
  ASSERT_TRUE(x.exception);
  EXPECT_EQ(x.exception->type, "FileNotFoundError");
  EXPECT_EQ(x.findings[0].values.at("path"), "data/train.jsonl");
}

TEST(Explain, PythonExceptionOverTheLaunchersWrapper) {
  std::string log = progress(1, 10, 100) + R"(Traceback (most recent call last):
  File "/w/train.py", line 77, in <module>
    out = model(x)
RuntimeError: mat1 and mat2 shapes cannot be multiplied (64x512 and 256x10)
ERROR:torch.distributed.elastic.multiprocessing.api:failed (exitcode: 1) local_rank: 0 (pid: 1622990) of binary: /usr/bin/python3
Traceback (most recent call last):
  File "/usr/local/bin/torchrun", line 8, in <module>
    sys.exit(main())
torch.distributed.elastic.multiprocessing.errors.ChildFailedError: 
)";
  Explanation x = explain_text(log);
  EXPECT_EQ(top_id(x), "shape_mismatch_matmul");
  const Finding& f = x.findings.front();
  ASSERT_TRUE(f.where);
  EXPECT_EQ(f.where->code, "out = model(x)");
  EXPECT_EQ(f.where->file_line, 77u);
  EXPECT_EQ(x.findings.back().id, "child_failed_torchrun");
  ASSERT_FALSE(f.notes.empty());
  EXPECT_EQ(f.notes.front(), "The input is 64x512 and the weight 256x10: the layer takes 256 features and was given 512 (in "
                             "`out = model(x)`); make its in_features 512, or fix what produces 512.");
}

TEST(Explain, DeviceSideAssertCarriesTheAssertionText) {
  std::string log = progress(1, 30, 100);
  for (int t = 0; t < 4; ++t) {
    log += fmt::format("../aten/src/ATen/native/cuda/Indexing.cu:1146: indexSelectLargeIndex: block: [194,0,0], thread: "
                       "[{},0,0] Assertion `srcIndex < srcSelectDimSize` failed.\n", 96 + t);
  }
  log += R"(Traceback (most recent call last):
  File "/w/train.py", line 50, in <module>
    loss.backward()
RuntimeError: CUDA error: device-side assert triggered
CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.
For debugging consider passing CUDA_LAUNCH_BLOCKING=1.
Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.
)";
  Explanation x = explain_text(log);
  ASSERT_GE(x.findings.size(), 2u);
  EXPECT_EQ(x.findings[0].id, "device_side_assert");
  EXPECT_EQ(x.findings[0].values.at("assertion"), "srcIndex < srcSelectDimSize");
  EXPECT_NE(x.findings[0].evidence.front().text.find("Assertion `srcIndex"), std::string::npos);
  auto all = ids(x);
  auto pos = std::find(all.begin(), all.end(), "index_out_of_range_embedding");
  ASSERT_NE(pos, all.end());
  EXPECT_LT(pos - all.begin(), 3);
}

TEST(Explain, SchedulerKillOverTheShutdownItCaused) {
  std::string log = progress(1, 100, 10000, "0: ") +
                    "slurmstepd: error: *** STEP 55595933.0 ON maestro-3017 CANCELLED AT 2025-01-10T15:27:25 DUE TO TIME LIMIT ***\n"
                    "0: Traceback (most recent call last):\n"
                    "0:   File \"/w/train.py\", line 88, in <module>\n"
                    "0:     batch = next(it)\n"
                    "0: RuntimeError: DataLoader worker (pid 4242) is killed by signal: Terminated. \n"
                    "srun: error: maestro-3017: task 0: Exited with exit code 1\n";
  Explanation x = explain_text(log);
  EXPECT_EQ(top_id(x), "slurm_time_limit");
  EXPECT_EQ(x.findings[0].values.at("job_id"), "55595933");
  EXPECT_EQ(x.ended.state, "killed");
}

TEST(Explain, KilledWithoutATraceback) {
  std::string log = progress(1, 500, 1000) + "./train.sh: line 12: 48213 Killed                  python train.py --config configs/large.yaml\n";
  Explanation x = explain_text(log);
  EXPECT_EQ(top_id(x), "cpu_oom_killed");
  EXPECT_EQ(x.ended.state, "killed");
}

TEST(Explain, MisleadingWordsInAHealthyRun) {
  std::string log = "loading dataset from /data/room_oom_sweep/train.bin\n"
                    "model: 124.4M params | resume from runs/oom-test/step_100.pt\n" +
                    progress(1, 2000, 2000) +
                    "eval | val error: 0.0123 | train error: 0.0101 | best_val_loss: inf\n"
                    "Epoch 1: 100%|##########| 1563/1563 [01:23<00:00, 18.72it/s, v_num=0, train_loss=0.312]\n"
                    "node1:12345:12401 [0] NCCL INFO Call to connect returned Connection refused, retrying\n"
                    "UserWarning: TypedStorage is deprecated. It will be removed in the future.\n"
                    "Training completed. Saving model to runs/final\n";
  Explanation x = explain_text(log);
  EXPECT_TRUE(x.findings.empty()) << top_id(x);
  EXPECT_EQ(x.ended.state, "finished");
  ASSERT_TRUE(x.ended.line);
  EXPECT_EQ(*x.ended.line, 2007u);
}

TEST(Explain, CleanLogThatStopsMidTraining) {
  Explanation running = explain_text(progress(1, 3000, 10000));
  EXPECT_TRUE(running.findings.empty());
  EXPECT_EQ(running.ended.state, "running_or_truncated");
  std::string cut = progress(1, 10, 100) + "step 11/100 | loss 2.";
  Explanation truncated = explain_text(cut);
  EXPECT_TRUE(truncated.findings.empty());
  EXPECT_EQ(truncated.ended.state, "running_or_truncated");
  EXPECT_EQ(truncated.lines, 11u);
  Explanation done = explain_text(progress(1, 100, 100));
  EXPECT_EQ(done.ended.state, "finished");
  Explanation empty = explain_text("");
  EXPECT_TRUE(empty.findings.empty());
  EXPECT_EQ(empty.ended.state, "unknown");
}

TEST(Explain, HandledWarningInARunThatFinished) {
  std::string log = progress(1, 100, 200) +
                    "UserWarning: CUDA initialization: CUDA unknown error - this may be due to an incorrectly set up "
                    "environment, e.g. changing env variable CUDA_VISIBLE_DEVICES after program start. Setting the "
                    "available devices to be zero.\n" +
                    progress(101, 200, 200) + "done: 200 steps in 31.8 s | final val_loss 1.1535\n";
  Explanation x = explain_text(log);
  EXPECT_TRUE(x.findings.empty()) << top_id(x);
  EXPECT_EQ(x.ended.state, "finished");
}

TEST(Explain, ColouredTracebackWithCarriageReturns) {
  std::string log = " 12%|#2        | 120/1000 [00:10<01:12]\r 13%|#3        | 130/1000 [00:11<01:11]"
                    "\x1b[31mTraceback (most recent call last):\x1b[0m\n"
                    "  File \"/w/train.py\", line 3, in <module>\n"
                    "    model.load_state_dict(sd)\n"
                    "\x1b[1;31mRuntimeError\x1b[0m: Error(s) in loading state_dict for GPT:\n"
                    "\tMissing key(s) in state_dict: \"transformer.wte.weight\", \"transformer.wpe.weight\". \n"
                    "\tUnexpected key(s) in state_dict: \"module.transformer.wte.weight\", \"module.transformer.wpe.weight\". \n";
  Explanation x = explain_text(log);
  EXPECT_EQ(top_id(x), "state_dict_missing_unexpected_keys");
  const Finding& f = x.findings.front();
  EXPECT_EQ(f.values.at("strip_prefix"), "module.");
  EXPECT_EQ(f.values.at("model_class"), "GPT");
  EXPECT_TRUE(f.root_exception);
}

TEST(Explain, BinaryJunkAndVeryLongLines) {
  std::string junk(5000, '\0');
  for (std::size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>((i * 7919) % 256);
  std::string log = junk + "\n" + std::string(300000, 'z') + "\n" + progress(1, 5, 10) + "RuntimeError: CUDA error: out of memory\n";
  Explanation x = explain_text(log);
  EXPECT_EQ(top_id(x), "cuda_oom");
}

TEST(Explain, OomFixShownAgainstTheConfigTheLogNames) {
  testing::TempDir dir;
  dir.write("proj/configs/sft.yaml",
            "model: meta-llama/Llama-2-7b-hf\n"
            "train:\n"
            "  per_device_train_batch_size: 8   # per GPU\n"
            "  gradient_accumulation_steps: 2\n"
            "  gradient_checkpointing: false\n"
            "  learning_rate: 2.0e-5\n");
  std::string log = "$ python train.py --config configs/sft.yaml\n" + progress(1, 5, 100) + oom_traceback("");
  auto request = testing::text_request(log);
  request.project_dir = (dir.path() / "proj").string();
  Explanation x = testing::explain_or_fail(request);
  ASSERT_EQ(top_id(x), "cuda_oom");
  const Finding& f = x.findings.front();
  ASSERT_TRUE(f.patch) << "no patch";
  EXPECT_EQ(f.patch->display, "configs/sft.yaml");
  EXPECT_EQ(f.patch->diff,
            "--- a/configs/sft.yaml\n+++ b/configs/sft.yaml\n@@ -1,6 +1,6 @@\n model: meta-llama/Llama-2-7b-hf\n train:\n"
            "-  per_device_train_batch_size: 8   # per GPU\n-  gradient_accumulation_steps: 2\n"
            "-  gradient_checkpointing: false\n+  per_device_train_batch_size: 4   # per GPU\n"
            "+  gradient_accumulation_steps: 4\n+  gradient_checkpointing: true\n   learning_rate: 2.0e-5\n");
  EXPECT_TRUE(f.fixes[0].patched);
  EXPECT_TRUE(f.fixes[1].patched);
  EXPECT_EQ(f.values.at("config.train.per_device_train_batch_size"), "8");
  ASSERT_TRUE(x.config_file);
  EXPECT_EQ(x.config_from, "log");

  // --apply: a backup, the new text, and a refusal once the file changed under it.
  auto applied = apply_config_patch(*f.patch);
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  std::ifstream now(applied->file), backup(applied->backup);
  std::stringstream a, b;
  a << now.rdbuf();
  b << backup.rdbuf();
  EXPECT_EQ(a.str(), f.patch->patched);
  EXPECT_EQ(b.str(), f.patch->original);
  EXPECT_EQ(applied->backup, applied->file + ".bak");
  auto again = apply_config_patch(*f.patch);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, core::ErrorKind::kRefused);
}

TEST(Explain, OomFixAsACommandWhenSettingsAreFlags) {
  std::string log = "Running: accelerate launch run_clm.py --model_name_or_path gpt2 --per_device_train_batch_size 16\n" +
                    oom_traceback("");
  Explanation x = explain_text(log);
  ASSERT_EQ(top_id(x), "cuda_oom");
  ASSERT_TRUE(x.findings[0].patch);
  EXPECT_TRUE(x.findings[0].patch->is_command);
  EXPECT_EQ(x.findings[0].patch->patched,
            "accelerate launch run_clm.py --model_name_or_path gpt2 --per_device_train_batch_size 8 "
            "--gradient_accumulation_steps 2");
  EXPECT_FALSE(apply_config_patch(*x.findings[0].patch).ok());
}

TEST(Explain, CommandLoggedAsAPythonListByTheDeepSpeedLauncher) {
  std::string log = oom_traceback("") +
                    "[2023-04-14 13:11:27,885] [ERROR] [launch.py:434:sigkill_handler] ['/usr/bin/python3', '-u', "
                    "'main.py', '--local_rank=0', '--per_device_train_batch_size', '8', '--deepspeed'] exits with "
                    "return code = 1\n";
  Explanation x = explain_text(log);
  ASSERT_TRUE(x.command);
  EXPECT_EQ(*x.command, "/usr/bin/python3 -u main.py --local_rank=0 --per_device_train_batch_size 8 --deepspeed");
  ASSERT_EQ(top_id(x), "cuda_oom");
  ASSERT_TRUE(x.findings[0].patch);
  EXPECT_EQ(x.findings[0].patch->patched,
            "/usr/bin/python3 -u main.py --local_rank=0 --per_device_train_batch_size 4 --gradient_accumulation_steps 2 "
            "--deepspeed");
}

TEST(Explain, NanLossInARunThatFinishedWithItsStepAndLearningRate) {
  testing::TempDir dir;
  auto config = dir.write("nan.yaml", "train:\n  lr: 1.0e+4          # peak learning rate\n  min_lr: 1.0e+3\n  bf16: false\n");
  std::string log = "step 1/40 | loss 3.7607 | lr 2.0e+03 | 85 ms/step\n"
                    "step 5/40 | loss nan | lr 1.0e+04 | 73 ms/step\n"
                    "step 10/40 | loss nan | lr 9.6e+03 | 70 ms/step\n"
                    "done: 40 steps in 3.3 s | final val_loss nan | checkpoint checkpoints/nan/step_40.pt\n";
  auto request = testing::text_request(log);
  request.config_path = config.string();
  Explanation x = testing::explain_or_fail(request);
  ASSERT_EQ(top_id(x), "nan_loss");
  const Finding& f = x.findings.front();
  EXPECT_EQ(f.values.at("step"), "5");
  EXPECT_EQ(f.values.at("lr"), "1.0e+04");
  EXPECT_EQ(f.values.at("first_nan_line"), "2");
  EXPECT_EQ(f.values.at("config.train.lr"), "1.0e+4");
  ASSERT_TRUE(f.patch);
  EXPECT_EQ(f.patch->patched, "train:\n  lr: 1.0e+3          # peak learning rate\n  min_lr: 1.0e+2\n  bf16: false\n");
  EXPECT_EQ(x.config_from, "--config");
  EXPECT_EQ(x.ended.state, "finished");
}

TEST(Explain, JsonHasTheDocumentedShape) {
  Explanation x = explain_text(eight_rank_log());
  nlohmann::json j = x.to_json();
  ASSERT_TRUE(j["findings"].is_array());
  const auto& f = j["findings"][0];
  EXPECT_EQ(f["id"], "cuda_oom");
  EXPECT_TRUE(f["confidence"].is_number());
  EXPECT_GT(f["confidence"].get<double>(), 0.5);
  EXPECT_LE(f["confidence"].get<double>(), 1.0);
  EXPECT_TRUE(f["evidence"][0]["line"].is_number_unsigned());
  EXPECT_TRUE(f["evidence"][0]["text"].is_string());
  EXPECT_TRUE(f["cause"].is_string());
  EXPECT_TRUE(f["fixes"].is_array());
  EXPECT_TRUE(f.contains("patch"));
  EXPECT_TRUE(f["values"].is_object());
  EXPECT_TRUE(j["exception"].is_object());
  EXPECT_TRUE(j["frames"].is_array());
  EXPECT_TRUE(j["ended"]["state"].is_string());
  Explanation clean = explain_text(progress(1, 10, 10));
  nlohmann::json c = clean.to_json();
  EXPECT_TRUE(c["findings"].empty());
  EXPECT_TRUE(c["exception"].is_null());
  EXPECT_EQ(c["clean"], true);
}

TEST(Explain, FileLogAndMissingFile) {
  testing::TempDir dir;
  auto path = dir.write("run.log", progress(1, 10, 100) + "RuntimeError: CUDA error: out of memory\n");
  Explanation x = testing::explain_or_fail(testing::file_request(path.string()));
  EXPECT_EQ(top_id(x), "cuda_oom");
  EXPECT_EQ(x.source, path.string());
  auto missing = explain(testing::file_request((dir.path() / "nope.log").string()));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, core::ErrorKind::kNotFound);
}

TEST(Explain, ProgressLinesOfManyTrainers) {
  for (const char* line : {"step 10/400 | loss 2.1 | lr 3e-4", "Epoch 3:  12%|#2        | 190/1563 [00:10<01:12, 18.9it/s]",
                           "[05:19:47] Epoch: [1]  [1480/1504]  lr: 0.000012  closs: 0.9233",
                           "{'loss': 0.0003, 'learning_rate': 6.7e-05, 'epoch': 100.0}", "iter 4200: loss 2.01, time 45.12ms",
                           "Step 100 per-step time 0.813s loss=1.396"}) {
    EXPECT_TRUE(is_progress_line(line)) << line;
  }
  for (const char* line : {"Saving model checkpoint to out/checkpoint-500", "Traceback (most recent call last):",
                           "step size is 3", "loading 2 shards"}) {
    EXPECT_FALSE(is_progress_line(line)) << line;
  }
}

TEST(Explain, TemplatesDropSentencesWithUnknownValues) {
  std::map<std::string, std::string> v{{"a", "1"}};
  EXPECT_EQ(render_template("First {a}. Second {b} here. Third `x.y` stays.", v), "First 1. Third `x.y` stays.");
  EXPECT_EQ(render_template("No placeholders, e.g. this one. Next one.", v), "No placeholders, e.g. this one. Next one.");
}

}  // namespace
}  // namespace trainctl::errors
