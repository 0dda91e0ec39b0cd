/*
 * names.c - uid and gid names for the ENRICHED format, without a call to
 * NSS for every record.
 *
 * auditd asks getpwuid()/getgrgid() the first time it meets an id and keeps
 * the answers it got (never the failures), and forgets them all after it
 * wrote a user or group management record (USER_MGMT, ADD_USER, DEL_USER,
 * ADD_GROUP, DEL_GROUP, GRP_MGMT): parse_names_drop, which format.c calls
 * after those records.  Each parser worker here owns one cache of this
 * kind, so that a lookup is a hash and a compare, with no lock and no
 * sharing between threads; a drop in one worker reaches the others through
 * a shared counter, at their next lookup.
 *
 * The cache is a set-associative table of fixed size, allocated when the
 * worker is made: PARSE_NAMES_WAYS entries a set, the set chosen by a hash
 * of the id; a full set gives up its oldest entry (round-robin).  An entry
 * holds the id, the name (at most PARSE_NAMES_NAME_MAX bytes; a longer one
 * is looked up every time) and what it knows:
 *
 *   - a name, valid while the entry's generation is the current one;
 *   - no name, valid while /etc/passwd (or /etc/group) is the file it was
 *     when NSS said so, and for PARSE_NAMES_NEG_NS at most (for the other
 *     name services).  auditd asks again on every record; a flood of
 *     records about ids without a name costs ringauditd a stat() every
 *     PARSE_NAMES_STAT_NS, and one NSS call a second per id.  A user that
 *     useradd made is named from the first record formatted 10 ms after
 *     the file changed (auditd: at once).
 *
 * Refresh: the daemon bumps a shared epoch (SIGHUP, and a timer; see
 * ringauditd.conf's name_cache_refresh).  A worker that sees a new epoch
 * starts a new generation, which makes every entry stale: the next lookup
 * of a stale id asks NSS again, and takes a new name (a rename) or keeps
 * the old one when the id has no name any more (as auditd's cache would,
 * until its next drop).  A drop starts a generation below which no entry
 * counts at all.
 *
 * NSS is called from the worker's thread with the worker's own buffer:
 * once per id per refresh, never per record.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <ck_pr.h>

#include "common/stat.h"
#include "parse/parse.h"

#define PARSE_NAMES_WAYS 4
#define PARSE_NAMES_NEG_NS 1000000000ull
#define PARSE_NAMES_STAT_NS 10000000ull
#define NSS_BUF_SIZE 16384

enum entry_state {
	ENTRY_EMPTY,
	ENTRY_NAME,
	ENTRY_NONE,
};

struct names_entry {
	uint32_t id;
	uint8_t state;		/* enum entry_state */
	uint8_t len;
	uint16_t pad;
	uint32_t gen;		/* generation it was learned or checked in */
	uint64_t until_ns;	/* ENTRY_NONE: no name until then ... */
	uint64_t file_sig;	/* ... and while the file is this one */
	char name[PARSE_NAMES_NAME_MAX + 1];
};

struct names_table {
	struct names_entry *e;
	uint32_t nsets;
	uint32_t *next;		/* a set's next victim */
};

struct parse_names {
	struct names_table t[2];	/* PARSE_NAMES_USER, PARSE_NAMES_GROUP */
	const uint32_t *epoch;		/* bumped by the daemon: refresh */
	uint32_t *drops;		/* bumped by any worker: drop all */
	uint32_t seen_epoch, seen_drops;
	uint32_t gen;
	uint32_t floor;			/* entries older than this are gone */
	uint64_t sig[2], sig_ns[2];	/* the files as last seen, and when */
	struct parse_names_stats st;
	char nss[NSS_BUF_SIZE];			/* getpwuid_r's buffer */
};

static const char *const files[2] = { "/etc/passwd", "/etc/group" };

/* What says the file changed: inode, size, mtime.  0 if it is missing. */
static uint64_t
file_sig(enum parse_names_kind kind)
{
	struct stat sb;

	if (stat(files[kind], &sb) < 0)
		return 0;
	return ((uint64_t)sb.st_ino * 0x9e3779b97f4a7c15ull) ^
	    ((uint64_t)sb.st_size << 20) ^ (uint64_t)sb.st_mtim.tv_sec ^
	    ((uint64_t)sb.st_mtim.tv_nsec << 32);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* file_sig, looked at again only every PARSE_NAMES_STAT_NS. */
static uint64_t
file_sig_now(struct parse_names *nc, enum parse_names_kind kind,
    uint64_t now)
{
	if (nc->sig_ns[kind] == 0 || now - nc->sig_ns[kind] >=
	    PARSE_NAMES_STAT_NS) {
		nc->sig[kind] = file_sig(kind);
		nc->sig_ns[kind] = now;
	}
	return nc->sig[kind];
}

static int
table_init(struct names_table *t, unsigned entries)
{
	uint32_t nsets = 1;

	while (nsets * PARSE_NAMES_WAYS < entries)
		nsets <<= 1;
	t->nsets = nsets;
	t->e = calloc((size_t)nsets * PARSE_NAMES_WAYS, sizeof(*t->e));
	t->next = calloc(nsets, sizeof(*t->next));
	return t->e != NULL && t->next != NULL ? 0 : -ENOMEM;
}

int
parse_names_create(struct parse_names **out, unsigned entries,
    const uint32_t *epoch, uint32_t *drops)
{
	struct parse_names *nc = calloc(1, sizeof(*nc));

	if (nc == NULL)
		return -ENOMEM;
	if (entries < PARSE_NAMES_WAYS)
		entries = PARSE_NAMES_WAYS;
	if (table_init(&nc->t[0], entries) < 0 ||
	    table_init(&nc->t[1], entries) < 0) {
		parse_names_destroy(nc);
		return -ENOMEM;
	}
	nc->epoch = epoch;
	/* A plain atomic load: the epoch orders nothing, and a worker that
	 * reads it late refreshes one record late. */
	nc->seen_epoch = epoch != NULL ? ck_pr_load_32(epoch) : 0;
	nc->drops = drops;
	nc->seen_drops = drops != NULL ? ck_pr_load_32(drops) : 0;
	nc->gen = 1;
	nc->floor = 1;
	*out = nc;
	return 0;
}

void
parse_names_destroy(struct parse_names *nc)
{
	if (nc == NULL)
		return;
	for (int k = 0; k < 2; k++) {
		free(nc->t[k].e);
		free(nc->t[k].next);
	}
	free(nc);
}

void
parse_names_get_stats(const struct parse_names *nc,
    struct parse_names_stats *st)
{
	stat_copy(st, &nc->st, sizeof(*st));
}

/*
 * Ask NSS.  Returns the name (in nc->nss, valid until the next call) and
 * sets *lenp, or NULL when the id has no name (or NSS failed: auditd does
 * not tell the two apart either).
 */
static const char *
nss_lookup(struct parse_names *nc, enum parse_names_kind kind, uint32_t id,
    size_t *lenp)
{
	const char *name = NULL;
	int rc;

	STAT_ADD(nc->st.nss_calls, 1);
	if (kind == PARSE_NAMES_USER) {
		struct passwd pw, *res = NULL;

		rc = getpwuid_r((uid_t)id, &pw, nc->nss, sizeof(nc->nss), &res);
		if (rc == 0 && res != NULL)
			name = res->pw_name;
	} else {
		struct group gr, *res = NULL;

		rc = getgrgid_r((gid_t)id, &gr, nc->nss, sizeof(nc->nss), &res);
		if (rc == 0 && res != NULL)
			name = res->gr_name;
	}
	if (rc != 0)
		STAT_ADD(nc->st.nss_errors, 1);
	if (name != NULL)
		*lenp = strlen(name);
	return name;
}

static uint32_t
hash_id(uint32_t id)
{
	/* Ids come in runs (1000, 1001, ...): spread them over the sets. */
	return id * 2654435761u;
}

const char *
parse_names_lookup(struct parse_names *nc, enum parse_names_kind kind,
    uint32_t id, size_t *lenp)
{
	struct names_table *t = &nc->t[kind];
	struct names_entry *set, *e = NULL;
	const char *name;
	uint64_t now = 0, sig;
	size_t len = 0;

	if (nc->epoch != NULL) {
		/* No fence: see parse_names_create. */
		uint32_t ep = ck_pr_load_32(nc->epoch);

		if (ep != nc->seen_epoch) {
			nc->seen_epoch = ep;
			nc->gen++;
			STAT_ADD(nc->st.refreshes, 1);
		}
	}
	if (nc->drops != NULL) {
		/* No fence either: a drop is seen at the next lookup. */
		uint32_t dr = ck_pr_load_32(nc->drops);

		if (dr != nc->seen_drops) {
			nc->seen_drops = dr;
			nc->floor = ++nc->gen;
			STAT_ADD(nc->st.drops, 1);
		}
	}
	set = &t->e[(hash_id(id) >> 7) & (t->nsets - 1)];
	for (int w = 0; w < PARSE_NAMES_WAYS; w++) {
		if (set[w].state != ENTRY_EMPTY && set[w].id == id &&
		    set[w].gen >= nc->floor) {
			e = &set[w];
			break;
		}
	}
	if (e != NULL && e->state == ENTRY_NAME && e->gen == nc->gen) {
		STAT_ADD(nc->st.hits, 1);
		*lenp = e->len;
		return e->name;
	}
	if (e != NULL && e->state == ENTRY_NONE) {
		now = now_ns();
		if (now < e->until_ns &&
		    file_sig_now(nc, kind, now) == e->file_sig) {
			STAT_ADD(nc->st.hits, 1);
			return NULL;
		}
	}
	STAT_ADD(nc->st.misses, 1);
	if (e == NULL) {
		uint32_t *victim = &t->next[(set - t->e) / PARSE_NAMES_WAYS];

		e = &set[*victim];
		*victim = (*victim + 1) % PARSE_NAMES_WAYS;
		e->state = ENTRY_EMPTY;
		e->id = id;
	}
	/* Before asking: a change after this is seen by a later look. */
	if (now == 0)
		now = now_ns();
	sig = file_sig_now(nc, kind, now);
	name = nss_lookup(nc, kind, id, &len);
	if (name != NULL && len > PARSE_NAMES_NAME_MAX) {
		/* Too long to keep (no real system has one): not cached. */
		STAT_ADD(nc->st.too_long, 1);
		*lenp = len;
		return name;
	}
	if (name != NULL) {
		memcpy(e->name, name, len);
		e->name[len] = '\0';
		e->len = (uint8_t)len;
		e->state = ENTRY_NAME;
		e->gen = nc->gen;
	} else if (e->state == ENTRY_NAME) {
		/* Gone since we learned it: keep the name, as auditd does. */
		e->gen = nc->gen;
	} else {
		e->state = ENTRY_NONE;
		e->until_ns = now + PARSE_NAMES_NEG_NS;
		e->file_sig = sig;
		e->gen = nc->gen;
		return NULL;
	}
	*lenp = e->len;
	return e->name;
}

void
parse_names_drop(struct parse_names *nc)
{
	if (nc->drops != NULL) {
		/* Every worker, this one included, drops at its next lookup. */
		ck_pr_inc_32(nc->drops);
	} else {
		nc->floor = ++nc->gen;
		STAT_ADD(nc->st.drops, 1);
	}
}
