/*
 * wscli - command-line WebSocket debugging tool.
 *
 * libcurl opens the connection (DNS, TCP, proxies, TLS) and stops there;
 * wscli speaks WebSocket itself over it: its own HTTP/1.1 upgrade
 * (upgrade.c), its own decoder for every incoming byte (frame.c), the
 * close handshake and the queues (conn.c), permessage-deflate (deflate.c).
 * One poll() loop (loop.c) drives every connection, stdin (scripted lines
 * or the readline REPL), signals and timers.
 *
 * This file: main. The command line and the choice of mode are opts.c's;
 * each mode is its own file.
 */
#include <stdio.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <readline/readline.h>

#include "dial.h"
#include "exit.h"
#include "listen.h"
#include "load.h"
#include "opts.h"
#include "probe.h"
#include "probeclients.h"
#include "record.h"
#include "relay.h"
#include "repl.h"
#include "replay.h"
#include "clientmode.h"
#include "convtest.h"
#include "term.h"
#include "view.h"

static void
print_version(void)
{
	curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

	printf("wscli %s\n", WSCLI_VERSION);
	printf("libcurl %s (%s)\n", v->version,
	    v->ssl_version ? v->ssl_version : "no TLS");
	printf("OpenSSL %s\n", OpenSSL_version(OPENSSL_VERSION_STRING));
	printf("readline %s\n", rl_library_version);
}

int
main(int argc, char **argv)
{
	char err[1024];
	int rc;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fputs("wscli: cannot initialise libcurl\n", stderr);
		return EXIT_ERROR;
	}
	switch (opts_parse(argc, argv, err, sizeof err)) {
	case OPTS_HELP:
		opts_print_help(stdout);
		return EXIT_OK;
	case OPTS_VERSION:
		print_version();
		return EXIT_OK;
	case OPTS_USAGE:
		fprintf(stderr, "wscli: %s\n", err);
		fputs("wscli: see 'wscli --help' or wscli(1)\n", stderr);
		return EXIT_USAGE;
	}
	opts_settle(isatty(STDIN_FILENO), isatty(STDOUT_FILENO));
	term_set_quiet(opt.quiet);
	view_init();
	/* the REPL stamps its own lines; stderr and the pipe's lines here */
	term_set_timestamps(opt.interactive ? 0 : opt.timestamps);
	if (record_prepare(err, sizeof err) != 0) {
		fprintf(stderr, "wscli: %s\n", err);
		opts_free();
		return EXIT_USAGE;
	}
	switch (opt.mode) {
	case MODE_PROBE:
		rc = probe_run();
		break;
	case MODE_LISTEN:
		rc = probe_opt.clients ? pcl_run() : listen_run();
		break;
	case MODE_RELAY:
		rc = relay_run();
		break;
	case MODE_TEST:
		rc = convtest_run();
		break;
	case MODE_LOAD:
		rc = load_run();
		break;
	case MODE_MERGE:
		rc = load_merge(load_opt.nfiles, load_opt.files);
		break;
	default:
		rc = opt.replay ? replay_run() : clientmode_run();
		break;
	}
	/* a conversation not written whole is an error of the run */
	if (record_finish() != 0 && rc == EXIT_OK)
		rc = EXIT_ERROR;
	opts_free();
	curl_global_cleanup();
	return rc;
}
