# Helpers for the SMB integration tests: run real Samba servers (Debian
# samba, smbd) with their own smb.conf and state under the test's temp dir.
# Source after lib.sh. The account is "wsadmin" (mapped to the Unix root
# account through a username map, so no system user is created).
SMBD=${SMBD:-/usr/sbin/smbd}
# ASan builds: libsmbclient's own leaks are not ours (see lsan.supp)
export LSAN_OPTIONS="suppressions=${WS_SRC:-$(dirname "${BASH_SOURCE[0]}")/..}/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
SMBPASSWD=${SMBPASSWD:-/usr/bin/smbpasswd}
smb_need() {
    [ -x "$SMBD" ] || skip "samba (smbd) not installed: apt-get install samba"
    [ -x "$SMBPASSWD" ] || skip "smbpasswd not installed: apt-get install samba-common-bin"
    command -v smbclient >/dev/null || skip "smbclient not installed: apt-get install smbclient"
}
# smb_conf DIR ADDR PORT MINPROTO MAXPROTO  (then append share sections to DIR/smb.conf)
smb_conf() {
    local d=$1 addr=$2 port=$3 minp=$4 maxp=$5
    mkdir -p "$d"/{private,lock,state,cache,pid,ncalrpc,log}
    echo "root = wsadmin" > "$d/users.map"
    cat > "$d/smb.conf" <<CONF
[global]
    server role = standalone server
    smb ports = $port
    interfaces = $addr
    bind interfaces only = yes
    disable netbios = yes
    private dir = $d/private
    lock directory = $d/lock
    state directory = $d/state
    cache directory = $d/cache
    pid directory = $d/pid
    ncalrpc dir = $d/ncalrpc
    log file = $d/log/log.%m
    log level = 1
    passdb backend = tdbsam:$d/private/passdb.tdb
    username map = $d/users.map
    map to guest = never
    restrict anonymous = 2
    server min protocol = $minp
    server max protocol = $maxp
    load printers = no
    printing = bsd
    printcap name = /dev/null
    disable spoolss = yes
    unix extensions = no
CONF
}
# smb_share DIR NAME PATH ro|rw
smb_share() {
    local ro=yes; [ "$4" = rw ] && ro=no
    printf '[%s]\n    path = %s\n    read only = %s\n    browseable = yes\n' "$2" "$3" "$ro" >> "$1/smb.conf"
}
# smb_user DIR PASSWORD: the account wsadmin (root underneath) with PASSWORD
smb_user() {
    printf '%s\n%s\n' "$2" "$2" | "$SMBPASSWD" -c "$1/smb.conf" -a -s root >/dev/null 2>&1
}
# smb_start DIR [netns]: start smbd, wait until it listens; pid in DIR/smbd.pid.
# smbd runs in a session of its own (setsid): on exit it signals its whole
# process group, which must not be the test's (nor ctest's).
smb_start() {
    local d=$1 ns=${2:-}
    if [ -n "$ns" ]; then
        setsid ip netns exec "$ns" "$SMBD" --foreground --no-process-group -s "$d/smb.conf" \
            > "$d/log/stdout" 2>&1 &
    else
        setsid "$SMBD" --foreground --no-process-group -s "$d/smb.conf" > "$d/log/stdout" 2>&1 &
    fi
    echo $! > "$d/smbd.pid"
    local port addr
    port=$(sed -n 's/^ *smb ports = //p' "$d/smb.conf")
    addr=$(sed -n 's/^ *interfaces = //p' "$d/smb.conf")
    # up to 30 s: on a loaded 2-core machine (the suite runs -j2, other tests
    # start their own smbd) the first start can take well over 10 s
    for _ in $(seq 1 300); do
        if [ -n "$ns" ]; then
            ip netns exec "$ns" bash -c "exec 3<>/dev/tcp/$addr/$port" 2>/dev/null && return 0
        else
            (exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null && return 0
        fi
        kill -0 "$(cat "$d/smbd.pid")" 2>/dev/null || { cat "$d/log/stdout"; return 1; }
        sleep 0.1
    done
    return 1
}
smb_stop() {
    local d=$1 pids="" p
    if [ -f "$d/smbd.pid" ]; then pids="$(cat "$d/smbd.pid")"; fi
    # smbd starts samba-dcerpcd on demand, which detaches: its pid file is in
    # our pid directory. Stop each server and its workers by process id.
    for f in "$d"/pid/*.pid; do if [ -f "$f" ]; then pids="$pids $(cat "$f")"; fi; done
    for p in $pids; do
        case "$p" in ''|0|*[!0-9]*) continue ;; esac
        pkill -TERM -P "$p" 2>/dev/null || true
        kill -TERM -- "-$p" 2>/dev/null || true # its process group (setsid above)
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in $pids; do
        case "$p" in ''|0|*[!0-9]*) continue ;; esac
        for _ in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
    done
    rm -f "$d/smbd.pid"
}
