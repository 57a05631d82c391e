#!/usr/bin/env bash
# Proves the test suite never touches the real Layover data folder.
#   real-data-guard.sh snapshot FILE   record the real folder's state before the tests
#   real-data-guard.sh verify FILE     fail if it changed, or if anything reached the sandbox
# The suite also runs with LAYOVER_FORBID_DEFAULT_DATA_DIR=1 (the engine refuses the default
# folder) and XDG_DATA_HOME pointed at a sandbox, so a slip shows up in three places.
set -euo pipefail

real_dirs=("${HOME:-/nonexistent}/.local/share/layover")
[[ -n ${REAL_XDG_DATA_HOME:-} ]] && real_dirs+=("$REAL_XDG_DATA_HOME/layover")

state() {
  for d in "${real_dirs[@]}"; do
    if [[ -e $d ]]; then
      find "$d" -printf '%p %s %T@\n' 2>/dev/null | sort
    else
      echo "$d absent"
    fi
  done
}

case ${1:-} in
  snapshot) state >"$2" ;;
  verify)
    if ! diff -u "$2" <(state); then
      echo "error: the tests changed the real data folder (${real_dirs[*]})" >&2
      exit 1
    fi
    if [[ -n ${XDG_DATA_HOME:-} && -e $XDG_DATA_HOME/layover ]]; then
      echo "error: something wrote to the default data folder inside the test sandbox: $XDG_DATA_HOME/layover" >&2
      exit 1
    fi
    echo "real data folder untouched: ${real_dirs[*]}"
    ;;
  *) echo "usage: $0 snapshot|verify FILE" >&2; exit 2 ;;
esac
