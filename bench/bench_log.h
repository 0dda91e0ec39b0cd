/*
 * bench_log.h - the record the file benchmarks write, and the check that a
 * log holds every one of them in order (bench_log_c.c).  Included from C
 * and C++.
 */
#ifndef RINGAUDIT_BENCH_LOG_H
#define RINGAUDIT_BENCH_LOG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A typical SYSCALL record: the header, then its fields.  Its log line is
 * "type=SYSCALL msg=" RA_BENCH_SYSCALL_HDR RA_BENCH_SYSCALL_BODY, with the
 * serial changed where the benchmarks number their records.
 */
#define RA_BENCH_SYSCALL_TYPE 1300
#define RA_BENCH_SYSCALL_HDR "audit(1700000000.123:4567): "
#define RA_BENCH_SYSCALL_BODY						\
	"arch=c000003e syscall=110 success=yes exit=1234 a0=7ffd a1=0 "	\
	"a2=0 a3=0 items=0 ppid=1 pid=1234 auid=1000 uid=1000 gid=1000 "\
	"euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 "\
	"tty=pts0 ses=3 comm=\"bash\" exe=\"/usr/bin/bash\" key=\"bench\""

/* The RAW line of that record with serial 'serial', '\n' included, into
 * buf (cap >= RA_BENCH_LINE_MAX); returns its length. */
#define RA_BENCH_LINE_MAX 512
size_t ra_bench_syscall_line(char *buf, uint32_t serial);

struct ra_bench_log_lines {
	uint64_t lines;		/* '\n'-ended lines in the file */
	uint64_t bad;		/* not "type=SYSCALL msg=audit(...:serial)"
				 * with serial one more than the last line's,
				 * or a last line without '\n' */
};

/*
 * Read 'path' and check that it is the lines with serials 1, 2, ... in
 * that order (their text after the header is not compared: ENRICHED lines
 * carry more).  Returns 0, or -errno if the file cannot be read.
 */
int ra_bench_log_check(const char *path, struct ra_bench_log_lines *c);

#ifdef __cplusplus
}
#endif

#endif
