#!/bin/sh
# Runs a job on one machine at a time, from cron on every machine:
#
#   */15 * * * *  /opt/jobs/nightly-job.sh /opt/jobs/export-invoices
#
# The machine that gets the lock runs the job; the others skip this turn (exit 0). The lock's
# backend is the configuration's: $GLOBALLOCK_CONFIG, else ./globallock.yaml, else the file
# engine (this machine only). For several machines, point them at one Redis, etcd or ZooKeeper:
#
#   engine: redis
#   redis:
#     nodes: [ "redis://redis.internal:6379" ]
#
# The job sees GLOBALLOCK_NAME, GLOBALLOCK_FENCING_TOKEN and GLOBALLOCK_ENGINE in its environment.
# If the lease is lost while it runs, it gets SIGTERM, and this script exits 79.
set -u
globallock=${GLOBALLOCK:-globallock}
name=${LOCK_NAME:-nightly-job}

"$globallock" exec --name "$name" --no-wait -- "$@"
status=$?
case $status in
    75) echo "$name is running elsewhere; skipped"; exit 0 ;;   # busy (EX_TEMPFAIL)
    69) echo "$name: the lock's backend is unreachable" >&2 ;;
    78) echo "$name: the lock configuration is invalid" >&2 ;;
esac
exit $status
