#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the scale-out test (and for trying
# `actlab slurm` without a cluster). Needs root and Debian's slurm-wlm (22.05) and munge:
#
#   apt-get install slurm-wlm          # brings munge and its key
#   bash scripts/slurm-local.sh start  # prints the SLURM_CONF to export
#   bash scripts/slurm-local.sh stop
#
# Everything lives in $ACTLAB_SLURM_DIR (default /tmp/actlab-slurm): slurm.conf, state,
# spool, logs. The node has 2 CPUs; process tracking by /proc (proctrack/linuxproc) and
# no task plugin, so no cgroups are needed, which containers often lack.
set -euo pipefail
dir="${ACTLAB_SLURM_DIR:-/tmp/actlab-slurm}"
conf="$dir/slurm.conf"
node="$(hostname -s)"

stop() {
  for daemon in slurmd slurmctld; do
    if [[ -f "$dir/$daemon.pid" ]]; then
      kill "$(cat "$dir/$daemon.pid")" 2>/dev/null || true
      rm -f "$dir/$daemon.pid"
    fi
  done
  pkill -x slurmd 2>/dev/null || true
  pkill -x slurmctld 2>/dev/null || true
}

start() {
  for tool in slurmctld slurmd munged sbatch; do
    command -v "$tool" > /dev/null || {
      echo "slurm-local: $tool is missing; install it with: apt-get install slurm-wlm" >&2
      exit 2
    }
  done
  [[ $(id -u) == 0 ]] || { echo "slurm-local: run it as root (the daemons run as root)" >&2; exit 2; }
  stop
  mkdir -p "$dir/state" "$dir/spool"
  # munge authenticates every Slurm message; it runs as its own user.
  if ! pgrep -x munged > /dev/null; then
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    [[ -f /etc/munge/munge.key ]] || { /usr/sbin/mungekey --create 2>/dev/null || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; }
    chown munge:munge /etc/munge/munge.key
    chmod 400 /etc/munge/munge.key
    runuser -u munge -- /usr/sbin/munged
  fi
  cat > "$conf" <<EOF
ClusterName=actlab
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$node NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF="$conf"
  slurmctld -f "$conf"
  slurmd -f "$conf"
  # Ready when the node takes jobs.
  for _ in $(seq 1 60); do
    if sinfo -h -N -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
      echo "export SLURM_CONF=$conf"
      return 0
    fi
    sleep 0.5
  done
  echo "slurm-local: the node did not come up; see $dir/slurmctld.log and $dir/slurmd.log" >&2
  sinfo -N >&2 || true
  exit 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
