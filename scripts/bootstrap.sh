#!/usr/bin/env bash
# Installs what `make run` (mode "run") or `make test` (mode "test") needs and is missing:
# Debian/Ubuntu packages (as root, or through sudo), the UI's npm packages and, for tests,
# tauri-driver. Does nothing that is already done. On other systems it lists what to install.
set -euo pipefail

mode=${1:-run}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

run_pkgs=(build-essential pkg-config curl file libwebkit2gtk-4.1-dev libssl-dev librsvg2-dev libxdo-dev libdbus-1-dev
  libayatana-appindicator3-dev python3 python3-venv python3-pip)
test_pkgs=(xvfb xauth webkit2gtk-driver dpkg-dev chromium ffmpeg)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

need_tools() {
  local missing=()
  command -v cargo >/dev/null || missing+=("Rust 1.95 or newer (https://rustup.rs)")
  if command -v node >/dev/null; then
    local major
    major=$(node -p 'process.versions.node.split(".")[0]')
    (( major >= 20 )) || missing+=("Node.js 20 or newer (found $(node --version))")
  else
    missing+=("Node.js 20 or newer with npm")
  fi
  if ((${#missing[@]})); then
    die "Layover needs these first:$(printf '\n  - %s' "${missing[@]}")"
  fi
}

install_system_packages() {
  local wanted=("${run_pkgs[@]}")
  [[ $mode == test ]] && wanted+=("${test_pkgs[@]}")
  if [[ ! -f /etc/debian_version ]] || ! command -v apt-get >/dev/null; then
    # Not Debian/Ubuntu: say exactly what is needed, by what it is for.
    if pkg-config --exists webkit2gtk-4.1 2>/dev/null; then return 0; fi
    die "this is not a Debian or Ubuntu system, so Layover cannot install its system packages itself.
Install the equivalents of: ${wanted[*]}
(WebKitGTK 4.1 development files, GTK 3, librsvg, libxdo, OpenSSL, a C toolchain and pkg-config;
for tests also Xvfb and WebKitWebDriver), then run make again.
See https://v2.tauri.app/start/prerequisites/ for each distribution's package names."
  fi
  local missing=()
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || die "installing ${missing[*]} needs root; run as root or install sudo"
    sudo=(sudo)
  fi
  say "installing system packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

install_npm_packages() {
  # npm ci only when the lock file changed since the last install.
  local stamp="$root/ui/node_modules/.package-lock.json"
  if [[ ! -f $stamp || "$root/ui/package-lock.json" -nt $stamp ]]; then
    say "installing the UI's npm packages"
    (cd "$root/ui" && npm ci --no-audit --no-fund)
  fi
}

install_tauri_driver() {
  command -v tauri-driver >/dev/null && return 0
  [[ -x "$HOME/.cargo/bin/tauri-driver" ]] && return 0
  say "installing tauri-driver (WebDriver for the app window)"
  cargo install tauri-driver --locked
}

need_tools
install_system_packages
install_npm_packages
[[ $mode == test ]] && install_tauri_driver
exit 0
