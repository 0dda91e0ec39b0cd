// bench_parse.cc - the parser stage, per record: parse_header (what
// ingest does to shard by serial), and parse_format_record in RAW and
// ENRICHED (what a parser worker does), over two sets of records:
//   fixtures  every record of every log in RA_FIXTURES (../shared/
//             fixtures/logs), in file name order;
//   syscall   32 copies of one typical SYSCALL record (bench_log.h).
// One figure each: ns/record (also shown as items_per_second).  And
// BM_ParseInit: what parse_init's tables from libaudit cost at start-up.
//
// parse_header is called from here: parse.h is plain C that C++ can
// include.  Formatting needs a record slot (struct ring_rec, ring.h, C
// only), so its loop is in bench_parse_c.c; it times the format step
// alone (manual time) and reports the copy that puts each record back
// into its slot as reset_ns/record.  Every formatted line is compared
// with the line of an untimed priming pass, and a RAW line with the log
// line it came from: any difference, or a header parsed differently from
// the first time, fails the benchmark.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

extern "C" {
#include "parse/parse.h"
}

#include "bench_log.h"
#include "bench_parse.h"

namespace {

constexpr unsigned kSlots = 32;	// records formatted between resets

enum class Corpus { kFixtures, kSyscall };

struct Rec {
	unsigned type;
	std::string node;
	std::string payload;
	std::string line;	// the log line, without '\n'
};

// A log line split as the replay source reads it (parse_log_line, in
// bench_parse_c.c).
bool
SplitLine(const std::string &line, Rec *r)
{
	ra_bench_line l;

	if (ra_bench_split_line(line.data(), line.size(), &l) != 0)
		return false;
	r->type = l.type;
	r->node = line.substr(l.node_off, l.node_len);
	r->payload = line.substr(l.payload_off);
	r->line = line;
	return true;
}

std::vector<Rec>
LoadFixtures(std::string *err)
{
	std::vector<std::filesystem::path> files;
	std::vector<Rec> recs;
	std::error_code ec;

	// The type names SplitLine looks up come from libaudit at start-up.
	if (parse_init() != 0) {
		*err = "parse_init failed";
		return recs;
	}
	for (const auto &de :
	    std::filesystem::directory_iterator(RA_FIXTURES, ec))
		if (de.path().filename().string().find(".log") !=
		    std::string::npos)
			files.push_back(de.path());
	if (ec || files.empty()) {
		*err = std::string("no fixture logs in ") + RA_FIXTURES;
		return recs;
	}
	std::sort(files.begin(), files.end());
	for (const auto &f : files) {
		std::ifstream in(f);
		std::string line;

		while (std::getline(in, line)) {
			Rec r;

			if (line.empty())
				continue;
			if (!SplitLine(line, &r)) {
				*err = "not a record: " + f.string();
				return {};
			}
			recs.push_back(std::move(r));
		}
	}
	return recs;
}

const std::vector<Rec> &
Records(Corpus which, std::string *err)
{
	static std::string fixtures_err;
	static const std::vector<Rec> fixtures = LoadFixtures(&fixtures_err);
	static const std::vector<Rec> syscall = [] {
		Rec r;
		r.type = RA_BENCH_SYSCALL_TYPE;
		r.payload = RA_BENCH_SYSCALL_HDR RA_BENCH_SYSCALL_BODY;
		r.line = "type=SYSCALL msg=" + r.payload;
		return std::vector<Rec>(kSlots, r);
	}();

	if (which == Corpus::kSyscall)
		return syscall;
	*err = fixtures_err;
	return fixtures;
}

// A counter that reads as ns per record: n records per iteration, over
// the benchmark's time (CPU, or manual when it uses manual time).
benchmark::Counter
NsPerRecord(size_t n)
{
	return benchmark::Counter(static_cast<double>(n),
	    benchmark::Counter::kIsIterationInvariantRate |
	    benchmark::Counter::kInvert);
}

void
BM_ParseHeader(benchmark::State &state, Corpus which)
{
	std::string err;
	const std::vector<Rec> &recs = Records(which, &err);
	uint64_t want = 0, sum = 0, headerless = 0;

	if (!err.empty()) {
		state.SkipWithError(err.c_str());
		return;
	}
	for (const Rec &r : recs) {
		struct parse_hdr h;

		if (parse_header(r.payload.data(), r.payload.size(), &h) == 0)
			want += h.sec + h.msec + h.serial + h.len;
		else
			headerless++;
	}
	for (auto _ : state) {
		for (const Rec &r : recs) {
			struct parse_hdr h;

			if (parse_header(r.payload.data(), r.payload.size(),
			    &h) == 0)
				sum += h.sec + h.msec + h.serial + h.len;
		}
		benchmark::DoNotOptimize(sum);
	}
	if (sum != want * static_cast<uint64_t>(state.iterations())) {
		state.SkipWithError("a header parsed differently");
		return;
	}
	state.SetItemsProcessed(state.iterations() *
	    static_cast<int64_t>(recs.size()));
	state.counters["time/record"] = NsPerRecord(recs.size());
	state.counters["headerless"] = static_cast<double>(headerless);
	state.SetLabel(std::to_string(recs.size()) + " records");
}

// The priming pass's lines: a RAW line is the log line it came from; an
// ENRICHED one starts with it, then 0x1D or the end.
bool
CheckReference(const ra_bench_fmt *b, const std::vector<Rec> &recs,
    bool enriched)
{
	for (size_t i = 0; i < recs.size(); i++) {
		size_t len;
		const char *p = ra_bench_fmt_line(b, i, &len);
		const std::string &want = recs[i].line;

		if (len < want.size() + 1 ||
		    want.compare(0, want.size(), p, want.size()) != 0 ||
		    p[len - 1] != '\n')
			return false;
		if (!enriched && len != want.size() + 1)
			return false;
		if (enriched && len > want.size() + 1 &&
		    p[want.size()] != '\x1d')
			return false;
	}
	return true;
}

void
BM_Format(benchmark::State &state, Corpus which, bool enriched)
{
	std::string err;
	const std::vector<Rec> &recs = Records(which, &err);
	ra_bench_fmt *b = nullptr;

	if (!err.empty()) {
		state.SkipWithError(err.c_str());
		return;
	}
	if (ra_bench_fmt_create(&b, enriched, kSlots) < 0) {
		state.SkipWithError("cannot set up the record slots");
		return;
	}
	for (const Rec &r : recs) {
		if (ra_bench_fmt_add(b, r.type, r.node.data(), r.node.size(),
		    r.payload.data(), r.payload.size()) < 0) {
			state.SkipWithError("a record does not fit a slot");
			ra_bench_fmt_destroy(b);
			return;
		}
	}
	if (ra_bench_fmt_prime(b) < 0 || !CheckReference(b, recs, enriched)) {
		state.SkipWithError("a line is not the record's log line");
		ra_bench_fmt_destroy(b);
		return;
	}

	const uint64_t nss_before = ra_bench_fmt_nss_calls(b);
	ra_bench_fmt_times p = {};

	for (auto _ : state) {
		const uint64_t before = p.format_ns;

		ra_bench_fmt_pass(b, &p);
		state.SetIterationTime(static_cast<double>(p.format_ns -
		    before) * 1e-9);
	}
	const uint64_t nss_calls = ra_bench_fmt_nss_calls(b) - nss_before;

	ra_bench_fmt_destroy(b);
	if (p.errors != 0 || p.mismatches != 0) {
		state.SkipWithError("a record formatted differently");
		return;
	}
	state.SetItemsProcessed(state.iterations() *
	    static_cast<int64_t>(recs.size()));
	state.counters["time/record"] = NsPerRecord(recs.size());
	state.counters["reset_ns/record"] = p.records == 0 ? 0 :
	    static_cast<double>(p.reset_ns) / static_cast<double>(p.records);
	if (enriched)
		state.counters["nss_calls"] = static_cast<double>(nss_calls);
	state.SetLabel(std::to_string(recs.size()) + " records");
}

// parse_init's start-up work: libaudit's syscall, machine and elf tables
// for every machine, built from nothing (parse_fini first).  One figure:
// time per build.
void
BM_ParseInit(benchmark::State &state)
{
	for (auto _ : state) {
		parse_fini();
		if (parse_init() != 0) {
			state.SkipWithError("parse_init failed");
			return;
		}
	}
	benchmark::DoNotOptimize(parse_syscall_name(59, PARSE_MACH_86_64));
}

}  // namespace

BENCHMARK(BM_ParseInit)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_ParseHeader, fixtures, Corpus::kFixtures);
BENCHMARK_CAPTURE(BM_ParseHeader, syscall, Corpus::kSyscall);
BENCHMARK_CAPTURE(BM_Format, raw_fixtures, Corpus::kFixtures, false)
    ->UseManualTime();
BENCHMARK_CAPTURE(BM_Format, enriched_fixtures, Corpus::kFixtures, true)
    ->UseManualTime();
BENCHMARK_CAPTURE(BM_Format, raw_syscall, Corpus::kSyscall, false)
    ->UseManualTime();
BENCHMARK_CAPTURE(BM_Format, enriched_syscall, Corpus::kSyscall, true)
    ->UseManualTime();
