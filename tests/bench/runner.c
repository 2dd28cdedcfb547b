/*
 * runner.c - run one client process for the wscli benchmark and measure it.
 *
 *   runner [--in FILE] [--out FILE] [--err FILE] [--timeout SECS]
 *          [--strip PREFIX] [--gate LINES] -- CMD [ARGS...]
 *   runner --lockstep N [--warmup W] [--size BYTES] [--gate 0]
 *          [--err FILE] [--timeout SECS] -- CMD [ARGS...]
 *
 * Runs CMD directly (no shell) and prints one line of key=value pairs on
 * stdout: wall (seconds from fork to exit), user and sys (the CPU time of
 * CMD itself, from wait4(2)), maxrss_kb (its peak resident set), status
 * (exit status, or 128+signal, or "timeout").
 *
 * Bulk mode (default): stdin is FILE (default /dev/null) and stdout is FILE
 * (default /dev/null); the runner does nothing while CMD runs.
 *
 * --gate LINES is for clients that drop lines typed before the connection is
 * open and exit as soon as stdin ends (wscat): stdin and stdout become
 * pipes; the runner sends a probe line every 20 ms until one comes back,
 * then a marker line and discards what comes back up to the marker, then
 * feeds --in and copies stdout to --out, and closes stdin only once LINES
 * lines came back.
 *
 * --strip PREFIX removes any number of PREFIX at the start of each line the
 * runner reads itself (the probe, the marker, lockstep answers), for
 * clients that write a prompt to stdout even when it is not a terminal.
 *
 * Lockstep mode: stdin and stdout are pipes; the runner writes one line of
 * BYTES bytes (default 64, plus the newline), waits for that same line on
 * stdout, and so on, N times after W untimed warm-up round trips (default
 * 100). Also prints p50_us, p99_us, mean_us, min_us, max_us of the timed
 * round trips and bad (round trips whose answer differed).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t child;
static volatile sig_atomic_t timed_out;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
	if (child > 0)
		kill(child, SIGKILL);
}

static void
die(const char *what)
{
	fprintf(stderr, "runner: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Line reader over the child's stdout pipe. */
static char rbuf[1 << 20];
static size_t rlen;

/* Read one line (without its newline) into *line; returns its length or -1
 * at EOF / timeout. The line stays valid until the next call. */
static char *cur_line;
static const char *strip = "";
static size_t consumed;

static long
read_line(int fd)
{
	if (consumed) {
		memmove(rbuf, rbuf + consumed, rlen - consumed);
		rlen -= consumed;
		consumed = 0;
	}
	for (;;) {
		char *nl = memchr(rbuf, '\n', rlen);
		ssize_t r;

		if (nl) {
			size_t skip = 0, pl = strlen(strip);

			while (pl > 0 && rbuf + skip + pl <= nl &&
			    memcmp(rbuf + skip, strip, pl) == 0)
				skip += pl;
			cur_line = rbuf + skip;
			consumed = (size_t)(nl - rbuf) + 1;
			return nl - rbuf - (long)skip;
		}
		if (rlen == sizeof rbuf)
			rlen = 0; /* absurdly long line: drop it */
		r = read(fd, rbuf + rlen, sizeof rbuf - rlen);
		if (r < 0 && errno == EINTR) {
			if (timed_out)
				return -1;
			continue;
		}
		if (r <= 0)
			return -1;
		rlen += (size_t)r;
	}
}

static void
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR && !timed_out)
				continue;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Probe until the client answers, then sync on a marker line. */
static int
gate(int in_fd, int out_fd)
{
	static const char probe[] = "bench-probe\n", mark[] = "bench-go\n";
	struct pollfd pf = { out_fd, POLLIN, 0 };
	long n;

	for (;;) {
		write_all(in_fd, probe, sizeof probe - 1);
		if (timed_out)
			return -1;
		if (poll(&pf, 1, 20) > 0)
			break;
	}
	write_all(in_fd, mark, sizeof mark - 1);
	while ((n = read_line(out_fd)) >= 0)
		if ((size_t)n == sizeof mark - 2 &&
		    memcmp(cur_line, mark, (size_t)n) == 0)
			return 0;
	return -1;
}

int
main(int argc, char **argv)
{
	const char *in = "/dev/null", *out = "/dev/null", *err = NULL;
	long gate_lines = -1, lockstep = 0, warmup = 100, size = 64;
	double timeout = 0, t0, t1, *lat = NULL;
	int i, in_pipe[2] = { -1, -1 }, out_pipe[2] = { -1, -1 }, status;
	long bad = 0;
	struct rusage ru;
	int piped;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (i + 1 >= argc)
			goto usage;
		if (strcmp(argv[i], "--in") == 0)
			in = argv[++i];
		else if (strcmp(argv[i], "--out") == 0)
			out = argv[++i];
		else if (strcmp(argv[i], "--err") == 0)
			err = argv[++i];
		else if (strcmp(argv[i], "--timeout") == 0)
			timeout = atof(argv[++i]);
		else if (strcmp(argv[i], "--strip") == 0)
			strip = argv[++i];
		else if (strcmp(argv[i], "--gate") == 0)
			gate_lines = atol(argv[++i]);
		else if (strcmp(argv[i], "--lockstep") == 0)
			lockstep = atol(argv[++i]);
		else if (strcmp(argv[i], "--warmup") == 0)
			warmup = atol(argv[++i]);
		else if (strcmp(argv[i], "--size") == 0)
			size = atol(argv[++i]);
		else
			goto usage;
	}
	if (i >= argc || size < 16)
		goto usage;
	piped = lockstep > 0 || gate_lines >= 0;

	signal(SIGPIPE, SIG_IGN);
	if (piped && (pipe2(in_pipe, O_CLOEXEC) < 0 ||
	    pipe2(out_pipe, O_CLOEXEC) < 0))
		die("pipe");
	if (lockstep > 0 && (lat = calloc((size_t)lockstep, sizeof *lat)) == NULL)
		die("calloc");

	t0 = now();
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		int fd0, fd1;

		if (piped) {
			fd0 = in_pipe[0];
			fd1 = out_pipe[1];
		} else {
			fd0 = open(in, O_RDONLY);
			fd1 = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		}
		if (fd0 < 0 || fd1 < 0 || dup2(fd0, 0) < 0 || dup2(fd1, 1) < 0)
			_exit(126);
		if (err) {
			int fd2 = open(err, O_WRONLY | O_CREAT | O_APPEND, 0644);

			if (fd2 < 0 || dup2(fd2, 2) < 0)
				_exit(126);
		}
		execvp(argv[i], argv + i);
		_exit(127);
	}
	if (timeout > 0) {
		struct sigaction sa;
		struct itimerval it = { { 0, 0 },
			{ (time_t)timeout,
			  (suseconds_t)((timeout - (double)(time_t)timeout) * 1e6) } };

		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_alarm;
		sigaction(SIGALRM, &sa, NULL);
		setitimer(ITIMER_REAL, &it, NULL);
	}

	if (piped) {
		close(in_pipe[0]);
		close(out_pipe[1]);
		if (gate_lines >= 0 && gate(in_pipe[1], out_pipe[0]) < 0)
			goto wait;
	}

	if (lockstep > 0) {
		char *line = malloc((size_t)size + 1);
		long k;

		for (k = -warmup; k < lockstep; k++) {
			double s, e;
			long n;

			memset(line, 'a' + (int)((k + warmup) % 26), (size_t)size);
			snprintf(line, 24, "%012ld", k + warmup);
			line[12] = ' ';
			line[size] = '\n';
			s = now();
			write_all(in_pipe[1], line, (size_t)size + 1);
			n = read_line(out_pipe[0]);
			e = now();
			if (n < 0) {
				bad += lockstep - (k < 0 ? 0 : k);
				break;
			}
			if (n != size || memcmp(cur_line, line, (size_t)size))
				bad++;
			if (k >= 0)
				lat[k] = (e - s) * 1e6;
		}
		free(line);
		close(in_pipe[1]);
		while (read(out_pipe[0], rbuf, sizeof rbuf) > 0)
			;
	} else if (gate_lines >= 0) {
		/* Feed --in, copy stdout to --out, close stdin after LINES. */
		int ifd = open(in, O_RDONLY), ofd;
		static char wbuf[1 << 16];
		size_t woff = 0, wlen = 0;
		long lines = 0;
		int in_eof = 0;

		ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (ifd < 0 || ofd < 0)
			die(ifd < 0 ? in : out);
		fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
		/* What was read past the marker already belongs to the data. */
		if (rlen > consumed) {
			for (size_t j = consumed; j < rlen; j++)
				lines += rbuf[j] == '\n';
			write_all(ofd, rbuf + consumed, rlen - consumed);
		}
		for (;;) {
			struct pollfd pf[2] = { { out_pipe[0], POLLIN, 0 },
				{ in_pipe[1], POLLOUT, 0 } };
			int nfd = in_pipe[1] >= 0 ? 2 : 1;

			if (in_pipe[1] >= 0 && in_eof && woff == wlen &&
			    lines >= gate_lines) {
				close(in_pipe[1]);
				in_pipe[1] = -1;
				nfd = 1;
			}
			if (in_pipe[1] >= 0 && in_eof && woff == wlen)
				nfd = 1; /* nothing to write: wait for lines */
			if (poll(pf, (nfds_t)nfd, -1) < 0) {
				if (errno == EINTR && !timed_out)
					continue;
				break;
			}
			if (pf[0].revents) {
				ssize_t r = read(out_pipe[0], rbuf, sizeof rbuf);

				if (r <= 0)
					break;
				for (ssize_t j = 0; j < r; j++)
					lines += rbuf[j] == '\n';
				write_all(ofd, rbuf, (size_t)r);
			}
			if (nfd == 2 && pf[1].revents) {
				ssize_t w;

				if (woff == wlen && !in_eof) {
					ssize_t r = read(ifd, wbuf, sizeof wbuf);

					woff = 0;
					wlen = r > 0 ? (size_t)r : 0;
					in_eof = r <= 0;
				}
				if (woff < wlen) {
					w = write(in_pipe[1], wbuf + woff,
					    wlen - woff);
					if (w > 0)
						woff += (size_t)w;
					else if (w < 0 && errno != EAGAIN &&
					    errno != EINTR)
						break;
				}
			}
		}
		close(ifd);
		close(ofd);
	}

wait:
	if (in_pipe[1] >= 0)
		close(in_pipe[1]);
	if (out_pipe[0] >= 0)
		close(out_pipe[0]);
	while (wait4(child, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4");
	t1 = now();

	printf("wall=%.6f user=%.6f sys=%.6f maxrss_kb=%ld status=",
	    t1 - t0, (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
	    ru.ru_maxrss);
	if (timed_out)
		printf("timeout");
	else if (WIFEXITED(status))
		printf("%d", WEXITSTATUS(status));
	else
		printf("%d", 128 + WTERMSIG(status));
	if (lockstep > 0) {
		double sum = 0;
		long k;

		qsort(lat, (size_t)lockstep, sizeof *lat, cmp_double);
		for (k = 0; k < lockstep; k++)
			sum += lat[k];
		printf(" p50_us=%.1f p99_us=%.1f mean_us=%.1f min_us=%.1f "
		    "max_us=%.1f bad=%ld",
		    lat[lockstep / 2], lat[(lockstep * 99) / 100],
		    sum / (double)lockstep, lat[0], lat[lockstep - 1], bad);
	}
	printf("\n");
	return 0;

usage:
	fprintf(stderr, "usage: runner [--in F] [--out F] [--err F] "
	    "[--timeout S] [--strip PREFIX] [--gate LINES | --lockstep N [--warmup W] "
	    "[--size B]] -- CMD [ARGS...]\n");
	return 2;
}
