/*
 * exit.h - the exit statuses of wscli, as documented in wscli(1) EXIT
 * STATUS. Any part may compute one; only main returns it.
 */
#ifndef WSCLI_EXIT_H
#define WSCLI_EXIT_H

enum {
	EXIT_OK = 0,        /* clean close (1000/1001) or normal end */
	EXIT_ERROR = 1,     /* any other error */
	EXIT_USAGE = 2,     /* bad command line */
	EXIT_CONNECT = 3,   /* DNS, TCP, TLS or proxy failure */
	EXIT_UPGRADE = 4,   /* non-101, bad accept key, unrequested protocol */
	EXIT_PROTOCOL = 5,  /* the peer violated RFC 6455 */
	EXIT_LOST = 6,      /* connection lost without a close (1006) */
	EXIT_TIMEOUT = 7,   /* a timeout expired */
	EXIT_CLOSED = 8,    /* peer closed with a code other than 1000/1001 */
	EXIT_NO_MATCH = 9,  /* ended before --until matched */
	EXIT_SERVER_GONE = 10, /* --probe: the server stopped accepting
				  connections during the run */
};

#endif /* WSCLI_EXIT_H */
