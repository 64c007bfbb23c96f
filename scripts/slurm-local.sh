#!/usr/bin/env bash
# Starts or stops a one-node Slurm cluster whose files all live in DIR (tests and CI; needs root and
# Debian's slurm-wlm, slurmctld, slurmd, slurm-client and munge packages). README.md, "Running on a cluster",
# says how to use it.
#   scripts/slurm-local.sh start DIR   # prints the path of slurm.conf; export it as SLURM_CONF
#   scripts/slurm-local.sh stop DIR
set -euo pipefail
cmd=${1:?usage: slurm-local.sh start|stop DIR}
dir=$(realpath -m "${2:?usage: slurm-local.sh start|stop DIR}")

alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

case "$cmd" in
start)
  if pgrep -x slurmctld >/dev/null; then
    echo "a slurmctld is already running on this host; stop it first (its ports would clash)" >&2
    exit 1
  fi
  rm -rf "$dir" && mkdir -p "$dir/state" "$dir/spool" "$dir/log"
  [ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key >/dev/null
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  install -d -o munge -g munge -m 755 /run/munge # nothing creates it without systemd
  if ! alive /run/munge/munged.pid; then
    runuser -u munge -- /usr/sbin/munged
    touch "$dir/munged.ours"
  fi
  host=$(hostname -s)
  getent hosts "$host" >/dev/null || host=localhost
  node=$(slurmd -C | head -n 1 | sed -E "s/^NodeName=[^ ]+/NodeName=$host/")
  cat >"$dir/slurm.conf" <<CONF
ClusterName=sbci
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
DependencyParameters=kill_invalid_depend
ReturnToService=2
MinJobAge=300
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
$node State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -i
  if [ "$host" = localhost ]; then slurmd -N localhost; else slurmd; fi
  for _ in $(seq 150); do
    sinfo -h -o %t 2>/dev/null | grep -qx idle && { echo "$SLURM_CONF"; exit 0; }
    sleep 0.2
  done
  echo "slurm did not come up; logs in $dir/log" >&2
  exit 1
  ;;
stop)
  # by pid, never by name
  pids=()
  for f in "$dir/slurmd.pid" "$dir/slurmctld.pid"; do
    if alive "$f"; then pids+=("$(cat "$f")"); fi
  done
  if [ -e "$dir/munged.ours" ] && alive /run/munge/munged.pid; then pids+=("$(cat /run/munge/munged.pid)"); fi
  [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}"
  for _ in $(seq 100); do # wait until they are gone, so a new cluster can take the ports
    any=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && any=1; done
    [ $any = 0 ] && exit 0
    sleep 0.1
  done
  echo "slurm daemons still running after 10 s: ${pids[*]}" >&2
  exit 1
  ;;
*)
  echo "usage: slurm-local.sh start|stop DIR" >&2
  exit 2
  ;;
esac
