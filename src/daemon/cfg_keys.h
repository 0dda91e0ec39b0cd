/*
 * cfg_keys.h - inside the configuration module: what cfg.c (reading the
 * files) and cfg_keys.c (the keys and their values) share.  Not part of
 * the module's interface, which is cfg.h; no other stage includes it.
 */
#ifndef RINGAUDIT_CFG_KEYS_H
#define RINGAUDIT_CFG_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/cfg.h"

/* auditd reads lines into 160 bytes with fgets: 158 characters and '\n'. */
#define LINE_MAX_CHARS 158
/* A value with every byte escaped as \xNN, and some room to spare. */
#define ESC_MAX (4 * LINE_MAX_CHARS + 16)
/* Room for the line each auditd.conf key was last set on. */
#define KW_MAX 48

/* One load of one file. */
struct ld {
	struct cfg *c;
	const char *path;
	unsigned line;		/* being read; 0 for the file as a whole */
	char *err;
	size_t errlen;
	unsigned set[KW_MAX];	/* where each key was last set, for the
				 * checks at the end */
};

struct choice {
	const char *name;
	int val;
};

/*
 * One auditd.conf key: its parser, and where in struct cfg it goes.  The
 * generic parsers read lo/hi (numbers), tab (a choice, stored as an int:
 * every enum here is one, see the asserts in cfg_keys.c) and refuse
 * (actions).
 */
struct kw {
	const char *name;
	int (*parse)(struct ld *, const struct kw *, const char *,
	    const char *);
	size_t off;
	unsigned long lo, hi;
	const struct choice *tab;
	unsigned refuse;	/* 1 << CFG_ACT_x: actions this key refuses */
	bool option;		/* may take "value option" */
};

/*
 * ringauditd.conf: a number in lo..hi (unsigned), an absolute path, or a
 * choice from tab (stored as an int).
 */
struct rkw {
	const char *name;
	size_t off;
	unsigned lo, hi;
	bool path;		/* char[PATH_MAX] at off; with hi, char[hi + 1]
				 * for a socket's path, which may be "none" */
	const struct choice *tab;
};

/* cfg_keys.c: the keys of each file, ending in a NULL name. */
extern const struct kw cfg_auditd_kw[];
extern const struct rkw cfg_ringauditd_kw[];
/* cfg_keys.c: the choices cfg.c names (cfg_flush_name() and the like). */
extern const struct choice cfg_flushes[];
extern const struct choice cfg_actions[];
extern const struct choice cfg_max_actions[];

/* cfg_keys.c: val, the value of ringauditd.conf key k, into l->c. */
int cfg_rkw_parse(struct ld *l, const struct rkw *k, const char *val);

/* cfg_msg.c: messages, which name l->path and l->line. */
const char *esc(char *buf, size_t len, const char *s);
int fail(struct ld *l, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void note(struct ld *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
