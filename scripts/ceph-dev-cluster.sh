#!/usr/bin/env bash
# A throw-away single-node Ceph Pacific cluster (Debian 12's packages) on loopback, all of it in
# one folder: one mon (a), one mgr (x), NUM_OSDS memstore OSDs and one pool. No cephadm, no
# containers, no systemd: each daemon runs in the foreground (-f) as our background child and
# its pid is kept in DIR/run/NAME.pid, so stopping touches only the processes we started.
#
#   ceph-dev-cluster.sh up     DIR        create on first use, then start whatever is not running
#   ceph-dev-cluster.sh down   DIR        stop the recorded daemons (OSDs, then mgr, then mon)
#   ceph-dev-cluster.sh stop   DIR NAME   stop one recorded daemon (e.g. mon.a); `up` restarts it
#   ceph-dev-cluster.sh status DIR        recorded pids and `ceph -s`
#   ceph-dev-cluster.sh purge  DIR        down, then delete DIR
#   ceph-dev-cluster.sh env    DIR        print `export CEPH_CONF=...` (for eval)
#
# Knobs (environment): NUM_OSDS (1), MON_V2_PORT (3300), MON_V1_PORT (6789), POOL (rbdpool),
# PG_AUTOSCALE (on|off, default on), SYSTEM_MGR_MODULES (/usr/share/ceph/mgr),
# EXTRA_MGR_MODULES (a folder of extra mgr modules linked beside the system ones).
# Needs: apt-get install ceph-mon ceph-mgr ceph-osd ceph-common (they bring uuid-runtime's uuidgen).
set -euo pipefail

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }
action=${1:-}
DIR=${2:-}
[[ -n "$action" && -n "$DIR" ]] || { usage >&2; exit 2; }

NUM_OSDS=${NUM_OSDS:-1}
MON_V2_PORT=${MON_V2_PORT:-3300}
MON_V1_PORT=${MON_V1_PORT:-6789}
POOL=${POOL:-rbdpool}
PG_AUTOSCALE=${PG_AUTOSCALE:-on}
SYSTEM_MGR_MODULES=${SYSTEM_MGR_MODULES:-/usr/share/ceph/mgr}
EXTRA_MGR_MODULES=${EXTRA_MGR_MODULES:-}
# The system interpreter: a pyenv python3 earlier on PATH has no Ceph bindings.
PY=/usr/bin/python3

say() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { say "$*"; exit 1; }

need_binaries() {
  local b missing=()
  for b in ceph ceph-mon ceph-mgr ceph-osd ceph-authtool monmaptool uuidgen "$PY"; do
    command -v "$b" >/dev/null 2>&1 || missing+=("$b")
  done
  ((${#missing[@]} == 0)) && return 0
  die "missing ${missing[*]}: apt-get install -y --no-install-recommends ceph-mon ceph-mgr ceph-osd ceph-common python3-rados uuid-runtime"
}

if [[ "$action" == up ]]; then
  mkdir -p "$DIR"
elif [[ ! -d "$DIR" ]]; then
  # nothing was ever started there: stopping is done, anything else has nothing to look at
  [[ "$action" == down || "$action" == purge ]] && exit 0
  die "no cluster folder $DIR"
fi
DIR=$(cd "$DIR" && pwd)
CONF=$DIR/ceph.conf
RUN=$DIR/run
ceph_() { ceph -c "$CONF" --connect-timeout 10 "$@"; }

# running PIDFILE: true when the pid it names is alive and is one of our ceph daemons
running() {
  local pid
  [[ -s "$1" ]] || return 1
  pid=$(<"$1")
  kill -0 "$pid" 2>/dev/null || return 1
  # a zombie or a recycled pid does not count
  [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]] && grep -qa ceph "/proc/$pid/cmdline" 2>/dev/null
}

launch() { # launch NAME CMD...: start CMD -f in the background unless NAME is already running
  local name=$1 pidfile=$RUN/$1.pid
  shift
  if running "$pidfile"; then say "$name is running (pid $(<"$pidfile"))"; return 0; fi
  "$@" -f >>"$DIR/log/$name.stdout" 2>&1 &
  echo $! >"$pidfile"
  say "$name started (pid $!)"
}

# retry SECONDS WHAT CMD...: run CMD every half second until it succeeds
retry() {
  local seconds=$1 what=$2
  local limit=$((SECONDS + seconds))
  shift 2
  while ! "$@" >/dev/null 2>&1; do
    ((SECONDS < limit)) || die "gave up after $seconds s waiting for $what (logs in $DIR/log)"
    sleep 0.5
  done
}

# json_check PYTHON_EXPR CEPH_ARGS...: true when EXPR holds for `d`, the command's JSON output
json_check() {
  local expr=$1
  shift
  ceph_ "$@" -f json 2>/dev/null | "$PY" -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if ($expr) else 1)"
}

write_conf() {
  cat >"$CONF" <<EOF
[global]
fsid = $1
mon host = [v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
public network = 127.0.0.0/8
ms bind ipv4 = true
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
mon_warn_on_insecure_global_id_reclaim_allowed = false
keyring = $DIR/keyring
run dir = $RUN
pid file = $RUN/\$name.daemon-pid
crash dir = $DIR/crash
log file = $DIR/log/\$name.log
log to stderr = false
err to stderr = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pg autoscale mode = $PG_AUTOSCALE
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
# a shared CI disk is often less than 30 % free: MON_DISK_LOW would hide every other state
mon data avail warn = 2

# admin sockets per daemon type only: one in [global] makes a second client fail (EEXIST)
[mon]
admin socket = $RUN/\$name.asok
mon data = $DIR/mon/\$cluster-\$id
mon cluster log file = $DIR/log/cluster.log

[mgr]
admin socket = $RUN/\$name.asok
mgr data = $DIR/mgr/\$cluster-\$id
keyring = $DIR/mgr/\$cluster-\$id/keyring
mgr module path = $DIR/mgr-modules

[osd]
admin socket = $RUN/\$name.asok
osd data = $DIR/osd/\$cluster-\$id
keyring = $DIR/osd/\$cluster-\$id/keyring
osd objectstore = memstore
memstore device bytes = 1073741824
# memstore writes its data out only on a clean umount, which Pacific's fast shutdown skips:
# without this, PGs stay "unknown" after a restart
osd fast shutdown = false
osd op num shards = 1
osd op num threads per shard = 2
EOF
}

# mgr module path is one folder: it gets links to every system module plus the extra ones
link_modules() {
  local m
  mkdir -p "$DIR/mgr-modules"
  for m in "$SYSTEM_MGR_MODULES"/*; do ln -sfn "$m" "$DIR/mgr-modules/${m##*/}"; done
  [[ -n "$EXTRA_MGR_MODULES" ]] || return 0
  for m in "$EXTRA_MGR_MODULES"/*/; do
    m=$(cd "$m" && pwd)
    ln -sfn "$m" "$DIR/mgr-modules/${m##*/}"
  done
}

mkfs_mon() {
  local fsid=$1
  rm -rf "$DIR/mon/ceph-a"
  ceph-authtool --create-keyring "$DIR/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap mgr 'allow *' --cap osd 'allow *' --cap mds 'allow *' >/dev/null
  ceph-authtool "$DIR/mon.keyring" --import-keyring "$DIR/keyring" >/dev/null
  monmaptool --create --clobber --fsid "$fsid" \
    --addv a "[v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]" "$DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/mon.keyring"
  say "mon.a created"
}

mkfs_osd() {
  local i=$1 uuid key id
  rm -rf "$DIR/osd/ceph-$i"
  mkdir -p "$DIR/osd/ceph-$i"
  uuid=$(uuidgen)
  key=$(ceph-authtool --gen-print-key)
  id=$(printf '{"cephx_secret": "%s"}' "$key" | ceph_ osd new "$uuid" "$i" -i -)
  [[ "$id" == "$i" ]] || die "the mon gave osd id '$id', expected $i"
  ceph-authtool --create-keyring "$DIR/osd/ceph-$i/keyring" --name "osd.$i" --add-key "$key" >/dev/null
  ceph-osd -c "$CONF" -i "$i" --mkfs --osd-uuid "$uuid" >>"$DIR/log/osd.$i.stdout" 2>&1
  touch "$DIR/osd/ceph-$i/ready"
  say "osd.$i created"
}

up() {
  need_binaries
  local t0=$SECONDS i
  mkdir -p "$RUN" "$DIR/log" "$DIR/mon" "$DIR/mgr" "$DIR/osd" "$DIR/crash"
  [[ -f "$CONF" ]] || { write_conf "$(uuidgen)"; say "wrote $CONF"; }
  link_modules
  [[ -f "$DIR/mon/ceph-a/kv_backend" ]] || mkfs_mon "$(awk '$1 == "fsid" {print $3}' "$CONF")"
  launch mon.a ceph-mon -c "$CONF" -i a
  retry 60 "the mon's quorum" ceph_ mon stat
  say "mon up ($((SECONDS - t0)) s)"

  if [[ ! -f "$DIR/mgr/ceph-x/keyring" ]]; then
    mkdir -p "$DIR/mgr/ceph-x"
    ceph_ auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' mds 'allow *' -o "$DIR/mgr/ceph-x/keyring"
  fi
  launch mgr.x ceph-mgr -c "$CONF" -i x

  for ((i = 0; i < NUM_OSDS; i++)); do
    [[ -f "$DIR/osd/ceph-$i/ready" ]] || mkfs_osd "$i"
    launch "osd.$i" ceph-osd -c "$CONF" -i "$i"
  done
  retry 120 "$NUM_OSDS OSD(s) up" json_check "d['num_up_osds'] >= $NUM_OSDS" osd stat
  say "OSDs up ($((SECONDS - t0)) s)"
  retry 90 "an available mgr" json_check "d['available']" mgr stat
  say "mgr available ($((SECONDS - t0)) s)"

  if ! ceph_ osd pool ls | grep -qx "$POOL"; then
    ceph_ osd pool create "$POOL" 8 8 >/dev/null 2>&1
    ceph_ osd pool application enable "$POOL" rbd >/dev/null 2>&1
    say "pool $POOL created"
  fi
  retry 120 "every PG active+clean" json_check \
    "d['pg_summary']['num_pgs'] > 0 and sum(s['num'] for s in d['pg_summary']['num_pg_by_state'] if s['name'] == 'active+clean') == d['pg_summary']['num_pgs']" pg stat
  say "cluster up, PGs active+clean ($((SECONDS - t0)) s)"
  echo "export CEPH_CONF=$CONF"
}

# stop_all GLOB: SIGTERM every recorded daemon matching GLOB at once, then wait for each
# (memstore OSDs write their store out on the way down: that can take a while)
stop_all() {
  local f pid pids=() names=() k
  for f in "$RUN"/$1.pid; do
    [[ -f "$f" ]] || continue
    if running "$f"; then
      pid=$(<"$f")
      kill -TERM "$pid"
      pids+=("$pid")
      names+=("$(basename "$f" .pid)")
    fi
    rm -f "$f"
  done
  for k in "${!pids[@]}"; do
    pid=${pids[$k]}
    for _ in $(seq 480); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then say "${names[$k]} ignored SIGTERM for 120 s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
    say "${names[$k]} stopped (pid $pid)"
  done
}

down() {
  [[ -d "$RUN" ]] || return 0
  stop_all 'osd.*'
  stop_all 'mgr.*'
  stop_all 'mon.*'
}

case "$action" in
  up) up ;;
  down) down ;;
  stop)
    name=${3:-}
    [[ "$name" =~ ^(mon|mgr|osd)\.[a-z0-9]+$ ]] || die "stop needs a daemon name such as mon.a, mgr.x or osd.0"
    stop_all "$name"
    ;;
  status)
    for f in "$RUN"/*.pid; do
      [[ -f "$f" ]] || continue
      if running "$f"; then state=running; else state=dead; fi
      echo "$(basename "$f" .pid) $(<"$f") $state"
    done
    ceph_ -s || true
    ;;
  env) echo "export CEPH_CONF=$CONF" ;;
  purge)
    down
    rm -rf "$DIR"
    say "removed $DIR"
    ;;
  *) usage >&2; exit 2 ;;
esac
