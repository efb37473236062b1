#!/usr/bin/python3
"""Measures what one training step of a transformer really holds in memory, with real PyTorch on
the CPU, for trainctl's estimator to be checked against (tests/estimate/).

Reads a JSON list of configurations on stdin (or --grid for the built-in one) and prints one JSON
object per configuration:
  params          parameter count
  weights         bytes of the parameters
  gradients       bytes of .grad after backward
  optimizer       bytes of the optimizer's state after a step (every tensor, counted once)
  activations     bytes saved for backward at the end of the forward pass, through
                  torch.autograd.graph.saved_tensors_hooks, each storage once, parameters excluded
  peak            the largest number of bytes of live tensors during a steady-state step (the second:
                  the optimizer's state exists), weights and optimizer state included
Nothing is estimated here: every figure is read off the tensors PyTorch made.

A configuration: {"family": "gpt2"|"llama", "vocab": V, "d_model": C, "n_layers": L, "n_heads": H,
"n_kv_heads": K (llama), "d_ff": F, "seq": T, "batch": B, "precision": "fp32"|"bf16"|"bf16-pure",
"optimizer": "adamw"|"sgd"|"sgd-momentum", "checkpointing": "none"|"full", "tied": bool}
"""
import json
import math
from contextlib import nullcontext
import sys
import weakref

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.utils.checkpoint
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten


# --- the models: written the way nanoGPT (GPT-2) and Hugging Face's eager LLaMA are ---------------

class GptBlock(nn.Module):
    def __init__(self, c, h, f):
        super().__init__()
        self.h = h
        self.ln_1 = nn.LayerNorm(c)
        self.c_attn = nn.Linear(c, 3 * c)
        self.c_proj = nn.Linear(c, c)
        self.ln_2 = nn.LayerNorm(c)
        self.c_fc = nn.Linear(c, f)
        self.mlp_proj = nn.Linear(f, c)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(c, dim=2)
        q = q.view(b, t, self.h, c // self.h).transpose(1, 2)
        k = k.view(b, t, self.h, c // self.h).transpose(1, 2)
        v = v.view(b, t, self.h, c // self.h).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        att = att.masked_fill(~mask, float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
        x = x + self.c_proj(y)
        x = x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x))))
        return x


class Gpt(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        v, c, t = cfg["vocab"], cfg["d_model"], cfg["seq"]
        self.wte = nn.Embedding(v, c)
        self.wpe = nn.Embedding(cfg.get("max_seq", t), c)
        self.blocks = nn.ModuleList(GptBlock(c, cfg["n_heads"], cfg["d_ff"]) for _ in range(cfg["n_layers"]))
        self.ln_f = nn.LayerNorm(c)
        self.lm_head = nn.Linear(c, v, bias=False)
        if cfg.get("tied", True):
            self.lm_head.weight = self.wte.weight
        self.checkpointing = cfg.get("checkpointing", "none") == "full"

    def forward(self, idx):
        pos = torch.arange(idx.size(1))
        x = self.wte(idx) + self.wpe(pos)
        for block in self.blocks:
            x = torch.utils.checkpoint.checkpoint(block, x) if self.checkpointing else block(x)
        return self.lm_head(self.ln_f(x))


class RmsNorm(nn.Module):
    def __init__(self, c, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.eps = eps

    def forward(self, x):
        dtype = x.dtype
        x = x.to(torch.float32)
        variance = x.pow(2).mean(-1, keepdim=True)
        x = x * torch.rsqrt(variance + self.eps)
        return self.weight * x.to(dtype)


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


class LlamaBlock(nn.Module):
    def __init__(self, c, h, kv, f):
        super().__init__()
        self.h, self.kv, self.hd = h, kv, c // h
        self.input_layernorm = RmsNorm(c)
        self.q_proj = nn.Linear(c, h * self.hd, bias=False)
        self.k_proj = nn.Linear(c, kv * self.hd, bias=False)
        self.v_proj = nn.Linear(c, kv * self.hd, bias=False)
        self.o_proj = nn.Linear(h * self.hd, c, bias=False)
        self.post_attention_layernorm = RmsNorm(c)
        self.gate_proj = nn.Linear(c, f, bias=False)
        self.up_proj = nn.Linear(c, f, bias=False)
        self.down_proj = nn.Linear(f, c, bias=False)

    def forward(self, x, cos, sin):
        b, t, c = x.shape
        hx = self.input_layernorm(x)
        q = self.q_proj(hx).view(b, t, self.h, self.hd).transpose(1, 2)
        k = self.k_proj(hx).view(b, t, self.kv, self.hd).transpose(1, 2)
        v = self.v_proj(hx).view(b, t, self.kv, self.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = self.h // self.kv
        if rep > 1:
            k = k[:, :, None].expand(b, self.kv, rep, t, self.hd).reshape(b, self.h, t, self.hd)
            v = v[:, :, None].expand(b, self.kv, rep, t, self.hd).reshape(b, self.h, t, self.hd)
        att = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.hd)
        mask = torch.full((t, t), float("-inf")).triu(1)
        att = att + mask
        att = F.softmax(att, dim=-1, dtype=torch.float32).to(q.dtype)
        y = torch.matmul(att, v).transpose(1, 2).contiguous().reshape(b, t, c)
        x = x + self.o_proj(y)
        hx = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(hx)) * self.up_proj(hx))


class Llama(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        v, c, h = cfg["vocab"], cfg["d_model"], cfg["n_heads"]
        self.embed_tokens = nn.Embedding(v, c)
        self.layers = nn.ModuleList(
            LlamaBlock(c, h, cfg.get("n_kv_heads", h), cfg["d_ff"]) for _ in range(cfg["n_layers"]))
        self.norm = RmsNorm(c)
        self.lm_head = nn.Linear(c, v, bias=False)
        if cfg.get("tied", False):
            self.lm_head.weight = self.embed_tokens.weight
        hd = c // h
        inv = 1.0 / (10000 ** (torch.arange(0, hd, 2).float() / hd))
        freqs = torch.outer(torch.arange(cfg["seq"]).float(), inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.register_buffer("cos", emb.cos(), persistent=False)
        self.register_buffer("sin", emb.sin(), persistent=False)
        self.checkpointing = cfg.get("checkpointing", "none") == "full"

    def forward(self, idx):
        x = self.embed_tokens(idx)
        t = idx.size(1)
        cos, sin = self.cos[:t].to(x.dtype), self.sin[:t].to(x.dtype)
        for layer in self.layers:
            if self.checkpointing:
                x = torch.utils.checkpoint.checkpoint(layer, x, cos, sin)
            else:
                x = layer(x, cos, sin)
        return self.lm_head(self.norm(x))


# --- measuring ------------------------------------------------------------------------------------

def storage_of(t):
    s = t.storage()
    return s.data_ptr(), s.nbytes()


class LiveBytes(TorchDispatchMode):
    """Bytes of the tensors made while active that are still alive, and their peak: each storage
    counted once, released when the last tensor on it is freed."""

    def __init__(self, external):
        super().__init__()
        self.external = external  # storages made before (weights, optimizer state): not counted
        self.refs = {}
        self.live = 0
        self.peak = 0

    def _release(self, ptr):
        entry = self.refs.get(ptr)
        if entry is None:
            return
        entry[0] -= 1
        if entry[0] == 0:
            self.live -= entry[1]
            del self.refs[ptr]

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in tree_flatten(out)[0]:
            if not isinstance(t, torch.Tensor):
                continue
            ptr, nbytes = storage_of(t)
            if ptr == 0 or nbytes == 0 or ptr in self.external:
                continue
            entry = self.refs.get(ptr)
            if entry is None:
                self.refs[ptr] = [1, nbytes]
                self.live += nbytes
                self.peak = max(self.peak, self.live)
            else:
                entry[0] += 1
            weakref.finalize(t, self._release, ptr)
        return out


def tensor_bytes(tensors):
    seen, total = set(), 0
    for t in tensors:
        ptr, nbytes = storage_of(t)
        if ptr not in seen:
            seen.add(ptr)
            total += nbytes
    return total


def make_optimizer(name, params):
    if name == "adamw":
        return torch.optim.AdamW(params, lr=1e-4)
    if name == "sgd-momentum":
        return torch.optim.SGD(params, lr=1e-4, momentum=0.9)
    return torch.optim.SGD(params, lr=1e-4)


def measure(cfg):
    torch.manual_seed(0)
    model = (Gpt if cfg["family"] == "gpt2" else Llama)(cfg)
    precision = cfg.get("precision", "fp32")
    if precision == "bf16-pure":
        model = model.to(torch.bfloat16)
    model.train()
    params = list(model.parameters())  # shared (tied) parameters appear once
    state_ptrs = {storage_of(t)[0] for t in list(model.parameters()) + list(model.buffers())}
    opt = make_optimizer(cfg.get("optimizer", "adamw"), params)
    b, t, v = cfg["batch"], cfg["seq"], cfg["vocab"]
    autocast = precision == "bf16"

    def step(saved=None):
        opt.zero_grad(set_to_none=True)
        idx = torch.randint(0, v, (b, t))
        targets = torch.randint(0, v, (b, t))

        def pack(tensor):
            ptr, nbytes = storage_of(tensor)
            if ptr not in state_ptrs and ptr not in saved:
                saved[ptr] = nbytes
            return tensor

        hooks = torch.autograd.graph.saved_tensors_hooks(pack, lambda x: x) if saved is not None else nullcontext()
        with hooks:
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
                logits = model(idx)
                loss = F.cross_entropy(logits.view(-1, v).float() if autocast else logits.view(-1, v),
                                       targets.view(-1))
        activations = sum(saved.values()) if saved is not None else None
        del logits
        loss.backward()
        del loss
        opt.step()
        return activations

    step()  # the optimizer's state is made in the first step
    saved = {}
    activations = step(saved)
    # A step of its own for the peak: under a dispatch mode, PyTorch 1.13 hands wrapped scalars to
    # Python as floats, which the saved-tensor hooks' detach cannot take back.
    external = state_ptrs | {storage_of(x)[0] for s in opt.state.values() for x in s.values()
                             if isinstance(x, torch.Tensor)}
    live = LiveBytes(external)
    with live:
        step()
    weights = tensor_bytes(params)
    gradients = tensor_bytes([p.grad for p in params if p.grad is not None])
    optimizer = tensor_bytes([x for s in opt.state.values() for x in s.values() if isinstance(x, torch.Tensor)])
    return {
        "config": cfg,
        "params": sum(p.numel() for p in params),
        "param_tensors": len(params),
        "weights": weights,
        "gradients": gradients,
        "optimizer": optimizer,
        "activations": activations,
        # Weights and the optimizer's state were made before the measured step; gradients were
        # freed by zero_grad and made again inside it.
        "peak": weights + optimizer + live.peak,
    }


def grid():
    g = []
    base_gpt = {"family": "gpt2", "vocab": 512, "d_model": 128, "n_layers": 2, "n_heads": 4, "d_ff": 512, "tied": True}
    base_llama = {"family": "llama", "vocab": 512, "d_model": 128, "n_layers": 2, "n_heads": 4, "n_kv_heads": 2,
                  "d_ff": 344, "tied": False}
    for base in (base_gpt, base_llama):
        for batch, seq in ((1, 64), (4, 256), (16, 128), (2, 1024)):
            g.append(dict(base, batch=batch, seq=seq, precision="fp32", optimizer="adamw", checkpointing="none"))
        g.append(dict(base, batch=4, seq=256, precision="bf16", optimizer="adamw", checkpointing="none"))
        g.append(dict(base, batch=4, seq=256, precision="bf16-pure", optimizer="adamw", checkpointing="none"))
        g.append(dict(base, batch=4, seq=256, precision="fp32", optimizer="sgd", checkpointing="none"))
        g.append(dict(base, batch=4, seq=256, precision="fp32", optimizer="sgd-momentum", checkpointing="none"))
        g.append(dict(base, batch=8, seq=128, precision="fp32", optimizer="adamw", checkpointing="full"))
        g.append(dict(base, batch=8, seq=128, precision="bf16", optimizer="adamw", checkpointing="full"))
        g.append(dict(base, batch=2, seq=64, precision="fp32", optimizer="adamw", checkpointing="none",
                      d_model=256, n_heads=8, n_layers=3, d_ff=1024 if base is base_gpt else 688))
    return g


def main():
    torch.set_num_threads(1)
    configs = grid() if "--grid" in sys.argv else json.load(sys.stdin)
    for cfg in configs:
        print(json.dumps(measure(cfg)), flush=True)


if __name__ == "__main__":
    main()
