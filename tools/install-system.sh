#!/usr/bin/env bash
# Installs the system packages webgpu-softmax needs on Debian bookworm (or newer Debian/Ubuntu), idempotently:
#   libvulkan1 + Mesa's lavapipe (a CPU Vulkan driver Dawn accepts; bookworm's own 22.x is too old, so backports),
#   dataset-fashion-mnist (the official IDX files in /usr/share/datasets/fashion-mnist),
#   chromium (only with --with-chromium: the browser tests drive it through playwright-core),
#   python3-torch + python3-numpy + libopenblas0-pthread (only with --with-bench: the PyTorch peer of `npm run bench`;
#   without OpenBLAS torch falls back to reference BLAS, about 5x slower). Use /usr/bin/python3 to run it.
# Runs as root or through sudo. Safe to run again: it only installs what is missing.
set -euo pipefail

with_chromium=0
with_bench=0
for arg in "$@"; do
  case "$arg" in
    --with-chromium) with_chromium=1 ;;
    --with-bench) with_bench=1 ;;
    -h|--help) sed -n '2,8p' "$0"; echo "usage: $0 [--with-chromium] [--with-bench]"; exit 0 ;;
    *) echo "unknown option: $arg (try --help)" >&2; exit 2 ;;
  esac
done

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

lvp_ok() {
  # lavapipe's ICD present and new enough (>= 23) for Dawn
  [ -f /usr/share/vulkan/icd.d/lvp_icd.json ] || [ -f /usr/share/vulkan/icd.d/lvp_icd.x86_64.json ] || return 1
  local v
  v=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || echo 0)
  dpkg --compare-versions "$v" ge 23 && dpkg -s libvulkan1 >/dev/null 2>&1
}
have() { dpkg -s "$1" >/dev/null 2>&1; }

need_update=1
apt_update() { if [ $need_update = 1 ]; then $SUDO apt-get update -q; need_update=0; fi; }

if ! lvp_ok; then
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  if [ "$codename" = bookworm ] && [ ! -f /etc/apt/sources.list.d/bookworm-backports.sources ]; then
    $SUDO tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null <<'X'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
X
  fi
  apt_update
  if [ "$codename" = bookworm ]; then
    $SUDO apt-get install -y -q --no-install-recommends libvulkan1 -t bookworm-backports mesa-vulkan-drivers
  else
    $SUDO apt-get install -y -q --no-install-recommends libvulkan1 mesa-vulkan-drivers
  fi
fi

if ! have dataset-fashion-mnist; then
  apt_update
  $SUDO apt-get install -y -q --no-install-recommends dataset-fashion-mnist
fi

if [ $with_chromium = 1 ] && ! have chromium; then
  apt_update
  $SUDO apt-get install -y -q --no-install-recommends chromium
fi

if [ $with_bench = 1 ]; then
  missing=()
  for p in python3-torch python3-numpy libopenblas0-pthread; do have "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    apt_update
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
fi

echo "system packages ready: lavapipe $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers), dataset-fashion-mnist $(dpkg-query -W -f='${Version}' dataset-fashion-mnist)$([ $with_chromium = 1 ] && echo ", chromium $(dpkg-query -W -f='${Version}' chromium)")$([ $with_bench = 1 ] && echo ", python3-torch $(dpkg-query -W -f='${Version}' python3-torch)")"
