# make valgrind: builds and installs, then runs the pg_regress and isolation
# suites and the state replay (test/fuzz/replay.sh, about a minute of it)
# against a throwaway PostgreSQL server under valgrind memcheck
# (test/valgrind/run.sh; about 25 minutes).  Fails when a memory error
# involves competency.so, a server process crashes, or a test fails; ends
# with "valgrind: N processes, E errors in competency.so, S errors elsewhere
# (suppressed or not ours)".  Installs valgrind (and the PostgreSQL server)
# when missing and run as root.  Knobs (environment): VALGRIND_KEEP=1,
# VALGRIND_STRICT=1, VALGRIND_ALLOW_DIFFS=1, VALGRIND_SUPP=file|none,
# VALGRIND_EXTRA='--gen-suppressions=all', VALGRIND_SCHEDULE=regress|isolation|replay.
valgrind: deps
	$(MAKE) all
	$(MAKE) install
	PG_CONFIG="$(PG_CONFIG)" MAKE="$(MAKE)" bash test/valgrind/run.sh
