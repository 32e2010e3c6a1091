# Encoders & Decoders in C: the build.
#
#   make                  libcommon.a and every chapter (./chapter00 ... ./chapter07)
#   make chapter03        one chapter
#   make check            build and run every Check suite (library, chapters, exercises)
#   make SANITIZE=1 check the same, built with AddressSanitizer + UndefinedBehaviorSanitizer
#   make NO_OMP=1 ...     without OpenMP (one thread; same results within the tests' tolerances)
#   make bench            GEMM GFLOP/s and training throughput
#   make figures          re-run the chapters to regenerate figures/chapterNN/
#   make clean
#
# Objects go to build/ (build/san/ for SANITIZE=1, build/noomp/ for NO_OMP=1) so that the three kinds of build never
# mix. Dependency files (-MMD) make a change to a header rebuild everything that includes it.

CC      ?= cc
PKGS    := libpng zlib
CFLAGS  := -std=c11 -Wall -Wextra -Wshadow -Wno-unused-parameter -D_POSIX_C_SOURCE=200809L -Icommon
LDLIBS  := $(shell pkg-config --libs $(PKGS)) -lm
CFLAGS  += $(shell pkg-config --cflags $(PKGS))
CHECK_CFLAGS := $(shell pkg-config --cflags check)
CHECK_LIBS   := $(shell pkg-config --libs check)

BUILD := build
ifeq ($(SANITIZE),1)
  BUILD   := build/san
  # -O2: the checks are the same as at -O1, and the GEMM-heavy tests run several times faster.
  CFLAGS  += -O2 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
  LDFLAGS += -fsanitize=address,undefined
else
  # -march=native: the GEMM's inner kernel is written so that the compiler vectorises it for this CPU.
  # -mprefer-vector-width=512: on a CPU with AVX-512 use its 16-float registers (GCC's default for many Intel
  # CPUs is 8-float ones); it doubled the GEMM at 512^3 (126 -> 255 GFLOP/s on 2 cores) and changes no result.
  # It does nothing on a CPU without AVX-512.
  # NATIVE=0 builds a binary that runs on any x86-64. Never -ffast-math: results must not depend on it.
  CFLAGS  += -O3 -g
  ifneq ($(NATIVE),0)
    CFLAGS += -march=native -mprefer-vector-width=512
  endif
endif

# OpenMP when the compiler has it, unless NO_OMP=1.
ifeq ($(NO_OMP),1)
  BUILD := $(BUILD)/noomp
  CFLAGS += -Wno-unknown-pragmas
else
  HAVE_OMP := $(shell echo 'int main(void){return 0;}' | $(CC) -fopenmp -x c - -o /dev/null 2>/dev/null && echo 1)
  ifeq ($(HAVE_OMP),1)
    CFLAGS  += -fopenmp
    LDFLAGS += -fopenmp
  endif
endif

# ---- the library --------------------------------------------------------------------------------------------------
LIB_SRC := $(wildcard common/*.c common/layers/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB     := $(BUILD)/libcommon.a

# ---- the chapters: chapters/NN_name/*.c -> chapterNN ----------------------------------------------------------------
CHAPTER_DIRS := $(sort $(wildcard chapters/[0-9][0-9]_*))
chapter_num   = $(firstword $(subst _, ,$(notdir $(1))))
CHAPTERS     := $(foreach d,$(CHAPTER_DIRS),chapter$(call chapter_num,$(d)))

# Every chapter's exercises.c (no main) is also linked into that chapter's grading tests.
define CHAPTER_RULES
$(BUILD)/bin/chapter$(call chapter_num,$(1)): $(patsubst %.c,$(BUILD)/%.o,$(wildcard $(1)/*.c)) $(LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
chapter$(call chapter_num,$(1)): $(BUILD)/bin/chapter$(call chapter_num,$(1))
	@if [ "$(BUILD)" = build ]; then cp $$< $$@; fi
EX_OBJ_$(call chapter_num,$(1)) := $(patsubst %.c,$(BUILD)/%.o,$(filter-out %/chapter$(call chapter_num,$(1)).c,$(wildcard $(1)/*.c)))
endef
$(foreach d,$(CHAPTER_DIRS),$(eval $(call CHAPTER_RULES,$(d))))

# ---- tests --------------------------------------------------------------------------------------------------------
# tests/library/test_X.c and tests/chapters/test_X.c: one Check suite each, linked with libcommon.
# tests/exercises/test_exNN.c: the graded exercises of chapter NN, linked with that chapter's exercises.o.
LIBTEST_SRC := $(wildcard tests/library/test_*.c)
CHTEST_SRC  := $(wildcard tests/chapters/test_*.c)
EXTEST_SRC  := $(wildcard tests/exercises/test_ex*.c)
LIBTESTS := $(LIBTEST_SRC:%.c=$(BUILD)/%)
CHTESTS  := $(CHTEST_SRC:%.c=$(BUILD)/%)
EXTESTS  := $(EXTEST_SRC:%.c=$(BUILD)/%)

$(BUILD)/tests/library/%: $(BUILD)/tests/library/%.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)
$(BUILD)/tests/chapters/%: $(BUILD)/tests/chapters/%.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)
.SECONDEXPANSION:
.SECONDARY:
$(BUILD)/tests/exercises/test_ex%: $(BUILD)/tests/exercises/test_ex%.o $$(EX_OBJ_$$*) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(CHECK_CFLAGS) -Itests -MMD -MP -c -o $@ $<

# ---- generic compile ----------------------------------------------------------------------------------------------
$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# ---- top-level targets --------------------------------------------------------------------------------------------
.PHONY: all lib check check-library check-chapters check-exercises bench figures clean handout grade $(CHAPTERS)
.DEFAULT_GOAL := all
all: $(LIB) $(CHAPTERS)
lib: $(LIB)

# Each suite runs on its own; the run goes on after a failing suite and fails at the end.
# CHAPTER_BIN_DIR tells the chapter smoke tests where this build's chapter binaries are.
# The sanitizer build runs several times slower: Check multiplies every test's time limit by CK_TIMEOUT_MULTIPLIER.
ifeq ($(SANITIZE),1)
  export CK_TIMEOUT_MULTIPLIER := 5
endif
RUN_SUITES = fail=0; for t in $(1); do echo "== $$t"; CHAPTER_BIN_DIR=$(BUILD)/bin $$t || fail=1; done; \
             if [ $$fail -ne 0 ]; then echo "make check: some suites FAILED"; exit 1; fi

check-library: $(LIBTESTS)
	@$(call RUN_SUITES,$(LIBTESTS))
check-chapters: $(CHTESTS) $(foreach c,$(CHAPTERS),$(BUILD)/bin/$(c))
	@$(call RUN_SUITES,$(CHTESTS))
check-exercises: $(EXTESTS)
	@$(call RUN_SUITES,$(EXTESTS))
check: $(LIBTESTS) $(CHTESTS) $(EXTESTS) $(foreach c,$(CHAPTERS),$(BUILD)/bin/$(c))
	@$(call RUN_SUITES,$(LIBTESTS) $(CHTESTS) $(EXTESTS))
	@echo "make check: all suites passed"

# The bench times gemm() against OpenBLAS's cblas_sgemm when pkg-config finds OpenBLAS (libopenblas-dev), in the
# same run. Only the bench links it: nothing else in the project depends on OpenBLAS.
BENCH := $(BUILD)/tests/bench/bench
ifeq ($(shell pkg-config --exists openblas && echo 1),1)
  BENCH_CFLAGS := -DHAVE_OPENBLAS $(shell pkg-config --cflags openblas)
  BENCH_LIBS   := $(shell pkg-config --libs openblas)
endif
$(BUILD)/tests/bench/bench.o: tests/bench/bench.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(BENCH_CFLAGS) -MMD -MP -c -o $@ $<
$(BENCH): $(BUILD)/tests/bench/bench.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(BENCH_LIBS)
bench: $(BENCH)
	$(BENCH)

# The student tree: every solution region replaced by its stub (tests/tools/handout.sh checks none survives).
handout:
	@sh tests/tools/handout.sh . handout

# Grade the exercises: one line per exercise, the total, grade.json and grade.tap. A failed exercise is a result,
# not an error: this exits non-zero only when the build fails.
grade: $(EXTESTS)
	@rm -f $(BUILD)/grade.tsv
	@echo "chapter    id    exercise                                     points"
	@for t in $(EXTESTS); do GRADE_MODE=1 GRADE_REPORT=$(BUILD)/grade.tsv $$t; done
	@sh tests/tools/grade_report.sh $(BUILD)/grade.tsv .

# The figures in figures/ (and in docs/) are each chapter's reference run: the lecture notebook's schedule
# (--full) for chapters 01 onwards, the default run for chapter 00, whose default already is the whole lesson.
# That is an hour or more on 2 cores; one chapter: make figures CHAPTERS=chapter04
FIGURES_DEFAULT_RUN := chapter00
figures_flags = $(if $(filter $(1),$(FIGURES_DEFAULT_RUN)),,--full)
figures: $(CHAPTERS)
	@set -e; $(foreach c,$(CHAPTERS),echo "== ./$(c) $(call figures_flags,$(c)) (figures into figures/$(c)/)"; \
	    ./$(c) $(call figures_flags,$(c));)

clean:
	rm -rf build handout $(CHAPTERS) grade.json grade.tap

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
