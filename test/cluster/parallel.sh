#!/usr/bin/env bash
# GNU parallel as the scheduler: four shards on two job slots, then ionflux merge; the merged
# sweep.csv must equal an unsharded run's. Installs Debian's parallel when missing.
# Usage: parallel.sh SCENARIO SHARDS -- SWEEP-ARGS...
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
scenario=$1; shards=$2; shift 3
if ! command -v parallel >/dev/null; then
  echo "parallel.sh: installing parallel" >&2
  flock /tmp/ionflux-apt.lock apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive flock /tmp/ionflux-apt.lock apt-get install -y -qq --no-install-recommends parallel >&2
fi
D=$(mktemp -d /tmp/ionflux-parallel-XXXXXX)
trap 'rm -rf "$D"' EXIT
cd "$repo"
# the README's line
seq 1 "$shards" | parallel -q --will-cite -j2 --halt now,fail=1 --joblog "$D/jobs.log" \
  node bin/ionflux.js sweep "$scenario" "$@" --shard {}/"$shards" --jobs 1 --progress never --out "$D/shard-{}" >&2
node bin/ionflux.js merge "$D"/shard-* --out "$D/merged" >&2
node bin/ionflux.js sweep "$scenario" "$@" --progress never --out "$D/whole" >&2
cmp "$D/whole/sweep.csv" "$D/merged/sweep.csv"
echo "parallel.sh: $shards shards + merge: sweep.csv identical to the unsharded run ($(($(wc -l < "$D/merged/sweep.csv") - 1)) runs)"
