// The cost of a durable commit on this machine, from the bottom up:
// - BM_Fdatasync: one 4 KiB pwrite and its fdatasync on a file of $TMPDIR (or /tmp), the
//   floor under every group commit. CPU time is what the kernel (and, in a VM, the exits to
//   the hypervisor that notify the disk) charges the calling process.
// - BM_StoreApplyBatch/N: Store::apply_batch of N new incidents shaped like
//   bench/events_ingest.lua's triggers (an incident row and its `triggered` timeline entry) to
//   a SQLite file (WAL, synchronous=FULL, the background checkpointer running): the group
//   commit of the Events API hot path, per batch size.
// CPU time is the process's (the checkpointer's share included), real time includes the
// fsync waits; items/s counts events per second of real time. Commits follow each other with
// no pause, so the background checkpoint seldom catches up with the WAL's end and the WAL
// rarely starts over (it runs through journal_size_limit): the store's worst case. In the
// daemon the committer's gathering leaves it those moments (docs/performance.md).
#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "store/store.h"

namespace {
using namespace vigil;

// A fresh directory under $TMPDIR for one benchmark run, removed afterwards.
struct TempDir {
  std::string path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vigil-store-bench.XXXXXX").string();
    if (mkdtemp(tmpl.data())) path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

void BM_Fdatasync(benchmark::State& state) {
  TempDir dir;
  if (dir.path.empty()) return state.SkipWithError("mkdtemp failed");
  const int fd = ::open((dir.path + "/file").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return state.SkipWithError("open failed");
  std::vector<char> page(4096, 'x');
  for (auto _ : state) {
    // The same block every time: an overwrite allocates nothing, as SQLite's reused WAL.
    if (::pwrite(fd, page.data(), page.size(), 0) != static_cast<ssize_t>(page.size()) || ::fdatasync(fd) != 0) {
      state.SkipWithError("pwrite or fdatasync failed");
      break;
    }
  }
  ::close(fd);
}
BENCHMARK(BM_Fdatasync)->MeasureProcessCPUTime()->UseRealTime();

incident::IncidentChange trigger(std::int64_t id, Time now) {
  incident::IncidentChange c;
  auto& in = c.incident;
  in.id = id;
  // Two wrk threads' keys interleave, and "m-t1-1000" sorts before "m-t1-999": the unique
  // dedup index takes them at a few places, not only at its end.
  in.dedup_key = "m-t" + std::to_string(1 + id % 2) + "-" + std::to_string(id / 2);
  in.service = "web";
  in.title = "bench event " + in.dedup_key;
  in.origin = "events_v2";
  in.details = R"({"bench":"events_ingest"})";
  in.started_at = in.detected_at = now;
  c.new_entries.push_back({1, now, "triggered", "integration:bench", in.title + " (source bench-host-01)"});
  return c;
}

void BM_StoreApplyBatch(benchmark::State& state) {
  TempDir dir;
  if (dir.path.empty()) return state.SkipWithError("mkdtemp failed");
  auto store = store::open_sqlite(dir.path + "/vigil.db");
  if (!store) return state.SkipWithError(store.error().message.c_str());
  const auto size = static_cast<std::size_t>(state.range(0));
  const Time now = Time{std::chrono::sys_days{std::chrono::year{2026} / 11 / 26}};
  std::int64_t next = 1;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<incident::IncidentChange> batch;
    batch.reserve(size);
    for (std::size_t i = 0; i < size; ++i) batch.push_back(trigger(next++, now));
    state.ResumeTiming();
    for (const auto& s : (*store)->apply_batch(batch))
      if (!s.ok()) return state.SkipWithError(s.error().message.c_str());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_StoreApplyBatch)->Arg(1)->Arg(8)->Arg(32)->Arg(64)->Arg(256)->MeasureProcessCPUTime()->UseRealTime();

}  // namespace
