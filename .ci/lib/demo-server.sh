# Sourced by CI scripts: start_demo_server BINARY [VAR=value ...] starts `buysocial serve
# --seed-demo` on the embedded defaults (plus the given settings) in a temporary
# directory, sets DEMO_URL, and stops it on exit.

start_demo_server() {
  local binary="$1"
  shift
  DEMO_DIR=$(mktemp -d)
  # The embedded defaults only, whatever the caller's environment holds.
  for variable in $(env | sed -n 's/^\(BUYSOCIAL_[A-Z_]*\)=.*/\1/p'); do
    unset "$variable"
  done
  (cd "$DEMO_DIR" && exec env BUYSOCIAL__SERVER__BIND=127.0.0.1:0 BUYSOCIAL__LOG__LEVEL=warn "$@" \
    "$binary" serve --seed-demo >"$DEMO_DIR/server.log" 2>&1) &
  DEMO_PID=$!
  trap stop_demo_server EXIT
  DEMO_URL=""
  for _ in $(seq 1 120); do
    DEMO_URL=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$DEMO_DIR/server.log" | head -n 1)
    [ -n "$DEMO_URL" ] && break
    kill -0 "$DEMO_PID" 2>/dev/null || break
    sleep 0.5
  done
  [ -n "$DEMO_URL" ] || { cat "$DEMO_DIR/server.log"; echo "the demo server did not start"; exit 1; }
}

stop_demo_server() {
  kill "$DEMO_PID" 2>/dev/null || true
  wait "$DEMO_PID" 2>/dev/null || true
  rm -rf "$DEMO_DIR" || true
}
