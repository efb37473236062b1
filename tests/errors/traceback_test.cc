#include "errors/traceback.h"

#include <gtest/gtest.h>

namespace trainctl::errors {
namespace {

std::vector<LogLine> lines_of(const std::string& text) {
  std::vector<LogLine> out;
  std::uint64_t n = 1;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    std::string raw = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    NormalizedLine line = normalize_line(raw);
    out.push_back({n++, line.rank, line.text});
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

TEST(Traceback, FramesExceptionAndUserCode) {
  auto chains = parse_tracebacks(lines_of(R"(step 3 | loss 2.1
Traceback (most recent call last):
  File "/home/alice/proj/train.py", line 210, in train
    _, loss = model(x.to(device), y.to(device))
              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/usr/lib/python3/dist-packages/torch/nn/modules/module.py", line 1194, in _call_impl
    return forward_call(*input, **kwargs)
  File "/home/alice/proj/model.py", line 93, in forward
    x = self.drop(self.tok_emb(idx) + self.pos_emb(pos))
  File "/opt/conda/lib/python3.10/site-packages/torch/nn/functional.py", line 2210, in embedding
    return torch.embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)
IndexError: index out of range in self
)"));
  ASSERT_EQ(chains.size(), 1u);
  const PythonException& ex = chains[0].exceptions[0];
  EXPECT_EQ(ex.type, "IndexError");
  EXPECT_EQ(ex.message, "index out of range in self");
  EXPECT_EQ(ex.line, 12u);
  EXPECT_EQ(ex.traceback_line, 2u);
  ASSERT_EQ(ex.frames.size(), 4u);
  EXPECT_TRUE(ex.frames[0].user);
  EXPECT_FALSE(ex.frames[1].user);
  EXPECT_EQ(ex.frames[0].code, "_, loss = model(x.to(device), y.to(device))");
  const Frame* user = ex.user_frame();
  ASSERT_NE(user, nullptr);
  EXPECT_EQ(user->file, "/home/alice/proj/model.py");
  EXPECT_EQ(user->file_line, 93u);
  EXPECT_EQ(user->function, "forward");
  EXPECT_EQ(user->log_line, 8u);
}

TEST(Traceback, ChainedExceptionsKeepTheOriginalFirst) {
  auto chains = parse_tracebacks(lines_of(R"(Traceback (most recent call last):
  File "train.py", line 5, in load
    cfg = yaml.safe_load(f)
KeyError: 'optimizer'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "train.py", line 9, in <module>
    main()
RuntimeError: could not build the optimizer

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "run.py", line 2, in <module>
    raise SystemExit(1) from e
SystemExit: 1
)"));
  ASSERT_EQ(chains.size(), 1u);
  const auto& ex = chains[0].exceptions;
  ASSERT_EQ(ex.size(), 3u);
  EXPECT_EQ(ex[0].type, "KeyError");
  EXPECT_EQ(ex[0].chained, "");
  EXPECT_EQ(ex[1].type, "RuntimeError");
  EXPECT_EQ(ex[1].chained, "context");
  EXPECT_EQ(ex[2].type, "SystemExit");
  EXPECT_EQ(ex[2].chained, "cause");
}

TEST(Traceback, CppContextAndMessageLines) {
  auto chains = parse_tracebacks(lines_of(R"(Traceback (most recent call last):
  File "train.py", line 40, in <module>
    loss.backward()
RuntimeError: CUDA error: device-side assert triggered
CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.
For debugging consider passing CUDA_LAUNCH_BLOCKING=1.

Exception raised from c10_cuda_check_implementation at ../c10/cuda/CUDAException.cpp:44 (most recent call first):
frame #0: c10::Error::Error(c10::SourceLocation, std::string) + 0x57 (0x7f in /usr/lib/libc10.so)

step 5 | loss 1.0
)"));
  ASSERT_EQ(chains.size(), 1u);
  const PythonException& ex = chains[0].exceptions[0];
  EXPECT_EQ(ex.type, "RuntimeError");
  ASSERT_TRUE(ex.cpp.has_value());
  EXPECT_EQ(ex.cpp->function, "c10_cuda_check_implementation");
  EXPECT_EQ(ex.cpp->location, "../c10/cuda/CUDAException.cpp:44");
  EXPECT_EQ(ex.message_lines.size(), 4u);
}

TEST(Traceback, InterleavedRanksAreReadApart) {
  auto chains = parse_tracebacks(lines_of(R"([rank1]: Traceback (most recent call last):
[rank0]: step 7 | loss 2.0
[rank1]:   File "/w/train.py", line 3, in step
[rank2]: Traceback (most recent call last):
[rank1]:     out = model(batch)
[rank2]:   File "/w/train.py", line 9, in sync
[rank1]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.
[rank2]:     dist.all_reduce(t)
[rank2]: torch.distributed.DistBackendError: NCCL communicator was aborted on rank 2.
)"));
  ASSERT_EQ(chains.size(), 2u);
  EXPECT_EQ(chains[0].rank, 1);
  EXPECT_EQ(chains[0].exceptions[0].type, "torch.OutOfMemoryError");
  EXPECT_EQ(chains[0].exceptions[0].line, 7u);
  EXPECT_EQ(chains[1].rank, 2);
  EXPECT_EQ(chains[1].exceptions[0].type, "torch.distributed.DistBackendError");
}

TEST(Traceback, TorchrunSummary) {
  auto lines = lines_of(R"(torch.distributed.elastic.multiprocessing.errors.ChildFailedError: 
============================================================
train.py FAILED
------------------------------------------------------------
Failures:
[1]:
  time      : 2024-05-02_14:00:07
  host      : gpu-node17
  rank      : 1 (local_rank: 1)
  exitcode  : -6 (pid: 4242)
  error_file: <N/A>
  traceback : Signal 6 (SIGABRT) received by PID 4242
------------------------------------------------------------
Root Cause (first observed failure):
[0]:
  time      : 2024-05-02_13:59:01
  host      : gpu-node17
  rank      : 3 (local_rank: 3)
  exitcode  : 1 (pid: 4241)
  error_file: /tmp/torchelastic_x/error.json
  traceback : Traceback (most recent call last):
    File "/w/train.py", line 12, in main
      raise ValueError("bad batch")
  ValueError: bad batch
============================================================
)");
  auto workers = parse_worker_failures(lines);
  ASSERT_EQ(workers.size(), 2u);
  EXPECT_FALSE(workers[0].root_cause);
  EXPECT_EQ(workers[0].rank, 1);
  EXPECT_EQ(workers[0].exitcode, -6);
  EXPECT_TRUE(workers[1].root_cause);
  EXPECT_EQ(workers[1].rank, 3);
  EXPECT_EQ(workers[1].local_rank, 3);
  EXPECT_EQ(workers[1].exitcode, 1);
  EXPECT_EQ(workers[1].host, "gpu-node17");
  auto chains = parse_tracebacks(lines);
  ASSERT_EQ(chains.size(), 1u);
  EXPECT_EQ(chains[0].exceptions[0].type, "ValueError");
  EXPECT_EQ(chains[0].exceptions[0].message, "bad batch");
  EXPECT_EQ(chains[0].exceptions[0].frames.size(), 1u);
}

TEST(Traceback, IpythonAndJupyterTracebacks) {
  auto chains = parse_tracebacks(lines_of(R"(---------------------------------------------------------------------------
OutOfMemoryError                          Traceback (most recent call last)
Cell In[7], line 3
      1 model = build()
      2 trainer = make_trainer(model)
----> 3 trainer.train()

File /opt/conda/lib/python3.10/site-packages/transformers/trainer.py:1539, in Trainer.train(self, resume_from_checkpoint, trial)
   1537         hf_hub_utils.enable_progress_bars()
-> 1539 return inner_training_loop(
   1540     args=args,

OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacity of 14.75 GiB of which 3.06 MiB is free.
)"));
  ASSERT_EQ(chains.size(), 1u);
  const PythonException& ex = chains[0].exceptions[0];
  EXPECT_EQ(ex.type, "OutOfMemoryError");
  EXPECT_EQ(ex.line, 13u);
  ASSERT_EQ(ex.frames.size(), 2u);
  EXPECT_EQ(ex.frames[0].file, "Cell In[7]");
  EXPECT_EQ(ex.frames[0].file_line, 3u);
  EXPECT_EQ(ex.frames[0].code, "trainer.train()");
  EXPECT_TRUE(ex.frames[0].user);
  EXPECT_FALSE(ex.frames[1].user);
  EXPECT_EQ(ex.frames[1].function, "Trainer.train");
  EXPECT_EQ(ex.user_frame()->file, "Cell In[7]");
}

TEST(Traceback, ExceptionLinesAndNot) {
  EXPECT_TRUE(parse_exception_line("KeyError: 'lr'"));
  EXPECT_TRUE(parse_exception_line("torch.cuda.OutOfMemoryError: CUDA out of memory."));
  EXPECT_TRUE(parse_exception_line("KeyboardInterrupt"));
  EXPECT_TRUE(parse_exception_line("omegaconf.errors.ConfigAttributeError: Missing key lr"));
  EXPECT_FALSE(parse_exception_line("INFO: starting"));
  EXPECT_FALSE(parse_exception_line("Epoch 1: 100%"));
  EXPECT_FALSE(parse_exception_line("Note: this is fine"));
  EXPECT_FALSE(parse_exception_line("error: 0.01"));
  EXPECT_FALSE(parse_exception_line("step 3/10"));
}

TEST(Traceback, LibraryPaths) {
  EXPECT_TRUE(is_library_path("/usr/lib/python3/dist-packages/torch/nn/modules/module.py"));
  EXPECT_TRUE(is_library_path("/home/a/.venv/lib/python3.11/site-packages/transformers/trainer.py"));
  EXPECT_TRUE(is_library_path("/usr/lib/python3.11/multiprocessing/process.py"));
  EXPECT_TRUE(is_library_path("<frozen runpy>"));
  EXPECT_TRUE(is_library_path("/src/pytorch/torch/autograd/__init__.py"));
  EXPECT_TRUE(is_library_path("C:\\Users\\me\\anaconda3\\lib\\site-packages\\torch\\serialization.py"));
  EXPECT_FALSE(is_library_path("/home/alice/proj/train.py"));
  EXPECT_FALSE(is_library_path("train.py"));
  EXPECT_FALSE(is_library_path("<ipython-input-3-abc>"));
}

TEST(Traceback, UnfinishedTracebackKeepsItsFrames) {
  auto chains = parse_tracebacks(lines_of("Traceback (most recent call last):\n  File \"/w/a.py\", line 1, in f\n    g()\n"));
  ASSERT_EQ(chains.size(), 1u);
  EXPECT_TRUE(chains[0].exceptions[0].type.empty());
  EXPECT_EQ(chains[0].exceptions[0].frames.size(), 1u);
}

}  // namespace
}  // namespace trainctl::errors
