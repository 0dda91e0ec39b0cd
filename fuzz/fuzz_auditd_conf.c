/*
 * fuzz_auditd_conf.c - auditd.conf as cfg_load_auditd reads it: the
 * input is the whole file, written root-owned and 0600 into a private
 * folder (so the harness runs as root).  Values that name files (log_file,
 * exec actions) are looked at with stat and open, read-only.
 */
#include <stdint.h>

#include "daemon/cfg.h"

#include "fuzz_util.h"

static struct cfg c;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_need_root("fuzz_auditd_conf");
	fuzz_init(NULL, "auditd.conf");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];

	fuzz_write(data, size);
	cfg_defaults(&c);
	(void)cfg_load_auditd(&c, fuzz_path, false, err, sizeof(err));
	return 0;
}
