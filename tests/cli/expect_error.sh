#!/usr/bin/env bash
# Runs a command that must fail: exit status $1, exactly one line on stderr matching $2, nothing
# on stdout. Usage: expect_error.sh STATUS REGEX -- COMMAND...
set -u
want_status=$1; pattern=$2; shift 3
out=$(mktemp); err=$(mktemp)
"$@" >"$out" 2>"$err"; status=$?
fail() { echo "FAIL: $*"; echo "--- stdout"; cat "$out"; echo "--- stderr"; cat "$err"; rm -f "$out" "$err"; exit 1; }
[ "$status" -eq "$want_status" ] || fail "exit status $status, expected $want_status"
[ "$(wc -l <"$err")" -eq 1 ] || fail "stderr is not exactly one line"
grep -Eq -- "$pattern" "$err" || fail "stderr does not match /$pattern/"
[ ! -s "$out" ] || fail "stdout is not empty"
cat "$err"; rm -f "$out" "$err"
