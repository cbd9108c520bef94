# pg_converge: PGXS build.
#
#   make && make install          build and install into pg_config's server
#   make installcheck             pg_regress suites in sql/ against a running server
#   make prove                    pgTAP suites in test/ against a running server
#   test/run                      everything, on a throw-away cluster (see README)
#   test/matrix bookworm trixie forky   everything, on PostgreSQL 15, 17, 18
#   make bench                    speed against pg_dump, on a throw-away cluster

EXTENSION = pg_converge
MODULE_big = pg_converge
OBJS = \
	src/pg_converge.o \
	src/document.o \
	src/catalog.o \
	src/expr.o \
	src/diff.o \
	src/plan.o \
	src/validate.o \
	src/execute.o \
	src/export.o \
	src/drift.o

DATA = $(wildcard sql/$(EXTENSION)--*.sql)
PGFILEDESC = "pg_converge - declarative schema convergence"

# The server's headers are system headers to us: -Wextra (scripts/setup
# builds with -Wall -Wextra -Werror) is for our code, not theirs.
PG_CPPFLAGS = -I$(srcdir)/src -isystem $(includedir_server)
SHLIB_LINK = -lyaml

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/[0-9]*.sql)))

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# every stage shares the model, and through it the compatibility header
$(OBJS): src/model.h src/compat.h

# pgTAP suites; the database must exist and have pgtap available.
PROVE_DB ?= contrib_regression
prove:
	pg_prove --failures --dbname $(PROVE_DB) test/*.sql
	prove test/*.sh

# speed, as ratios against pg_dump --schema-only (not a test)
bench:
	test/bench

.PHONY: prove bench
