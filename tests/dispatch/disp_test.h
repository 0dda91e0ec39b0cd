/*
 * disp_test.h - what test_dispatch.c and test_overflow.c share: each
 * test (dt_setup, dt_teardown) has a folder of its own with a plugins.d,
 * its plugins are small shell scripts (root's, 0750, as auditd wants),
 * the dispatcher runs on it, this program feeds it as the writer does,
 * and the daemon's messages (stderr) go to a file the tests read.
 */
#ifndef RINGAUDIT_DISP_TEST_H
#define RINGAUDIT_DISP_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dispatch/disp_int.h"
#include "dispatch/dispatch.h"

extern char dt_dir[64];		/* the test's folder */
extern char dt_pdir[96];	/* its plugins.d/ */
extern char dt_errlog[96];	/* the daemon's messages */
extern uint64_t dt_seq;		/* the next record's seq */
extern unsigned dt_stop_ms;	/* the next dt_start's stop_ms */

int dt_setup(void **state);
int dt_teardown(void **state);
void dt_sleep_ms(unsigned ms);
void dt_put_file(const char *path, mode_t mode, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A plugin file NAME running the script BODY (sh), format FMT. */
void dt_plugin(const char *name, const char *fmt, const char *body);
/* plugins.d/NAME.conf: builtin_af_unix, its socket at sock with mode. */
void dt_af_unix_conf(const char *name, const char *mode, const char *sock);
/* The file's bytes, NUL-terminated (empty if it is not there). */
char *dt_slurp(const char *path, size_t *len);
/* How often 'what' is in the file. */
unsigned dt_count_in(const char *path, const char *what);
/* The daemon's messages into dt_errlog, afresh. */
void dt_redirect(void);
struct disp *dt_start(unsigned q_depth, enum disp_overflow ovf,
    unsigned max_restarts);
/* A SIGHUP's disp_reconfigure, on the same plugins.d. */
void dt_reconfigure(struct disp *d, unsigned q_depth, enum disp_overflow ovf,
    unsigned max_restarts);
/* One record put as the writer puts it: true if it was copied. */
bool dt_feed(struct disp *d, unsigned type, unsigned ver, const char *text);
/* The same, without waking the dispatch thread (a lent writer's). */
bool dt_put(struct disp *d, unsigned type, unsigned ver, const char *text);
unsigned dt_stats(struct disp *d, struct disp_stats *st,
    struct disp_plugin_stats *ps);
/* offered = delivered + dropped + queued, for each. */
void dt_assert_balanced(const struct disp_plugin_stats *ps, unsigned n);
/* "type=USER msg=audit(...:I): text=record-I xxx...\n", PAD x's. */
void dt_line_n(char *buf, size_t len, unsigned i, size_t pad);

#endif
