/*
 * parse.h - record header parsing, record type names, and log line
 * formatting.  The parser workers call this; ingest calls only
 * parse_header (to shard by serial); replay calls parse_type_from_name.
 *
 * Nothing here touches a file descriptor or allocates on the way of a
 * record: every function works on the caller's memory and is safe to call
 * from several threads at once, once parse_init() has built the name
 * tables at start-up.
 */
#ifndef RINGAUDIT_PARSE_H
#define RINGAUDIT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ring_rec;

/*
 * Build the record type, syscall, machine and elf name tables from
 * libaudit: once, at start-up, on one thread, before anything looks a name
 * up (every name function here needs them; parse_worker_create and a
 * replaying ingest_create call it too).  A second call does nothing.
 * Returns 0, -ENOMEM, or a negative errno for a libaudit whose type names
 * this stage cannot hold (types.c).  parse_fini frees them.
 */
int parse_init(void);
void parse_fini(void);

/* Longest type name written, "UNKNOWN[4294967295]" included. */
#define PARSE_TYPE_NAME_MAX 32

/* What "audit(1700000000.123:4567): " says. */
struct parse_hdr {
	uint64_t sec;
	uint32_t msec;
	uint32_t serial;
	size_t len;		/* bytes of the header, "): " included */
};

/*
 * Parse the header at the start of a record's payload.  p is not
 * NUL-terminated.  Returns 0, or -EINVAL when the payload does not start
 * with a well-formed header (missing "audit(", no '.', no ':', no ')',
 * non-digits, a serial or msec that does not fit, truncated input).
 */
int parse_header(const char *p, size_t len, struct parse_hdr *h);

/* auditd's name for a record type, or NULL when it has none. */
const char *parse_type_name(unsigned type);

/*
 * Write the name auditd writes for a type: its name, or "UNKNOWN[n]" for
 * a type without one.  Returns the length (no NUL is counted; one is
 * written when cap allows).
 */
size_t parse_type_format(unsigned type, char *buf, size_t cap);

/* The inverse: "SYSCALL" -> 1300, "UNKNOWN[1234]" -> 1234; -EINVAL. */
int parse_type_from_name(const char *name, size_t len);

/* auditd does not write these types to its log (EOE). */
bool parse_type_logged(unsigned type);

/*
 * Lookup tables for ENRICHED lines (tables.c): the names libaudit and
 * libauparse 3.0.9 give, which auditd appends after the 0x1D byte.
 * Machines are libaudit's machine numbers (its machine_t).
 */
#define PARSE_MACH_X86		0
#define PARSE_MACH_86_64	1
#define PARSE_MACH_IA64		2	/* no longer named by libaudit */
#define PARSE_MACH_PPC64	3
#define PARSE_MACH_PPC		4
#define PARSE_MACH_S390X	5
#define PARSE_MACH_S390		6
#define PARSE_MACH_ALPHA	7	/* no longer named by libaudit */
#define PARSE_MACH_ARM		8
#define PARSE_MACH_AARCH64	9
#define PARSE_MACH_PPC64LE	10
/* Machine numbers asked of libaudit: 0..PARSE_MACH_MAX - 1. */
#define PARSE_MACH_MAX		32

/* audit_elf_to_machine(): the machine for an AUDIT_ARCH_* value, or -1. */
int parse_elf_to_machine(uint32_t elf);

/* audit_machine_to_name(): "x86_64", "i386", ...; NULL when none. */
const char *parse_machine_name(int machine);

/* audit_detect_machine() for the machine ringauditd was built for. */
int parse_host_machine(void);

/* audit_syscall_to_name(nr, machine): NULL when libaudit has no name. */
const char *parse_syscall_name(int nr, int machine);

/* Whether auparse names a0 too: the syscall libaudit names "socketcall"
 * or "ipc" on that machine. */
enum parse_sc_op {
	PARSE_SC_PLAIN,
	PARSE_SC_SOCKETCALL,
	PARSE_SC_IPC,
};
enum parse_sc_op parse_syscall_op(int nr, int machine);

/* auparse's names for socketcall's a0 and ipc's a0; NULL when none. */
const char *parse_socketcall_name(long op);
const char *parse_ipc_name(long op);

/*
 * auparse's name for an address family, as print_sockaddr prints it
 * ("local", "inet", "inet6", "netlink", ...); NULL when none.
 */
const char *parse_family_name(unsigned family);

enum parse_format {
	PARSE_FORMAT_RAW,
	PARSE_FORMAT_ENRICHED,
};

struct parse_names;

struct parse_opts {
	enum parse_format format;
	const char *node;	/* name_format's node name, or NULL */
	size_t node_len;
	struct parse_names *names; /* ENRICHED's uid/gid names; NULL: none */
};

/*
 * Format a record into its log line, in place: the line is
 *   [node=NODE ]type=NAME msg=PAYLOAD\n
 * where NODE is the record's own node (r->node_len, replayed lines) or
 * else o->node.  The prefix is written into the record's headroom just in
 * front of the payload and the '\n' after it, so nothing is copied.  Sets
 * r->line_off and r->line_len; sets RING_REC_SKIP for types auditd does not
 * log.  Returns 0, or -ENOSPC if the headroom cannot hold the prefix.
 */
int parse_format_record(struct ring_rec *r, const struct parse_opts *o);

/*
 * The other way: a log line as auditd writes it, "[node=N ]type=NAME
 * msg=PAYLOAD" (no '\n'), taken apart into r as parse_format_record would
 * put it back: its own node, even an empty one (RING_REC_NODE, node_len,
 * at data[0]), its type and its payload.  Returns 0; -EINVAL if it is no
 * such line or its node is too long; -E2BIG if the payload does not fit a
 * record (r then holds its first RING_REC_PAYLOAD_MAX bytes).
 */
int parse_log_line(struct ring_rec *r, const char *line, size_t len);

/*
 * ENRICHED (enrich.c): append auditd's interpreted fields to a line.  line
 * holds len bytes of RAW line (no '\n') and has room for cap; payload is
 * the record's text, "audit(...): " header first.  node says whether
 * the line starts with node=.  Returns the line's new length.  After a
 * user or group management record it empties nc, as auditd does.
 */
size_t parse_enrich(char *line, size_t len, size_t cap, const char *payload,
    size_t payload_len, unsigned type, bool node, struct parse_names *nc);

/*
 * uid and gid names (names.c): a cache per worker, so that NSS is asked
 * once per id, not once per record.  epoch (may be NULL) is bumped by the
 * daemon to refresh every cache: SIGHUP and a timer.  drops (may be NULL)
 * is shared by the workers: parse_names_drop, after a user or group
 * management record, empties every cache as auditd does.
 */
#define PARSE_NAMES_NAME_MAX 255
#define PARSE_NAMES_ENTRIES_DEFAULT 1024

enum parse_names_kind {
	PARSE_NAMES_USER,
	PARSE_NAMES_GROUP,
};

struct parse_names_stats {
	uint64_t hits;
	uint64_t misses;
	uint64_t nss_calls;
	uint64_t nss_errors;	/* NSS failed (not "no such id") */
	uint64_t refreshes;
	uint64_t drops;		/* emptied after a user/group record */
	uint64_t too_long;	/* names too long to keep */
};

int parse_names_create(struct parse_names **out, unsigned entries,
    const uint32_t *epoch, uint32_t *drops);
void parse_names_destroy(struct parse_names *nc);
/* The name of a uid or gid, and its length; NULL when it has none. */
const char *parse_names_lookup(struct parse_names *nc,
    enum parse_names_kind kind, uint32_t id, size_t *len);
void parse_names_get_stats(const struct parse_names *nc,
    struct parse_names_stats *st);
void parse_names_drop(struct parse_names *nc);

/*
 * Parser workers: W threads, each taking records from its ring from
 * ingest, formatting them in place, and passing them on to its ring to the
 * writer.  End-of-stream records pass through and end the thread.
 */
struct parse_worker_config {
	struct ring *in;		/* from ingest */
	struct ring *out;		/* to the writer */
	struct ring_waiter *self;	/* the worker's own waiter (futex) */
	struct parse_opts opts;		/* opts.names is the worker's own */
	unsigned name_cache_entries;	/* uid and gid names kept, each */
	const uint32_t *names_epoch;	/* bumped: refresh names; or NULL */
	uint32_t *names_drops;		/* shared by the workers; or NULL */
};

struct parse_worker_stats {
	uint64_t records;
	uint64_t helped;	/* of those, formatted by ingest for it */
	uint64_t format_errors;	/* written raw: no room for the prefix */
	uint64_t sleeps;
	uint64_t in_high;	/* most records seen waiting in the input ring */
	uint64_t out_high;	/* ... and in the ring to the writer (only
				 * uint64_t here: read with stat_copy) */
	struct parse_names_stats names;
};

struct parse_worker;

int parse_worker_create(struct parse_worker **out,
    const struct parse_worker_config *c);
void parse_worker_destroy(struct parse_worker *pw);
int parse_worker_start(struct parse_worker *pw);
int parse_worker_join(struct parse_worker *pw);
void parse_worker_get_stats(struct parse_worker *pw,
    struct parse_worker_stats *st);

/*
 * Ingest's: if the worker sleeps, do its work on the caller's thread
 * (ring.h's baton): format what waits in its input ring and push it to
 * the writer's, as far as there is room, without waking anyone.  Returns
 * the records passed on; 0 if the worker was awake (the caller wakes it
 * as usual).  Whatever it could not take, the worker is woken for.
 */
unsigned parse_worker_help(struct parse_worker *pw);

/*
 * Stage new options (SIGHUP): the worker takes them on the first record
 * that carries RING_CMD_RECONF, before formatting it.  The node name is
 * copied.
 */
void parse_worker_set_opts(struct parse_worker *pw,
    const struct parse_opts *o);

#endif
