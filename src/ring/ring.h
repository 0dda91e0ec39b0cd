/*
 * ring.h - the rings that join the pipeline's stages, and the records that
 * travel on them.
 *
 * A record (struct ring_rec) is a fixed-size slot allocated once, at
 * start-up, in a pool (ring_pool_create).  It is received into by ingest,
 * formatted in place by a parser worker, copied into a write buffer by the
 * writer, and handed back to ingest on the free ring.  Nothing on that
 * circuit allocates.
 *
 * A ring (struct ring) is a concurrencykit ck_ring used single-producer /
 * single-consumer, plus the two waiters that make a full or empty ring
 * something a thread can sleep on.  Every thread owns one waiter
 * (struct ring_waiter) and parks on it whatever it waits for: items on an
 * input ring, space on an output ring, free records.  The protocol, the same
 * on every edge:
 *
 *   consumer (or producer) that finds nothing to do:
 *     spin a little re-checking; then ring_waiter_prepare() (announce),
 *     re-check once more, and only then sleep (ring_waiter_sleep, or, for
 *     the writer, a read of the waiter's eventfd through io_uring).
 *   the other side, after it changed the ring:
 *     ring_waiter_wake(): a full fence, then a system call only if the
 *     waiter announced sleep.
 *
 * So a busy thread is never woken by a system call, and a sleeping one is
 * never missed.  The waiter is a futex word, or an eventfd when the owner
 * must sleep somewhere else (the writer sleeps in io_uring_wait_cqe).
 *
 * A sleeping stage may also be lent (struct ring_baton): the thread that
 * would have woken it does its work instead, and the stage's thread,
 * waking later, takes it back.  A ring's consumer (or producer) is then
 * whichever thread holds the stage: still one at a time.
 *
 * The struct is public and the fast paths are inline, as ck_ring's are: the
 * hot path must not pay a call for a push or a pop.
 */
#ifndef RINGAUDIT_RING_H
#define RINGAUDIT_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <ck_ring.h>

#include "common/log.h"

/*
 * The thread sanitizer does not see ck_ring's ordering (its fences are
 * ck_pr's inline assembly), and took the slots' copies for races.  So,
 * told to TSan by hand: ck_ring's own accesses are not watched, a push
 * releases the ring before the item is published and a pop acquires it
 * after, so that what a producer wrote into an item before pushing it is
 * ordered before the consumer's reads.  Nothing in other builds.
 */
#if defined(__SANITIZE_THREAD__)
#define RING_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RING_TSAN 1
#endif
#endif
#ifdef RING_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);
#define RING_TSAN_RELEASE(a) __tsan_release(a)
#define RING_TSAN_ACQUIRE(a) __tsan_acquire(a)
#define RING_TSAN_UNWATCHED(stmt) do {					\
		__tsan_ignore_thread_begin();				\
		stmt;							\
		__tsan_ignore_thread_end();				\
	} while (0)
#else
#define RING_TSAN_RELEASE(a) ((void)(a))
#define RING_TSAN_ACQUIRE(a) ((void)(a))
#define RING_TSAN_UNWATCHED(stmt) do { stmt; } while (0)
#endif

#define RING_CACHELINE 64

/* The kernel's largest audit record payload (MAX_AUDIT_MESSAGE_LENGTH). */
#define RING_REC_PAYLOAD_MAX 8970
/* Bytes reserved in front of the payload for "node=... type=... msg=". */
#define RING_REC_HEADROOM 640
/* A record's own node name (replayed "node=X" lines) lives at data[0]. */
#define RING_REC_NODE_MAX 255
/* The whole slot; what follows the payload is room for the line's tail. */
#define RING_REC_SIZE 16384
#define RING_REC_DATA_SIZE (RING_REC_SIZE - 64)

enum ring_rec_flag {
	RING_REC_SKIP = 1u << 0,	/* not written to the log (EOE) */
	RING_REC_EOS = 1u << 1,		/* end of stream: the last record */
	RING_REC_DAEMON = 1u << 2,	/* made by the daemon, not the kernel */
	RING_REC_NOHDR = 1u << 3,	/* no audit(sec.msec:serial) header */
	RING_REC_VERBATIM = 1u << 4,	/* a remote client's line: logged as
					 * it came, never formatted */
	RING_REC_NODE = 1u << 5,	/* a replayed line's own node= at
					 * data[0], node_len bytes (maybe 0) */
};

/*
 * Instructions that travel in band, on a daemon record (ring_rec.cmd), so
 * that every stage switches exactly at that record: it is the first one
 * that the new state applies to.
 */
enum ring_cmd {
	RING_CMD_NONE,
	RING_CMD_ROTATE,	/* SIGUSR1: the writer rotates first */
	RING_CMD_RESUME,	/* SIGUSR2: the writer reopens, resumes */
	RING_CMD_RECONF,	/* SIGHUP: stages apply their staged settings */
};

struct ring_rec {
	uint64_t seq;		/* ingest order, from 0 without gaps */
	uint64_t recv_ns;	/* CLOCK_MONOTONIC when received */
	uint32_t serial;	/* the event's serial, from the header */
	uint16_t type;		/* record type (nlmsg_type) */
	uint16_t flags;		/* enum ring_rec_flag */
	uint32_t len;		/* payload bytes at data + RING_REC_HEADROOM */
	uint32_t line_off;	/* formatted line: data + line_off ... */
	uint32_t line_len;	/* ... line_len bytes, '\n' included */
	uint16_t node_len;	/* its own node at data[0] (RING_REC_NODE) */
	uint16_t cmd;		/* daemon records: enum ring_cmd */
	/* The dispatcher's protocol 0 text (log_format RAW, no node): the
	 * line before one trailing space was cut, v0_len bytes from
	 * line_off, where v0_byte stood before the line's '\n' took its
	 * place.  0: the record goes to plugins as its log line. */
	uint32_t v0_len;
	uint8_t v0_byte;
	uint8_t pad0;
	/* ... and the payload's '\n's, which the log turns into spaces and
	 * protocol 0's binary frames keep: v0_nl offsets into the payload
	 * (uint16_t, the first 64), in the tailroom one byte past the
	 * payload. */
	uint16_t v0_nl;
	/* A record that came as a message (struct ring_msg): its token,
	 * which the writer hands back (RING_ACK) once the record is written
	 * or dropped.  0: none. */
	uint32_t ack;
	uint32_t pad1[2];
	char data[RING_REC_DATA_SIZE];
};

_Static_assert(sizeof(struct ring_rec) == RING_REC_SIZE, "record slot size");
_Static_assert(RING_REC_HEADROOM + RING_REC_PAYLOAD_MAX + 2 <=
    RING_REC_DATA_SIZE, "record slot has no room for the payload");

static inline char *
ring_rec_payload(struct ring_rec *r)
{
	return r->data + RING_REC_HEADROOM;
}

/* Room after the payload, for the formatter's tail. */
static inline size_t
ring_rec_tailroom(const struct ring_rec *r)
{
	return RING_REC_DATA_SIZE - RING_REC_HEADROOM - r->len;
}

struct ring_waiter {
	_Alignas(RING_CACHELINE) _Atomic uint32_t word; /* futex word / epoch */
	_Atomic uint32_t sleeping;	/* announced: wake me with a syscall */
	int efd;			/* -1: futex; else wake by eventfd */
	int sleep_ms;			/* longest sleep; -1: until woken */
	_Atomic uint64_t sleeps;	/* times the owner went to sleep */
	_Atomic uint64_t wakes;		/* system calls made to wake it */
};

/* Written by the producer only; full_waits is read at any time
 * (relaxed atomics, common/stat.h), high_water after it stopped. */
struct ring_stats {
	uint64_t full_waits;	/* producer found the ring full and waited */
	uint32_t high_water;	/* most items seen queued (by the producer) */
};

struct ring {
	_Alignas(RING_CACHELINE) struct ck_ring ck;
	struct ck_ring_buffer *buf;
	struct ring_waiter *consumer;	/* woken when items arrive */
	struct ring_waiter *producer;	/* woken when space frees */
	_Alignas(RING_CACHELINE) struct ring_stats pstats; /* producer's */
	/* The producer waits for room (ring_push_wait): its waiter is
	 * also where it sleeps for its own input, so the consumer wakes it
	 * only while this says so (ring_wake_producer). */
	_Atomic bool full_wait;
};

/*
 * A message: a record that another stage (the network listener) hands to
 * ingest as text, in a slot that stage owns.  Ingest copies it into a
 * record, which carries the token on (ring_rec.ack); the writer gives
 * every token back with what became of the record, RING_ACK(token,
 * state), on the owner's ack ring, and only then is the slot free again.
 * So a slot's life is its record's, and the owner bounds what is in the
 * pipeline by its number of slots.
 */
struct ring_msg {
	uint32_t token;		/* > 0, the owner's */
	uint16_t type;		/* 0: a client's line, logged verbatim;
				 * else a DAEMON_* record, formatted */
	uint16_t pad;
	uint32_t len;		/* bytes of text */
	char text[RING_REC_PAYLOAD_MAX];
};

/* What became of a message's record, on the ack ring. */
enum ring_ack_state {
	RING_ACK_WRITTEN,	/* written */
	RING_ACK_WRITTEN_LOW,	/* written, the disk past space_left */
	RING_ACK_FULL,		/* not written: the disk is full */
	RING_ACK_ERROR,		/* not written: the write failed */
	RING_ACK_SUSPENDED,	/* not written: logging is suspended */
};

/* An ack as a ring item (rings carry pointers; never NULL). */
#define RING_ACK(token, state)						\
	((void *)(uintptr_t)(((uint64_t)(token) << 4) | (unsigned)(state) | 8u))
#define RING_ACK_TOKEN(item)	((uint32_t)((uintptr_t)(item) >> 4))
#define RING_ACK_STATE(item)	((enum ring_ack_state)((uintptr_t)(item) & 7u))

/* Pools: every record the daemon will ever use, allocated once. */
struct ring_pool {
	struct ring_rec *recs;
	unsigned n;
};

int ring_pool_create(struct ring_pool *p, unsigned n);

/*
 * Zeroed, cache-line aligned memory for n objects, at start-up: struct ring
 * and struct ring_waiter (and whatever embeds them) must not come from
 * plain calloc, which aligns to 16 bytes only.  Free with free().
 */
void *ring_calloc(size_t n, size_t size);
void ring_pool_destroy(struct ring_pool *p);

/* capacity is rounded up to a power of two; usable slots = that - 1. */
int ring_init(struct ring *r, unsigned capacity, struct ring_waiter *consumer,
    struct ring_waiter *producer);
void ring_fini(struct ring *r);

int ring_waiter_init(struct ring_waiter *w, bool eventfd);
void ring_waiter_fini(struct ring_waiter *w);

void ring_waiter_wake_slow(struct ring_waiter *w);

/*
 * Announce sleep; returns the epoch to pass to ring_waiter_sleep.  The
 * caller must re-check its condition after this and call
 * ring_waiter_cancel if there is work after all.
 */
static inline uint32_t
ring_waiter_prepare(struct ring_waiter *w)
{
	uint32_t epoch = atomic_load_explicit(&w->word, memory_order_acquire);

	atomic_store_explicit(&w->sleeping, 1, memory_order_relaxed);
	/* Order the announcement before the caller's re-check of the ring:
	 * pairs with the fence in ring_waiter_wake. */
	atomic_thread_fence(memory_order_seq_cst);
	return epoch;
}

static inline void
ring_waiter_cancel(struct ring_waiter *w)
{
	/* Only the owner clears it on this path; no ordering needed. */
	atomic_store_explicit(&w->sleeping, 0, memory_order_relaxed);
}

/*
 * Sleep on the futex until woken, or for w->sleep_ms at most (default
 * RING_SLEEP_MS; -1: no limit).  The limit is a safety net only: the
 * protocol never needs it, and tests set -1 so that a lost wake-up hangs
 * instead of hiding as latency.
 */
#define RING_SLEEP_MS 100
void ring_waiter_sleep(struct ring_waiter *w, uint32_t epoch);

/*
 * A stage lent while its thread sleeps (issue 13).  Below some thousands
 * of records a second, each batch woke ingest, a worker and the writer in
 * turn, and the wake-ups cost more than the work; so ingest, having
 * pushed a small batch, borrows the sleeping worker and writer and does
 * their work itself, one thread awake for the batch instead of three.
 *
 * The owner says RING_BATON_IDLE only once it has checked its input and
 * is about to sleep, and takes the baton back (ring_baton_take) when it
 * wakes, before it touches its state; while a borrower holds it, the
 * owner waits on the word.  A borrower holds it from a successful
 * ring_baton_lend to ring_baton_return and must not sleep meanwhile.
 * Acquire and release on the word order each side's use of the stage's
 * state after the other's.
 */
enum {
	RING_BATON_RUN,		/* its thread has it */
	RING_BATON_IDLE,	/* its thread sleeps: may be lent */
	RING_BATON_LENT,	/* a borrower has it */
	RING_BATON_WANTED,	/* ... and the thread woke and waits for it */
};

struct ring_baton {
	_Atomic uint32_t word;
};

static inline void
ring_baton_idle(struct ring_baton *b)
{
	atomic_store_explicit(&b->word, RING_BATON_IDLE, memory_order_release);
}

/* true: the caller has the stage until ring_baton_return. */
static inline bool
ring_baton_lend(struct ring_baton *b)
{
	uint32_t idle = RING_BATON_IDLE;

	return atomic_compare_exchange_strong_explicit(&b->word, &idle,
	    RING_BATON_LENT, memory_order_acquire, memory_order_relaxed);
}

/* Back to the sleeping owner (woken if it waits for it). */
void ring_baton_return(struct ring_baton *b);
/* The owner's, on waking: waits while the stage is lent. */
void ring_baton_take(struct ring_baton *b);

/*
 * How long a thread that ran out of work spins before it sleeps: as long
 * as spinning has paid off lately.  A spin that ends in work doubles the
 * budget (up to the owner's maximum, in pauses), one that ends in sleep
 * halves it (down to RING_SPIN_MIN).  Under a steady stream the next record comes
 * within the spin and no system call is made; at a few thousand records a
 * second it never does, and spinning 256 pauses per record was most of
 * the daemon's CPU.
 */
#define RING_SPIN_MIN 4

/*
 * After the spin, while records came in lately, a thread dozes: a short
 * sleep (RING_DOZE_NS) that it does not announce, so its producer makes no
 * system call to wake it, and that ends with a look at the ring.  At tens
 * of thousands of records a second this turns a wake-up per record on each
 * stage into one per RING_DOZE_NS, a handful of records; it costs at most
 * RING_DOZES x RING_DOZE_NS of latency at each stage.  A thread that dozed
 * RING_DOZES times without work sleeps for real (announced) until woken.
 *
 * Dozes are for a stream; between records far apart (a few hundred or
 * thousand a second, most servers) each record cost every stage
 * RING_DOZES wake-ups that found nothing, most of the daemon's CPU at
 * those rates.  So a thread dozes only while dozing pays: a doze that
 * found work, or a real sleep ended by work within the dozes' time (a
 * doze would have found it), gives RING_DOZE_CREDIT; each run of dozes
 * that found nothing spends one.
 */
#define RING_DOZE_NS 150000
#define RING_DOZES 2
#define RING_DOZE_CREDIT 4
#define RING_SPUN_OUT (RING_DOZES + 1)	/* slept for real since work came */

struct ring_spin {
	unsigned budget;
	unsigned max;
	unsigned spun;
	unsigned dozes;		/* since work last came */
	unsigned credit;	/* runs of dozes left before dozing stops */
	uint64_t slept_ns;	/* when it slept for real; 0: not for input */
};

static inline void
ring_spin_init(struct ring_spin *s, unsigned max)
{
	s->budget = s->max = max;
	s->spun = 0;
	s->dozes = RING_SPUN_OUT;	/* idle from the start: no dozing */
	s->credit = 0;
	s->slept_ns = 0;
}

/* A doze (true: look again), or it is time to sleep for real (false). */
static inline bool
ring_spin_doze(struct ring_spin *s)
{
	struct timespec ts = { 0, RING_DOZE_NS };

	if (s->dozes >= RING_DOZES || s->credit == 0)
		return false;
	s->dozes++;
	nanosleep(&ts, NULL);
	return true;
}

/* Spin once more (true), or it is time to sleep (false). */
static inline bool
ring_spin(struct ring_spin *s)
{
	if (s->spun >= s->budget)
		return false;
	s->spun++;
	return true;
}

/* Work came: if it came while spinning, spinning paid; if only a doze
 * found it, the spin was wasted. */
static inline void
ring_spin_found(struct ring_spin *s)
{
	if (s->dozes > 0 && s->dozes <= RING_DOZES) {
		if (s->budget > RING_SPIN_MIN)
			s->budget /= 2;
		s->credit = RING_DOZE_CREDIT;
	} else if (s->spun > 0 && s->budget < s->max) {
		s->budget *= 2;
	} else if (s->dozes == RING_SPUN_OUT && s->slept_ns != 0 &&
	    clock_mono_ns() - s->slept_ns <
	    (uint64_t)RING_DOZES * RING_DOZE_NS) {
		s->credit = RING_DOZE_CREDIT;
	}
	s->spun = 0;
	s->dozes = 0;
	s->slept_ns = 0;
}

/* Work other than input came (a completion): spin again, but the dozes
 * that found it earn nothing; their run goes on. */
static inline void
ring_spin_progress(struct ring_spin *s)
{
	s->spun = 0;
}

/* The thread goes to sleep for input: the spin was wasted, and dozes
 * that found nothing spend their credit. */
static inline void
ring_spin_slept(struct ring_spin *s)
{
	if (s->budget > RING_SPIN_MIN)
		s->budget /= 2;
	if (s->dozes > 0 && s->dozes <= RING_DOZES && s->credit > 0)
		s->credit--;
	s->spun = 0;
	s->dozes = RING_SPUN_OUT;
	s->slept_ns = clock_mono_ns();
}

/* ... for something else than input (a write's completion): its end
 * says nothing of how soon input comes. */
static inline void
ring_spin_slept_busy(struct ring_spin *s)
{
	ring_spin_slept(s);
	s->slept_ns = 0;
}

/* Wake the waiter if, and only if, it announced that it sleeps. */
static inline void
ring_waiter_wake(struct ring_waiter *w)
{
	if (w == NULL)
		return;
	/* Order the caller's ring update before reading 'sleeping': pairs
	 * with the fence in ring_waiter_prepare, so one of the two sides
	 * sees the other's store. */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&w->sleeping, memory_order_relaxed))
		ring_waiter_wake_slow(w);
}

/*
 * After taking items: wake the producer if it waits for room, and only
 * then (a worker asleep for want of input is not woken for nothing).
 * Pairs with ring_push_wait, which says so before its waiter's
 * announcement and re-check: one of the two sides sees the other.
 */
static inline void
ring_wake_producer(struct ring *r)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&r->full_wait, memory_order_relaxed))
		ring_waiter_wake(r->producer);
}

static inline unsigned
ring_count(const struct ring *r)
{
	return ck_ring_size(&r->ck);
}

static inline unsigned
ring_capacity(const struct ring *r)
{
	return ck_ring_capacity(&r->ck) - 1;
}

/* Non-blocking; the caller decides whether to wake the consumer. */
static inline bool
ring_trypush(struct ring *r, void *item)
{
	unsigned size;
	bool ok;

	RING_TSAN_RELEASE(&r->ck);
	RING_TSAN_UNWATCHED(ok = ck_ring_enqueue_spsc_size(&r->ck, r->buf,
	    item, &size));
	if (!ok)
		return false;
	if (size + 1 > r->pstats.high_water)
		r->pstats.high_water = size + 1;
	return true;
}

static inline bool
ring_trypop(struct ring *r, void *item_out)
{
	bool ok;

	RING_TSAN_UNWATCHED(ok = ck_ring_dequeue_spsc(&r->ck, r->buf,
	    item_out));
	if (!ok)
		return false;
	RING_TSAN_ACQUIRE(&r->ck);
	return true;
}

/*
 * Push, waiting on 'self' (the producer's own waiter) while the ring is
 * full.  It does not wake the consumer when the push succeeds at once:
 * the caller does that once per batch (ring_waiter_wake(r->consumer)).
 * Before it sleeps it wakes the consumer, which may be asleep on items
 * already pushed.  Returns false only if *stop became true while waiting.
 */
bool ring_push_wait(struct ring *r, void *item, struct ring_waiter *self,
    const _Atomic bool *stop);

/*
 * A feed: one producer appends entries of any length and never waits to
 * place one (a full feed is the producer's to count); one consumer reads
 * them in order, may keep any number in hand, and releases them oldest
 * first.  It is measured in bytes, not slots: an entry costs its size.
 * The dispatcher's input: the writer copies every record it takes into
 * it (ring_feed_put) and wakes the consumer once per batch.
 *
 * Positions are byte counts since the start, never wrapped; an entry
 * never straddles the end of the memory: the producer leaves a marker
 * (RING_FEED_WRAP) or, where not even a header fits, nothing, and both
 * sides skip to the next turn.
 *
 * Skipping: a consumer that would only drop what it is given (every
 * plugin's queue full and its socket too) says so with ring_feed_skip;
 * the producer then copies nothing and only counts each record it did
 * not put (skipped).  Each entry carries that count as it was when the
 * entry was put: of a gap in the seq numbers before it, that many
 * records were skipped and the rest lost (the feed was full).
 */
#define RING_FEED_WRAP 1u
#define RING_FEED_NL 2u		/* the text holds '\n's before its last */

struct ring_feed_ent {
	uint64_t seq;		/* the record's ingest order */
	uint64_t skipped;	/* the feed's skipped, when this was put */
	uint32_t len;		/* text bytes, the final '\n' included */
	uint32_t span;		/* bytes the entry takes in the feed */
	uint16_t type;
	uint8_t ver;		/* 0: "type=T msg=PAYLOAD\n"; 1: the log line */
	uint8_t flags;		/* RING_FEED_WRAP, RING_FEED_NL */
	uint16_t raw_off;	/* ver 0: where PAYLOAD starts in text */
	uint16_t pad;
	char text[];
};

struct ring_feed {
	_Alignas(RING_CACHELINE) _Atomic uint64_t head;	/* published */
	uint64_t tail_seen;		/* producer's copy of tail */
	uint64_t pend;			/* head once the reserved entry is in */
	_Atomic uint64_t lost;		/* entries that did not fit */
	_Atomic uint64_t high;		/* most bytes in use, as seen */
	_Atomic uint64_t skipped;	/* records not put: skip was on */
	_Atomic bool on;		/* a consumer wants records */
	_Atomic bool skip;		/* ... but would only drop them */
	_Alignas(RING_CACHELINE) _Atomic uint64_t tail;	/* released */
	uint64_t head_seen;		/* consumer's copy of head */
	_Alignas(RING_CACHELINE) char *mem;
	uint64_t cap;			/* bytes, a power of two */
	struct ring_waiter *consumer;
};

int ring_feed_init(struct ring_feed *f, uint64_t bytes,
    struct ring_waiter *consumer);
void ring_feed_fini(struct ring_feed *f);
bool ring_feed_put(struct ring_feed *f, const struct ring_rec *r);

static inline uint64_t
ring_feed_span(uint32_t len)
{
	return (sizeof(struct ring_feed_ent) + len + 7) & ~(uint64_t)7;
}

/* Where an entry of 'span' bytes goes if written at 'pos'. */
static inline uint64_t
ring_feed_place(const struct ring_feed *f, uint64_t pos, uint64_t span)
{
	uint64_t off = pos & (f->cap - 1);

	return off + span > f->cap ? pos + (f->cap - off) : pos;
}

/*
 * Producer: room for an entry with 'len' bytes of text, or NULL (full:
 * counted in lost).  Fill it, then ring_feed_commit.
 */
static inline struct ring_feed_ent *
ring_feed_reserve(struct ring_feed *f, uint32_t len)
{
	/* Only the producer writes head: its own value, no ordering. */
	uint64_t head = atomic_load_explicit(&f->head, memory_order_relaxed);
	uint64_t span = ring_feed_span(len);
	uint64_t at = ring_feed_place(f, head, span);
	struct ring_feed_ent *e;

	if (at + span - f->tail_seen > f->cap) {
		/* Acquire: the consumer's reads of what it released are
		 * done before we overwrite it. */
		f->tail_seen = atomic_load_explicit(&f->tail,
		    memory_order_acquire);
		if (at + span - f->tail_seen > f->cap) {
			atomic_fetch_add_explicit(&f->lost, 1,
			    memory_order_relaxed);
			return NULL;
		}
	}
	if (at != head && f->cap - (head & (f->cap - 1)) >=
	    sizeof(struct ring_feed_ent)) {
		e = (struct ring_feed_ent *)(void *)(f->mem +
		    (head & (f->cap - 1)));
		e->flags = RING_FEED_WRAP;
		e->span = (uint32_t)(at - head);
	}
	e = (struct ring_feed_ent *)(void *)(f->mem + (at & (f->cap - 1)));
	e->len = len;
	e->span = (uint32_t)span;
	e->flags = 0;
	f->pend = at + span;
	return e;
}

static inline void
ring_feed_commit(struct ring_feed *f)
{
	uint64_t used = f->pend - f->tail_seen;

	/* high is the producer's; others only read it (relaxed). */
	if (used > atomic_load_explicit(&f->high, memory_order_relaxed))
		atomic_store_explicit(&f->high, used, memory_order_relaxed);
	/* Release: the entry's bytes are visible before the new head. */
	atomic_store_explicit(&f->head, f->pend, memory_order_release);
}

/*
 * Consumer: the entry at *pos (moved past any wrap), or NULL if none is
 * published there yet.  The next one is at *pos + e->span.
 */
static inline struct ring_feed_ent *
ring_feed_peek(struct ring_feed *f, uint64_t *pos)
{
	struct ring_feed_ent *e;
	uint64_t off;

	for (;;) {
		if (*pos == f->head_seen) {
			/* Acquire: pairs with the release in commit. */
			f->head_seen = atomic_load_explicit(&f->head,
			    memory_order_acquire);
			if (*pos == f->head_seen)
				return NULL;
		}
		off = *pos & (f->cap - 1);
		if (f->cap - off < sizeof(struct ring_feed_ent)) {
			*pos += f->cap - off;
			continue;
		}
		e = (struct ring_feed_ent *)(void *)(f->mem + off);
		if (e->flags & RING_FEED_WRAP) {
			*pos += e->span;
			continue;
		}
		return e;
	}
}

/* Consumer: the producer copies nothing (on) or copies again (off). */
static inline void
ring_feed_skip(struct ring_feed *f, bool skip)
{
	/* Relaxed: a record more or less is put; its seq and the skipped
	 * count in the next entry say which. */
	atomic_store_explicit(&f->skip, skip, memory_order_relaxed);
}

static inline struct ring_feed_ent *
ring_feed_at(const struct ring_feed *f, uint64_t pos)
{
	return (struct ring_feed_ent *)(void *)(f->mem +
	    (pos & (f->cap - 1)));
}

/* Consumer: everything before pos may be overwritten. */
static inline void
ring_feed_release(struct ring_feed *f, uint64_t pos)
{
	/* Release: our reads of the entries are done before the producer
	 * may reuse their bytes. */
	atomic_store_explicit(&f->tail, pos, memory_order_release);
}

/* Bytes between the oldest entry held and the newest published. */
static inline uint64_t
ring_feed_used(const struct ring_feed *f)
{
	return atomic_load_explicit(&f->head, memory_order_relaxed) -
	    atomic_load_explicit(&f->tail, memory_order_relaxed);
}

#endif
