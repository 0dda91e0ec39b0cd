/*
 * cfg_test.h - what the configuration tests share; cfg_test.c has it,
 * test_config.c says where the verdicts come from.
 */
#ifndef RINGAUDIT_CFG_TEST_H
#define RINGAUDIT_CFG_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "daemon/cfg.h"

/* auditd refuses a file with any line unless space_left > admin_space_left
 * (auditd: "flush = sync" alone is refused), so most files start so. */
#define P "space_left = 2\nadmin_space_left = 1\n"

/* The temporary folder ("@D" in the tables), made by the setup. */
extern char tmp[64];

enum field {
	F_NONE, F_LOCAL_EVENTS, F_WRITE_LOGS, F_LOG_FILE, F_LOG_FORMAT,
	F_LOG_GROUP, F_FLUSH, F_FREQ, F_NAME_FORMAT, F_NAME, F_PRIO,
	F_WORKERS, F_RECORDS, F_RING_SIZE, F_RCVBUF, F_DRAIN, F_BATCH, F_GATHER,
	F_NAMES, F_NAMES_REFRESH, F_METRICS_INTERVAL,
	F_PID_FILE, F_STATE_FILE, F_INIT, F_SENDMAIL, F_INGEST,
	F_REMOTE_ACK, F_SCHED, F_INLINE, F_TCP_CLIENTS, F_TCP_MESSAGES,
	F_TCP_CLIENT_MESSAGES, F_CONTROL_SOCKET,
};

struct kcase {
	const char *text;	/* the file; "@D" is the temporary folder */
	int rc;
	enum field f;		/* on success, this field ... */
	unsigned long want;	/* ... has this value */
	const char *swant;	/* or this string ("@D" as above) */
	unsigned line;		/* on failure, the line the error names */
	const char *bad;	/* and the value it quotes ("" for none) */
};

#define OK(t, f, v)	{ t, 0, f, v, NULL, 0, NULL }
#define OKS(t, f, s)	{ t, 0, f, 0, s, 0, NULL }
#define BAD(t, l, b)	{ t, -EINVAL, F_NONE, 0, NULL, l, b }

/* A number field of a loaded configuration (fails for a string one). */
unsigned long field(const struct cfg *c, enum field f);
const char *sfield(const struct cfg *c, enum field f);
/* s with every "@D" replaced by the temporary folder. */
void subst(char *dst, size_t len, const char *s);
/* Writes tmp/name with exactly mode; returns its path (static). */
const char *put(const char *name, const char *text, mode_t mode);
/* err names path and line ("PATH:LINE: ") and quotes bad. */
void assert_err(const char *err, const char *path, unsigned line,
    const char *bad);
bool warned(const struct cfg *c, const char *what);
/* auditd.conf key as the loaded configuration holds it, in buf. */
const char *render(const struct cfg *c, const char *key, char *buf,
    size_t len);
/* Each file of the table loaded (auditd.conf or ringauditd.conf), and
 * its verdict checked. */
void run(const struct kcase *t, size_t n, bool auditd);

/* Each program's main: the tests in the temporary folder, as root
 * (77 otherwise). */
int cfg_test_main(const char *name, const struct CMUnitTest *tests,
    size_t n);

#endif
