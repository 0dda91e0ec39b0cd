// bench_pipeline.cc - the whole record path: replay source -> ingest ->
// parser workers -> writer -> a log file, built with the pipeline API as
// the daemon builds it (bench_pipeline_c.c).  One figure:
// items_per_second, records from pl_start until pl_wait returned with the
// log synced (flush incremental_async, freq 50), RAW and ENRICHED, with 1
// and 2 workers; cpu_ns/record is every pipeline thread's CPU time over
// the same span.  The input is generated once: N typical SYSCALL records,
// serials 1..N, in the scratch folder whose file system the label names.
// Each run's log is read back; a line missing, extra or out of order, or
// any record counted as malformed, failed or dropped, fails the
// benchmark.
//
// BM_PipelinePaced is the same path at a low rate (issue 13): the replay
// source gives 4 records a receive, 1 ms apart (4,000 records/s), so the
// workers and the writer sleep between batches; with inline on, ingest
// does their work itself while they sleep.  Figures: cpu_ns/record and
// switches/record (the process's context switches); the run fails as
// above, and also if inline is on and ingest never did the work.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <string>

#include "bench_pipeline.h"
#include "bench_util.h"

namespace {

// The input log of n records, made at the first use; "" if it cannot be.
const std::string &
Input(unsigned n)
{
	static std::map<unsigned, std::string> made;
	auto it = made.find(n);

	if (it != made.end())
		return it->second;
	std::string path;
	if (!ra_bench::ScratchDir().empty()) {
		path = ra_bench::ScratchDir() + "/syscall-" +
		    std::to_string(n) + ".log";
		if (ra_bench_pl_generate(path.c_str(), n) < 0)
			path.clear();
	}
	return made.emplace(n, path).first->second;
}

// Whether a run gave every record back, once and in order.
bool
RunIsWhole(benchmark::State &state, const ra_bench_pl_result &res,
    unsigned n)
{
	if (!res.finished || res.received != n || res.parsed != n ||
	    res.written != n || res.problems != 0 ||
	    res.lines.lines != n || res.lines.bad != 0) {
		state.SkipWithError("records lost or out of order");
		return false;
	}
	return true;
}

void
BM_Pipeline(benchmark::State &state, bool enriched)
{
	const unsigned workers = static_cast<unsigned>(state.range(0));
	const unsigned n = static_cast<unsigned>(state.range(1));
	const std::string &in = Input(n);
	uint64_t records = 0, sleeps = 0, wakes = 0, waits = 0, cpu_ns = 0;

	if (in.empty()) {
		state.SkipWithError("cannot write the input log");
		return;
	}
	const std::string out = ra_bench::ScratchDir() + "/pipeline.log";

	for (auto _ : state) {
		ra_bench_pl_result res;

		if (ra_bench_pl_run(in.c_str(), out.c_str(), workers,
		    enriched, &res) < 0) {
			state.SkipWithError("cannot run the pipeline");
			break;
		}
		if (!RunIsWhole(state, res, n))
			break;
		state.SetIterationTime(static_cast<double>(res.run_ns) *
		    1e-9);
		records += n;
		cpu_ns += res.cpu_ns;
		sleeps += res.worker_sleeps;
		wakes += res.writer_wakes;
		waits += res.ingest_waits;
	}
	if (state.error_occurred() || state.iterations() == 0)
		return;

	const double runs = static_cast<double>(state.iterations());

	state.SetItemsProcessed(static_cast<int64_t>(records));
	state.counters["cpu_ns/record"] = static_cast<double>(cpu_ns) /
	    static_cast<double>(records);
	state.counters["worker_sleeps/run"] = static_cast<double>(sleeps) /
	    runs;
	state.counters["writer_wakes/run"] = static_cast<double>(wakes) /
	    runs;
	state.counters["ingest_waits/run"] = static_cast<double>(waits) / runs;
	state.SetLabel(ra_bench::ScratchLabel() + ", " + std::to_string(n) +
	    " records, incremental_async");
}

void
BM_PipelinePaced(benchmark::State &state, bool enriched)
{
	const ra_bench_pl_pace pace = { 4, 1000,
	    static_cast<int>(state.range(0)) };
	const unsigned n = static_cast<unsigned>(state.range(1));
	const std::string &in = Input(n);
	uint64_t records = 0, cpu_ns = 0, switches = 0, inl = 0;

	if (in.empty()) {
		state.SkipWithError("cannot write the input log");
		return;
	}
	const std::string out = ra_bench::ScratchDir() + "/paced.log";

	for (auto _ : state) {
		ra_bench_pl_result res;

		if (ra_bench_pl_run_paced(in.c_str(), out.c_str(), 1,
		    enriched, &pace, &res) < 0) {
			state.SkipWithError("cannot run the pipeline");
			break;
		}
		if (!RunIsWhole(state, res, n))
			break;
		if (pace.inline_work != 0 && (res.formatted_inline == 0 ||
		    res.written_inline == 0)) {
			state.SkipWithError("inline: ingest never did the work");
			break;
		}
		state.SetIterationTime(static_cast<double>(res.run_ns) *
		    1e-9);
		records += n;
		cpu_ns += res.cpu_ns;
		switches += res.switches;
		inl += res.written_inline;
	}
	if (state.error_occurred() || state.iterations() == 0)
		return;

	const double recs = static_cast<double>(records);

	state.SetItemsProcessed(static_cast<int64_t>(records));
	state.counters["cpu_ns/record"] = static_cast<double>(cpu_ns) / recs;
	state.counters["switches/record"] = static_cast<double>(switches) /
	    recs;
	state.counters["written_inline/record"] = static_cast<double>(inl) /
	    recs;
	state.SetLabel(ra_bench::ScratchLabel() + ", 4 records a ms");
}

}  // namespace

// Args: workers, records.  200,000 records (58 MB of input) a run.
BENCHMARK_CAPTURE(BM_Pipeline, raw, false)
    ->ArgNames({"workers", "records"})
    ->Args({1, 200000})->Args({2, 200000})
    ->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Pipeline, enriched, true)
    ->ArgNames({"workers", "records"})
    ->Args({1, 200000})->Args({2, 200000})
    ->UseManualTime()->Unit(benchmark::kMillisecond);
// Args: inline, records.  2,000 records, half a second a run.
BENCHMARK_CAPTURE(BM_PipelinePaced, raw, false)
    ->ArgNames({"inline", "records"})
    ->Args({0, 2000})->Args({1, 2000})
    ->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_PipelinePaced, enriched, true)
    ->ArgNames({"inline", "records"})
    ->Args({0, 2000})->Args({1, 2000})
    ->UseManualTime()->Unit(benchmark::kMillisecond);
