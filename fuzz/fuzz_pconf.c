/*
 * fuzz_pconf.c - a plugin file (plugins.d/NAME.conf) as disp_pconf_load
 * reads it: the input is the whole file, written root-owned and 0600 into
 * a private folder (so the harness runs as root).  An active plugin's
 * path is looked at with stat, read-only; nothing is started.
 */
#include <stdint.h>

#include "dispatch/dispatch.h"

#include "fuzz_util.h"

static struct disp_pconf pc;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_need_root("fuzz_pconf");
	fuzz_init("plugins.d", "fuzz.conf");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_write(data, size);
	(void)disp_pconf_load(fuzz_sub, "fuzz.conf", &pc);
	return 0;
}
