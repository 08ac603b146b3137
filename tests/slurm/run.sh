#!/usr/bin/env bash
# End-to-end test of docs/DISTRIBUTED.md's Slurm job array, on a one-node
# Slurm cluster this script starts on this machine and stops again.
#
# It proves that the job-array script the docs show (docs/slurm/sweep-array.sh,
# submitted as it is) runs the default park's uncertainty sweep as 4 tasks
# with --shard auto and --resume; that a task requeued with `scontrol requeue`
# while it runs comes back and resumes from its saved chunks (its log says
# so); that the merge script the docs show (docs/slurm/merge.sh), submitted
# with --dependency=afterok on the array, merges the parts; and that the
# merged samples.csv, samples.parquet and summary.json equal, byte for byte,
# those of one `parkflow sweep` on one machine.
#
# Usage, as root on Debian, after `cargo build --release`:
#     tests/slurm/run.sh
# Environment (all optional):
#     PARKFLOW              the binary (default: $CARGO_TARGET_DIR or target, /release/parkflow)
#     SLURM_TEST_SAMPLES    the sweep's samples (default 1000000: each task runs
#                           250,000 runs, about 4 s on one core)
#     SLURM_TEST_PORT       slurmctld's port; slurmd takes the next (default 6817)
#     SLURM_TEST_KEEP=1     keep the work directory (configuration, logs,
#                           results) instead of removing it
#
# It installs Debian's slurm-wlm and munge when they are missing. Everything
# else it writes is under one temporary directory, and every daemon it starts
# (munged, slurmctld, slurmd) runs in the foreground as its child; both are
# removed and stopped on exit, also when a step fails or the script is
# interrupted. Any failure exits non-zero with a message naming the step.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=${PARKFLOW:-${CARGO_TARGET_DIR:-$root/target}/release/parkflow}
samples=${SLURM_TEST_SAMPLES:-1000000}
port=${SLURM_TEST_PORT:-6817}
tasks=4
requeued=2 # the array task that is requeued while it runs
started_at=$(date +%s)

step="checking the machine"
work=""
daemons=() # "name:pid" of every daemon started here, in start order

say() { echo "slurm test: $*"; }
fail() {
    echo "slurm test: FAILED while $step: $*" >&2
    exit 1
}

# Prints the last lines of a file, for a failure's diagnosis.
show_tail() {
    if [ -s "$1" ]; then
        echo "---- last lines of $1" >&2
        tail -n "${2:-20}" "$1" >&2
    fi
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    if [ "$rc" -ne 0 ] && [ -n "$work" ]; then
        echo "slurm test: FAILED while $step (exit status $rc); logs follow" >&2
        for f in "$work"/log/*.log "$work"/jobs/*.log; do
            show_tail "$f"
        done
    fi
    # Jobs first: a job step runs in a slurmstepd of its own, which outlives
    # slurmd. Cancelled through this cluster's controller, they end and are
    # gone from the queue within KillWait (2 s).
    if [ -n "$work" ] && [ -n "${SLURM_CONF:-}" ] && [ "${#daemons[@]}" -ge 2 ]; then
        timeout 15 scancel --quiet --user=root >/dev/null 2>&1
        for _ in $(seq 1 50); do
            [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
            sleep 0.2
        done
    fi
    # Daemons in the reverse order of their start, each by its process id.
    local i name pid
    for ((i = ${#daemons[@]} - 1; i >= 0; i--)); do
        name=${daemons[i]%%:*}
        pid=${daemons[i]##*:}
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "slurm test: $name (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL" >&2
            kill -KILL "$pid" 2>/dev/null
        fi
        wait "$pid" 2>/dev/null
    done
    if [ -n "$work" ]; then
        if [ "${SLURM_TEST_KEEP:-0}" = 1 ]; then
            echo "slurm test: kept $work" >&2
        else
            rm -rf "$work"
        fi
    fi
    if [ "$rc" -eq 0 ]; then
        say "passed in $(($(date +%s) - started_at)) s; daemons stopped, work directory removed"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'fail "interrupted by a signal"' INT TERM

# Waits until "$@" succeeds, at most $timeout seconds, polling every 0.2 s.
wait_for() {
    local timeout=$1
    shift
    local deadline=$(($(date +%s) + timeout))
    until "$@"; do
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 0.2
    done
}

# Fails when a daemon started here has exited: one that refuses to start
# (in a container, say) says why in its log.
check_daemons() {
    local d
    for d in "${daemons[@]}"; do
        kill -0 "${d##*:}" 2>/dev/null ||
            fail "${d%%:*} exited (see its log below): it cannot run on this machine as configured"
    done
}

[ "$(id -u)" -eq 0 ] || fail "run it as root: it starts munged, slurmctld and slurmd as root"
[ -x "$bin" ] || fail "no parkflow binary at $bin: build it with \`cargo build --release\` (or set PARKFLOW)"
# Absolute: the jobs run in another directory.
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

step="installing slurm-wlm and munge"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null ||
    ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    command -v apt-get >/dev/null || fail "slurm-wlm and munge are missing and this is not a Debian machine"
    say "installing Debian's slurm-wlm and munge"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi

step="checking the ports"
# bash connects to a TCP port through /dev/tcp: success means a listener.
for p in "$port" "$((port + 1))"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
        fail "port $p is in use (another Slurm?): set SLURM_TEST_PORT to a free pair of ports"
    fi
done

step="writing the configuration"
work=$(mktemp -d /tmp/parkflow-slurm.XXXXXX)
# munged refuses a socket in a directory that not everyone may enter.
chmod 755 "$work"
mkdir -p "$work"/{munge,run,log,state,spool,jobs}
chmod 700 "$work/munge"
chmod 755 "$work/run"
if command -v mungekey >/dev/null; then
    mungekey --create --keyfile="$work/munge/munge.key"
else
    dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
fi
chmod 600 "$work/munge/munge.key"
socket=$work/run/munge.socket

host=$(hostname -s)
# slurmd -C prints this machine's node line (CPUs, sockets, cores, memory).
node=$(slurmd -C | grep '^NodeName=') || fail "slurmd -C printed no node line"
export SLURM_CONF=$work/slurm.conf
cat >"$SLURM_CONF" <<EOF
# A one-node cluster on $host for tests/slurm/run.sh; everything under $work.
ClusterName=parkflowtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire also sets how long a requeued job waits before it may start
# again (cred_expire + 1 s; the default 120 s would hold this test 2 minutes).
AuthInfo=socket=$socket,cred_expire=5
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
# No cgroups: processes are tracked through /proc, tasks are not bound.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
# CPUs are the consumable resource: one per task.
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
# A requeued task's processes get SIGTERM, then SIGKILL 2 s later.
KillWait=2
# Finished jobs stay visible to scontrol for 5 minutes.
MinJobAge=300
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF

step="starting munged"
munged --foreground --key-file="$work/munge/munge.key" --socket="$socket" \
    --pid-file="$work/run/munged.pid" --log-file="$work/log/munged.log" \
    --seed-file="$work/munge/munged.seed" 2>>"$work/log/munged.log" &
daemons+=("munged:$!")
wait_for 10 test -S "$socket" || { check_daemons; fail "munged made no socket in 10 s"; }
munge --socket="$socket" -n | unmunge --socket="$socket" >/dev/null ||
    fail "munge cannot encode and decode a credential with the key made here"

step="starting slurmctld"
slurmctld -D -f "$SLURM_CONF" 2>>"$work/log/slurmctld.log" &
daemons+=("slurmctld:$!")
controller_up() { scontrol ping 2>/dev/null | grep -q UP; }
wait_for 20 controller_up ||
    { check_daemons; fail "slurmctld did not answer scontrol ping in 20 s"; }

step="starting slurmd"
slurmd -D -f "$SLURM_CONF" 2>>"$work/log/slurmd.log" &
daemons+=("slurmd:$!")
node_idle() { [ "$(sinfo -h -o %T 2>/dev/null)" = idle ]; }
wait_for 30 node_idle ||
    { check_daemons; fail "the node is not idle after 30 s (sinfo: $(sinfo -h -o '%T %E' 2>&1))"; }
say "one-node cluster up: $node"

step="writing the sweep"
# The default park's uncertainty sweep, with more samples so that each
# task runs long enough to be requeued while it runs.
sed "s/samples: 10000,/samples: $samples,/" "$root/flows/sweeps/uncertainty.ron" >"$work/uncertainty.ron"
grep -q "samples: $samples," "$work/uncertainty.ron" ||
    fail "flows/sweeps/uncertainty.ron no longer says \`samples: 10000,\`: update this script"

step="submitting the job array and the merge"
# The scripts read SWEEP_FILE and SWEEP_DIR and call parkflow from PATH;
# sbatch passes this environment on to the jobs. A part of 250,000 runs is
# about 100 MB, over merge's default input size limit of 64 MiB.
export SWEEP_FILE=$work/uncertainty.ron
export SWEEP_DIR=$work/cluster
mkdir "$work/bin"
ln -s "$bin" "$work/bin/parkflow"
export PATH="$work/bin:$PATH"
export PARKFLOW_MAX_INPUT_SIZE=1G
# Options given to sbatch override the scripts' #SBATCH lines: 4 tasks of
# one CPU each (so that tasks queue on a small machine), and the logs here.
array=$(sbatch --parsable --array=1-$tasks --cpus-per-task=1 --time=00:10:00 \
    --chdir="$work" --output="$work/jobs/task-%a.log" "$root/docs/slurm/sweep-array.sh")
merge=$(sbatch --parsable --dependency="afterok:$array" --mem=500M \
    --chdir="$work" --output="$work/jobs/merge.log" "$root/docs/slurm/merge.sh")
say "array job $array ($tasks tasks), merge job $merge after it"

step="requeueing task $requeued while it runs"
# A job's state (PENDING, RUNNING, COMPLETED, FAILED, …), from the
# controller, which keeps finished jobs for MinJobAge.
job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1 || true; }
task_state() { job_state "${array}_$1"; }
# The task's saved chunks (the directory appears when the task starts).
chunks() {
    find "$SWEEP_DIR/parts" -path "*/.partial-*-$requeued-of-$tasks/chunk-*.csv" 2>/dev/null | wc -l || true
}
# Requeued once it runs and has saved a chunk, so that it has something to
# resume from; no use waiting once it has ended.
requeue_ready() {
    case "$(task_state $requeued)" in
    RUNNING) [ "$(chunks)" -ge 1 ] ;;
    PENDING | CONFIGURING | "") return 1 ;;
    *) return 0 ;;
    esac
}
wait_for 120 requeue_ready ||
    { check_daemons; fail "task $requeued was not running with a saved chunk within 120 s (state: $(task_state $requeued))"; }
state=$(task_state $requeued)
[ "$state" = COMPLETED ] && fail "task $requeued finished before it could be requeued: raise SLURM_TEST_SAMPLES"
[ "$state" = RUNNING ] || fail "task $requeued ended $state before it could be requeued"
saved=$(chunks)
scontrol requeue "${array}_$requeued"
say "requeued task $requeued while running, with $saved chunk(s) saved"

step="waiting for the array and the merge"
deadline=$(($(date +%s) + 240))
while :; do
    state=$(job_state "$merge")
    case "$state" in
    COMPLETED) break ;;
    FAILED | CANCELLED | TIMEOUT | OUT_OF_MEMORY | NODE_FAIL | BOOT_FAIL | DEADLINE)
        fail "the merge job ended $state" ;;
    esac
    if scontrol show job "$merge" 2>/dev/null | grep -q 'Reason=DependencyNeverSatisfied'; then
        fail "a task of the array failed, so the merge can never start (task states:$(for k in $(seq 1 $tasks); do printf ' %s' "$k=$(task_state "$k")"; done))"
    fi
    check_daemons
    [ "$(date +%s)" -lt "$deadline" ] || fail "the jobs did not finish in 240 s (merge: $state)"
    sleep 0.5
done
say "array and merge done"

step="checking that task $requeued resumed"
log=$work/jobs/task-$requeued.log
restarts=$(scontrol show job "${array}_$requeued" | sed -n 's/.*Restarts=\([0-9]*\).*/\1/p')
[ "$restarts" = 1 ] || fail "task $requeued restarted $restarts times, not once"
grep -q "DUE TO JOB REQUEUE" "$log" || fail "task $requeued's log does not show the requeue"
grep -q "start 2" "$log" || fail "task $requeued's log does not show a second start"
grep -q "^resumed: .* runs read back from [1-9][0-9]* saved chunk" "$log" ||
    fail "task $requeued's log does not say it resumed from saved chunks"
say "task $requeued's log: $(grep '^resumed: ' "$log")"
for k in $(seq 1 $tasks); do
    [ "$k" = "$requeued" ] && continue
    if grep -q "^resumed" "$work/jobs/task-$k.log"; then
        fail "task $k, which was not requeued, says it resumed"
    fi
done

step="running the same sweep on one machine"
"$bin" sweep "$SWEEP_FILE" --quiet --out "$work/single"

step="comparing the merged files with one machine's"
for f in samples.csv samples.parquet summary.json; do
    [ -s "$SWEEP_DIR/$f" ] || fail "the merge wrote no $f"
    cmp "$SWEEP_DIR/$f" "$work/single/$f" || fail "the merged $f differs from one machine's"
done
runs=$(($(wc -l <"$SWEEP_DIR/samples.csv") - 1))
[ "$runs" -eq "$samples" ] || fail "samples.csv holds $runs runs, not $samples"
say "samples.csv, samples.parquet and summary.json ($runs runs) equal one machine's, byte for byte"

step="checking the time"
seconds=$(($(date +%s) - started_at))
[ "$seconds" -lt 300 ] || fail "it took $seconds s, over the 5 minutes allowed"
