#!/bin/bash
# Round trip through pg_dump: a database built with plain DDL, exported, and
# converged into an empty database, dumps the same (schema only).  Prints TAP.
set -uo pipefail

src=converge_rt_src
dst=converge_rt_dst
dropdb --if-exists $src; dropdb --if-exists $dst
createdb $src && createdb $dst
for db in $src $dst; do
	psql -qX -d $db -c 'CREATE EXTENSION pg_converge'
done

psql -qX -v ON_ERROR_STOP=1 -d $src -f "$(dirname "$0")/fixtures/rich_schema.sql"

echo "1..5"
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

doc=$(psql -qXAt -d $src -c "SELECT converge_export('{\"Shop Front\",billing}')")
# a here-string, not a pipe: grep -q stops reading at the first match, and
# under pipefail the writer's SIGPIPE would fail the test now and then
grep -q 'Display Name' <<<"$doc"
ok $? "export names every table and column"

steps=$(psql -qXAt -d $src -v doc="$doc" <<'SQL'
SELECT count(*) FROM converge_plan(:'doc');
SQL
)
[ "$steps" = 0 ]
ok $? "converge_plan(converge_export()) is empty on the source"

psql -qXAt -v ON_ERROR_STOP=1 -d $dst -v doc="$doc" >/dev/null <<'SQL'
SELECT count(*) FROM converge_schema(:'doc');
SQL
ok $? "the exported document converges an empty database"

# the source converged with its own export keeps its sequences' positions
psql -qXAt -v ON_ERROR_STOP=1 -d $src -v doc="$doc" >/dev/null <<'SQL'
SELECT count(*) FROM converge_schema(:'doc');
SQL
positions=$(psql -qXAt -d $src -c "SELECT last_value FROM billing.ledger_id_seq")
[ "$positions" = 7 ]
ok $? "converging the source keeps its sequences where rows left them"

dump() {
	pg_dump --schema-only --no-owner -n '"Shop Front"' -n billing "$1" |
		grep -v -e '^--' -e '^$' -e '^SET ' -e '^SELECT pg_catalog.set_config' \
			-e '^\\restrict' -e '^\\unrestrict'
}
diff <(dump $src) <(dump $dst) >&2
ok $? "pg_dump --schema-only of both databases is the same"

dropdb $src; dropdb $dst
