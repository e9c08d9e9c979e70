# Sourced by the bench scripts that start their own Echelon: free loopback ports for it and its fake backends.

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
