/*
 * enrich_int.h - inside ENRICHED formatting: a record's fields as
 * libauparse splits and types them (fields.c), for enrich.c, which writes
 * their interpretations.  Not the parse stage's interface: that is
 * parse.h.
 */
#ifndef RINGAUDIT_ENRICH_INT_H
#define RINGAUDIT_ENRICH_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "ring/ring.h"

/* libaudit.h's record types that change how a field is typed, or after
 * which auditd forgets the names it knows. */
#define T_USER_MGMT 1102
#define T_USER_AVC 1107
#define T_ADD_USER 1114
#define T_DEL_USER 1115
#define T_ADD_GROUP 1116
#define T_DEL_GROUP 1117
#define T_TRUSTED_APP 1121
#define T_GRP_MGMT 1132
#define T_EXECVE 1309
#define T_NETFILTER_PKT 1324
#define T_AVC 1400

/* Longest value read as a number or a string. */
#define VALUE_MAX RING_REC_PAYLOAD_MAX

enum kind {
	K_NONE,
	K_UID,
	K_GID,
	K_SYSCALL,
	K_ARCH,
	K_SADDR,
};

struct field {
	const char *name;
	size_t nlen;
	const char *val;
	size_t vlen;
};

struct walk {
	const char *p, *end;	/* the tokens left */
	unsigned type;
	unsigned cnt;		/* fields so far, node and type included */
	unsigned offset;	/* 1 when the line starts with node= */
};

/* What auparse learns from a record's first fields. */
#define HEAD_FIELDS 16

struct rec_info {
	int machine;		/* -1: none (the host's is used), -2: bad */
	int syscall;		/* -1: none */
	unsigned long long a0;
	/* The fields read to learn that, kept so that they are split once. */
	struct field head[HEAD_FIELDS];
	unsigned nhead;
	struct walk rest;	/* where the fields after them start */
	bool more;		/* there may be fields after them */
};


enum kind fld_kind(unsigned type, const struct field *f);
bool fld_next(struct walk *w, struct field *f, bool *ok);
bool fld_record_info(struct walk w, struct rec_info *ri);
unsigned long long fld_ull(const struct field *f, int base, bool *range);
const char *fld_str(const struct field *f, char *buf);
int fld_hexval(int c);

#endif
