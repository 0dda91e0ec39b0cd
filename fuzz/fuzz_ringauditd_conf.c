/*
 * fuzz_ringauditd_conf.c - ringauditd.conf as cfg_load_ringauditd reads
 * it: the input is the whole file, written root-owned and 0600 into a
 * private folder (so the harness runs as root).
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
	fuzz_need_root("fuzz_ringauditd_conf");
	fuzz_init(NULL, "ringauditd.conf");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];

	fuzz_write(data, size);
	cfg_defaults(&c);
	(void)cfg_load_ringauditd(&c, fuzz_path, err, sizeof(err));
	return 0;
}
