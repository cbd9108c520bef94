# pg_converge: PGXS build.
#
#   make && make install          build and install into pg_config's server
#   make installcheck             pg_regress suites in sql/ against a running server
#   make prove                    TAP suites in test/ against a running server
#   test/run                      everything, on a throw-away cluster (see README)
#   test/matrix bookworm trixie forky   everything, on PostgreSQL 15, 17, 18
#   make bench                    speed against pg_dump, on a throw-away cluster
#   make valgrind                 pg_regress suites under valgrind (VALGRIND_PROVE=1: also pgTAP)
#   make strict                   rebuild with the warnings pgvector's CI uses, as errors
#   make dist                     the release archive, pg_converge-<version>.zip

EXTENSION = pg_converge
MODULE_big = pg_converge
OBJS = \
	src/pg_converge.o \
	src/document.o \
	src/catalog.o \
	src/expr.o \
	src/query.o \
	src/routine.o \
	src/diff.o \
	src/plan.o \
	src/validate.o \
	src/execute.o \
	src/export.o \
	src/script.o \
	src/drift.o \
	$(patsubst %.c,%.o,$(sort $(wildcard $(srcdir)/src/kinds/*.c)))

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

# every stage shares the model, and through it the compatibility header;
# the kinds and the engines share their interface
$(OBJS): src/model.h src/compat.h src/kinds/kinds.h src/kinds/kindlist.h

# pgTAP and shell TAP suites; the pgTAP ones in a database of their own,
# created with pgtap and dropped after, so this works before or after
# installcheck (whose contrib_regression already has the extension).
prove:
	test/prove --failures

# speed, as ratios against pg_dump --schema-only (not a test)
bench:
	bench/run

# the pg_regress suites (REGRESS="..." for some; VALGRIND_PROVE=1: test/prove
# too) against a server under valgrind's memcheck, on a throw-away cluster
# of its own, as whoever runs it (as root, the server runs as postgres);
# fails on a memcheck error in pg_converge.so.  Tests the installed
# extension (make install first).  PROVE is PGXS's prove program.
valgrind:
	test/valgrind $(if $(VALGRIND_PROVE),--prove)

# real schemas through their export (a report, not a test); CORPUS is a
# folder laid out like the team's corpus, ../shared/corpus by default
corpus:
	test/corpus $(CORPUS)

# pgvector's CI flags: every warning is an error
STRICT_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare \
	-Wno-missing-field-initializers -Wshadow=compatible-local \
	-Wmissing-prototypes
strict:
	$(MAKE) clean
	$(MAKE) PG_CFLAGS="$(STRICT_CFLAGS)"

# The release archive, as PGXN takes it: every file committed at HEAD (not
# the working tree), under pg_converge-<version>/, the version being
# META.json's (test/packaging.sh checks it is the control file's
# default_version).  .gitattributes leaves out what only the repository needs.
DISTVERSION = $(shell perl -MJSON::PP -e 'local $$/; print decode_json(<>)->{version}' META.json)
dist:
	@test -n "$(DISTVERSION)" || { echo "no version in META.json" >&2; exit 1; }
	git archive --format=zip --prefix=$(EXTENSION)-$(DISTVERSION)/ -o $(EXTENSION)-$(DISTVERSION).zip HEAD

.PHONY: prove bench valgrind corpus strict dist
