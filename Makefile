# competency: Cloud Productivity competency levels inside PostgreSQL (PGXS)

EXTENSION  = competency
MODULE_big = competency
OBJS       = src/competency.o src/rules.o src/keytype.o src/wire.o src/skus.o \
             src/aggsite.o src/entstate.o src/entitlements.o src/individuals.o \
             src/ruleset.o src/rulespec.o src/ruledates.o src/level.o src/whatif.o \
             src/series.o src/truncate.o src/rulewrites.o
# The version lives in META.json (competency.control's default_version
# says the same; test/t/009_sources.pl checks).  Install and upgrade scripts
# are made from their sources in sql/install: each version's script, where
# an #include line stands for a function's, aggregate's or view's file
# (functions/<name>/latest.sql, or the snapshot of the version that shipped
# it).  There is a script for 1.0 and one per upgrade; CREATE EXTENSION
# installs 1.0 and runs every upgrade after it, as contrib modules do.
EXTVERSION = $(shell sed -n 's/^   "version": "\([0-9]*\.[0-9]*\)\.[0-9]*",*$$/\1/p' META.json)
SCRIPTS    = $(notdir $(wildcard sql/install/competency--*.sql))
DATA_built = $(SCRIPTS)
PGFILEDESC = "competency - Cloud Productivity competency levels"

# pg_regress, in order (setup installs the extension and the helpers the
# others use), and the isolation tests (concurrency) in test/specs.
REGRESS    = setup aggregates analysts anywhere dates differential evaluate explain \
             flagging hostile import level lifecycle lifecycle_differential \
             parallel roles rule_sets rule_sets_differential security shapes spellings tables
ISOLATION  = flag_link_race flag_notify flag_person_move flag_same_partner \
             flag_status_credential flag_status_notify flag_status_projection \
             flag_status_usage loader_locks rule_write_flag rule_write_race stage_lock
ISOLATION_OPTS = --inputdir=test --load-extension=competency

# The server headers are included as system headers: some of their inline
# functions are not -Wextra clean.  Our own code is -Wall -Wextra clean, and
# the project's own builds (make test, CI) add -Werror (WERROR=1); a user's
# build with another compiler does not fail on a new warning.
PG_CPPFLAGS = -Wall -Wextra $(if $(WERROR),-Werror) \
              -isystem $(includedir_server) -isystem $(includedir_internal)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

# The server headers may be missing on a fresh machine: only the targets below
# (which install them) work until they are there.
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
else
all install installcheck:
	@echo "PostgreSQL server development files are missing; 'make demo' or 'make test' installs them ('make deps' alone)." >&2
	@exit 1
endif

# PGXS tracks no header dependencies here: every object depends on them all.
$(OBJS): $(wildcard src/*.h)

# A script from its source, each #include line replaced by the file it names.
competency--%.sql: sql/install/competency--%.sql sql/install/include.awk \
                   $(wildcard sql/install/functions/*/*.sql sql/install/views/*/*.sql)
	awk -v dir=sql/install -f sql/install/include.awk $< > $@

.PHONY: deps demo test test-installed tap bench soak valgrind fuzz root print-version

# Installs the Debian packages the project needs (as root), or says how.
deps:
	@sh test/deps.sh

# Builds, installs, and shows every sample partner's level on a throwaway cluster.
# (KEEP=1: on a cluster that stays, 15/competency_demo, made with
# pg_createcluster; the demo prints how to connect and how to drop it.)
demo: deps root
	$(MAKE) all
	$(MAKE) install
	KEEP=$(KEEP) sh test/demo.sh

# Builds (warnings are errors), installs, then every suite against
# throwaway clusters.
test: deps root
	$(MAKE) clean
	$(MAKE) all WERROR=1
	$(MAKE) install
	sh test/run-tests.sh

# make demo and make test install into PostgreSQL's directories.
root:
	@if [ "$$(id -u)" -ne 0 ] && [ ! -w "$(DESTDIR)$(pkglibdir)" ]; then \
		echo "make $(MAKECMDGOALS) installs competency into PostgreSQL's directories ($(pkglibdir)): run it as root (sudo make $(MAKECMDGOALS)), or have it installed and run make test-installed." >&2; \
		exit 1; \
	fi

# Every suite against the competency already installed (no root needed).
test-installed:
	sh test/run-tests.sh

# The TAP suite alone, against clusters PostgreSQL::Test::Cluster makes
# (run as a user initdb accepts; test/run-tests.sh arranges it).
PROVE_TESTS = test/t/*.pl
tap:
	$(prove_installcheck)

# Benchmark against plain SQL on a throwaway cluster (minutes; not in make test).
# make bench QUICK=1 BASELINE=<git rev or directory>: see test/bench/README.md.
bench: deps
	$(MAKE) all
	$(MAKE) install
	sh test/bench/run.sh

# Fuzzing the serialized-state readers (make fuzz, make fuzz-replay) and the
# regression suite under valgrind (make valgrind): rules in their own files.
-include test/fuzz/fuzz.mk
-include test/valgrind/valgrind.mk

# 16 clients for a few minutes, then invariants and memory (not in make test).
soak: deps
	$(MAKE) all
	$(MAKE) install
	pg_virtualenv -t -v 15 -o log_line_prefix='%p ' -o max_connections=40 -o logging_collector=on \
		bash test/soak/soak.sh 2>&1 | grep -v " UTC \[[0-9]*\] "

# The version the build reads from META.json (test/t/009_sources.pl).
print-version:
	@echo $(EXTVERSION)
