/*
 * top.c - ringaudit-top: a live view of a running ringauditd, as top and
 * iotop are for theirs.
 *
 * It reads the daemon through its control socket (ringauditd.conf
 * control_socket, default /run/ringauditd.sock, root's alone): each
 * refresh is one connection and one answer, the daemon's metrics at that
 * moment; nothing else of the daemon's is touched, and the daemon wakes
 * for nothing while no view is open.
 *
 * Interactive, it redraws every interval (-d, 1 s) on a cleared screen of
 * the terminal's size (80x24 is enough), with the terminal's echo and line
 * mode off; q quits, any other key redraws at once.  A daemon that goes
 * away is said on the screen, and the view goes on trying.  --once reads
 * two samples an interval apart and prints one screen, with no control
 * codes, for scripts; it fails (1) if the daemon cannot be read.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "top/top.h"

#define EXIT_READ 1
#define EXIT_USAGE 2

static struct top_sample samples[2];
static struct termios saved;
static bool raw_on;
static volatile sig_atomic_t stop;

static void
usage(FILE *f, int code)
{
	fprintf(f, "Usage: ringaudit-top [-s PATH] [-d SECONDS] [--once]\n"
	    "  -s, --socket PATH    the daemon's control socket "
	    "(default /run/ringauditd.sock)\n"
	    "  -d, --delay SECONDS  between refreshes (default 1)\n"
	    "  -1, --once           print one screen and exit\n"
	    "  -h, --help           this text\n"
	    "  -V, --version        the version\n"
	    "Keys: q quits, any other key refreshes now.\n");
	exit(code);
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
raw_mode(bool on)
{
	struct termios t;

	if (on) {
		if (tcgetattr(STDIN_FILENO, &saved) < 0)
			return;
		t = saved;
		t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		raw_on = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
		/* The alternate screen, and no cursor. */
		fputs("\033[?1049h\033[?25l", stdout);
	} else if (raw_on) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		fputs("\033[?25h\033[?1049l", stdout);
		fflush(stdout);
		raw_on = false;
	}
}

static unsigned
term_rows(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row >= 4)
		return ws.ws_row;
	return 24;
}

/* Sleep up to ms, or until a key: 'q' ends the view.  False: stop. */
static bool
wait_key(int ms)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	char c;

	if (poll(&p, 1, ms) <= 0)
		return !stop;
	if (read(STDIN_FILENO, &c, 1) != 1)
		return false;	/* the terminal went away */
	return c != 'q' && c != 'Q' && !stop;
}

static void
say_unread(const char *path, int rc)
{
	fprintf(stderr, "ringaudit-top: cannot read %s: %s\n", path,
	    rc == -EPROTO ? "the answer is not ringauditd's metrics" :
	    strerror(-rc));
}

static int
once(const char *path, double delay)
{
	struct timespec ts = { .tv_sec = (time_t)delay,
	    .tv_nsec = (long)((delay - floor(delay)) * 1e9) };
	int rc;

	if ((rc = top_sample_read(&samples[0], path)) < 0)
		goto err;
	nanosleep(&ts, NULL);
	if ((rc = top_sample_read(&samples[1], path)) < 0)
		goto err;
	top_screen(stdout, &samples[0], &samples[1], path, 1000);
	return 0;
err:
	say_unread(path, rc);
	return EXIT_READ;
}

static int
live(const char *path, double delay)
{
	struct top_sample *prev = &samples[0], *cur;
	unsigned k = 1;		/* the next sample goes to samples[k] */
	int rc;

	/* Not a daemon that answers: said before the screen is taken. */
	if ((rc = top_sample_read(&samples[0], path)) < 0) {
		say_unread(path, rc);
		return EXIT_READ;
	}
	raw_mode(true);
	do {
		unsigned rows = term_rows();

		cur = &samples[k];
		rc = top_sample_read(cur, path);
		fputs("\033[H\033[2J", stdout);
		if (rc < 0) {
			printf("ringaudit-top: cannot read %s: %s\n"
			    "(trying again every %g s)\n", path, strerror(-rc),
			    delay);
			prev = NULL;
		} else {
			top_screen(stdout, prev, cur, path, rows - 1);
			prev = cur;
			k ^= 1;
		}
		/* The key line on the last row, as top has it. */
		printf("\033[%u;1Hq quits, any other key refreshes; every %g s",
		    rows, delay);
		fflush(stdout);
	} while (wait_key((int)(delay * 1000)));
	raw_mode(false);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "delay", required_argument, NULL, 'd' },
		{ "once", no_argument, NULL, '1' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = "/run/ringauditd.sock";
	double delay = 1;
	bool one = false;
	char *end;
	int ch;

	while ((ch = getopt_long(argc, argv, "s:d:1hV", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		case 'd':
			delay = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || !(delay >= 0.1) ||
			    delay > 3600) {
				fprintf(stderr, "ringaudit-top: -d %s: a number "
				    "of seconds from 0.1 to 3600\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case '1':
			one = true;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		case 'V':
			printf("ringaudit-top %s\n", RA_VERSION);
			return 0;
		default:
			usage(stderr, EXIT_USAGE);
		}
	}
	if (optind != argc)
		usage(stderr, EXIT_USAGE);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	if (one || !isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
		return once(path, delay);
	return live(path, delay);
}
