#!/bin/bash
#SBATCH --job-name=jilin-merge
#SBATCH --time=00:30:00
#SBATCH --mem=4G                  # merge holds every run: about 500 bytes a run
# Submitted with --dependency=afterok:<array job id>, it starts once every
# task of the array has succeeded. A part over 64 MiB (about 160,000 runs
# of the uncertainty sweep) needs PARKFLOW_MAX_INPUT_SIZE (for example 1G)
# in the environment, or --max-input-size.
set -euo pipefail
sweep_dir=${SWEEP_DIR:-/shared/jilin-uncertainty}
parkflow merge "$sweep_dir/parts" --out "$sweep_dir"
