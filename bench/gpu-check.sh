#!/usr/bin/env bash
# The engine's GPU checks in one run, for a machine with an NVIDIA GPU: what `doctor` sees (the adapter, and
# what `auto` picks); the webgpu/wasm loss agreement test on the real GPU (test/e2e/webgpu.test.ts, 1e-4 on
# hardware), our fused WGSL programs against tfjs's composed ops, and a device error failing its trial; training
# throughput of the lm-12m reference (12.8M parameters; bench/references.ts) and the small lm on webgpu (the
# optimizer step on the GPU, as the trainer runs it, and on the host for comparison) and wasm, with the PyTorch
# peer on the same GPU (float32, TF32 off); then where one webgpu step of the first model spends its time, and how
# many programs it records, with our fused WGSL programs and with tfjs's composed ops. Exits non-zero if any step
# failed, the GPU peer included.
#
# The machine needs the NVIDIA driver with its Vulkan ICD, python3 with a CUDA build of PyTorch (for the peer),
# xz and tar. Where the checkout has no `npm install` done, Node, the packages, this checkout's build and a
# Vulkan loader come from .gpu-kit/ (scripts/gpu-kit.sh packs it on a machine with npm; about 50 MB; its
# binaries need glibc >= 2.34). A checkout with `npm install` done runs on the machine's own Node (>= 20.19).
#
# Run from anywhere: bench/gpu-check.sh [out-dir]   (default: $OUT, else /tmp/gpu-check)
# Everything printed is also in <out-dir>/gpu-check.log, the table in throughput.md, doctor's report in
# doctor.json, the first model on webgpu with the composed ops in throughput-composed.md, the split of one webgpu
# step of the first model (bench/profile-step.ts) in profile-step.txt. Takes about 4-6 minutes (the wasm rows of lm-12m are ~1 minute of it).
set -uo pipefail
out=${1:-${OUT:-/tmp/gpu-check}}
mkdir -p "$out" && out=$(cd "$out" && pwd) # absolute, before leaving the caller's folder
cd "$(dirname "$0")/.." || exit 1
kit=$PWD/.gpu-kit
# the reference models timed (bench/references.ts); a smaller set tries the script out on a software driver
models=${SPARSEBENCH_GPU_CHECK_MODELS:-lm-12m lm}
python=${SPARSEBENCH_TORCH_PYTHON:-python3}

step() {
  echo
  echo "## $* ($(date -u +%T))"
}

# Node 20.19 or newer (package.json's engines), as the `node` on PATH?
node_ok() {
  node -e '
const [maj, min] = process.versions.node.split(".").map(Number);
process.exit(maj > 20 || (maj === 20 && min >= 19) ? 0 : 1);' 2>/dev/null
}

setup() {
  step "set-up"
  if [ -d node_modules/@tensorflow/tfjs-core ]; then
    # `npm install` was done here: its packages were built for the machine's own Node
    node_ok || { echo "node_modules is here but node $(node --version 2>&1) is not >= 20.19" && return 1; }
  else
    [ -f "$kit/node.xz" ] && [ -f "$kit/modules.tar.xz" ] ||
      { echo "no node_modules and no kit: run npm install, or scripts/gpu-kit.sh where npm works" && return 1; }
    echo "kit built from $(cat "$kit/commit" 2>/dev/null || echo 'an unknown commit')"
    # the kit's Node with the kit's packages (its addons are built for that Node), unpacked into the kit
    mkdir -p "$kit/bin" && xz -dc "$kit/node.xz" >"$kit/bin/node.part" && chmod +x "$kit/bin/node.part" &&
      mv "$kit/bin/node.part" "$kit/bin/node" || { echo "could not unpack $kit/node.xz" && return 1; }
    export PATH=$kit/bin:$PATH
    tar -xJf "$kit/modules.tar.xz" || { echo "could not unpack $kit/modules.tar.xz" && return 1; }
    node_ok || { echo "the kit's node does not run here: $(node --version 2>&1)" && return 1; }
  fi
  # the kit's Vulkan loader, only where the machine has none (ldconfig may be off a user's PATH)
  local cache
  cache=$({ ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null)
  if ! grep 'libvulkan.so.1 ' <<<"$cache" >/dev/null && [ -f "$kit/lib/libvulkan.so.1" ]; then
    export LD_LIBRARY_PATH=$kit/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    echo "Vulkan loader: the kit's ($kit/lib)"
  fi
  # NVIDIA's Vulkan driver manifest and libraries, where the driver is mounted outside the loader's paths
  # (both variables: loaders before 1.3.207 read only VK_ICD_FILENAMES)
  if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] &&
    ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
    for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/icd.d/nvidia_icd.json; do
      if [ -f "$f" ]; then export VK_DRIVER_FILES=$f VK_ICD_FILENAMES=$f; fi
    done
    if [ -d /usr/local/nvidia/lib64 ]; then
      export LD_LIBRARY_PATH=/usr/local/nvidia/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    fi
  fi
  echo "node $(node --version), VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || echo "nvidia-smi: not found"
  "$python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())' ||
    echo "$python cannot import torch: the GPU peer will fail"
}

checks() {
  local failed=0
  step "doctor"
  node bin/sparsebench.js doctor --seconds 6 --json | tee "$out/doctor.json" || failed=1

  step "webgpu against wasm on the GPU (lm, t5, vit, dense and 75% sparse); fused WGSL ops against composed; device errors"
  SPARSEBENCH_REQUIRE_WEBGPU=1 node node_modules/vitest/vitest.mjs run test/e2e/webgpu.test.ts \
    test/engine/webgpu-fused.test.ts test/train/webgpu-device-error.test.ts || failed=1

  step "throughput: $models on webgpu and wasm, PyTorch on the same GPU"
  # shellcheck disable=SC2086
  SPARSEBENCH_TORCH_PYTHON=$python SPARSEBENCH_TORCH_DEVICE=cuda \
    node --import tsx bench/train-throughput.ts $models --backends=webgpu,wasm --webgpu-optimizer=device,host | tee "$out/throughput.md" ||
    failed=1

  local first=${models%% *}
  step "throughput: $first on webgpu with tfjs's composed ops instead of our fused WGSL programs"
  SPARSEBENCH_WEBGPU_FUSED=0 node --import tsx bench/train-throughput.ts "$first" --backends=webgpu --no-peer |
    tee "$out/throughput-composed.md" || failed=1

  step "where a webgpu step of $first spends its time, with our fused WGSL programs and with the composed ops"
  node --import tsx bench/profile-step.ts "$first" --backend=webgpu --steps=5 | tee "$out/profile-step.txt" ||
    failed=1
  SPARSEBENCH_WEBGPU_FUSED=0 node --import tsx bench/profile-step.ts "$first" --backend=webgpu --steps=5 |
    tee -a "$out/profile-step.txt" || failed=1
  return $failed
}

{
  if setup; then
    checks
    status=$?
  else
    status=1
  fi
  step "done: exit $status"
  exit $status
} 2>&1 | tee "$out/gpu-check.log"
exit "${PIPESTATUS[0]}"
