/*
 * ra_test.h - what several test programs need: walking the fixture logs,
 * and a guard that turns a hang (a lost wake-up, a stuck writer) into a
 * failure with a name.  Include after <cmocka.h>.
 */
#ifndef RINGAUDIT_RA_TEST_H
#define RINGAUDIT_RA_TEST_H

#include <stddef.h>

/* Each line of each fixture log, without its '\n'; returns the files. */
typedef void (*ra_test_line_fn)(const char *file, unsigned lineno,
    char *line, size_t len, void *arg);
unsigned ra_test_fixture_lines(ra_test_line_fn fn, void *arg);

/* Each fixture log's path; returns how many. */
typedef void (*ra_test_file_fn)(const char *path, void *arg);
unsigned ra_test_fixture_files(ra_test_file_fn fn, void *arg);

/* Fail the program (exit 1, naming 'what') if not unguarded in time. */
void ra_test_guard(const char *what, unsigned seconds);
void ra_test_unguard(void);

#endif
