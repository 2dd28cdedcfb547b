# wscli - command-line WebSocket debugging tool

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANPREFIX ?= $(PREFIX)/share/man
PKG_CONFIG ?= pkg-config

# Link-time optimisation: each module keeps its state private behind small
# functions (conn_in(), run_until_wanted(), ...); across files only the
# linker can inline them. Fat objects keep libwscli.a usable by a plain link.
CFLAGS ?= -O2 -g -flto=auto -ffat-lto-objects
WARN = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
       -Wmissing-prototypes -Wno-unused-parameter
DEPS = libcurl readline openssl zlib

DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(DEPS) 2>/dev/null)
DEP_LIBS := $(shell $(PKG_CONFIG) --libs $(DEPS) 2>/dev/null)
# jq's filters in conversation files (--test); Debian 12's libjq-dev has
# no pkg-config file
JQ_CFLAGS := $(shell $(PKG_CONFIG) --cflags libjq 2>/dev/null)
JQ_LIBS := $(shell $(PKG_CONFIG) --libs libjq 2>/dev/null || echo -ljq)
DEP_CFLAGS += $(JQ_CFLAGS)
DEP_LIBS += $(JQ_LIBS)
CRYPTO_LIBS := $(shell $(PKG_CONFIG) --libs libcrypto 2>/dev/null || echo -lcrypto)
CURL_VERSION := $(shell $(PKG_CONFIG) --modversion libcurl 2>/dev/null)

ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(DEP_CFLAGS) $(CFLAGS)

OBJS = wscli.o view.o proto.o sio.o siopkt.o json.o clientmode.o dial.o conn.o queue.o show.o output.o repl.o loop.o \
       transport.o term.o upgrade.o deflate.o jsonl.o linesplit.o frame.o \
       display.o craft.o opening.o probe.o probecases.o probereport.o probeclients.o listener.o run.o listen.o relay.o relayhead.o \
       opts.o servecmd.o stomp.o mqtt.o stompproto.o mqttproto.o graphql.o graphqlproto.o \
       conv.o convtest.o record.o replay.o
HDRS = exit.h opts.h view.h proto.h sio.h siopkt.h json.h clientmode.h dial.h conn.h queue.h show.h output.h repl.h loop.h \
       transport.h term.h upgrade.h deflate.h jsonl.h linesplit.h frame.h \
       display.h craft.h opening.h probe.h probecases.h probereport.h probeclients.h listener.h run.h listen.h relay.h relayhead.h servecmd.h stomp.h mqtt.h stompproto.h mqttproto.h graphql.h graphqlproto.h \
       conv.h convtest.h record.h replay.h
OBJS += hist.o load.o tcpdial.o
HDRS += hist.h load.h tcpdial.h

all: wscli

# libcurl without WebSocket support, or older than 8.14, cannot work: stop
# before compiling rather than fail at run time.
depcheck:
	@$(PKG_CONFIG) --exists $(DEPS) || { \
	  echo "wscli: missing build dependency: need pkg-config files for: $(DEPS)" >&2; \
	  echo "wscli: on Debian run: sh tests/install-deps.sh   (as root, or with sudo)" >&2; exit 1; }
	@$(PKG_CONFIG) --atleast-version=8.14 libcurl || { \
	  echo "wscli: libcurl $(CURL_VERSION) is too old: WebSocket support needs libcurl >= 8.14" >&2; \
	  echo "wscli: on Debian 12 install libcurl4-openssl-dev from bookworm-backports: sh tests/install-deps.sh" >&2; exit 1; }
	@printf '#include <curl/curl.h>\nint main(void){const curl_version_info_data *v=curl_version_info(CURLVERSION_NOW);const char *const *p;for(p=v->protocols;*p;p++)if(!strcmp(*p,"ws"))return 0;return 1;}\n' \
	  | $(CC) -x c -include string.h $(DEP_CFLAGS) -o .depcheck - $(DEP_LIBS) && ./.depcheck; \
	  rc=$$?; rm -f .depcheck; [ $$rc -eq 0 ] || { \
	  echo "wscli: libcurl $(CURL_VERSION) was built without WebSocket (ws://) support" >&2; exit 1; }
	@printf '#include <jq.h>\nint main(void){jq_state *j=jq_init();jq_teardown(&j);return 0;}\n' \
	  | $(CC) -x c $(JQ_CFLAGS) -o .depcheck - $(JQ_LIBS) 2>/dev/null; \
	  rc=$$?; rm -f .depcheck; [ $$rc -eq 0 ] || { \
	  echo "wscli: missing build dependency: libjq (jq.h and -ljq)" >&2; \
	  echo "wscli: on Debian run: sh tests/install-deps.sh   (installs libjq-dev)" >&2; exit 1; }
	@touch $@

wscli: depcheck $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(DEP_LIBS)

%.o: %.c $(HDRS) depcheck
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The same program and unit tests built with AddressSanitizer and
# UndefinedBehaviorSanitizer (objects in .asan/); make check runs every test
# against both.
SAN = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
      -fno-sanitize-recover=all
SAN_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(DEP_CFLAGS) $(SAN)
ASAN_OBJS = $(addprefix .asan/,$(OBJS))

wscli-asan: depcheck $(ASAN_OBJS)
	$(CC) $(SAN_CFLAGS) -o $@ $(ASAN_OBJS) $(DEP_LIBS)

.asan/%.o: %.c $(HDRS) depcheck
	@mkdir -p .asan
	$(CC) $(SAN_CFLAGS) -c -o $@ $<

# Unit tests: every tests/test_NAME.c is one cmocka program, linked with
# everything but main() (the linker takes what it uses), built twice: plain
# and sanitized. A new test is one new file; prove runs the programs.
LIB_OBJS = $(filter-out wscli.o,$(OBJS))
UNIT_TESTS = $(patsubst %.c,%,$(wildcard tests/test_*.c))
TEST_BINS = $(UNIT_TESTS) $(addsuffix -asan,$(UNIT_TESTS))
UNIT_LIBS = -lcmocka $(DEP_LIBS)

libwscli.a: $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJS)

.asan/libwscli.a: $(addprefix .asan/,$(LIB_OBJS))
	rm -f $@
	$(AR) rcs $@ $(addprefix .asan/,$(LIB_OBJS))

tests/test_%: tests/test_%.c libwscli.a $(HDRS)
	$(CC) $(ALL_CFLAGS) -I. -o $@ $< libwscli.a $(UNIT_LIBS)

tests/test_%-asan: tests/test_%.c .asan/libwscli.a $(HDRS)
	$(CC) $(SAN_CFLAGS) -I. -o $@ $< .asan/libwscli.a $(UNIT_LIBS)

units: $(TEST_BINS)

check: wscli wscli-asan $(TEST_BINS)
	mandoc -T lint -W warning man/wscli.1
	CMOCKA_MESSAGE_OUTPUT=TAP prove -j2 tests/*.t $(UNIT_TESTS)
	WSCLI=./wscli-asan WSCLI_SANITIZED=1 \
	    ASAN_OPTIONS=exitcode=86:detect_leaks=1 \
	    UBSAN_OPTIONS=exitcode=86:print_stacktrace=1 \
	    CMOCKA_MESSAGE_OUTPUT=TAP \
	    prove -j2 tests/[0-9]*.t $(addsuffix -asan,$(UNIT_TESTS))

# libFuzzer targets: make fuzz [FUZZ_SECONDS=300]; make check runs each
# briefly through tests/fuzz.t.
include tests/fuzz.mk

# Performance next to other clients; not part of check.
#   make bench [BENCH_SCALE=0.1] [BENCH_PROFILE=1] [BENCH_ONLY="1 1n 4"]
#              [BENCH_CLIENTS="wscli node"] [WSCLI=/path/to/wscli]
bench: wscli
	BENCH_SCALE="$(BENCH_SCALE)" BENCH_PROFILE="$(BENCH_PROFILE)" \
	    BENCH_ONLY="$(BENCH_ONLY)" BENCH_CLIENTS="$(BENCH_CLIENTS)" \
	    sh tests/bench.sh
	sh tests/bench/listen.sh
	RELAY_SCALE="$(BENCH_SCALE)" sh tests/bench/relay.sh
	sh tests/bench/head.sh
	SIO_SCALE="$(BENCH_SCALE)" sh tests/bench/socketio.sh
	GQL_SCALE="$(BENCH_SCALE)" sh tests/bench/graphql.sh
	sh tests/bench/load.sh

# Per GraphQL next: wscli --proto graphql next to graphql-ws's client.
#   make bench-graphql [BENCH_SCALE=0.1]
bench-graphql: wscli
	GQL_SCALE="$(BENCH_SCALE)" sh tests/bench/graphql.sh

# A Socket.IO event round trip: wscli's CPU next to socket.io-client's.
#   make bench-socketio [BENCH_SCALE=0.1]
bench-socketio: wscli
	SIO_SCALE="$(BENCH_SCALE)" sh tests/bench/socketio.sh

# wscli -l and Node's ws server with 1,000 clients at once and as many as
# the descriptor limit allows, and relay pairs: CPU time and memory.
#   make bench-listen [LISTEN_CLIENTS="1000 5000"] [LISTEN_MESSAGES=200000]
#                     [LISTEN_PAIRS=5000]
bench-listen: wscli
	LISTEN_CLIENTS="$(LISTEN_CLIENTS)" LISTEN_MESSAGES="$(LISTEN_MESSAGES)" \
	    LISTEN_PAIRS="$(LISTEN_PAIRS)" sh tests/bench/listen.sh

# wscli --load next to a Node ws load script and Artillery, same server,
# same work.   make bench-load [LOAD_CONNECTIONS=1000] [LOAD_MESSAGES=50]
bench-load: wscli
	LOAD_CONNECTIONS="$(LOAD_CONNECTIONS)" LOAD_MESSAGES="$(LOAD_MESSAGES)" \
	    sh tests/bench/load.sh

# What parsing a request head costs when it arrives a byte at a time.
bench-head:
	sh tests/bench/head.sh

# What wscli in the middle (-l --forward) costs: latency and throughput
# with and without it.   make bench-relay [BENCH_SCALE=0.1]
bench-relay: wscli
	RELAY_SCALE="$(BENCH_SCALE)" sh tests/bench/relay.sh

deps:
	sh tests/install-deps.sh

# The integration tests again with wscli under valgrind memcheck: any memory
# error or definite/indirect leak fails the test that caused it. Slow (tens
# of minutes); not part of check.
memcheck: wscli
	WSCLI=tests/valgrind-wscli WSCLI_MEMCHECK=1 TIME_SLACK_MS=20000 \
	    WSCLI_TIMEOUT=300 prove -j2 tests/[0-9]*.t

demo: wscli
	sh tests/demo.sh

install: wscli
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANPREFIX)/man1
	cp -f wscli $(DESTDIR)$(BINDIR)/wscli
	chmod 755 $(DESTDIR)$(BINDIR)/wscli
	cp -f man/wscli.1 $(DESTDIR)$(MANPREFIX)/man1/wscli.1
	chmod 644 $(DESTDIR)$(MANPREFIX)/man1/wscli.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/wscli $(DESTDIR)$(MANPREFIX)/man1/wscli.1

clean:
	rm -f wscli wscli-asan *.o libwscli.a depcheck .depcheck $(TEST_BINS)
	rm -rf .asan
	$(MAKE) -f tests/fuzz.mk fuzz-clean

.PHONY: all units bench bench-graphql bench-head bench-listen bench-load bench-relay bench-socketio check deps demo install memcheck uninstall clean
