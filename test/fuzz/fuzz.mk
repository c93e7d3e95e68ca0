# test/fuzz/fuzz.mk: fuzzing the serialized-state readers, outside the server.
# Included by the top-level (PGXS) Makefile; every name here is FUZZ_* or fuzz-*.
#
#   make fuzz-replay   gcc build of the harness (with ASan/UBSan when gcc has
#                      them), run over every file in test/fuzz/corpus: bad-*
#                      must be REJECTED, good-* ACCEPTED, nothing may crash.
#   make fuzz          clang -fsanitize=fuzzer,address,undefined build, run for
#                      FUZZ_TIME seconds (default 60) on a copy of the corpus in
#                      test/fuzz/work/corpus; crash files go to
#                      test/fuzz/work/artifacts and fail the target.
#   make fuzz-corpus   regenerate the seed corpus (good-* from the real
#                      transition functions, bad-* hand-made).
#   make fuzz-clean    remove test/fuzz/build and test/fuzz/work.

FUZZ_DIR      = test/fuzz
FUZZ_BUILD    = $(FUZZ_DIR)/build
FUZZ_WORK     = $(FUZZ_DIR)/work
FUZZ_TIME    ?= 60
FUZZ_FLAGS   ?=
FUZZ_GCC     ?= gcc
FUZZ_CLANG   ?= clang

# The code under test, compiled unchanged, and the harness.
FUZZ_CODE     = src/keyhash.c src/entitlements.c src/individuals.c src/rules.c
FUZZ_HARNESS  = $(FUZZ_DIR)/stub.c $(FUZZ_DIR)/stub_port.c $(FUZZ_DIR)/fuzz_state.c
FUZZ_HEADERS  = src/keyhash.h src/rules.h $(FUZZ_DIR)/stub.h $(FUZZ_DIR)/harness.h

# Deferred (=) so nothing here runs unless a fuzz target is built.
FUZZ_PG_INC   = $(shell $(PG_CONFIG) --includedir-server)
FUZZ_CPPFLAGS = -I src -I $(FUZZ_DIR) -isystem $(FUZZ_PG_INC)
FUZZ_WARN     = -Wall -Wextra -Werror -Wno-clobbered
FUZZ_CFLAGS   = -g -O1 -fno-omit-frame-pointer $(FUZZ_WARN)

# gcc ships ASan/UBSan on Debian; if this gcc cannot link them, replay
# still runs, without the sanitizers.
FUZZ_GCC_SAN  = $(shell echo 'int main(void){return 0;}' | \
	$(FUZZ_GCC) -fsanitize=address,undefined -x c - -o /dev/null >/dev/null 2>&1 && \
	echo -fsanitize=address,undefined -fno-sanitize-recover=all)

# A program libFuzzer can link, to see whether its runtime is installed.
FUZZ_PROBE    = int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void) d; (void) n; return 0; }

.PHONY: fuzz fuzz-replay fuzz-corpus fuzz-clean

$(FUZZ_BUILD)/replay: $(FUZZ_CODE) $(FUZZ_HARNESS) $(FUZZ_DIR)/gen_corpus.c $(FUZZ_HEADERS) $(FUZZ_DIR)/fuzz.mk
	@mkdir -p $(FUZZ_BUILD)
	$(FUZZ_GCC) $(FUZZ_CFLAGS) $(FUZZ_GCC_SAN) $(FUZZ_CPPFLAGS) \
		$(FUZZ_CODE) $(FUZZ_HARNESS) $(FUZZ_DIR)/gen_corpus.c -o $@

fuzz-replay: $(FUZZ_BUILD)/replay
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		$(FUZZ_BUILD)/replay $(FUZZ_DIR)/corpus/*.bin

# Overwrites the generated seeds; files added by hand (crash reproducers) stay.
fuzz-corpus: $(FUZZ_BUILD)/replay
	@mkdir -p $(FUZZ_DIR)/corpus
	$(FUZZ_BUILD)/replay --generate $(FUZZ_DIR)/corpus

$(FUZZ_BUILD)/fuzz_state: $(FUZZ_CODE) $(FUZZ_HARNESS) $(FUZZ_HEADERS) $(FUZZ_DIR)/fuzz.mk
	@command -v $(FUZZ_CLANG) >/dev/null || { echo "fuzz: $(FUZZ_CLANG) is missing: apt-get install clang" >&2; exit 1; }
	@if ! echo '$(FUZZ_PROBE)' | $(FUZZ_CLANG) -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "fuzz: installing the libFuzzer runtime (libclang-rt-14-dev)"; \
			apt-get install -y libclang-rt-14-dev || \
				{ apt-get update && apt-get install -y libclang-rt-14-dev; } || exit 1; \
		else \
			echo "fuzz: the libFuzzer runtime is missing; install it with:" >&2; \
			echo "    sudo apt-get install libclang-rt-14-dev" >&2; \
			exit 1; \
		fi; \
	fi
	@mkdir -p $(FUZZ_BUILD)
	$(FUZZ_CLANG) -DFUZZING $(FUZZ_CFLAGS) -Wno-unknown-warning-option \
		-fsanitize=fuzzer,address,undefined -fsanitize-recover=undefined \
		$(FUZZ_CPPFLAGS) $(FUZZ_CODE) $(FUZZ_HARNESS) -o $@

# UBSan checks recover only so that test/fuzz/ubsan.supp can silence bugs
# already reported; anything else halts (halt_on_error=1) and is a crash.
# libFuzzer stops at the first crash, leaves it in work/artifacts, and exits
# non-zero; so does this target, after naming the file.
fuzz: $(FUZZ_BUILD)/fuzz_state
	@rm -rf $(FUZZ_WORK)/artifacts
	@mkdir -p $(FUZZ_WORK)/corpus $(FUZZ_WORK)/artifacts
	@cp $(FUZZ_DIR)/corpus/*.bin $(FUZZ_WORK)/corpus/
	@echo "fuzz: $(FUZZ_TIME) s on $(FUZZ_WORK)/corpus (log: $(FUZZ_WORK)/last-run.log)"
	@{ UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$(FUZZ_DIR)/ubsan.supp \
		$(FUZZ_BUILD)/fuzz_state -max_total_time=$(FUZZ_TIME) -timeout=10 \
		-print_final_stats=1 -dict=$(FUZZ_DIR)/state.dict \
		-artifact_prefix=$(FUZZ_WORK)/artifacts/ $(FUZZ_FLAGS) $(FUZZ_WORK)/corpus; \
		echo $$? > $(FUZZ_WORK)/status; } 2>&1 | tee $(FUZZ_WORK)/last-run.log | \
		grep -v -e '^#[0-9]*.*\(NEW\|REDUCE\)' -e '^INFO:' -e '^"' -e '^######' || true
	@status=$$(cat $(FUZZ_WORK)/status); \
	crashes=$$(ls $(FUZZ_WORK)/artifacts 2>/dev/null); \
	if [ -n "$$crashes" ] || [ "$$status" != 0 ]; then \
		echo "fuzz: FAILED (exit $$status); inputs in $(FUZZ_WORK)/artifacts:"; \
		for f in $$crashes; do echo "    $(FUZZ_WORK)/artifacts/$$f"; done; \
		echo "fuzz: replay one with: $(FUZZ_BUILD)/replay FILE  (after make fuzz-replay)"; \
		exit 1; \
	fi; \
	echo "fuzz: no crash in $(FUZZ_TIME) s; $$(ls $(FUZZ_WORK)/corpus | wc -l) inputs in $(FUZZ_WORK)/corpus"

fuzz-clean:
	rm -rf $(FUZZ_BUILD) $(FUZZ_WORK)
