# test/fuzz/fuzz.mk: the serialized-state readers of the aggregates,
# replayed and fuzzed inside a real server (test/fuzz/replay.sh, which
# README.md there describes).  Included by the top-level (PGXS) Makefile;
# every name here is FUZZ_* or fuzz-*.  Both targets build and install the
# extension, then run on a throwaway cluster (pg_virtualenv).
#
#   make fuzz-replay   every case of test/fuzz/cases.sql, one test each
#                      (make test runs them too)
#   make fuzz          mutations of the cases' inputs for FUZZ_TIME seconds
#                      (default 60), deterministic given FUZZ_SEED (default
#                      1); failing inputs are saved in test/fuzz/work and
#                      fail the target.  FUZZ_EXPECTED=22P03,... replaces the
#                      SQLSTATEs a rejected input may end with.
#   make fuzz-clean    remove test/fuzz/work

FUZZ_TIME     ?= 60
FUZZ_SEED     ?= 1
FUZZ_EXPECTED ?=

# run <command> on a throwaway cluster whose log pg_current_logfile() finds
# (where replay.sh looks for crashed processes), without its log lines on
# the terminal, and keep the command's exit status
FUZZ_VIRTUALENV = st=$$(mktemp); \
	{ pg_virtualenv -t -v 15 -o logging_collector=on \
		env PG_CONFIG="$(PG_CONFIG)" FUZZ_TIME="$(FUZZ_TIME)" FUZZ_SEED="$(FUZZ_SEED)" FUZZ_EXPECTED="$(FUZZ_EXPECTED)" \
		bash test/fuzz/replay.sh $(1) 2>&1; echo $$? >"$$st"; } | grep -v " UTC \[[0-9]*\] "; \
	rc=$$(cat "$$st"); rm -f "$$st"; exit $$rc

.PHONY: fuzz fuzz-replay fuzz-clean

fuzz-replay: deps
	$(MAKE) all
	$(MAKE) install
	@$(call FUZZ_VIRTUALENV,)

fuzz: deps
	$(MAKE) all
	$(MAKE) install
	@$(call FUZZ_VIRTUALENV,--fuzz)

fuzz-clean:
	rm -rf test/fuzz/work
