#!/usr/bin/env python3
"""PyTorch peer of bench/train-throughput.ts: the same reference models trained the same way, timed on CPU or GPU.

What it does
  Rebuilds each reference model of bench/references.ts in PyTorch -- the same parameter layout (names,
  shapes, [in, out] weight matrices multiplied as x @ W), the same forward computation as src/models/*.ts --
  and trains it with AdamW (decay only on the parameters tfjs decays), global-norm clipping, the same
  warm-up + cosine learning rate and, for sparse runs, a fixed magnitude mask per prunable matrix multiplied
  into the weights after every optimizer step (what the tfjs trainer's hard mask application does). The
  parameter layout is checked name by name against the tfjs one, and the forward FLOP count per unit is
  recomputed here and checked against the tfjs number. Inputs are synthetic: uniformly random token ids
  (lm, t5) and normal random patches (vit); throughput does not depend on the values.

Set-up (Debian 12)
  apt-get install python3-torch libopenblas0-pthread
  Debian's torch links the generic libblas.so.3, which is whatever the libblas.so.3-x86_64-linux-gnu
  alternative points to (`update-alternatives --display libblas.so.3-x86_64-linux-gnu`). To use OpenBLAS
  without changing the system, put its directory first on the library path for this process only:
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread
  (train-throughput.ts does that when the directory exists). The peer prints the BLAS libraries actually
  mapped into the process (/proc/self/maps) and fails if no OpenBLAS is mapped, unless --allow-any-blas.
  Use /usr/bin/python3 (the system interpreter that has torch), not a pyenv or venv python.

Threads
  torch.set_num_threads(--intra-threads, default 1); BLAS threads come from OPENBLAS_NUM_THREADS, which
  must be set before the process starts (read back through openblas_get_num_threads and reported).
  ENGINE.md's figure is 1 intra-op thread + 2 OpenBLAS threads; 1 + 1 gives the per-core figure.

GPU
  --device cuda trains on the first CUDA device in float32 with TF32 off (tfjs's WebGPU backend computes in
  float32): parameters, masks and each step's batch live on the GPU (batches are drawn on the CPU and copied,
  as tfjs uploads its batches), and reading each step's loss waits for the GPU, as the tfjs trainer does.
  Thread and BLAS settings do not apply there (use --allow-any-blas). bench/gpu-check.sh runs it.
  Unlike the tfjs trainer, which reads gradients back, runs clipping, AdamW and the masks on the host and
  uploads the parameters each step, this keeps the optimizer on the GPU: the ratio measures the trainer as
  built, host round trip included.

Run
  npx tsx bench/references.ts lm > /tmp/refs.json
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread OPENBLAS_NUM_THREADS=2 \\
    /usr/bin/python3 bench/torch-peer.py /tmp/refs.json
  (`npx tsx bench/train-throughput.ts lm` runs it for both thread settings and adds the rows to its table.)
  Human-readable lines go to stderr; --json prints one JSON object with every result on stdout.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

INIT_STD = 0.02

# ---------------------------------------------------------------------------------------------------------
# parameter layouts (src/models/lm.ts, t5.ts, vit.ts): (name, shape, prunable, decay)


def pre_ln_block_params(p, d, f):
    """One pre-LN Transformer block of lm and vit (src/models/blocks.ts): (name, shape, prunable, decayed)."""
    return [
        (f"{p}.ln1.g", [d], False, False),
        (f"{p}.ln1.b", [d], False, False),
        (f"{p}.attn.qkv", [d, 3 * d], True, True),
        (f"{p}.attn.proj", [d, d], True, True),
        (f"{p}.ln2.g", [d], False, False),
        (f"{p}.ln2.b", [d], False, False),
        (f"{p}.mlp.fc", [d, f], True, True),
        (f"{p}.mlp.proj", [f, d], True, True),
    ]


def lm_params(s):
    d, f = s["d_model"], s["d_ff"]
    out = [("tok_emb", [s["vocab_size"], d], False, False), ("pos_emb", [s["seq_len"], d], False, False)]
    for i in range(s["n_layers"]):
        out += pre_ln_block_params(f"layers.{i}", d, f)
    out += [("ln_f.g", [d], False, False), ("ln_f.b", [d], False, False)]
    if not s["tied_embeddings"]:
        out.append(("head", [d, s["vocab_size"]], False, True))
    return out


def t5_params(s):
    d, f, h = s["d_model"], s["d_ff"], s["n_heads"]
    out = [
        ("tok_emb", [s["vocab_size"], d], False, False),
        ("enc.rel_bias", [s["rel_buckets"], h], False, False),
        ("dec.rel_bias", [s["rel_buckets"], h], False, False),
    ]
    for i in range(s["n_layers"]):
        p = f"enc.{i}"
        out += [
            (f"{p}.ln1.g", [d], False, False),
            (f"{p}.attn.qkv", [d, 3 * d], True, True),
            (f"{p}.attn.o", [d, d], True, True),
            (f"{p}.ln2.g", [d], False, False),
            (f"{p}.mlp.wi", [d, f], True, True),
            (f"{p}.mlp.wo", [f, d], True, True),
        ]
    out.append(("enc.ln_f.g", [d], False, False))
    for i in range(s["n_layers"]):
        p = f"dec.{i}"
        out += [
            (f"{p}.ln1.g", [d], False, False),
            (f"{p}.self.qkv", [d, 3 * d], True, True),
            (f"{p}.self.o", [d, d], True, True),
            (f"{p}.ln2.g", [d], False, False),
            (f"{p}.cross.q", [d, d], True, True),
            (f"{p}.cross.kv", [d, 2 * d], True, True),
            (f"{p}.cross.o", [d, d], True, True),
            (f"{p}.ln3.g", [d], False, False),
            (f"{p}.mlp.wi", [d, f], True, True),
            (f"{p}.mlp.wo", [f, d], True, True),
        ]
    out.append(("dec.ln_f.g", [d], False, False))
    return out


def vit_patches(s):
    return (s["image_height"] // s["patch_size"]) * (s["image_width"] // s["patch_size"])


def vit_params(s):
    d, f = s["d_model"], s["d_ff"]
    patch_len = s["patch_size"] ** 2 * s["channels"]
    tokens = vit_patches(s) + (1 if s["pooling"] == "cls" else 0)
    out = [
        ("patch.w", [patch_len, d], False, True),
        ("patch.b", [d], False, False),
        ("pos_emb", [tokens, d], False, False),
    ]
    if s["pooling"] == "cls":
        out.append(("cls", [1, d], False, False))
    for i in range(s["n_layers"]):
        out += pre_ln_block_params(f"layers.{i}", d, f)
    out += [
        ("ln_f.g", [d], False, False),
        ("ln_f.b", [d], False, False),
        ("head.w", [d, s["classes"]], False, True),
        ("head.b", [s["classes"]], False, False),
    ]
    return out


# ---------------------------------------------------------------------------------------------------------
# initialisation (same distributions as the tfjs init functions; the values differ, the RNGs do)


def init_params(family, s, layout, gen, device):
    n_layers = s["n_layers"]
    residual = INIT_STD / math.sqrt((4 if family == "t5" else 2) * n_layers)
    out = {}
    for name, shape, _, _ in layout:
        if len(shape) == 1 or name.endswith("rel_bias") or name in ("patch.b", "head.b", "head.w"):
            # norms: gains 1 (t5: every norm is a gain), biases 0; t5 position biases and vit head start at 0
            ones = name.endswith(".g")
            out[name] = torch.ones(shape) if ones else torch.zeros(shape)
            continue
        if family == "t5":
            is_residual_out = name.endswith(".o") or name.endswith(".wo")
        else:
            is_residual_out = name.endswith("attn.proj") or name.endswith("mlp.proj")
        out[name] = torch.randn(shape, generator=gen) * (residual if is_residual_out else INIT_STD)
    return {k: torch.nn.Parameter(v.to(device)) for k, v in out.items()}


# ---------------------------------------------------------------------------------------------------------
# forward passes (src/models/blocks.ts, src/engine/ops.ts and the family files)


def attend(q, k, v, b, tq, tk, h, bias=None):
    """softmax(q·kᵀ/√hd + bias)·v over heads. q: [B*Tq, D], k, v: [B*Tk, D] → [B*Tq, D]."""
    d = q.shape[1]
    hd = d // h

    def heads(z, t):
        return z.reshape(b, t, h, hd).transpose(1, 2)  # [B, H, T, hd]

    scores = torch.matmul(heads(q, tq), heads(k, tk).transpose(-1, -2)) * (1 / math.sqrt(hd))  # [B, H, Tq, Tk]
    if bias is not None:
        scores = scores + bias  # [Tq, Tk] mask or [1, H, Tq, Tk] position bias
    probs = torch.softmax(scores, dim=-1)
    mixed = torch.matmul(probs, heads(v, tk))  # [B, H, Tq, hd]
    return mixed.transpose(1, 2).reshape(b * tq, d)


def causal_mask(t, device):
    """Additive: 0 on and below the diagonal, -1e9 above. [T, T]"""
    return torch.full((t, t), -1e9, device=device).triu(1)


def gelu(x):
    # tanh approximation, as ops.ts
    return F.gelu(x, approximate="tanh")


def layer_norm(x, g, b):
    return F.layer_norm(x, (x.shape[-1],), g, b, eps=1e-5)


def rms_norm(x, g, eps=1e-6):
    return x * torch.rsqrt(x.mul(x).mean(-1, keepdim=True) + eps) * g


def lm_loss(s, p, batch):
    tokens = batch["tokens"]  # [B, T+1]
    b, t1 = tokens.shape
    t = t1 - 1
    d = s["d_model"]
    inputs = tokens[:, :t].reshape(-1)
    targets = tokens[:, 1:].reshape(-1)
    tok_emb = p["tok_emb"]
    x = (tok_emb[inputs].reshape(b, t, d) + p["pos_emb"][:t]).reshape(b * t, d)
    mask = causal_mask(t, x.device)
    for i in range(s["n_layers"]):
        l = f"layers.{i}"
        a = layer_norm(x, p[f"{l}.ln1.g"], p[f"{l}.ln1.b"])
        q, k, v = (a @ p[f"{l}.attn.qkv"]).split(d, dim=1)
        x = x + attend(q, k, v, b, t, t, s["n_heads"], mask) @ p[f"{l}.attn.proj"]
        m = layer_norm(x, p[f"{l}.ln2.g"], p[f"{l}.ln2.b"])
        x = x + gelu(m @ p[f"{l}.mlp.fc"]) @ p[f"{l}.mlp.proj"]
    f = layer_norm(x, p["ln_f.g"], p["ln_f.b"])
    head = tok_emb.t() if s["tied_embeddings"] else p["head"]
    return F.cross_entropy(f @ head, targets)


def relative_bucket(relative, bidirectional, buckets, max_distance):
    """Port of relativeBucket in src/models/relative-position.ts."""
    ret = 0
    n = -relative
    nb = buckets
    if bidirectional:
        nb = nb // 2
        if n < 0:
            ret += nb
        n = abs(n)
    else:
        n = max(n, 0)
    max_exact = nb // 2
    if n < max_exact:
        return ret + n
    large = max_exact + math.floor(math.log(n / max_exact) / math.log(max_distance / max_exact) * (nb - max_exact))
    return ret + min(large, nb - 1)


def relative_buckets(tq, tk, bidirectional, buckets, max_distance):
    ids = [relative_bucket(j - i, bidirectional, buckets, max_distance) for i in range(tq) for j in range(tk)]
    return torch.tensor(ids, dtype=torch.long)  # [Tq*Tk]


def position_bias(table, idx, tq, tk, h):
    """[1, H, Tq, Tk] from the shared [buckets, H] table."""
    return table[idx].t().reshape(1, h, tq, tk)


def t5_loss(s, p, batch, buckets):
    b = batch["input"].shape[0] // s["input_len"]
    tin, tt, h, d = s["input_len"], s["target_len"], s["n_heads"], s["d_model"]
    emb = p["tok_emb"]

    def ff(x, wi, wo):
        hidden = x @ wi
        return (gelu(hidden) if s["ff_activation"] == "gelu" else torch.relu(hidden)) @ wo

    x = emb[batch["input"]]  # [B*Tin, D]
    enc_bias = position_bias(p["enc.rel_bias"], buckets["enc"], tin, tin, h)
    for i in range(s["n_layers"]):
        l = f"enc.{i}"
        a = rms_norm(x, p[f"{l}.ln1.g"])
        q, k, v = (a @ p[f"{l}.attn.qkv"]).split(d, dim=1)
        x = x + attend(q, k, v, b, tin, tin, h, enc_bias) @ p[f"{l}.attn.o"]
        x = x + ff(rms_norm(x, p[f"{l}.ln2.g"]), p[f"{l}.mlp.wi"], p[f"{l}.mlp.wo"])
    memory = rms_norm(x, p["enc.ln_f.g"])  # [B*Tin, D]

    y = emb[batch["decoder_in"]]  # [B*Tt, D]
    dec_bias = position_bias(p["dec.rel_bias"], buckets["dec"], tt, tt, h) + causal_mask(tt, emb.device)
    for i in range(s["n_layers"]):
        l = f"dec.{i}"
        a = rms_norm(y, p[f"{l}.ln1.g"])
        q, k, v = (a @ p[f"{l}.self.qkv"]).split(d, dim=1)
        y = y + attend(q, k, v, b, tt, tt, h, dec_bias) @ p[f"{l}.self.o"]
        c = rms_norm(y, p[f"{l}.ln2.g"])
        cq = c @ p[f"{l}.cross.q"]
        ck, cv = (memory @ p[f"{l}.cross.kv"]).split(d, dim=1)
        y = y + attend(cq, ck, cv, b, tt, tin, h) @ p[f"{l}.cross.o"]
        y = y + ff(rms_norm(y, p[f"{l}.ln3.g"]), p[f"{l}.mlp.wi"], p[f"{l}.mlp.wo"])
    out = rms_norm(y, p["dec.ln_f.g"]) * d**-0.5  # tied head scaling (T5)
    return F.cross_entropy(out @ emb.t(), batch["target"])


def vit_loss(s, p, batch):
    b = batch["labels"].shape[0]
    d = s["d_model"]
    n_patches = vit_patches(s)
    embedded = batch["patches"] @ p["patch.w"] + p["patch.b"]  # [B*P, D]
    tokens = embedded.reshape(b, n_patches, d)
    if s["pooling"] == "cls":
        cls = p["cls"].reshape(1, 1, d).expand(b, 1, d)
        tokens = torch.cat([cls, tokens], dim=1)  # [B, P+1, D]
    t = tokens.shape[1]
    x = (tokens + p["pos_emb"]).reshape(b * t, d)
    for i in range(s["n_layers"]):
        l = f"layers.{i}"
        a = layer_norm(x, p[f"{l}.ln1.g"], p[f"{l}.ln1.b"])
        q, k, v = (a @ p[f"{l}.attn.qkv"]).split(d, dim=1)
        x = x + attend(q, k, v, b, t, t, s["n_heads"]) @ p[f"{l}.attn.proj"]
        m = layer_norm(x, p[f"{l}.ln2.g"], p[f"{l}.ln2.b"])
        x = x + gelu(m @ p[f"{l}.mlp.fc"]) @ p[f"{l}.mlp.proj"]
    seq = x.reshape(b, t, d)
    pooled = seq[:, 0, :] if s["pooling"] == "cls" else seq.mean(1)
    f = layer_norm(pooled, p["ln_f.g"], p["ln_f.b"])
    return F.cross_entropy(f @ p["head.w"] + p["head.b"], batch["labels"])


# ---------------------------------------------------------------------------------------------------------
# FLOP counts (the forwardFlopsPerUnit functions), checked against the number tfjs passes in


def forward_flops_per_unit(family, s):
    d = s["d_model"]
    if family == "lm":
        blocks = s["n_layers"] * (2 * (4 * d * d + 2 * d * s["d_ff"]) + 2 * 2 * s["seq_len"] * d)
        return blocks + 2 * d * s["vocab_size"]
    if family == "t5":
        f, tin, tt = s["d_ff"], s["input_len"], s["target_len"]
        encoder = tin * (2 * (4 * d * d + 2 * d * f) + 4 * tin * d)
        decoder = tt * (2 * (6 * d * d + 2 * d * f) + 4 * tt * d + 4 * tin * d) + tin * 2 * 2 * d * d
        return (s["n_layers"] * (encoder + decoder) + tt * 2 * d * s["vocab_size"]) / tin
    t = vit_patches(s) + (1 if s["pooling"] == "cls" else 0)
    patch_len = s["patch_size"] ** 2 * s["channels"]
    blocks = s["n_layers"] * t * (2 * (4 * d * d + 2 * d * s["d_ff"]) + 4 * t * d)
    return vit_patches(s) * 2 * patch_len * d + blocks + 2 * d * s["classes"]


# ---------------------------------------------------------------------------------------------------------
# training


def lr_at(t, total, peak, o):
    """Port of lrAt in src/train/lr-schedule.ts (t is 0-based)."""
    w = round(o["warmup"] * total) if o["warmup"] < 1 else round(o["warmup"])
    w = min(w, total)
    if t < w:
        return peak * (t + 1) / w
    decay_steps = total - w - 1
    prog = 1 if decay_steps <= 0 else min(1, (t - w) / decay_steps)
    low = peak * o["min_lr_ratio"]
    return low + (peak - low) * 0.5 * (1 + math.cos(math.pi * prog))


def make_batch(family, s, ref, gen, device):
    """A random batch, drawn on the CPU (the generator's device) and copied to `device`."""
    b = ref["batch_size"]
    if family == "lm":
        batch = {"tokens": torch.randint(0, s["vocab_size"], (b, ref["seq_len"] + 1), generator=gen)}
    elif family == "t5":
        v = s["vocab_size"]
        batch = {
            "input": torch.randint(0, v, (b * s["input_len"],), generator=gen),
            "decoder_in": torch.randint(0, v, (b * s["target_len"],), generator=gen),
            "target": torch.randint(0, v, (b * s["target_len"],), generator=gen),
        }
    else:
        patch_len = s["patch_size"] ** 2 * s["channels"]
        batch = {
            "patches": torch.randn(b * vit_patches(s), patch_len, generator=gen),
            "labels": torch.randint(0, s["classes"], (b,), generator=gen),
        }
    return {k: v.to(device) for k, v in batch.items()}


def magnitude_masks(params, layout, sparsity):
    """Per prunable matrix (uniform distribution, unstructured): the round(S·n) smallest |w| masked."""
    masks = {}
    if sparsity == 0:
        return masks
    for name, _, prunable, _ in layout:
        if not prunable:
            continue
        w = params[name].detach()
        n = w.numel()
        keep = n - round(sparsity * n)
        mask = torch.zeros(n, device=w.device)
        mask[w.abs().flatten().topk(keep).indices] = 1
        masks[name] = mask.reshape(w.shape)
    return masks


def check_layout(ref, layout):
    theirs = [(p["name"], list(p["shape"]), p["prunable"], p["decay"]) for p in ref["params"]]
    ours = [(n, list(sh), pr, de) for n, sh, pr, de in layout]
    if ours != theirs:
        diff = [f"{a} != {b}" for a, b in zip(ours, theirs) if a != b][:5]
        raise SystemExit(f"{ref['name']}: parameter layout differs from tfjs ({len(ours)} vs {len(theirs)}): {diff}")
    total = sum(math.prod(sh) for _, sh, _, _ in layout)
    prunable = sum(math.prod(sh) for _, sh, pr, _ in layout if pr)
    return total, prunable


def train(ref, sparsity, args):
    family = ref["model"]["family"]
    s = ref["model"]
    layout = {"lm": lm_params, "t5": t5_params, "vit": vit_params}[family](s)
    total, prunable = check_layout(ref, layout)
    if total != ref["param_counts"]["total"] or prunable != ref["param_counts"]["prunable"]:
        raise SystemExit(f"{ref['name']}: parameter count {total} differs from tfjs {ref['param_counts']['total']}")
    flops = forward_flops_per_unit(family, s)
    if abs(flops - ref["forward_flops_per_unit"]) > 1e-6 * flops:
        raise SystemExit(f"{ref['name']}: FLOPs per unit {flops} differ from tfjs {ref['forward_flops_per_unit']}")

    gen = torch.Generator().manual_seed(0)
    params = init_params(family, s, layout, gen, args.device)
    if sum(v.numel() for v in params.values()) != total:
        raise SystemExit(f"{ref['name']}: built {sum(v.numel() for v in params.values())} parameters, expected {total}")
    masks = magnitude_masks(params, layout, sparsity)

    o = ref["optimizer"]
    decayed = [params[n] for n, _, _, de in layout if de]
    plain = [params[n] for n, _, _, de in layout if not de]
    opt = torch.optim.AdamW(
        [{"params": decayed, "weight_decay": o["weight_decay"]}, {"params": plain, "weight_decay": 0.0}],
        lr=o["lr"],
        betas=(o["beta1"], o["beta2"]),
        eps=o["eps"],
    )
    all_params = list(params.values())
    loss_fn = loss_function(family, s, params, args.device)

    def apply_masks():
        with torch.no_grad():
            for name, mask in masks.items():
                params[name].mul_(mask)

    apply_masks()
    steps = args.warmup + args.segments * args.steps
    step = 0
    last_loss = float("nan")

    def one_step():
        nonlocal step, last_loss
        step += 1
        batch = make_batch(family, s, ref, gen, args.device)
        loss = loss_fn(batch)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if ref["grad_clip"] is not None:
            torch.nn.utils.clip_grad_norm_(all_params, ref["grad_clip"])
        lr = lr_at(step - 1, steps, o["lr"], ref["lr_schedule"])
        for group in opt.param_groups:
            group["lr"] = lr
        opt.step()
        apply_masks()
        last_loss = loss.item()
        if not math.isfinite(last_loss):
            raise SystemExit(f"{ref['name']}: training loss {last_loss} at step {step}")

    for _ in range(args.warmup):
        one_step()
    rates = []
    for _ in range(args.segments):
        t0 = time.perf_counter()
        for _ in range(args.steps):
            one_step()
        rates.append(args.steps * ref["units_per_batch"] / (time.perf_counter() - t0))

    zeros = sum(int((params[n] == 0).sum()) for n, _, pr, _ in layout if pr)
    best = max(rates)
    return {
        "name": ref["name"],
        "family": family,
        "sparsity": sparsity,
        "unit": ref["unit"],
        "units_per_s": best,
        "units_per_s_median": statistics.median(rates),
        "segments": len(rates),
        "steps_per_segment": args.steps,
        "model_gflops": best * 3 * flops / 1e9,
        "params_total": total,
        "params_prunable": prunable,
        "achieved_sparsity": zeros / prunable,
        "final_loss": last_loss,
    }


def loss_function(family, s, params, device="cpu"):
    buckets = None
    if family == "t5":
        tin, tt, nb, md = s["input_len"], s["target_len"], s["rel_buckets"], s["rel_max_distance"]
        buckets = {
            "enc": relative_buckets(tin, tin, True, nb, md).to(device),
            "dec": relative_buckets(tt, tt, False, nb, md).to(device),
        }
    return {
        "lm": lambda b: lm_loss(s, params, b),
        "t5": lambda b: t5_loss(s, params, b, buckets),
        "vit": lambda b: vit_loss(s, params, b),
    }[family]


def check(ref, given):
    """Loss and global gradient norm for tfjs's weights and batch (bench/torch-peer-check.ts)."""
    family, s = ref["model"]["family"], ref["model"]
    layout = {"lm": lm_params, "t5": t5_params, "vit": vit_params}[family](s)
    check_layout(ref, layout)
    params = {n: torch.nn.Parameter(torch.tensor(given["params"][n], dtype=torch.float32).reshape(sh)) for n, sh, _, _ in layout}
    g = given["batch"]
    ints = lambda k: torch.tensor(g[k], dtype=torch.long)  # noqa: E731
    if family == "lm":
        batch = {"tokens": ints("tokens").reshape(g["batchSize"], g["seqLen"] + 1)}
    elif family == "t5":
        batch = {"input": ints("input"), "decoder_in": ints("decoderIn"), "target": ints("target")}
    else:
        patch_len = s["patch_size"] ** 2 * s["channels"]
        batch = {"patches": torch.tensor(g["patches"], dtype=torch.float32).reshape(-1, patch_len), "labels": ints("labels")}
    loss = loss_function(family, s, params)(batch)
    loss.backward()
    norm = math.sqrt(sum(float(p.grad.double().pow(2).sum()) for p in params.values()))
    return {"loss": loss.item(), "grad_norm": norm}


def matmul_ceiling(device="cpu", reps=100, tries=5):
    """GFLOP/s of a plain [2048,128]·[128,512] product (best of `tries`), as train-throughput.ts measures.
    On a GPU this small product measures launch cost more than the GPU's arithmetic."""
    a = torch.randn(2048, 128, device=device)
    b = torch.randn(128, 512, device=device)
    a @ b
    sync()
    best = 0.0
    for _ in range(tries):
        t0 = time.perf_counter()
        for _ in range(reps):
            a @ b
        sync()
        best = max(best, 2 * 2048 * 128 * 512 * reps / (time.perf_counter() - t0) / 1e9)
    return best


def sync():
    """Waits for queued GPU work (nothing to wait for on the CPU)."""
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


# ---------------------------------------------------------------------------------------------------------
# environment


def blas_info():
    """BLAS libraries mapped into this process, and OpenBLAS's own view of its core and thread count."""
    torch.randn(64, 64) @ torch.randn(64, 64)  # make sure the BLAS is loaded and initialised
    mapped = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            base = os.path.basename(path)
            if "blas" in base or "lapack" in base or "mkl" in base:
                mapped.add(os.path.realpath(path))
    info = {"mapped": sorted(mapped), "openblas": None}
    # the first OpenBLAS that answers by its plain names (numpy's bundled copy, mapped beside torch's on some
    # machines, exports them under another prefix)
    for lib in (m for m in sorted(mapped) if "openblas" in os.path.basename(m)):
        ob = ctypes.CDLL(lib)
        try:
            ob.openblas_get_corename.restype = ctypes.c_char_p
            ob.openblas_get_config.restype = ctypes.c_char_p
            info["openblas"] = {
                "library": lib,
                "corename": ob.openblas_get_corename().decode(),
                "config": ob.openblas_get_config().decode().strip(),
                "threads": ob.openblas_get_num_threads(),
            }
            break
        except AttributeError:
            continue
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("config", help="JSON from `npx tsx bench/references.ts` ('-' reads stdin)")
    ap.add_argument("--only", nargs="*", default=None, help="reference names to run (default: all in the file)")
    ap.add_argument("--intra-threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    ap.add_argument("--warmup", type=int, default=5, help="untimed steps first (default 5)")
    ap.add_argument("--segments", type=int, default=5, help="timed segments; the best is reported (default 5)")
    ap.add_argument("--steps", type=int, default=10, help="steps per timed segment (default 10)")
    ap.add_argument("--json", action="store_true", help="print one JSON object with every result on stdout")
    ap.add_argument("--check", action="store_true", help="compute the loss of the file's weights and batch, and exit")
    ap.add_argument("--allow-any-blas", action="store_true", help="run even if OpenBLAS is not mapped")
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu", help="where to train (default cpu)")
    args = ap.parse_args()
    if args.device == "cuda":
        if not torch.cuda.is_available():
            raise SystemExit("--device cuda: torch sees no CUDA device")
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False

    torch.set_num_threads(args.intra_threads)
    torch.set_num_interop_threads(1)
    cfg = json.load(sys.stdin if args.config == "-" else open(args.config))
    refs = [r for r in cfg["references"] if args.only is None or r["name"] in args.only]
    if args.check:
        print(json.dumps(check(refs[0], cfg["check"])))
        return

    blas = blas_info()
    # the CPU peer is defined by its BLAS; on the GPU the BLAS only describes the host
    if args.device == "cpu" and blas["openblas"] is None and not args.allow_any_blas:
        raise SystemExit(
            f"no OpenBLAS mapped into the process (mapped: {blas['mapped']}); run with "
            "LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread (apt-get install libopenblas0-pthread)"
        )
    env = {
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "intra_op_threads": torch.get_num_threads(),
        "blas_threads": blas["openblas"]["threads"] if blas["openblas"] else None,
        "blas": blas,
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
        "device": args.device,
        "device_name": torch.cuda.get_device_name(0) if args.device == "cuda" else None,
    }
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    ob = blas["openblas"]
    log(
        f"torch {env['torch']}, intra-op threads {env['intra_op_threads']}, "
        + (f"OpenBLAS {ob['library']} core {ob['corename']}, {ob['threads']} BLAS threads" if ob else f"BLAS {blas['mapped']}")
    )
    if args.device == "cuda":
        log(f"device: {env['device_name']}, float32 (TF32 off)")
    ceiling = matmul_ceiling(args.device)
    log(f"plain [2048,128]x[128,512] matmul: {ceiling:.1f} GFLOP/s")
    results = []
    for ref in refs:
        for sparsity in ref["sparsities"]:
            r = train(ref, sparsity, args)
            results.append(r)
            log(
                f"{r['name']} sparsity {sparsity}: {r['units_per_s']:.0f} {r['unit']}/s best of {r['segments']} "
                f"(median {r['units_per_s_median']:.0f}), {r['model_gflops']:.2f} GFLOP/s, "
                f"{r['params_total']} params (= tfjs), achieved sparsity {r['achieved_sparsity']:.3f}, "
                f"loss {r['final_loss']:.3f}"
            )
    # measured again after training, best of both: a busy machine rarely slows every repetition
    ceiling = max(ceiling, matmul_ceiling(args.device))
    log(f"plain matmul, best of before and after: {ceiling:.1f} GFLOP/s")
    for r in results:
        r["ceiling_gflops"] = ceiling
    if args.json:
        print(json.dumps({"environment": env, "ceiling_gflops": ceiling, "results": results}))


if __name__ == "__main__":
    main()
