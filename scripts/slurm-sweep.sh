#!/usr/bin/env bash
# A sweep as a Slurm job array: task i of N runs shard i/N of the same sweep on one node, with every
# core Slurm gives it; a last job, started once every task has finished, merges the shards. The merged
# folder is byte-identical to the sweep run on one machine (docs/sweeps.md).
#
# Usage (from the repository root, on the cluster's login node):
#   scripts/slurm-sweep.sh SHARDS OUT_DIR SCENE [sweep options...]
# e.g.
#   scripts/slurm-sweep.sh 10 sweeps/fig assets/scenes/fig-8.7-random-p.json --seeds 100 --iters 20000
#
# Environment: ATTNMD_CLI (default: build/release/attnmd-cli, else attnmd-cli on PATH), SLURM_CPUS
# (cores per task, default 4), SLURM_TIME (per task, default 01:00:00), SLURM_EXTRA (more sbatch
# options, e.g. "--partition=short --account=lab").
set -euo pipefail

if [[ $# -lt 3 ]]; then
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
shards=$1
out=$2
shift 2
if ! [[ $shards =~ ^[1-9][0-9]*$ ]]; then
  echo "slurm-sweep.sh: SHARDS must be a whole number >= 1, got '$shards'" >&2
  exit 2
fi

cli=${ATTNMD_CLI:-}
if [[ -z $cli ]]; then
  if [[ -x build/release/attnmd-cli ]]; then cli=$PWD/build/release/attnmd-cli; else cli=$(command -v attnmd-cli); fi
fi
cpus=${SLURM_CPUS:-4}
time=${SLURM_TIME:-01:00:00}
extra=${SLURM_EXTRA:-}
mkdir -p "$out/shards" "$out/logs"

# Quote the sweep's arguments for the job scripts.
args=$(printf ' %q' "$@")

# shellcheck disable=SC2086
array_id=$(sbatch --parsable $extra --job-name=attnmd-sweep --array="1-$shards" --cpus-per-task="$cpus" \
  --time="$time" --output="$out/logs/shard-%a.log" \
  --wrap="$(printf '%q' "$cli") sweep$args --shard \${SLURM_ARRAY_TASK_ID}/$shards --jobs $cpus --no-progress --out $(printf '%q' "$out")/shards/\${SLURM_ARRAY_TASK_ID}")

dirs=""
for ((i = 1; i <= shards; ++i)); do dirs+=" $(printf '%q' "$out/shards/$i")"; done
# shellcheck disable=SC2086
merge_id=$(sbatch --parsable $extra --job-name=attnmd-sweep-merge --dependency="afterok:$array_id" \
  --time=00:10:00 --output="$out/logs/merge.log" \
  --wrap="$(printf '%q' "$cli") sweep-merge$dirs --out $(printf '%q' "$out")")

echo "submitted job array $array_id ($shards shards) and merge job $merge_id; the result goes to $out"
