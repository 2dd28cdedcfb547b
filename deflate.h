/*
 * deflate.h - permessage-deflate (RFC 7692): negotiating the extension and
 * compressing and decompressing messages, for both roles: the contract.
 *
 * The negotiation functions are pure (no I/O, no allocation). A struct pmd
 * holds the two zlib streams of one connection: what we receive is inflated
 * with the window and context takeover the peer agreed to compress with,
 * what we send is deflated with ours.
 *
 * On the wire (RFC 7692 7.2): a compressed message is a raw DEFLATE stream
 * (no zlib header) whose final four bytes 00 00 ff ff, left by a sync
 * flush, are removed; the receiver appends them again before inflating.
 */
#ifndef WSCLI_DEFLATE_H
#define WSCLI_DEFLATE_H

#include <stddef.h>
#include <stdint.h>

#define PMD_NAME "permessage-deflate"
#define PMD_MIN_BITS 8
#define PMD_MAX_BITS 15
#define PMD_CHUNK (16 * 1024) /* most bytes handed to a sink at once */

/* The offer of the command line's bare --deflate: what Chrome offers. */
#define PMD_DEFAULT_OFFER "client_max_window_bits"

/* ------------------------------------------------------------ parameters */

/* The parameters of one permessage-deflate offer or response. */
struct pmd_params {
	int server_no_context_takeover; /* present */
	int client_no_context_takeover; /* present */
	int server_max_window_bits;     /* 0 absent, else 8..15 */
	int client_max_window_bits;     /* 0 absent, PMD_BITS_NO_VALUE present
					   without a value (offers only), else
					   8..15 */
};
#define PMD_BITS_NO_VALUE (-1)

/*
 * Parse the parameter part of one offer or response, as the user writes it
 * for --deflate=PARAMS or as it follows "permessage-deflate" in a header:
 * "client_max_window_bits; server_no_context_takeover" (white space around
 * ';' and '=' allowed, values may be quoted, "" is no parameters).
 * RFC 7692 7.1: an unknown parameter, a parameter given twice, a value
 * where none is allowed, a missing or invalid value (not 8..15, or with
 * leading zeros) are errors; client_max_window_bits may lack its value in an
 * offer (is_offer) but not in a response. Names are compared as written,
 * case included, as browsers do ("Server_Max_Window_Bits" is unknown).
 * Returns 0, or -1 with why (cap bytes, NUL-terminated), e.g.
 * "server_max_window_bits=7: the value must be 8 to 15".
 */
int pmd_parse_params(const char *s, size_t len, int is_offer,
    struct pmd_params *p, char *why, size_t cap);

/* "permessage-deflate; client_max_window_bits; ..." for the header, in a
 * fixed order. Returns the length, or -1 if cap is too small. */
long pmd_format(char *out, size_t cap, const struct pmd_params *p);

/* What both sides apply once negotiation is done. */
struct pmd_agreed {
	int server_bits;        /* window the server compresses with, 8..15 */
	int client_bits;        /* window the client compresses with, 8..15 */
	int server_no_takeover; /* the server resets its context per message */
	int client_no_takeover; /* the client resets its context per message */
};

/*
 * Client role: check the server's Sec-WebSocket-Extensions (every such
 * header's value joined with ", "; empty if there were none) against the
 * offer we sent. RFC 7692 7.1: the response must name only
 * permessage-deflate, once, with parameters that are valid, not repeated,
 * and allowed by the offer: client_max_window_bits only if offered and then
 * not above an offered value; server_max_window_bits not above an offered
 * value. server_no_context_takeover, client_no_context_takeover and
 * server_max_window_bits may be added by the server; when the offer asked
 * for server_no_context_takeover or server_max_window_bits, the response
 * must hold it (7.1.1.1, 7.1.2.1: that is how the server accepts them).
 * In *a, a client_max_window_bits value we offered and the server left out
 * is kept to, and so is an offered client_no_context_takeover (7.1.1.2).
 * offer NULL means nothing was offered: any extension is then an error.
 * Returns 1 with *a filled when permessage-deflate was accepted, 0 when the
 * value is empty (the server declined: messages go uncompressed), or -1
 * with why for a response that breaks a rule ("server accepted
 * permessage-deflate twice", "unknown extension 'x-webkit'").
 */
int pmd_client_check(const char *value, size_t len,
    const struct pmd_params *offer, struct pmd_agreed *a, char *why,
    size_t cap);

/*
 * Server role: the client's Sec-WebSocket-Extensions (all values joined)
 * may hold several extensions and several permessage-deflate offers, in
 * order of preference. Accept the first valid permessage-deflate offer:
 * answer the parameters it requires (server_no_context_takeover,
 * server_max_window_bits when requested) and leave the rest at their
 * defaults; fill *a and write the response header value into resp.
 * Returns 1 when accepted (why is "", or names an invalid offer that was
 * skipped), 0 when nothing was offered or no offer is valid (why says which
 * and why, for the log), -1 if the header is not a valid extension list at
 * all (why says where) or resp_cap cannot hold the response.
 * An offered client_no_context_takeover is not answered (the client has
 * promised it either way) but is in *a.
 */
int pmd_server_accept(const char *value, size_t len, struct pmd_agreed *a,
    char *resp, size_t resp_cap, char *why, size_t cap);

/* One line for people: "server 15-bit window, context takeover; client
 * 15-bit window, no context takeover". Returns out. */
char *pmd_describe(const struct pmd_agreed *a, char *out, size_t cap);

/* -------------------------------------------------------- (de)compression */

/* Where (de)compressed bytes go, at most PMD_CHUNK at a time. Return 0 to
 * go on, nonzero to stop: the call in progress then returns PMD_STOPPED. */
typedef int (*pmd_sink)(void *ctx, const uint8_t *p, size_t n);

enum pmd_result {
	PMD_OK = 0,
	PMD_ERR_DATA = -1,   /* not valid DEFLATE data, or a back-reference
				beyond the negotiated window: see pmd_error */
	PMD_STOPPED = -2,    /* the sink returned nonzero */
	PMD_ERR_MEMORY = -3, /* zlib could not allocate */
};

struct pmd;

/* The streams of one connection end; we_are_client says which direction is
 * which. NULL if out of memory, or if a window in *a is not 8..15. */
struct pmd *pmd_new(const struct pmd_agreed *a, int we_are_client);
void pmd_free(struct pmd *z);

/*
 * Inflate the next n payload bytes of a received compressed message; fin
 * marks the last bytes of the message (n may be 0 then), after which the
 * 00 00 ff ff tail is supplied and, if the peer does not keep its context,
 * the stream is reset for the next message. Output goes to out in order, at
 * most PMD_CHUNK bytes at a time, so memory does not grow with the inflated
 * size (a decompression bomb is the sink's to refuse). zlib cannot check
 * window distances exactly; inflation is done so that any back-reference
 * longer than twice the negotiated window fails with PMD_ERR_DATA.
 * A final DEFLATE block (BFINAL) is accepted; with context takeover its
 * window is carried into the next message; a message that ends with it
 * needs no tail. An empty payload is an empty message. A message that,
 * tail included, ends inside a DEFLATE block is invalid (PMD_ERR_DATA).
 * Returns PMD_OK or a negative enum pmd_result; after an error or a stop
 * the connection must end (the stream is out of sync): every later call
 * returns the same result.
 */
int pmd_inflate(struct pmd *z, const uint8_t *in, size_t n, int fin,
    pmd_sink out, void *ctx);

/*
 * Deflate the next n bytes of a message we send; fin marks its end (n may
 * be 0 then): the stream is sync-flushed, the 00 00 ff ff tail is not
 * emitted, and the context is reset if we do not keep it. Output may lag
 * behind input (zlib buffers; the last 4 bytes are always held back until
 * it is known whether they are the tail). A negotiated window of 8 bits,
 * which zlib cannot compress with, is honoured with Huffman-only
 * compression (no back-references at all). An empty message is the single
 * byte 00 (RFC 7692 7.2.3.6).
 * Returns PMD_OK or a negative enum pmd_result, which like pmd_inflate's
 * every later call returns again.
 */
int pmd_deflate(struct pmd *z, const uint8_t *in, size_t n, int fin,
    pmd_sink out, void *ctx);

/* zlib's message for the last PMD_ERR_DATA ("invalid distance too far
 * back", ...), or "". */
const char *pmd_error(const struct pmd *z);

#endif /* WSCLI_DEFLATE_H */
