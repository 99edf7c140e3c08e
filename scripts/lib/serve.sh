# Sourced by the scripts that measure iamd (bench, bench-audit, bench-paired, profile-server):
# the root credentials the load tool signs with, and start_iamd.
export IAMD_ROOT_ACCESS_KEY_ID=AKIALOADROOT00000001 IAMD_ROOT_SECRET_ACCESS_KEY=loadrootsecretloadrootsecretloadrootsecr

# start_iamd BINARY LOG PORT [SERVE_FLAGS...]: starts BINARY serve on 127.0.0.1:PORT, its
# output in LOG, sets PID, and returns once it says it is serving (or after 10 s).
start_iamd() {
  local bin=$1 log=$2 port=$3
  shift 3
  "$bin" serve --listen 127.0.0.1:"$port" "$@" > "$log" 2>&1 &
  PID=$!
  for _ in $(seq 1 200); do grep -q serving "$log" 2>/dev/null && break; sleep 0.05; done
}
