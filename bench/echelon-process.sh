# Sourced by the bench scripts that start their own Echelon: free loopback ports for it and its fake backends, the
# wait until it is ready, and its stop. They share ECHELON_PID, WORK (whose echelon.log is Echelon's output) and
# INSTANCES (the last /admin/instances answer).

# A port is free when nothing accepts a connection on it (loopback only).
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# First port of a run of $1 free ports, from a random start so concurrent runs rarely collide.
free_ports() {
  local n=$1 base p ok
  for _ in $(seq 1 200); do
    base=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    ok=1
    for p in $(seq "$base" $((base + n - 1))); do port_free "$p" || { ok=0; break; }; done
    [ "$ok" = 1 ] && { echo "$base"; return 0; }
  done
  echo "bench: no free port range found" >&2
  return 1
}
# Sets PORT (Echelon's) and BACKEND_BASE (16 ports for its fake llama-servers), not overlapping.
pick_ports() {
  PORT=$(free_ports 1)
  BACKEND_BASE=$(free_ports 16)
  while [ "$PORT" -ge "$BACKEND_BASE" ] && [ "$PORT" -lt $((BACKEND_BASE + 16)) ]; do PORT=$(free_ports 1); done
}

# Waits (at most 60 s) until Echelon at $1 answers /q/health/ready with 200 and every instance in /admin/instances
# is in a state matched by the grep pattern $2 (default: ready); leaves that answer in INSTANCES. Exits the script
# when Echelon dies or the time runs out.
await_echelon() {
  local url=$1 settled=${2:-ready} i
  INSTANCES=
  for i in $(seq 1 600); do
    kill -0 "$ECHELON_PID" 2>/dev/null || { echo "bench: Echelon exited during startup" >&2; exit 1; }
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/q/health/ready" || true)" = 200 ]; then
      INSTANCES=$(curl -s "$url/admin/instances" || true)
      if [ -n "$INSTANCES" ] && ! echo "$INSTANCES" | grep -o '"state":"[a-z_]*"' \
          | grep -qv "\"state\":\"\\($settled\\)\""; then
        return 0
      fi
    fi
    [ "$i" = 600 ] && { echo "bench: Echelon not ready after 60 s" >&2; exit 1; }
    sleep 0.1
  done
}

# The URL of instance $1 in INSTANCES.
instance_url() {
  echo "$INSTANCES" | grep -o "\"id\":\"$1\"[^}]*" | grep -o '"url":"[^"]*"' | cut -d'"' -f4
}

# Stops Echelon (SIGTERM, then SIGKILL after 10 s) if it runs.
stop_echelon() {
  if [ -n "$ECHELON_PID" ] && kill -0 "$ECHELON_PID" 2>/dev/null; then
    kill -TERM "$ECHELON_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$ECHELON_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$ECHELON_PID" 2>/dev/null || true
    wait "$ECHELON_PID" 2>/dev/null || true
  fi
  ECHELON_PID=
}

# After a failed run (exit status $1 not 0): the last lines of Echelon's log.
show_failure() {
  if [ "$1" != 0 ] && [ -f "$WORK/echelon.log" ]; then
    echo "bench: failed (exit $1); last lines of Echelon's log:" >&2
    tail -n 30 "$WORK/echelon.log" >&2 || true
  fi
}
