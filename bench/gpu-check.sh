#!/usr/bin/env bash
# The engine's GPU checks in one run, for a machine with an NVIDIA GPU: what `doctor` sees (the adapter, and
# what `auto` picks), the webgpu/wasm loss agreement test on the real GPU (test/e2e/webgpu.test.ts, 1e-4 on
# hardware), and training throughput of the lm-12m reference (12.8M parameters; bench/references.ts) and the
# small lm on webgpu and wasm, with the PyTorch peer on the same GPU (float32, TF32 off).
#
# The machine needs only its NVIDIA driver (with Vulkan), python3 with a CUDA PyTorch for the peer, xz and
# tar: Node, the packages, this checkout's build and the Vulkan loader come from .gpu-kit/, which
# scripts/gpu-kit.sh packs on a machine with npm (about 55 MB). A machine with Node 20 and `npm install`
# done uses those instead.
#
# Run from anywhere: bench/gpu-check.sh [out-dir]   (default: $OUT, else /tmp/gpu-check)
# Everything printed is also in <out-dir>/gpu-check.log, the table in throughput.md, doctor's report in
# doctor.json. Takes about 4-6 minutes (the wasm rows of lm-12m are ~1 minute of it).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-${OUT:-/tmp/gpu-check}}
mkdir -p "$out"
kit=.gpu-kit
# the reference models timed (bench/references.ts); a smaller set tries the script out on a software driver
models=${SPARSEBENCH_GPU_CHECK_MODELS:-lm-12m lm}

step() {
  echo
  echo "## $* ($(date -u +%T))"
}

setup() {
  step "set-up"
  if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" != 20 ]; then
    mkdir -p /tmp/gpu-kit/bin
    xz -dc "$kit/node.xz" >/tmp/gpu-kit/bin/node && chmod +x /tmp/gpu-kit/bin/node
    export PATH=/tmp/gpu-kit/bin:$PATH
  fi
  # the kit's packages and build, unless a checkout with `npm install` done is here already
  [ -d node_modules/@tensorflow/tfjs-core ] || tar -xJf "$kit/modules.tar.xz"
  if ! ldconfig -p | grep -q 'libvulkan.so.1 '; then
    for f in "$kit"/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
  # NVIDIA's Vulkan driver manifest, where the driver is mounted outside the loader's search path
  if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] &&
    ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
    for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/icd.d/nvidia_icd.json; do
      if [ -f "$f" ]; then export VK_DRIVER_FILES=$f; fi
    done
  fi
  echo "node $(node --version), VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())' || true
}

checks() {
  local failed=0
  step "doctor"
  node bin/sparsebench.js doctor --seconds 6 --json | tee "$out/doctor.json" || failed=1

  step "webgpu against wasm on the GPU: lm, t5, vit, dense and 75% sparse"
  SPARSEBENCH_REQUIRE_WEBGPU=1 node node_modules/vitest/vitest.mjs run test/e2e/webgpu.test.ts || failed=1

  step "throughput: $models on webgpu and wasm, PyTorch on the same GPU"
  SPARSEBENCH_TORCH_PYTHON=${SPARSEBENCH_TORCH_PYTHON:-python3} SPARSEBENCH_TORCH_DEVICE=cuda \
    node --import tsx bench/train-throughput.ts $models --backends=webgpu,wasm | tee "$out/throughput.md" ||
    failed=1
  return $failed
}

{
  setup && checks
  status=$?
  step "done: exit $status"
  exit $status
} 2>&1 | tee "$out/gpu-check.log"
exit "${PIPESTATUS[0]}"
