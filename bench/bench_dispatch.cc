// bench_dispatch.cc - the dispatcher alone: records per second from the
// writer's feed to a plugin that reads fast, a script that execs cat into
// a file (bench_dispatch_c.c says how it is fed and timed).  One figure:
// items_per_second, records from the first fed until the plugin's file
// held them all, with the daemon's default q_depth (2000).  lent:1 has the
// feeder do the dispatcher's round itself after each batch while the
// dispatch thread sleeps (disp_help, as ingest does inline), and fails if
// it never could.  Counters: the dispatch thread's, the feeder's and the
// plugin's CPU per record, and the share of records taken lent.  The
// file is read back: a line missing, extra or out of order, or a record
// the dispatcher counted dropped or lost, fails the benchmark.  Plugins
// must be root's files run by root: without root it is not registered.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "bench_dispatch.h"
#include "bench_util.h"

namespace {

constexpr unsigned kQDepth = 2000;	// the daemon's default (cfg.c)

void
BM_Dispatch(benchmark::State &state)
{
	const unsigned n = static_cast<unsigned>(state.range(0));
	const int lent = static_cast<int>(state.range(1));
	const std::string &dir = ra_bench::ScratchDir();
	ra_bench_disp *b = nullptr;
	uint64_t records = 0, disp_ns = 0, feed_ns = 0, plugin_ns = 0;
	uint64_t sleeps = 0, helped = 0;

	if (dir.empty()) {
		state.SkipWithError("cannot make a scratch folder");
		return;
	}
	if (ra_bench_disp_create(&b, dir.c_str(), n) < 0) {
		state.SkipWithError("cannot write the plugin's files");
		return;
	}
	for (auto _ : state) {
		ra_bench_disp_result res;

		if (ra_bench_disp_run(b, kQDepth, lent, &res) < 0) {
			state.SkipWithError("cannot start the dispatcher and "
			    "its plugin");
			break;
		}
		if (res.timed_out || res.offered != n || res.delivered != n ||
		    res.dropped != 0 || res.feed_lost != 0 ||
		    res.lines.lines != n || res.lines.bad != 0) {
			state.SkipWithError("records lost or out of order");
			break;
		}
		if (lent && res.helped == 0) {
			state.SkipWithError("lent, and never taken");
			break;
		}
		state.SetIterationTime(static_cast<double>(res.run_ns) *
		    1e-9);
		records += n;
		disp_ns += res.disp_cpu_ns;
		feed_ns += res.feed_cpu_ns;
		plugin_ns += res.plugin_cpu_ns;
		sleeps += res.feed_sleeps;
		helped += res.helped;
	}
	ra_bench_disp_destroy(b);
	if (state.error_occurred() || state.iterations() == 0)
		return;

	const double recs = static_cast<double>(records);

	state.SetItemsProcessed(static_cast<int64_t>(records));
	state.counters["disp_cpu_ns/record"] =
	    static_cast<double>(disp_ns) / recs;
	state.counters["feed_cpu_ns/record"] =
	    static_cast<double>(feed_ns) / recs;
	state.counters["plugin_cpu_ns/record"] =
	    static_cast<double>(plugin_ns) / recs;
	state.counters["feed_sleeps/run"] = static_cast<double>(sleeps) /
	    static_cast<double>(state.iterations());
	state.counters["lent_share"] = static_cast<double>(helped) / recs;
	state.SetLabel(ra_bench::ScratchLabel() + ", " + std::to_string(n) +
	    " records, q_depth " + std::to_string(kQDepth));
}

// Registered only for root, saying so otherwise (google-benchmark 1.7
// has no skip that is not an error, and the smoke run fails on errors).
const bool registered = [] {
	if (geteuid() != 0) {
		std::fprintf(stderr, "BM_Dispatch not run: plugins must be "
		    "root's files, run by root\n");
		return false;
	}
	// 100,000 SYSCALL lines (29 MB) a run.
	benchmark::RegisterBenchmark("BM_Dispatch", BM_Dispatch)
	    ->ArgNames({"records", "lent"})->Args({100000, 0})
	    ->Args({100000, 1})
	    ->UseManualTime()->Unit(benchmark::kMillisecond);
	return true;
}();

}  // namespace
