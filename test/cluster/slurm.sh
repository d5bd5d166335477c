#!/usr/bin/env bash
# A real single-node Slurm cluster on localhost, under a temporary directory (no systemd, nothing
# in /etc): runs an ionflux sweep as a job array plus a dependent merge job, and checks that the
# merged sweep.csv is byte-identical to an unsharded run. Installs Debian's slurm-wlm and munge
# when missing (needs root and apt). Stops every daemon it started, whatever happens.
# Usage: slurm.sh SCENARIO SHARDS -- SWEEP-ARGS...
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
scenario=$1; shards=$2; shift 3
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "slurm.sh: installing slurm-wlm and munge" >&2
  flock /tmp/ionflux-apt.lock apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive flock /tmp/ionflux-apt.lock apt-get install -y -qq --no-install-recommends slurm-wlm munge >&2
fi
D=$(mktemp -d /tmp/ionflux-slurm-XXXXXX)
cleanup() {
  for p in slurmd slurmctld munged; do
    [ -f "$D/$p.pid" ] && kill "$(cat "$D/$p.pid")" 2>/dev/null || true
  done
  sleep 0.5
  for p in slurmd slurmctld munged; do
    [ -f "$D/$p.pid" ] && kill -9 "$(cat "$D/$p.pid")" 2>/dev/null || true
  done
  rm -rf "$D"
}
trap cleanup EXIT
mkdir -p "$D/log" "$D/state" "$D/spool" "$D/shards" "$D/merged" "$D/whole"
mungekey --create --keyfile="$D/munge.key" >/dev/null 2>&1 || dd if=/dev/urandom of="$D/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$D/munge.key"
munged --key-file="$D/munge.key" --socket="$D/munge.sock" --pid-file="$D/munged.pid" --log-file="$D/log/munged.log" --seed-file="$D/munge.seed" --force
host=$(hostname)
port=$((20000 + RANDOM % 20000))
cat > "$D/slurm.conf" <<CONF
ClusterName=ionflux
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$D/munge.sock
CredType=cred/munge
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=2000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$D/slurm.conf
slurmctld
slurmd
for _ in $(seq 60); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 0.5; done
sinfo -h -o %T | grep -q idle || { echo "slurm.sh: the node never became idle" >&2; cat "$D/log/"*.log >&2; exit 1; }

cd "$repo"
args=$(printf '%q ' "$@")
# the job array: each task runs its shard (K/N from SLURM_ARRAY_TASK_*), as in the README
cat > "$D/task.sbatch" <<JOB
#!/usr/bin/env bash
cd $(printf '%q' "$repo")
exec node bin/ionflux.js sweep $(printf '%q' "$scenario") $args --jobs 1 --progress never --out $D/shards/\$SLURM_ARRAY_TASK_ID
JOB
array=$(sbatch --parsable --array=1-"$shards" --output="$D/log/task-%a.out" "$D/task.sbatch")
merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes --output="$D/log/merge.out" \
  --wrap "node bin/ionflux.js merge $D/shards/* --out $D/merged")
state=""
for _ in $(seq 360); do
  state=$(scontrol show job "$merge" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1)
  case $state in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) break ;; esac
  # a failed array task leaves the merge waiting forever: give up at once
  if scontrol show job "$array" 2>/dev/null | grep -q "JobState=FAILED"; then state=ARRAY_FAILED; break; fi
  sleep 0.5
done
echo "merge job $merge: $state" >&2
[ "$state" = COMPLETED ] || { cat "$D/log/"*.out "$D/log/slurmctld.log" >&2; exit 1; }
node bin/ionflux.js sweep "$scenario" "$@" --progress never --out "$D/whole" >&2
cmp "$D/whole/sweep.csv" "$D/merged/sweep.csv"
echo "slurm.sh: job array of $shards + merge: sweep.csv identical to the unsharded run ($(($(wc -l < "$D/merged/sweep.csv") - 1)) runs)"
