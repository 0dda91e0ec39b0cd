/*
 * replay.c - a file as a record source, for tests and benchmarks that must
 * run the whole pipeline without the kernel.
 *
 * Two formats, told apart by the first byte:
 *   - log lines, as auditd writes them: "[node=N ]type=NAME msg=PAYLOAD\n";
 *     the node (if any) travels with the record, as it does for records
 *     that arrive from a remote node, so the line comes out unchanged;
 *   - netlink frames, as the kernel sends them but with honest nlmsg_len
 *     (header + payload), each padded to NLMSG_ALIGN.
 * The file is read through stdio; at its end the source reports -ENODATA
 * and ingest ends the stream.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "ingest/source.h"
#include "parse/parse.h"

#define REPLAY_LINE_MAX (RING_REC_PAYLOAD_MAX + 1024)

struct replay_source {
	FILE *f;
	bool frames;
	bool eof;		/* ended, or a frame was malformed */
	char *line;
	unsigned long lineno;
	struct log_ratelimit rl;
	unsigned pace_recs;	/* a receive's most; 0: no pace */
	uint64_t gap_ns;
	uint64_t next_ns;	/* the next receive, not before */
};

static int
replay_open(struct ingest_source *s, const struct ingest_config *c)
{
	struct replay_source *rs;
	int ch;

	rs = calloc(1, sizeof(*rs));
	if (rs == NULL)
		return -ENOMEM;
	rs->line = malloc(REPLAY_LINE_MAX);
	rs->f = fopen(c->replay_path, "re");
	if (rs->line == NULL || rs->f == NULL) {
		int rc = rs->line == NULL ? -ENOMEM : -errno;

		free(rs->line);
		free(rs);
		return rc;
	}
	rs->rl.interval_ns = 1000000000u;
	rs->rl.burst = 5;
	rs->pace_recs = c->replay_recs;
	rs->gap_ns = (uint64_t)c->replay_gap_us * 1000u;
	ch = fgetc(rs->f);
	if (ch != EOF)
		ungetc(ch, rs->f);
	rs->frames = ch != EOF && ch != 't' && ch != 'n';
	s->priv = rs;
	return 0;
}

static int
replay_frame(struct replay_source *rs, struct ring_rec *r)
{
	struct nlmsghdr nlh;
	size_t len, pad;

	if (fread(&nlh, sizeof(nlh), 1, rs->f) != 1)
		return -ENODATA;
	if (nlh.nlmsg_len < NLMSG_HDRLEN ||
	    nlh.nlmsg_len - NLMSG_HDRLEN > RING_REC_PAYLOAD_MAX)
		return -EINVAL;
	len = nlh.nlmsg_len - NLMSG_HDRLEN;
	if (fread(ring_rec_payload(r), 1, len, rs->f) != len)
		return -EINVAL;
	pad = NLMSG_ALIGN(nlh.nlmsg_len) - nlh.nlmsg_len;
	if (pad > 0 && fseek(rs->f, (long)pad, SEEK_CUR) != 0)
		return -EINVAL;
	while (len > 0 && ring_rec_payload(r)[len - 1] == '\0')
		len--;
	r->type = nlh.nlmsg_type;
	r->len = (uint32_t)len;
	r->node_len = 0;
	return 0;
}

/* The rest of a line that did not fit: true if there was any. */
static bool
skip_rest(FILE *f)
{
	int ch = getc(f);

	if (ch == EOF || ch == '\n')
		return false;
	while ((ch = getc(f)) != EOF && ch != '\n')
		;
	return true;
}

static int
replay_recv(struct ingest_source *s, struct ring_rec **recs, unsigned n,
    int timeout_ms, int wake_fd)
{
	struct replay_source *rs = s->priv;
	unsigned got = 0;

	(void)wake_fd;
	if (rs->pace_recs > 0) {
		uint64_t now = clock_mono_ns();

		if (now < rs->next_ns) {
			struct timespec ts = {
				.tv_sec = (time_t)(rs->next_ns / 1000000000u),
				.tv_nsec = (long)(rs->next_ns % 1000000000u),
			};

			if (timeout_ms == 0)
				return -EAGAIN;
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
			    NULL);
		}
		rs->next_ns = clock_mono_ns() + rs->gap_ns;
		if (n > rs->pace_recs)
			n = rs->pace_recs;
	}
	while (got < n && !rs->eof) {
		struct ring_rec *r = recs[got];
		int rc;

		r->flags = 0;
		if (rs->frames) {
			rc = replay_frame(rs, r);
			if (rc == -ENODATA) {
				rs->eof = true;
				break;
			}
			if (rc < 0) {
				rs->eof = true;
				s->stats->sock_errors++;
				log_warnx("replay: malformed netlink frame; "
				    "stopping");
				break;
			}
		} else {
			size_t len;

			if (fgets(rs->line, REPLAY_LINE_MAX, rs->f) == NULL)
				break;
			rs->lineno++;
			len = strlen(rs->line);
			if (len == REPLAY_LINE_MAX - 1 &&
			    rs->line[len - 1] != '\n' && skip_rest(rs->f)) {
				/* Longer than any record: skipped whole, never
				 * read on as a record of its own. */
				s->stats->malformed++;
				if (log_ratelimit_ok(&rs->rl))
					log_warnx("replay: line %lu is longer "
					    "than %d bytes; skipped",
					    rs->lineno, REPLAY_LINE_MAX - 2);
				continue;
			}
			if (len > 0 && rs->line[len - 1] == '\n')
				len--;
			if (len == 0)
				continue;
			if (parse_log_line(r, rs->line, len) < 0) {
				s->stats->malformed++;
				if (log_ratelimit_ok(&rs->rl))
					log_warnx("replay: line %lu is not an "
					    "audit record; skipped",
					    rs->lineno);
				continue;
			}
		}
		got++;
	}
	if (got == 0)
		return -ENODATA;
	return (int)got;
}

static int
replay_ready(struct ingest_source *s)
{
	(void)s;
	return 1;
}

static int
replay_backlog(struct ingest_source *s)
{
	(void)s;
	return 0;
}

static void
replay_unregister(struct ingest_source *s)
{
	(void)s;
}

static void
replay_close(struct ingest_source *s)
{
	struct replay_source *rs = s->priv;

	if (rs == NULL)
		return;
	fclose(rs->f);
	free(rs->line);
	free(rs);
	s->priv = NULL;
}

const struct ingest_source_ops ingest_replay_ops = {
	.name = "replay",
	.open = replay_open,
	.recv = replay_recv,
	.ready = replay_ready,
	.backlog = replay_backlog,
	.unregister = replay_unregister,
	.close = replay_close,
};
