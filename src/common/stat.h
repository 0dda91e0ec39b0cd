/*
 * stat.h - counters one thread counts and another reads (the state
 * report, the metrics file): each stage's figures are written by its own
 * thread only, and read from the control thread at any time.  Plain
 * increments there are data races in C (and the thread sanitizer says
 * so); these are relaxed atomic loads and stores instead, the same
 * moves as plain ones on x86-64 and arm64 (no lock, no fence: a single
 * writer needs no read-modify-write).  A figure read may be a moment old;
 * each one is whole.
 *
 * A stats struct read with stat_copy holds only uint64_t (nested
 * structs of them included), so that it is a run of 8-byte words.
 */
#ifndef RINGAUDIT_STAT_H
#define RINGAUDIT_STAT_H

#include <stddef.h>
#include <stdint.h>

/* The owning thread: field += n, field = v. */
#define STAT_ADD(field, n)						\
	__atomic_store_n(&(field), __atomic_load_n(&(field),		\
	    __ATOMIC_RELAXED) + (n), __ATOMIC_RELAXED)
#define STAT_SET(field, v)						\
	__atomic_store_n(&(field), (v), __ATOMIC_RELAXED)
/* Any thread: one field. */
#define STAT_GET(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

/* Any thread: a copy of a stats struct of n bytes, word by word. */
static inline void
stat_copy(void *dst, const void *src, size_t n)
{
	uint64_t *d = dst;
	const uint64_t *s = src;
	size_t i;

	for (i = 0; i < n / sizeof(uint64_t); i++)
		d[i] = __atomic_load_n(&s[i], __ATOMIC_RELAXED);
}

#endif
