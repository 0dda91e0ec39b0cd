// bench_ring.cc - items per second through one SPSC ring (1024 slots)
// between two threads pinned to CPUs 0 and 1, with ring.h's wait/wake
// protocol on both sides: the producer uses ring_push_wait and wakes the
// consumer once per batch, the consumer spins, announces and sleeps when
// the ring is empty.  One figure: items_per_second.
//
// ring.h cannot be included from C++ (C11 _Atomic/_Alignas/_Static_assert,
// and ck_ring.h 0.7.1 returns false from a function returning void *),
// and the hot path (ring_trypush/ring_trypop) is inline C, so it must be
// compiled as C.  The loops live in a C helper, bench/bench_ring_c.c,
// built into ra_bench with this file.
#include <benchmark/benchmark.h>

#include <pthread.h>
#include <sched.h>

#include <cstdint>

#include "bench_ring.h"

namespace {

constexpr uint64_t kItemsPerIteration = 4096;

// The first two CPUs we may run on, or -1 -1 (no pinning) if only one.
void
PickCpus(int cpu[2])
{
	cpu_set_t set;
	int n = 0;

	cpu[0] = cpu[1] = -1;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return;
	for (int i = 0; i < CPU_SETSIZE && n < 2; i++)
		if (CPU_ISSET(i, &set))
			cpu[n++] = i;
	if (n < 2)
		cpu[0] = cpu[1] = -1;
}

void
BM_RingSpsc(benchmark::State &state)
{
	int cpu[2];

	PickCpus(cpu);
	struct ra_bench_ring *b = ra_bench_ring_create(
	    static_cast<unsigned>(state.range(0)), cpu[0], cpu[1]);
	if (b == nullptr) {
		state.SkipWithError("cannot set up the ring");
		return;
	}
	for (auto _ : state)
		ra_bench_ring_push(b, kItemsPerIteration);

	struct ra_bench_ring_stats st;
	const uint64_t pushed = static_cast<uint64_t>(state.iterations()) *
	    kItemsPerIteration;

	ra_bench_ring_destroy(b, &st);
	if (st.items != pushed || st.out_of_order != 0) {
		state.SkipWithError("items lost or out of order");
		return;
	}
	state.SetItemsProcessed(static_cast<int64_t>(pushed));
	const double mitems = static_cast<double>(pushed) / 1e6;
	state.counters["full_waits/Mitem"] =
	    static_cast<double>(st.full_waits) / mitems;
	state.counters["cons_sleeps/Mitem"] =
	    static_cast<double>(st.consumer_sleeps) / mitems;
	state.counters["prod_sleeps/Mitem"] =
	    static_cast<double>(st.producer_sleeps) / mitems;
	state.counters["pinned"] = cpu[0] >= 0 ? 1 : 0;
}

}  // namespace

BENCHMARK(BM_RingSpsc)->Arg(1024)->UseRealTime();

BENCHMARK_MAIN();
