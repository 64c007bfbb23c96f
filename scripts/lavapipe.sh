#!/usr/bin/env bash
# Software Vulkan for CPU-only WebGPU checks on Debian bookworm: Mesa 25 lavapipe from bookworm-backports.
#
# Dawn rejects bookworm's own Mesa 22.3 lavapipe, so this fetches mesa-vulkan-drivers 25.x and the libraries
# it needs newer than bookworm's (libdrm) from bookworm-backports and unpacks them into a cache folder; the
# system's Mesa and apt sources stay as they are. Dependencies that bookworm itself satisfies (libvulkan1,
# libllvm15, the xcb libraries) are installed with apt, which needs root when any is missing.
#
# Prints `export VK_ICD_FILENAMES=... LD_LIBRARY_PATH=...` lines on stdout (progress goes to stderr) and writes
# them to <cache>/env.sh as well, so either of these works:
#   eval "$(scripts/lavapipe.sh)"
#   scripts/lavapipe.sh >/dev/null && . "${XDG_CACHE_HOME:-$HOME/.cache}/sparsebench/lavapipe/env.sh"
# The second run finds the cache and only prints. SPARSEBENCH_LAVAPIPE_DIR overrides the cache folder.
set -euo pipefail

cache="${SPARSEBENCH_LAVAPIPE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sparsebench/lavapipe}"
env_file="$cache/env.sh"
icd="$cache/lvp_icd.json"
log() { echo "lavapipe: $*" >&2; }

# (grep -q would stop reading early and fail the pipeline under pipefail)
has_libvulkan() { ldconfig -p 2>/dev/null | grep -c 'libvulkan\.so\.1 ' >/dev/null; }

if [ -f "$env_file" ] && [ -f "$icd" ] && has_libvulkan; then
  cat "$env_file"
  exit 0
fi

if ! grep -q 'VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null; then
  log "expects Debian 12 (bookworm); on another system install a Vulkan driver and set VK_ICD_FILENAMES yourself" >&2
  exit 1
fi
arch="$(dpkg --print-architecture)"

# A private apt configuration: our own sources list (bookworm + backports), package lists and caches under
# the cache folder. Nothing under /etc/apt or /var/lib/apt/lists is written.
mkdir -p "$cache/apt/lists/partial" "$cache/apt/cache/archives/partial" "$cache/debs"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
mirror="${SPARSEBENCH_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
cat >"$cache/apt/sources.list" <<EOF
deb [signed-by=$keyring] $mirror bookworm main
deb [signed-by=$keyring] $mirror bookworm-updates main
deb [signed-by=$keyring] $mirror bookworm-backports main
deb [signed-by=$keyring] ${mirror%/debian}/debian-security bookworm-security main
EOF
apt_opts=(
  -o "Dir::Etc::sourcelist=$cache/apt/sources.list"
  -o "Dir::Etc::sourceparts=-"
  -o "Dir::State::Lists=$cache/apt/lists"
  -o "Dir::Cache=$cache/apt/cache"
  -o "APT::Get::List-Cleanup=0"
)
# as root, apt downloads as the _apt user, which cannot write under root's home
[ "$(id -u)" = 0 ] && apt_opts+=(-o "APT::Sandbox::User=root")

log "reading package lists (bookworm + bookworm-backports) into $cache/apt"
apt-get "${apt_opts[@]}" update -qq >&2

# What installing mesa-vulkan-drivers from backports would take on this system: backports versions (~bpo)
# are unpacked into the cache, bookworm versions are installed normally.
plan="$(apt-get "${apt_opts[@]}" -s install --no-install-recommends mesa-vulkan-drivers/bookworm-backports)"
backports=() stock=()
while read -r _ name _ version _; do
  version="${version#(}"
  if [[ $version == *~bpo* ]]; then backports+=("$name=$version"); else stock+=("$name"); fi
done < <(grep '^Inst ' <<<"$plan" | sed -E 's/^Inst ([^ ]+) (\[[^]]*\] )?\(([^ ]+) .*/Inst \1 x \3 x/')
has_libvulkan || stock+=(libvulkan1)

if [ ${#stock[@]} -gt 0 ]; then
  mapfile -t stock < <(printf '%s\n' "${stock[@]}" | sort -u)
  if [ "$(id -u)" != 0 ]; then
    log "needs these bookworm packages installed (run as root, or: apt-get install ${stock[*]})"
    exit 1
  fi
  log "installing from bookworm: ${stock[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends "${stock[@]}" >&2
fi

if [ ${#backports[@]} -eq 0 ]; then
  log "the backports plan is empty: is mesa-vulkan-drivers from backports already installed system-wide?"
  exit 1
fi
log "unpacking from bookworm-backports: ${backports[*]}"
rm -rf "$cache/root" "$cache/debs"
mkdir -p "$cache/root" "$cache/debs"
(cd "$cache/debs" && apt-get "${apt_opts[@]}" download -qq "${backports[@]}" >&2)
for deb in "$cache"/debs/*.deb; do dpkg -x "$deb" "$cache/root"; done

lib="$(find "$cache/root" -name 'libvulkan_lvp.so' -print -quit)"
source_icd="$(find "$cache/root" -path '*/vulkan/icd.d/lvp_icd*.json' -print -quit)"
if [ -z "$lib" ] || [ -z "$source_icd" ]; then
  log "mesa-vulkan-drivers did not contain libvulkan_lvp.so and its ICD file"
  exit 1
fi
libdir="$(dirname "$lib")"
# the packaged ICD file names the system path; point it at the unpacked library
sed -E "s#\"library_path\": *\"[^\"]*\"#\"library_path\": \"$lib\"#" "$source_icd" >"$icd"
cat >"$env_file" <<EOF
export VK_ICD_FILENAMES=$icd
export LD_LIBRARY_PATH=$libdir\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
EOF
# the package lists and .deb files served their purpose; the unpacked tree is all that is used
rm -rf "$cache/apt" "$cache/debs"
log "ready: Mesa lavapipe for $arch in $cache"
cat "$env_file"
