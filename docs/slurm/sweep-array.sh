#!/bin/bash
#SBATCH --job-name=jilin-sweep
#SBATCH --array=1-16
#SBATCH --cpus-per-task=8
#SBATCH --time=01:00:00
#SBATCH --requeue                 # preempted tasks come back and resume
#SBATCH --open-mode=append        # a requeued task's log keeps every start
# One task of the array runs shard K of N; --shard auto takes K and N from
# Slurm. Every task writes its part into the same shared directory.
# SWEEP_FILE and SWEEP_DIR may be set at submission (sbatch passes the
# environment on); the defaults are the default park's uncertainty sweep
# and a directory on a shared file system.
set -euo pipefail
sweep_file=${SWEEP_FILE:-flows/sweeps/uncertainty.ron}
sweep_dir=${SWEEP_DIR:-/shared/jilin-uncertainty}
echo "array task $SLURM_ARRAY_TASK_ID, start $((${SLURM_RESTART_COUNT:-0} + 1))"
parkflow sweep "$sweep_file" \
    --shard auto --threads "$SLURM_CPUS_PER_TASK" \
    --out "$sweep_dir/parts" --resume --quiet
