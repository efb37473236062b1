// Logs shaped like the ones people paste into issue threads (written here from how those logs are
// worded, not copied): launcher noise, progress bars, warnings, several ranks, and one root cause.
// Each names the id that must come first; clean ones must give no finding at all.
#include <gtest/gtest.h>

#include "errors_test_support.h"

namespace trainctl::errors {
namespace {

struct Case {
  const char* name;
  const char* expected;  // "none" for a clean log
  const char* log;
};

const Case kCases[] = {
    {"hf_trainer_oom", "cuda_oom", R"({'loss': 2.1345, 'grad_norm': 1.234, 'learning_rate': 1.98e-05, 'epoch': 0.01}
  1%|          | 12/1250 [00:31<53:58,  2.62s/it]
Traceback (most recent call last):
  File "/home/u/sft/train.py", line 88, in <module>
    trainer.train()
  File "/home/u/.venv/lib/python3.10/site-packages/transformers/trainer.py", line 1859, in train
    return inner_training_loop(
  File "/home/u/.venv/lib/python3.10/site-packages/torch/nn/functional.py", line 1858, in softmax
    ret = input.softmax(dim, dtype=dtype)
torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.96 GiB. GPU 0 has a total capacty of 23.65 GiB of which 1.19 GiB is free. Of the allocated memory 20.94 GiB is allocated by PyTorch, and 1.03 GiB is reserved by PyTorch but unallocated.
  1%|          | 12/1250 [00:33<57:12,  2.77s/it]
)"},
    {"deepspeed_sigkill", "cpu_oom_killed", R"([2023-04-14 13:10:02,118] [INFO] [stage_1_and_2.py:149:__init__] Reduce bucket size 500000000
[2023-04-14 13:11:27,879] [INFO] [launch.py:428:sigkill_handler] Killing subprocess 13266
[2023-04-14 13:11:27,885] [ERROR] [launch.py:434:sigkill_handler] ['/usr/bin/python3', '-u', 'main.py', '--local_rank=0', '--per_device_train_batch_size', '2', '--deepspeed'] exits with return code = -9
)"},
    {"deepspeed_segfault", "segfault", R"([2023-07-10 04:26:05,876] [INFO] [launch.py:318:sigkill_handler] Killing subprocess 94984
[2023-07-10 04:26:35,999] [ERROR] [launch.py:324:sigkill_handler] ['/venv/bin/python3.10', '-u', 'trainCLM.py', '--local_rank=1', '--deepspeed', 'config/ds.json'] exits with return code = -11
)"},
    {"torchrun_summary_only", "child_failed_torchrun", R"(W0305 07:01:40.123000 1234 torch/distributed/run.py:779] Setting OMP_NUM_THREADS environment variable for each process to be 1 in default, to avoid your system being overloaded.
torch.distributed.elastic.multiprocessing.errors.ChildFailedError: 
============================================================
train.py FAILED
------------------------------------------------------------
Failures:
  <NO_OTHER_FAILURES>
------------------------------------------------------------
Root Cause (first observed failure):
[0]:
  time      : 2024-03-05_07:01:51
  host      : vm1
  rank      : 0 (local_rank: 0)
  exitcode  : 1 (pid: 69811)
  error_file: <N/A>
  traceback : To enable traceback see: https://pytorch.org/docs/stable/elastic/errors.html
============================================================
)"},
    {"watchdog_terminate", "nccl_timeout", R"(step 1200 | loss 1.92
terminate called after throwing an instance of 'c10::DistBackendError'
  what():  [PG ID 0 PG GUID 0(default_pg) Rank 3] Process group watchdog thread terminated with exception: [Rank 3] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=4, OpType=BROADCAST, NumelIn=112, NumelOut=112, Timeout(ms)=1800000) ran for 1800011 milliseconds before timing out.
Exception raised from checkTimeout at /pytorch/torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:632 (most recent call first):
frame #0: c10::Error::Error(c10::SourceLocation, std::string) + 0x96 (0x7f5a9616c1b6 in /env/lib/python3.11/site-packages/torch/lib/libc10.so)
E0517 08:24:03.805000 140617718325696 torch/distributed/elastic/multiprocessing/api.py:826] failed (exitcode: -6) local_rank: 3 (pid: 970611) of binary: /env/bin/python3
)"},
    {"module_not_found", "module_not_found", R"(Traceback (most recent call last):
  File "/work/train.py", line 4, in <module>
    from flash_attn import flash_attn_func
ModuleNotFoundError: No module named 'flash_attn'
)"},
    {"gated_repo", "hub_auth_or_network", R"(Loading checkpoint shards:   0%|          | 0/2 [00:00<?, ?it/s]
Traceback (most recent call last):
  File "/home/u/.venv/lib/python3.10/site-packages/huggingface_hub/utils/_errors.py", line 304, in hf_raise_for_status
    response.raise_for_status()
requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: https://huggingface.co/meta-llama/Llama-2-7b-hf/resolve/main/config.json

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/home/u/finetune.py", line 20, in <module>
    model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-2-7b-hf")
huggingface_hub.utils._errors.GatedRepoError: 401 Client Error. (Request ID: Root=1-65a0)
Cannot access gated repo for url https://huggingface.co/meta-llama/Llama-2-7b-hf/resolve/main/config.json.
Repo model meta-llama/Llama-2-7b-hf is gated. You must be authenticated to access it.
)"},
    {"pad_token", "tokenizer_no_pad_token", R"(Map:   0%|          | 0/1000 [00:00<?, ? examples/s]
Traceback (most recent call last):
  File "/w/sft.py", line 55, in <module>
    batch = collator(features)
  File "/venv/lib/python3.11/site-packages/transformers/tokenization_utils_base.py", line 3111, in pad
    raise ValueError(
ValueError: Asking to pad but the tokenizer does not have a padding token. Please select a token to use as `pad_token` `(tokenizer.pad_token = tokenizer.eos_token e.g.)` or add a new pad token via `tokenizer.add_special_tokens({'pad_token': '[PAD]'})`.
)"},
    {"shm_bus_error", "shm_insufficient", R"(Epoch 0:   3%|3         | 40/1250 [00:12<06:05,  3.31it/s, loss=2.31]
ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm).
Traceback (most recent call last):
  File "/usr/lib/python3.10/site-packages/torch/utils/data/dataloader.py", line 1132, in _try_get_data
    data = self._data_queue.get(timeout=timeout)
RuntimeError: DataLoader worker (pid 4242) is killed by signal: Bus error. It is possible that dataloader's workers are out of shared memory. Please try to raise your shared memory limit.
)"},
    {"worker_killed", "dataloader_worker_died", R"(Traceback (most recent call last):
  File "/w/train.py", line 120, in <module>
    for batch in loader:
  File "/opt/conda/lib/python3.10/site-packages/torch/utils/data/dataloader.py", line 1133, in _try_get_data
    raise RuntimeError(f'DataLoader worker (pid(s) {pids_str}) exited unexpectedly') from e
RuntimeError: DataLoader worker (pid(s) 51230) exited unexpectedly
)"},
    {"different_devices", "tensors_on_different_devices", R"(Traceback (most recent call last):
  File "/w/train.py", line 61, in <module>
    out = model(x)
RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu! (when checking argument for argument mat1 in method wrapper_CUDA_addmm)
)"},
    {"dtype", "dtype_mismatch", R"(Traceback (most recent call last):
  File "/w/train.py", line 61, in <module>
    out = model(x.half())
RuntimeError: Input type (torch.cuda.HalfTensor) and weight type (torch.cuda.FloatTensor) should be the same
)"},
    {"address_in_use", "address_in_use", R"([W socket.cpp:436] [c10d] The server socket cannot be initialized on [::]:29500 (errno: 97 - Address family not supported by protocol).
[E socket.cpp:497] [c10d] The server socket has failed to listen on any local network address.
Traceback (most recent call last):
  File "/venv/bin/torchrun", line 8, in <module>
    sys.exit(main())
torch.distributed.DistNetworkError: The server socket has failed to listen on any local network address. The server socket has failed to bind to [::]:29500 (errno: 98 - Address already in use). The server socket has failed to bind to 0.0.0.0:29500 (errno: 98 - Address already in use).
)"},
    {"slurm_oom", "slurm_oom", R"(0: step 10 | loss 3.1
0: step 20 | loss 2.9
slurmstepd: error: Detected 1 oom_kill event in StepId=11300781.0. Some of the step tasks have been OOM Killed.
srun: error: nid001277: task 0: Out Of Memory
)"},
    {"scaler_overflow", "grad_scaler_overflow", R"([2024-03-01 10:00:00,000] [INFO] [loss_scaler.py:183:update_scale] [deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 2.0, reducing to 1.0
[2024-03-01 10:00:01,000] [INFO] [loss_scaler.py:183:update_scale] [deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 1.0, reducing to 0.5
Current loss scale already at minimum - cannot decrease scale anymore. Exiting run.
)"},
    {"hf_nan_finished", "nan_loss", R"({'loss': 1.3452, 'grad_norm': 0.8123, 'learning_rate': 1.9e-05, 'epoch': 0.12}
{'loss': nan, 'grad_norm': nan, 'learning_rate': 1.8e-05, 'epoch': 0.42}
{'loss': nan, 'grad_norm': nan, 'learning_rate': 1.7e-05, 'epoch': 0.5}
{'train_runtime': 1200.5, 'train_samples_per_second': 10.2, 'train_steps_per_second': 0.8, 'train_loss': nan, 'epoch': 1.0}
)"},
    {"size_mismatch", "state_dict_size_mismatch", R"(Traceback (most recent call last):
  File "/w/eval.py", line 30, in <module>
    model.load_state_dict(torch.load(path))
RuntimeError: Error(s) in loading state_dict for ResNet:
	size mismatch for fc.weight: copying a param with shape torch.Size([1000, 2048]) from checkpoint, the shape in current model is torch.Size([10, 2048]).
	size mismatch for fc.bias: copying a param with shape torch.Size([1000]) from checkpoint, the shape in current model is torch.Size([10]).
)"},
    {"lightning_no_gpu", "lightning_error", R"(GPU available: False (cuda), used: False
Traceback (most recent call last):
  File "/w/train.py", line 40, in <module>
    trainer = pl.Trainer(accelerator="gpu", devices=2)
lightning_fabric.utilities.exceptions.MisconfigurationException: No supported gpu backend found!
)"},
    {"handled_early_then_real_error", "shape_mismatch_matmul", R"(Traceback (most recent call last):
  File "/w/utils.py", line 10, in <module>
    import apex
ModuleNotFoundError: No module named 'apex'
apex not found, falling back to torch.optim.AdamW
step 1/100 | loss 3.1 | lr 1e-4
step 2/100 | loss 3.0 | lr 1e-4
Traceback (most recent call last):
  File "/w/train.py", line 77, in <module>
    logits = head(features)
RuntimeError: mat1 and mat2 shapes cannot be multiplied (32x768 and 1024x10)
)"},
    {"oom_caught_then_finished", "none", R"(Traceback (most recent call last):
  File "/venv/lib/python3.10/site-packages/accelerate/utils/memory.py", line 134, in decorator
    return function(batch_size, *args, **kwargs)
torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 4.00 GiB. GPU 0 has a total capacity of 23.65 GiB of which 2.19 GiB is free.
Reducing the batch size to 16 and retrying
{'loss': 1.2, 'learning_rate': 2e-05, 'epoch': 0.5}
{'train_runtime': 600.0, 'train_samples_per_second': 8.1, 'train_steps_per_second': 0.5, 'train_loss': 1.1, 'epoch': 1.0}
)"},
    {"openmpi_ranks", "collate_size_mismatch", R"([1,0]<stdout>:step 50 | loss 2.2
[1,1]<stderr>:Traceback (most recent call last):
[1,1]<stderr>:  File "/w/train.py", line 40, in <module>
[1,1]<stderr>:    for batch in loader:
[1,1]<stderr>:RuntimeError: stack expects each tensor to be equal size, but got [3, 224, 224] at entry 0 and [3, 256, 256] at entry 5
[1,0]<stderr>:[E ProcessGroupNCCL.cpp:475] Some NCCL operations have failed or timed out. Due to the asynchronous nature of CUDA kernels, subsequent GPU operations might run on corrupted/incomplete data.
[1,0]<stderr>:[E ProcessGroupNCCL.cpp:489] To avoid data inconsistency, we are taking the entire process down.
)"},
    {"pdsh_multinode", "cuda_oom", R"(worker-1: [rank9]: step 300 | loss 1.8
worker-0: [rank0]: step 300 | loss 1.8
worker-1: [rank9]: Traceback (most recent call last):
worker-1: [rank9]:   File "/w/train.py", line 118, in train_step
worker-1: [rank9]:     loss.backward()
worker-1: [rank9]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 512.00 MiB. GPU 1 has a total capacity of 39.38 GiB of which 311.00 MiB is free.
worker-0: node1:2233:2290 [0] NCCL WARN Net : Connection closed by remote peer node2<58432>
worker-0: [rank0]: torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1275, remote process exited or there was a network error, NCCL version 2.19.3
)"},
    {"nccl_warn_then_error_no_other_cause", "nccl_error", R"(node1:2233:2290 [0] NCCL INFO NET/Socket : Using [0]eth0:10.0.0.1<0>
node1:2233:2290 [0] misc/socket.cc:538 NCCL WARN Net : Connection closed by remote peer node2<58432>
Traceback (most recent call last):
  File "/w/train.py", line 30, in <module>
    dist.barrier()
torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1275, unhandled system error (run with NCCL_DEBUG=INFO for details), NCCL version 2.14.3
ncclSystemError: System call (e.g. socket, malloc) or external library call failed or device error.
)"},
    {"python311_carets_and_windows_paths", "cuda_not_available", R"(Traceback (most recent call last):
  File "C:\Users\me\proj\train.py", line 12, in <module>
    model = model.to("cuda")
            ^^^^^^^^^^^^^^^^
  File "C:\Users\me\anaconda3\Lib\site-packages\torch\nn\modules\module.py", line 1160, in to
    return self._apply(convert)
           ^^^^^^^^^^^^^^^^^^^^
AssertionError: Torch not compiled with CUDA enabled
)"},
    {"pasted_as_indented_block", "cpu_oom_killed", R"(    step 1/100 | loss 3.1
    step 2/100 | loss 3.0
    Killed
)"},
    {"jupyter_oom", "cuda_oom", R"(---------------------------------------------------------------------------
OutOfMemoryError                          Traceback (most recent call last)
Cell In[7], line 3
----> 3 trainer.train()

File /opt/conda/lib/python3.10/site-packages/transformers/trainer.py:1539, in Trainer.train(self, resume_from_checkpoint, trial)
-> 1539 return inner_training_loop(

OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacity of 14.75 GiB of which 3.06 MiB is free.
)"},
    {"handled_traceback_in_a_running_log", "none", R"(step 100/5000 | loss 3.2 | lr 1e-4
Traceback (most recent call last):
  File "/w/upload.py", line 12, in push_metrics
    requests.post(url, json=m, timeout=5)
requests.exceptions.ConnectionError: HTTPSConnectionPool(host='metrics.internal', port=443): Max retries exceeded
metrics upload failed, will retry later
step 101/5000 | loss 3.2 | lr 1e-4
step 102/5000 | loss 3.1 | lr 1e-4
step 103/5000 | loss 3.1 | lr 1e-4
step 104/5000 | loss 3.1 | lr 1e-4
step 105/5000 | loss 3.1 | lr 1e-4
step 106/5000 | loss 3.0 | lr 1e-4
step 107/5000 | loss 3.0 | lr 1e-4
step 108/5000 | loss 3.0 | lr 1e-4
step 109/5000 | loss 3.0 | lr 1e-4
step 110/5000 | loss 3.0 | lr 1e-4
step 111/5000 | loss 2.9 | lr 1e-4
step 112/5000 | loss 2.9 | lr 1e-4
step 113/5000 | loss 2.9 | lr 1e-4
step 114/5000 | loss 2.9 | lr 1e-4
step 115/5000 | loss 2.9 | lr 1e-4
step 116/5000 | loss 2.9 | lr 1e-4
step 117/5000 | loss 2.9 | lr 1e-4
step 118/5000 | loss 2.8 | lr 1e-4
step 119/5000 | loss 2.8 | lr 1e-4
step 120/5000 | loss 2.8 | lr 1e-4
step 121/5000 | loss 2.8 | lr 1e-4
step 122/5000 | loss 2.8 | lr 1e-4
step 123/5000 | loss 2.8 | lr 1e-4
)"},
    {"clean_epoch_bracket_progress", "none", R"([05:19:47.352788] Epoch: [1]  [1480/1504]  lr: 0.000012  closs: 0.9233 (0.9531)  grad_norm: 0.2695 (0.3902)  time: 4.3916  data: 0.0002  max mem: 51710
[05:21:23.350951] Epoch: [1] Total time: 1:52:15
[05:22:31.064605] model saved
[05:25:00.133942] optimizer saved
[05:25:06.033566] Epoch: [2]  [0/1504]  lr: 0.000012  closs: 0.9249 (0.9249)  time: 5.8674  data: 1.3491  max mem: 51710
[05:25:52.210291] Epoch: [2]  [10/1504]  lr: 0.000012  closs: 0.9249 (0.9352)  time: 4.7312  data: 0.1228  max mem: 51710
)"},
    {"clean_hf_dicts_only", "none", R"({'loss': 1.141, 'learning_rate': 8.37e-05, 'epoch': 50.0}
{'loss': 0.0003, 'learning_rate': 6.7e-05, 'epoch': 100.0}
{'loss': 0.0001, 'learning_rate': 5.03e-05, 'epoch': 150.0}
)"},
    {"clean_step_loss_equals", "none", R"(I0912 11:40:27.956218 139735407601536 model_lib_v2.py:652] Step 100 per-step time 0.813s loss=1.396
INFO:root:Step 200 per-step time 0.831s loss=1.192
I0912 11:41:51.976096 139735407601536 model_lib_v2.py:652] Step 200 per-step time 0.831s loss=1.192
)"},
    {"dataloader_reraise_with_original_traceback", "collate_size_mismatch", R"(Epoch 0:   0%|          | 0/313 [00:00<?, ?it/s]
Traceback (most recent call last):
  File "/w/train.py", line 88, in <module>
    for images, labels in train_loader:
  File "/opt/conda/lib/python3.10/site-packages/torch/utils/data/dataloader.py", line 1345, in _process_data
    data.reraise()
  File "/opt/conda/lib/python3.10/site-packages/torch/_utils.py", line 694, in reraise
    raise exception
RuntimeError: Caught RuntimeError in DataLoader worker process 0.
Original Traceback (most recent call last):
  File "/opt/conda/lib/python3.10/site-packages/torch/utils/data/_utils/worker.py", line 308, in _worker_loop
    data = fetcher.fetch(index)
  File "/opt/conda/lib/python3.10/site-packages/torch/utils/data/_utils/collate.py", line 162, in collate_tensor_fn
    return torch.stack(batch, 0, out=out)
RuntimeError: stack expects each tensor to be equal size, but got [3, 224, 224] at entry 0 and [3, 256, 256] at entry 3
)"},
    {"clean_hf_finished", "none", R"(Some weights of BertForSequenceClassification were not initialized from the model checkpoint at bert-base-uncased and are newly initialized: ['classifier.bias', 'classifier.weight']
You should probably TRAIN this model on a down-stream task to be able to use it for predictions and inference.
/venv/lib/python3.10/site-packages/transformers/optimization.py:391: FutureWarning: This implementation of AdamW is deprecated and will be removed in a future version. Use the PyTorch implementation torch.optim.AdamW instead
{'loss': 0.6931, 'learning_rate': 4.5e-05, 'epoch': 0.33}
{'eval_loss': 0.41, 'eval_accuracy': 0.83, 'eval_runtime': 12.1, 'epoch': 1.0}
{'train_runtime': 360.1, 'train_samples_per_second': 44.4, 'train_steps_per_second': 2.8, 'train_loss': 0.48, 'epoch': 1.0}
100%|##########| 1000/1000 [06:00<00:00,  2.78it/s]
)"},
    {"clean_lightning_finished", "none", R"(GPU available: True (cuda), used: True
LOCAL_RANK: 0 - CUDA_VISIBLE_DEVICES: [0]
  | Name  | Type | Params
-------------------------------
0 | model | GPT  | 124 M
Epoch 2: 100%|##########| 1563/1563 [01:23<00:00, 18.72it/s, v_num=0, train_loss=0.312, val_loss=0.298]
`Trainer.fit` stopped: `max_epochs=3` reached.
)"},
    {"clean_truncated_with_warnings", "none", R"(/usr/lib/python3/dist-packages/torch/utils/checkpoint.py:429: UserWarning: torch.utils.checkpoint: please pass in use_reentrant=True or use_reentrant=False explicitly.
  warnings.warn(
node1:2233:2290 [0] NCCL INFO Channel 00/02 :    0   1
[rank0]: step 100/5000 | loss 3.2 | lr 1e-4
[rank1]: step 100/5000 | loss 3.3 | lr 1e-4
[rank0]: step 200/5000 | loss 2.9 | lr 1e-4
)"},
    {"clean_nccl_info_and_metrics", "none", R"(NCCL version 2.18.1+cuda12.1
node1:12345:12401 [0] NCCL INFO Call to connect returned Connection refused, retrying
epoch 1 | train_loss 1.02 | val_loss 1.10 | val_error 0.01 | best_val_loss: inf
epoch 2 | train_loss 0.91 | val_loss 1.01 | val_error 0.009
Saving model to outputs/room_oom/final.pt
)"},
};

class Corpus : public ::testing::TestWithParam<Case> {};

TEST_P(Corpus, RootCauseComesFirst) {
  const Case& c = GetParam();
  Explanation x = testing::explain_text(c.log);
  EXPECT_EQ(testing::top_id(x), c.expected) << c.name;
  if (std::string(c.expected) == "none") {
    EXPECT_TRUE(x.findings.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Logs, Corpus, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& param) { return std::string(param.param.name); });

}  // namespace
}  // namespace trainctl::errors
