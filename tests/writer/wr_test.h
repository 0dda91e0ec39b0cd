/*
 * wr_test.h - what the writer's test programs share: the harness that
 * stands in for ingest and one parser worker around the writer thread,
 * the lines expected in the file, a temporary folder per test (a small
 * tmpfs on it where a test needs a full disk), and the teardown that
 * removes it.  test_writer.c says how the harness works.
 */
#ifndef RINGAUDIT_WR_TEST_H
#define RINGAUDIT_WR_TEST_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ring/ring.h"
#include "writer/writer.h"

#define POOL_RECS 256
#define WORKER_RING 64
#define PUSH_BATCH 16
#define N_RECS 2000
#define FREQ 7
#define BATCH_BYTES (64u << 10)
#define NBUFS 4
#define WR_TEST_MIN_LINE 30	/* make_line's shortest line */

/* A growing byte buffer: the lines expected in the file. */
struct buf {
	char *p;
	size_t len, cap;
};

/* Ingest and one worker around the writer. */
struct harness {
	struct ring_pool pool;
	struct ring free_ring;
	struct ring from_worker;
	struct ring_waiter free_w;	/* ours: consumer of the free ring */
	struct ring_waiter prod_w;	/* ours: producer of from_worker */
	struct ring_waiter writer_w;	/* the writer's (eventfd) */
	struct wr *wr;
	unsigned batch;			/* pushed since the last wake */
	uint64_t seq;
	uint64_t free_sleeps;
};

struct run_result {
	unsigned pushed;	/* records pushed before EOS (stall: fewer) */
	unsigned kicks;		/* times the watchdog had to wake the writer */
};

/* An instruction put on the record with index 'at' (RING_CMD_*). */
struct cmd_at {
	unsigned at;
	uint16_t cmd;
};

/*
 * The watchdog (watchdog_main, a thread): if no record was pushed for a
 * second, the writer is stuck.  It then writes the writer's eventfd itself
 * (outside the protocol: a "kick") so that the run can end and the test
 * fail with a reason, and the harness ends the stream early.  Once it has
 * kicked, it kicks again sooner, so that a writer that stalls on every
 * sync still finishes.
 */
struct watchdog {
	pthread_t thread;
	int efd;
	_Atomic uint64_t progress;
	_Atomic bool done;
	_Atomic unsigned kicks;
};
void *watchdog_main(void *arg);

void buf_add(struct buf *b, const char *s, size_t n);
void buf_free(struct buf *b);
/* The whole file, NUL-terminated (malloc'd), its length in *len. */
char *read_file(const char *path, size_t *len);
size_t count_lines(const char *p, size_t len);
/* The file holds exactly want's bytes. */
void assert_file_is(const char *path, const struct buf *want);

void h_init(struct harness *h);
void h_fini(struct harness *h);
void base_config(struct harness *h, struct wr_config *c, enum wr_output out,
    const char *path, enum wr_flush flush, unsigned freq);
struct ring_rec *h_get_free(struct harness *h);
void h_push(struct harness *h, struct ring_rec *r);
void h_flush(struct harness *h);
/* Record seq's line (its text from tag and i) into r, and into want
 * unless flags skip it. */
void make_line(struct ring_rec *r, uint64_t seq, unsigned tag, unsigned i,
    uint16_t flags, struct buf *want);
void h_end(struct harness *h);

/* For the next run_writer: a list ending with { UINT32_MAX, 0 }. */
extern const struct cmd_at *run_cmds;
/* For the next run_writer: called before record i is made, with the
 * lines made so far (what another program does to the log meanwhile). */
extern void (*run_hook)(unsigned i, const struct buf *want);
/* The writer of the run under way, for a hook's wr_get_stats. */
extern struct wr *run_wr;
/* For the next run_writer: the writer sleeps until woken, without the
 * waiter's safety net of RING_SLEEP_MS, so that a lost wake-up shows. */
extern bool run_wake_only;
/* From a hook: hand what was pushed so far to the writer (the harness
 * wakes it every few records only). */
void run_flush(void);
/* For the next run_writer: record i carries the token i + 1 (ring_rec.ack),
 * as a message's record does; else none. */
extern bool run_acks;
/*
 * One writer run: n records (every skip_every-th one, if not 0, marked
 * RING_REC_SKIP), then EOS and join.  The lines that should be logged are
 * appended to 'want'.  If the writer stalls, the stream ends early.
 */
void run_writer(const struct wr_config *c, unsigned n, unsigned skip_every,
    unsigned tag, struct buf *want, struct wr_stats *st,
    struct run_result *res);
void assert_no_stall(const char *what, const struct run_result *res,
    unsigned n);
void print_stats(const char *what, const struct wr_stats *st);

/* The current test's folder (/tmp/test_writer.XXXXXX), removed by the
 * teardown if the test fails; tmp_mounted if a tmpfs is on it. */
extern char tmp_dir[64];
extern bool tmp_mounted;
void make_tmpdir(char *dir, size_t len);
/* A mount namespace of the test's own (false: none could be made). */
bool private_mounts(void);
/* A new temporary folder with a tmpfs of 'size' on it, or skip. */
void mount_small(char *dir, size_t len, const char *size);
void rm_rf(const char *path);
/* Runs after every test, passed or failed. */
int teardown(void **state);
void join_path(char *out, size_t len, const char *dir, const char *name);

/* Each program's main: the tests, each with the teardown. */
int wr_test_main(const char *name, const struct CMUnitTest *tests,
    size_t n);

#endif
