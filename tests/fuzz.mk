# libFuzzer targets for the pure code (frame.c, display.c, linesplit.c,
# upgrade.c, deflate.c, craft.c, stomp.c, mqtt.c, json.c, siopkt.c,
# graphql.c) and the
# conversation file parser (conv.c).
#
# Include from the top-level Makefile, or use on its own from the
# repository root: make -f tests/fuzz.mk fuzz-build
#
#   make fuzz-build                  build tests/fuzz_* with clang
#   make fuzz [FUZZ_SECONDS=300]     run each target that long on a copy of
#                                    its seed corpus (tests/corpus/NAME/)
#   make fuzz FUZZ_TARGETS=fuzz_json run some of them only
#   make fuzz-clean                  remove the binaries
#
# Seed inputs are never modified: runs work on a copy in a temporary
# directory, which is kept (and named) when a target fails.

FUZZ_SAVED_GOAL := $(.DEFAULT_GOAL)

FUZZ_CC ?= clang
FUZZ_FLAGS ?= -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_WARN = -Wall -Wextra -Wno-unused-parameter
FUZZ_SECONDS ?= 300
FUZZ_TARGETS ?= $(patsubst tests/%.c,%,$(wildcard tests/fuzz_*.c))
FUZZ_BINS = $(addprefix tests/,$(FUZZ_TARGETS))

# upgrade.c hashes with OpenSSL's libcrypto, deflate.c uses zlib
FUZZ_DEP_CFLAGS := $(shell pkg-config --cflags libcrypto 2>/dev/null)
FUZZ_LIBS := $(shell pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto) -lz
FUZZ_SRCS = frame.c display.c linesplit.c upgrade.c deflate.c craft.c conv.c \
    stomp.c mqtt.c json.c siopkt.c graphql.c
tests/fuzz_%: tests/fuzz_%.c $(FUZZ_SRCS) frame.h display.h linesplit.h \
    upgrade.h deflate.h craft.h conv.h stomp.h mqtt.h json.h siopkt.h graphql.h
	$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_WARN) $(FUZZ_DEP_CFLAGS) -I. -o $@ $< \
	    $(FUZZ_SRCS) $(FUZZ_LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	FUZZ_NO_BUILD=1 FUZZ_CHECK_SECONDS=$(FUZZ_SECONDS) \
	    FUZZ_TARGETS="$(FUZZ_TARGETS)" sh tests/fuzz.t

fuzz-clean:
	rm -f $(FUZZ_BINS)

.PHONY: fuzz fuzz-build fuzz-clean

.DEFAULT_GOAL := $(FUZZ_SAVED_GOAL)
