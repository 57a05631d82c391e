#!/usr/bin/env bash
# Builds the .deb (debug profile, so it reuses the test build), installs it with dpkg -i, checks
# the installed binary prints its version and opens its window under Xvfb on a scratch data
# folder, then removes the package again.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
profile=${1:-debug}

sudo=()
[[ $(id -u) -ne 0 ]] && sudo=(sudo)

# The Tauri CLI finds src-tauri/ from the repository root.
cd "$root"
tauri=("$root/ui/node_modules/.bin/tauri" build --bundles deb --ci)
[[ $profile == debug ]] && tauri+=(--debug)
"${tauri[@]}"
deb=$(ls -t "$root/target/$profile/bundle/deb/"*.deb | head -n1)
echo "built $deb"
[[ ${2:-} == --no-install ]] && exit 0

"${sudo[@]}" dpkg -i "$deb"
trap '"${sudo[@]}" dpkg -r layover >/dev/null || true' EXIT

version=$(/usr/bin/layover-app --version)
expected="Layover $(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n1)"
[[ $version == "$expected" ]] || { echo "error: installed binary says '$version', expected '$expected'" >&2; exit 1; }
echo "installed binary: $version"
test -f /usr/share/applications/Layover.desktop || { echo "error: no desktop entry installed" >&2; exit 1; }

data=$(mktemp -d)
# A process group of its own, so the app, Xvfb and xvfb-run all end together.
setsid xvfb-run -a /usr/bin/layover-app --data-dir "$data" >"$data/stdout" 2>&1 </dev/null &
group=$!
stop() {
  kill -KILL -- "-$group" 2>/dev/null || true
  wait "$group" 2>/dev/null || true
  "${sudo[@]}" dpkg -r layover >/dev/null || true
}
trap stop EXIT
for _ in $(seq 1 100); do
  grep -qs "library open" "$data"/logs/layover-app.*.log && break
  sleep 0.2
done
if ! pgrep -g "$group" -f /usr/bin/layover-app >/dev/null; then
  echo "error: the installed app exited early:" >&2; cat "$data/stdout" >&2; exit 1
fi
grep -qs "library open" "$data"/logs/layover-app.*.log || { echo "error: the installed app did not open its library" >&2; exit 1; }
echo "installed app started and opened its library in $data"
