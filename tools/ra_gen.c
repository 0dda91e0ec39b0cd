/*
 * ra-gen - make N getpriority(2) system calls as fast as possible and say
 * how long they took.  With an audit rule on getpriority, each call is one
 * audit event; the demo and tests use it as a load generator.
 *
 *   ra-gen N
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct timespec a, b;
	unsigned long n, i;
	double secs;

	if (argc != 2 || (n = strtoul(argv[1], NULL, 10)) == 0) {
		fprintf(stderr, "usage: ra-gen N\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		syscall(SYS_getpriority, PRIO_PROCESS, 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("%lu calls in %.3f s: %.0f calls/s\n", n, secs, (double)n / secs);
	return 0;
}
