// bench_writer.cc - the writer stage alone: records per second into a
// real file, in each flush mode, with auditd's default freq (50) for the
// incremental ones.  One figure: items_per_second, records that reached
// what the mode promises (written; durable for data and sync) over the
// time from the writer's start until the last of them did (manual time,
// from the writer's latency histograms: see bench_writer_c.c).  The
// fsync the writer adds at end of stream is left out of it and shown as
// end_fsync_ms.  Each iteration is one writer on a new file of N lines of
// a typical SYSCALL record (289 bytes), in the scratch folder whose
// file system the label names.  The file is read back: a missing, extra
// or reordered line fails the benchmark.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "bench_util.h"
#include "bench_writer.h"

namespace {

constexpr unsigned kFreq = 50;

void
BM_Writer(benchmark::State &state, ra_bench_flush flush)
{
	const unsigned n = static_cast<unsigned>(state.range(0));
	const std::string &dir = ra_bench::ScratchDir();
	ra_bench_wr *b = nullptr;
	uint64_t records = 0, bytes = 0, syncs = 0, end_fsync_ns = 0;
	uint64_t buffer_waits = 0;

	if (dir.empty()) {
		state.SkipWithError("cannot make a scratch folder");
		return;
	}
	if (ra_bench_wr_create(&b) < 0) {
		state.SkipWithError("cannot set up the rings");
		return;
	}
	const std::string path = dir + "/writer.log";

	for (auto _ : state) {
		ra_bench_wr_result res;

		if (ra_bench_wr_run(b, path.c_str(), flush, kFreq, n,
		    &res) < 0) {
			state.SkipWithError("cannot run the writer");
			break;
		}
		if (res.written != n || res.done_count != n ||
		    res.errors != 0 || res.leftover != 0 ||
		    res.lines.lines != n || res.lines.bad != 0) {
			state.SkipWithError("records lost or out of order");
			break;
		}
		state.SetIterationTime(static_cast<double>(res.done_ns) *
		    1e-9);
		records += n;
		bytes += res.bytes;
		syncs += res.syncs;
		buffer_waits += res.buffer_waits;
		end_fsync_ns += res.join_ns - res.done_ns;
	}
	ra_bench_wr_destroy(b);
	if (state.error_occurred() || state.iterations() == 0)
		return;

	const double runs = static_cast<double>(state.iterations());

	state.SetItemsProcessed(static_cast<int64_t>(records));
	state.SetBytesProcessed(static_cast<int64_t>(bytes));
	state.counters["syncs/run"] = static_cast<double>(syncs) / runs;
	state.counters["buffer_waits/run"] =
	    static_cast<double>(buffer_waits) / runs;
	state.counters["end_fsync_ms"] =
	    static_cast<double>(end_fsync_ns) / runs / 1e6;
	state.SetLabel(ra_bench::ScratchLabel() + ", " +
	    std::to_string(n) + " records");
}

}  // namespace

// 50,000 lines (14.5 MB) a run: one run is over min_time in a smoke
// run (--benchmark_min_time=0.01), and a few make a full one.
BENCHMARK_CAPTURE(BM_Writer, none, RA_BENCH_FLUSH_NONE)
    ->Arg(50000)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Writer, incremental, RA_BENCH_FLUSH_INCREMENTAL)
    ->Arg(50000)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Writer, incremental_async,
    RA_BENCH_FLUSH_INCREMENTAL_ASYNC)
    ->Arg(50000)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Writer, data, RA_BENCH_FLUSH_DATA)
    ->Arg(50000)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Writer, sync, RA_BENCH_FLUSH_SYNC)
    ->Arg(50000)->UseManualTime()->Unit(benchmark::kMillisecond);
