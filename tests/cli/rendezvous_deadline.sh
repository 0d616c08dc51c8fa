#!/usr/bin/env bash
# The rendezvous never hangs (issue 17): with MASTER_PORT held by a program that is not shardsim
# (it accepts connections and never answers), rank 0 reports that it cannot serve and every other
# rank gives up within --timeout-s, naming the handshake that got no answer; with nothing listening
# at all, the ranks give up within --timeout-s too. The outer `timeout` only stops a hang from
# stalling the suite; the assertions are on exit status and message. Last, a rank that goes silent
# mid-job is the one the launcher names.
#   rendezvous_deadline.sh SHARDSIM_RUN
set -u
run=$1
command -v python3 >/dev/null || { echo "python3 not found: skipped"; exit 77; }
dir=$(mktemp -d)
squatter=
cleanup() { [ -n "$squatter" ] && kill "$squatter" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# A program that is not shardsim holds a free port: it accepts and never says a word.
python3 - "$dir/port" <<'PY' &
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
held = []
while True:
    c, _ = s.accept(); held.append(c)
PY
squatter=$!
for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.1; done
port=$(cat "$dir/port")

rank() {  # rank R PORT: one torchrun-style rank of a 3-rank job
  RANK=$1 WORLD_SIZE=3 LOCAL_RANK=$1 LOCAL_WORLD_SIZE=3 MASTER_ADDR=127.0.0.1 MASTER_PORT=$2 \
    timeout 60 "$run" --timeout-s 2 bench -b 1K -e 1K >/dev/null 2>"$dir/err.$1"
  echo $? >"$dir/status.$1"
}
pids=()
for r in 0 1 2; do rank "$r" "$port" & pids+=($!); done
wait "${pids[@]}"
for r in 0 1 2; do
  status=$(cat "$dir/status.$r")
  [ "$status" -eq 1 ] || fail "rank $r exited $status (124: it hung), expected 1: $(cat "$dir/err.$r")"
  [ "$(wc -l <"$dir/err.$r")" -eq 1 ] || fail "rank $r: stderr is not one line: $(cat "$dir/err.$r")"
done
grep -q "rank 0 cannot serve on port $port" "$dir/err.0" || fail "rank 0: $(cat "$dir/err.0")"
for r in 1 2; do
  grep -q "never answered the store handshake" "$dir/err.$r" || fail "rank $r: $(cat "$dir/err.$r")"
done

# Nothing listening (rank 0 never started): the other ranks give up within the timeout.
kill "$squatter"; wait "$squatter" 2>/dev/null; squatter=
rank 1 "$port"
[ "$(cat "$dir/status.1")" -eq 1 ] && grep -q "cannot reach rendezvous at 127.0.0.1:$port within 2 s" "$dir/err.1" ||
  fail "no rank 0: exit $(cat "$dir/status.1"): $(cat "$dir/err.1")"

# A rank that goes silent after the rendezvous (here: it sleeps, as SIGSTOP would stop it): the
# others' waits time out and the launcher names the silent rank, not the first rank that timed out.
timeout 60 "$run" --local-ranks 3 --timeout-s 2 bench -b 1K -e 1K -n 2 --test-stall-rank 1 >/dev/null 2>"$dir/stall.err"
status=$?
[ "$status" -eq 1 ] || fail "stalled rank: exit $status, expected 1: $(cat "$dir/stall.err")"
tail -n 1 "$dir/stall.err" | grep -Eq '^shardsim-run: error: rank 1 went silent: rank 1 was still running when 2 other ranks timed out' ||
  fail "stalled rank: the summary does not name rank 1: $(tail -n 1 "$dir/stall.err")"

[ "$failures" -eq 0 ] || exit 1
echo "every rank gave up within --timeout-s with one line"
