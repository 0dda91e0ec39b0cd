// bench_gather.cc - what deciding a gathering sleep costs ingest a batch
// (src/ingest/gather.c: ingest_gather_plan and ingest_gather_held, once
// each a batch), on a stream of 20,000 events (60,000 records) a second
// read by a model of ingest's loop: each batch takes the records already
// there (64 at most), a sleep lets time pass.  No clock and no sleep: the
// figure is the policy's own.  Fails on a record that waited longer than
// gather_ms and a batch's work, or a batch after a sleep that does not
// carry the sleep's start.  One figure: ns a batch (items_per_second
// counts batches).
#include <benchmark/benchmark.h>

#include <cstdint>

extern "C" {
#include "ingest/gather.h"
}

namespace {

constexpr uint64_t kRecordNs = 16667;	// 60,000 records a second
constexpr uint64_t kBatches = 4096;	// batches an iteration
constexpr unsigned kBatchMax = 64;
constexpr uint64_t kWorkMaxNs = 2000 + 300 * kBatchMax;	// a batch's work

void
BM_GatherPlan(benchmark::State &state)
{
	struct ingest_gather g;
	const uint64_t w = static_cast<uint64_t>(state.range(0)) * 1000000u;
	uint64_t t = 1000000000u, next = t, taken = 0;
	uint64_t slept_from = 0, sleeps = 0;

	ingest_gather_init(&g);
	for (auto _ : state) {
		for (uint64_t i = 0; i < kBatches; i++) {
			unsigned k = 0;

			if (next > t) {
				// Nothing there: none, then blocked until one.
				ingest_gather_held(&g, true);
				slept_from = 0;
				t = next;
			}
			// The oldest record there waited the longest.
			if (t - next > w + kWorkMaxNs) {
				state.SkipWithError("a record waited past "
				    "gather_ms");
				return;
			}
			while (k < kBatchMax && next <= t) {
				next += kRecordNs;
				k++;
			}
			taken += k;
			bool emptied = k < kBatchMax;
			if (ingest_gather_held(&g, emptied) != slept_from) {
				state.SkipWithError("a batch after a sleep "
				    "without the sleep's start");
				return;
			}
			if (emptied)
				slept_from = 0;
			t += 2000 + 300 * k;	// the batch's work: see below
			uint64_t d = ingest_gather_plan(&g, t, k, emptied, w);
			if (d != 0) {
				slept_from = t;
				sleeps++;
			}
			t += d;
			benchmark::DoNotOptimize(d);
		}
	}
	state.SetItemsProcessed(static_cast<int64_t>(state.iterations() *
	    kBatches));
	state.counters["records_per_batch"] = static_cast<double>(taken) /
	    static_cast<double>(state.iterations() * kBatches);
	state.counters["sleeps_per_batch"] = static_cast<double>(sleeps) /
	    static_cast<double>(state.iterations() * kBatches);
}

}  // namespace

BENCHMARK(BM_GatherPlan)->Arg(20)->Arg(40);
