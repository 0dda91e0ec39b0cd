// bench_util.h - what the file benchmarks share (bench_util.cc): one
// scratch folder on a real file system, and a label saying which.
#ifndef RINGAUDIT_BENCH_UTIL_H
#define RINGAUDIT_BENCH_UTIL_H

#include <string>

namespace ra_bench {

// A fresh folder under $RA_BENCH_DIR, or /var/tmp (on disk on Debian,
// where /tmp may be a tmpfs), made at the first call and removed with
// everything in it when the program exits.  "" if it cannot be made.
const std::string &ScratchDir();

// What the scratch folder lives on, for the benchmarks' labels: the file
// system type and its source ("ext4 /dev/vda"), with "(memory, not a
// disk)" after a tmpfs or ramfs.
const std::string &ScratchLabel();

}  // namespace ra_bench

#endif
