#!/bin/bash
# Drift history survives pg_dump and restore: converge.applied and
# converge.ddl_log (and their sequences) come back with the database, the
# restore's own DDL is not logged as external drift, and logging goes on
# after the restored rows.  Both ways a DBA restores: pg_restore of a custom
# dump (recognised by itself), and psql of a plain one (with recording
# turned off for the session, as README says).  Prints TAP.
set -uo pipefail

src=converge_hist_src
custom=converge_hist_custom
plain=converge_hist_plain
work=
cleanup() {
	[ -z "$work" ] || rm -rf "$work"
	for db in $src $custom $plain; do
		dropdb --if-exists "$db" 2>/dev/null
	done
}
cleanup
work=$(mktemp -d)
trap cleanup EXIT

createdb $src
psql -qX -v ON_ERROR_STOP=1 -d $src >/dev/null <<'SQL'
CREATE EXTENSION pg_converge;
CREATE SCHEMA shop;
CREATE TABLE shop.items (id integer PRIMARY KEY, name text);
INSERT INTO shop.items VALUES (1, 'one'), (2, 'two');
SELECT count(*) FROM converge_schema($$
version: 1
schemas:
  shop:
    tables:
      items:
        primary_key: [id]
        columns:
          id: {type: integer}
          name: {type: text}
          price: {type: "numeric(10,2)", nullable: false, default: "0"}
$$);
-- someone changes the table by hand after the document was applied
CREATE INDEX items_name_idx ON shop.items (name);
SQL

q() { psql -qXAt -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
status="SELECT applied_at, document_sha256, applied_by, external_ddl_since,
               converged FROM converge_status()"
applied="SELECT id, document, document_sha256, role_name, applied_at, xid,
                steps, ddl_log_mark FROM converge.applied ORDER BY id"
ddl_log="SELECT id, logged_at, role_name, command_tag, object_type,
                object_identity, schema_name, statement, origin
           FROM converge.ddl_log ORDER BY id"

echo "1..13"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
same() { diff <(q $src "$1") <(q "$2" "$1") >&2; }

[ "$(q $src "SELECT external_ddl_since, converged FROM converge_status()")" = "1|f" ]
ok $? "the source has an applied document and one external DDL since"

pg_dump -Fc -f "$work/src.dump" $src && createdb $custom &&
	pg_restore --exit-on-error -d $custom "$work/src.dump"
ok $? "pg_restore of a custom dump runs without error"

[ -n "$(q $custom "SELECT applied_at FROM converge_status()")" ]
ok $? "converge_status() of the restored database is not NULL"

same "$status" $custom
ok $? "converge_status() is the same after pg_restore"

same "$applied" $custom
ok $? "converge.applied comes back whole"

same "$ddl_log" $custom
ok $? "converge.ddl_log comes back whole: the restore logged nothing"

q $custom "ALTER TABLE shop.items ADD COLUMN note text" &&
	[ "$(q $custom "SELECT external_ddl_since FROM converge_status()")" = 2 ] &&
	[ "$(q $custom "SELECT max(id) FROM converge.ddl_log")" = \
	  "$(q $src "SELECT max(id) + 1 FROM converge.ddl_log")" ]
ok $? "DDL after the restore is logged, after the restored rows"

pg_dump -f "$work/src.sql" $src && createdb $plain &&
	PGOPTIONS='-c pg_converge.record_drift=off' \
	psql -qX -v ON_ERROR_STOP=1 -d $plain -f "$work/src.sql" >/dev/null
ok $? "a plain dump restores with psql and pg_converge.record_drift off"

same "$status" $plain
ok $? "converge_status() is the same after the plain restore"

same "$applied" $plain
ok $? "converge.applied comes back whole from the plain dump"

same "$ddl_log" $plain
ok $? "converge.ddl_log comes back whole: the plain restore logged nothing"

[ "$(q $plain "SELECT count(*) FROM shop.items")" = 2 ]
ok $? "the rows of the converged table come back too"

q $plain "DROP INDEX shop.items_name_idx" &&
	[ "$(q $plain "SELECT external_ddl_since, converged FROM converge_status()")" = "2|t" ]
ok $? "undoing the drift by hand in the restored database converges it"
