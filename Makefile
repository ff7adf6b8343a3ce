# ria — one binary (./ria), its tests and benchmarks.
#
#   make              build ./ria (warnings are errors)
#   make test         build and run every test; ends with "N passed, N failed"
#   make SAN=1 test   the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make lint         banned functions and include direction
#   make bench        gen, ingest, query (against DuckDB), question and server benchmarks
#                     (docs/PERFORMANCE.md)
#   make demo         demo data, ingest, info, questions, summary

CC      ?= cc
PKGS    := libzstd jansson libxxhash libedit libmicrohttpd hiredis
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation
CSTD    := -std=c17 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64
OPT     ?= -O2 -g
LDLIBS  := $(PKG_LIBS) -lpthread -lm

ifeq ($(SAN),1)
  BUILD ?= build-san
  OPT   := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
           -fno-sanitize-recover=undefined
  LDFLAGS += -fsanitize=address,undefined
  BIN   ?= $(BUILD)/ria
else
  BUILD ?= build
  BIN   ?= ria
endif

CFLAGS  := $(CSTD) $(OPT) $(WARN) $(PKG_CFLAGS) -Isrc $(EXTRA_CFLAGS)

# Components in include order (core is the bottom).
COMPONENTS := core store ingest gen engine ask cache llm serve backends
LIB_SRC := $(foreach c,$(COMPONENTS),$(wildcard src/$(c)/*.c))
# the web page, embedded (scripts/embed-assets; needs web/node_modules)
ASSETS_C := $(BUILD)/gen/assets.c
WEB_SRC  := $(wildcard web/*.html web/*.css web/js/*.js) web/package-lock.json
CLI_SRC := $(wildcard src/cli/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/assets.o
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
LIB     := $(BUILD)/libria.a

TEST_SRC := $(wildcard tests/unit/*.c)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(BUILD)/test_unit

FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/%)

.PHONY: all test lint clean bench demo fuzz deps
all: $(BIN)

# V=1 shows the full commands.
Q := $(if $(V),,@)

$(BIN): $(CLI_OBJ) $(LIB)
	@echo "  LD    $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(LIB): $(LIB_OBJ)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(ASSETS_C): $(WEB_SRC) scripts/embed-assets
	@mkdir -p $(dir $@)
	@echo "  GEN   $@"
	$(Q)python3 scripts/embed-assets $@

$(BUILD)/gen/assets.o: $(ASSETS_C)
	@echo "  CC    $<"
	$(Q)$(CC) $(CFLAGS) -Wno-overlength-strings -c -o $@ $<

$(TEST_BIN): $(TEST_OBJ) $(LIB)
	@echo "  LD    $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(TEST_OBJ) $(LIB) $(LDLIBS)

# Fuzz targets are built as corpus replayers (tests/fuzz/replay.c provides
# main); `make fuzz` builds them with libFuzzer under clang instead.
$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(LIB)
	@echo "  LD    $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c $(LIB) $(LDLIBS)

test: $(BIN) $(TEST_BIN) $(FUZZ_BIN)
	@RIA_BIN=$(abspath $(BIN)) RIA_BUILD=$(abspath $(BUILD)) tests/run

fuzz:
	$(MAKE) -f tests/fuzz/Makefile.fuzz

lint:
	@scripts/lint

bench: $(BIN)
	@bench/gen_bench.sh
	@bench/ingest_bench.sh
	@bench/query_bench.sh
	@bench/ask_bench.sh
	@bench/serve_bench.sh

demo: $(BIN)
	@scripts/demo

deps:
	@scripts/install-deps

clean:
	rm -rf build build-san ria

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
