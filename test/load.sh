#!/bin/bash
# Convergence under a write load: pgbench inserts rows with unique ids and
# updates rows of a managed table for $LOAD_SECONDS seconds (default 20)
# while a psql session converges that table back and forth between two
# documents (a column with a default added and dropped, an index and a
# CHECK added and dropped, the table's comment changed), each convergence in
# its own transaction under lock_timeout.  Every committed insert and update
# must be there afterwards, no deadlock may have happened, and each
# convergence must have either completed or failed with a lock timeout
# (55P03), leaving the schema at exactly one of the documents.  Prints TAP.
#
# Each transaction of the load inserts a row with a new id, adds one to the
# qty of one of the rows there before the load (all 0 at first), and
# writes the new id into a ledger, in a schema no document manages.  The
# load sets no lock_timeout: it waits for the convergences, so none of its
# transactions has a reason to fail (pgbench 15 retries no other errors
# than serialization failures and deadlocks, and only with --max-tries).
#
# Each convergence to B spends one of the table's 1600 attribute numbers
# (a dropped column keeps its own): a run would run out of them after
# about 3000 convergences, some half an hour of LOAD_SECONDS here.
set -uo pipefail

seconds=${LOAD_SECONDS:-20}
case $seconds in
'' | *[!0-9]* | 0)
	echo "Bail out! LOAD_SECONDS must be a positive number of seconds, not '$seconds'"
	exit 1
	;;
esac
seed=20000			# rows in the managed table before the load starts
lock_timeout=2			# seconds a convergence waits for a lock

db=converge_load_$$
tmp=$(mktemp -d) || exit 1
load_pid= blocker_pid=
cleanup() {
	for pid in $load_pid $(cat "$tmp/pgbench.pid" 2>/dev/null) $blocker_pid; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	dropdb --if-exists --force "$db" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

q() { psql -qXAt -v ON_ERROR_STOP=1 -d "$db" "$@"; }

createdb "$db" || { echo "Bail out! createdb $db failed"; exit 1; }
q <<SQL >/dev/null || { echo "Bail out! setting up $db failed"; exit 1; }
CREATE EXTENSION pg_converge;
CREATE SCHEMA app;
CREATE TABLE app.items (
    id bigint PRIMARY KEY,
    client integer NOT NULL,
    qty integer NOT NULL DEFAULT 0,
    note text
);
CREATE INDEX items_client ON app.items (client);
COMMENT ON TABLE app.items IS 'rows the load writes';
INSERT INTO app.items SELECT i, i % 4, 0, 'seed' FROM generate_series(1, $seed) i;
-- not managed: the documents list only app
CREATE SCHEMA audit;
CREATE TABLE audit.ledger (id bigint PRIMARY KEY);
CREATE SEQUENCE audit.item_ids START WITH $((seed + 1));
ANALYZE app.items;
SQL

# A is what converge_export('{app}') writes for the DDL above;
# B adds a column with a default, an index and a CHECK every row
# satisfies, and changes the comment.  B to A drops the column, whose rows
# all hold a value: data loss, allowed for that direction only.
doc_a='version: 1
schemas:
  app:
    tables:
      items:
        comment: rows the load writes
        columns:
          id: {type: bigint, nullable: false}
          client: {type: integer, nullable: false}
          qty: {type: integer, nullable: false, default: 0}
          note: {type: text}
        primary_key: [id]
        indexes:
          items_client: {columns: [client]}
'
doc_b='version: 1
schemas:
  app:
    tables:
      items:
        comment: rows the load writes, converged under it
        columns:
          id: {type: bigint, nullable: false}
          client: {type: integer, nullable: false}
          qty: {type: integer, nullable: false, default: 0}
          note: {type: text}
          tag: {type: text, default: "'"'"'loaded'"'"'"}
        primary_key: [id]
        checks:
          items_qty_nonnegative: "qty >= 0"
        indexes:
          items_client: {columns: [client]}
          items_qty: {columns: [qty, id]}
'

# One script, so that pgbench's total counts it: with several scripts and
# threads, pgbench adds up each script's transactions without a lock
# (pgbench.c: "XXX could use a mutex here, but we choose not to") and
# loses some now and then.
cat >"$tmp/load.sql" <<SQL
\\set seeded random(1, $seed)
BEGIN;
INSERT INTO app.items (id, client, qty, note)
  VALUES (nextval('audit.item_ids'), :client_id, 0, 'load') RETURNING id \\gset
UPDATE app.items SET qty = qty + 1, note = 'updated' WHERE id = :seeded;
INSERT INTO audit.ledger (id) VALUES (:id);
COMMIT;
SQL

echo "1..12"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

plans=$(q -v a="$doc_a" -v b="$doc_b" <<'SQL'
SELECT (SELECT count(*) FROM converge_plan(:'a')) || ' ' ||
       (SELECT count(*) FROM converge_plan(:'b'));
SQL
)
[ "$plans" = "0 4" ]
ok $? "document A is the table as built, B is four steps away (plans: $plans)"

deadlocks_before=$(q -c "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")

# the load, in the background; its exit status lands in load.rc when done
(
	pgbench -n -c 4 -j 2 -T "$seconds" -f "$tmp/load.sql" "$db" \
		>"$tmp/pgbench.out" 2>"$tmp/pgbench.err" &
	echo $! >"$tmp/pgbench.pid"
	wait $!
	echo $? >"$tmp/load.rc.tmp" && mv "$tmp/load.rc.tmp" "$tmp/load.rc"
) &
load_pid=$!

# One convergence: in its own transaction under lock_timeout.  Whatever
# happened, the same session then asks whether the schema is at the target
# document and whether it is at the one before.
converge() {	# target-doc previous-doc allow_data_loss
	psql -qXAt -d "$db" -v doc="$1" -v prev="$2" -v loss="$3" <<SQL \
		>"$tmp/converge.out" 2>"$tmp/converge.err"
\\set VERBOSITY verbose
SET client_min_messages = warning;
BEGIN;
SET LOCAL lock_timeout = '${lock_timeout}s';
SET LOCAL statement_timeout = '5min';
SELECT count(*) FROM converge_schema(:'doc', allow_data_loss => :loss);
COMMIT;
SELECT converge_is_converged(:'doc')::text || '|' || converge_is_converged(:'prev')::text;
SQL
}

# Another session holds ROW EXCLUSIVE on the table, as a writer's long
# transaction would, for longer than lock_timeout: the convergence that
# starts then waits for it (and the load waits behind the convergence)
# until the lock timeout ends it.
block() {
	psql -qXAt -v ON_ERROR_STOP=1 -d "$db" >/dev/null 2>"$tmp/blocker.err" <<SQL &
SET application_name = 'converge_load_blocker';
BEGIN;
LOCK TABLE app.items IN ROW EXCLUSIVE MODE;
SELECT pg_sleep($((lock_timeout + 2)));
COMMIT;
SQL
	blocker_pid=$!
	for _ in $(seq 1 100); do
		[ "$(q -c "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
		            WHERE a.application_name = 'converge_load_blocker'
		              AND l.relation = 'app.items'::regclass AND l.granted")" = 1 ] &&
			break
		sleep 0.1
	done
}

completed=0 timed_out=0 other=0 unclean=0 attempts=0 blocks=0 blocker_failed=0
at=a last_doc=$doc_a
start=$SECONDS
while [ ! -e "$tmp/load.rc" ]; do
	if [ $((SECONDS - start)) -gt $((seconds + 300)) ]; then
		echo "# the load did not end in $((seconds + 300)) seconds: stopping it"
		kill "$(cat "$tmp/pgbench.pid")" 2>/dev/null
		break
	fi
	if [ $at = a ]; then
		target=$doc_b previous=$doc_a loss=false
	else
		target=$doc_a previous=$doc_b loss=true
	fi
	attempts=$((attempts + 1))
	# every fifth convergence, from the third, meets a long transaction
	[ $((attempts % 5)) = 3 ] && block
	converge "$target" "$previous" "$loss"
	rc=$?
	if [ -n "$blocker_pid" ]; then
		blocks=$((blocks + 1))
		if ! wait "$blocker_pid" || grep -q ERROR "$tmp/blocker.err"; then
			blocker_failed=$((blocker_failed + 1))
			echo "# the session holding the lock failed:"
			sed 's/^/#   /' "$tmp/blocker.err"
			cp "$tmp/blocker.err" "$tmp/other.blocker.$attempts.err"
		fi
		blocker_pid=
	fi
	# the SQLSTATEs of its errors, as VERBOSITY verbose prints them
	codes=$(grep -o 'ERROR:  [0-9A-Z]\{5\}' "$tmp/converge.err" | cut -c9- | sort -u | xargs)
	state=$(tail -n 1 "$tmp/converge.out")
	if [ $rc = 0 ] && [ -z "$codes" ]; then
		completed=$((completed + 1))
		at=$([ $at = a ] && echo b || echo a) last_doc=$target
		[ "$state" = "true|false" ] || {
			unclean=$((unclean + 1))
			echo "# completed, but the schema is not at the target (target|previous: '$state')"
		}
	elif [ "$codes" = 55P03 ]; then
		timed_out=$((timed_out + 1))
		[ "$state" = "false|true" ] || {
			unclean=$((unclean + 1))
			echo "# timed out, but the schema is not at the previous document (target|previous: '$state')"
		}
	else
		other=$((other + 1))
		echo "# convergence failed otherwise (exit $rc, SQLSTATE ${codes:-none}):"
		grep -E '^(psql:.*)?(ERROR|DETAIL|HINT|FATAL)' "$tmp/converge.err" |
			cut -c1-300 | sed 's/^/#   /'
		cp "$tmp/converge.err" "$tmp/other.$other.err"
		# whatever state it left, go on from the one it reports
		case $state in
		"true|false") at=$([ $at = a ] && echo b || echo a) last_doc=$target ;;
		"false|true") ;;
		*) unclean=$((unclean + 1)) ;;
		esac
	fi
done
wait "$load_pid"
rm -f "$tmp/pgbench.pid"
load_rc=$(cat "$tmp/load.rc" 2>/dev/null || echo "none")
load_pid=

# pgbench exits 0 even when transactions failed (with -T it counts them):
# none may have
failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$tmp/pgbench.out")
[ "$load_rc" = 0 ] && [ "$failed" = 0 ]
ok $? "pgbench exited 0 and no transaction of the load failed (exit $load_rc, failed ${failed:-?})"
if [ "$load_rc" != 0 ] || [ "$failed" != 0 ]; then
	sed 's/^/# /' "$tmp/pgbench.out" "$tmp/pgbench.err"
fi

# each committed transaction inserted one row and updated one
committed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$tmp/pgbench.out")

# the statistics of a backend reach pg_stat_database when it exits: wait
# for the load's and the convergences' backends to be gone
for _ in $(seq 1 100); do
	[ "$(q -c "SELECT count(*) FROM pg_stat_activity
	            WHERE datname = current_database() AND pid <> pg_backend_pid()
	              AND backend_type = 'client backend'")" = 0 ] && break
	sleep 0.1
done
sleep 0.5	# a backend leaves pg_stat_activity just before it flushes its statistics
deadlocks_after=$(q -c "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
! grep -qi deadlock "$tmp/pgbench.out" "$tmp/pgbench.err" &&
	! grep -qs 'ERROR:  40P01' "$tmp"/other.*.err &&
	[ -n "$deadlocks_before" ] && [ "$deadlocks_before" = "$deadlocks_after" ]
ok $? "no deadlock: none in pgbench's output nor the convergences', pg_stat_database.deadlocks stays $deadlocks_before"

ledger=0 missing=? seeds=? total=0 qty=?
read -r ledger missing seeds total qty < <(q -F ' ' <<SQL
SELECT (SELECT count(*) FROM audit.ledger),
       (SELECT count(*) FROM audit.ledger l
         WHERE NOT EXISTS (SELECT FROM app.items t WHERE t.id = l.id)),
       (SELECT count(*) FROM app.items WHERE id <= $seed),
       (SELECT count(*) FROM app.items),
       (SELECT coalesce(sum(qty), 0) FROM app.items WHERE id <= $seed);
SQL
)
echo "# committed $committed, ledger $ledger, found $((total - seeds)), qty added $qty, convergences completed $completed, timed out $timed_out, failed otherwise $other"

[ "$missing" = 0 ] && [ "$ledger" -gt 0 ]
ok $? "every id in the ledger is in the managed table ($missing missing of $ledger)"

[ "$ledger" = "$committed" ]
ok $? "the ledger holds as many ids as pgbench committed transactions ($ledger, $committed)"

[ "$seeds" = $seed ] && [ "$total" = $((seed + ledger)) ]
ok $? "no row lost or added: the $seed seeded rows and the ledger's are all the table holds ($total)"

[ "$qty" = "$committed" ]
ok $? "every committed update is there: the seeded rows' qty add up to the transactions ($qty, $committed)"

[ "$completed" -ge 1 ]
ok $? "at least one convergence completed under the load ($completed)"

[ "$other" = 0 ]
ok $? "every convergence that failed failed with a lock timeout, 55P03 ($timed_out timed out, $other otherwise)"

[ "$blocker_failed" = 0 ]
ok $? "the sessions that held the lock against convergences ran without error ($blocks, $blocker_failed failed)"

[ "$unclean" = 0 ]
ok $? "each convergence left the schema at one document: the target when it completed, the previous one when it failed"

steps=$(q -v doc="$last_doc" <<'SQL'
SELECT count(*) FROM converge_plan(:'doc');
SQL
)
[ "$steps" = 0 ]
ok $? "converge_plan of the last document converged is empty at the end ($steps steps, document $at)"
