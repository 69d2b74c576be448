#!/bin/sh
# weft-inspector-fails.sh PROGRAM STATUS MESSAGE ARGS...: PROGRAM ARGS... must
# exit with STATUS and say MESSAGE on stderr (bad input on the command line).
program=$1 status=$2 message=$3
shift 3
err=$("$program" "$@" 2>&1 >/dev/null)
got=$?
if [ "$got" -ne "$status" ]; then
  echo "expected exit status $status, got $got; stderr: $err" >&2
  exit 1
fi
case $err in
  *"$message"*) echo "exit $got: $err" ;;
  *) echo "stderr does not say '$message': $err" >&2; exit 1 ;;
esac
