// kiln_parallel_for: coverage, nesting, concurrency and thread-count settings.
#include "kiln_runtime.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace {

struct Coverage {
  std::vector<std::atomic<int>> hits;
  explicit Coverage(int64_t n) : hits(static_cast<size_t>(n)) {}
};

void countHits(int64_t begin, int64_t end, void *ctx) {
  auto *c = static_cast<Coverage *>(ctx);
  ASSERT_LE(0, begin);
  ASSERT_LE(begin, end);
  ASSERT_LE(end, static_cast<int64_t>(c->hits.size()));
  for (int64_t i = begin; i < end; ++i) c->hits[static_cast<size_t>(i)]++;
}

void expectEachIndexOnce(int64_t n) {
  Coverage c(n);
  kiln_parallel_for(n, countHits, &c);
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(c.hits[static_cast<size_t>(i)].load(), 1) << "n=" << n << " i=" << i;
}

/// The number of distinct threads that run a loop of `n` chunks, each
/// sleeping `sleepUs` (long enough that the caller cannot finish them all
/// before the workers wake).
size_t threadsRunning(int64_t n, useconds_t sleepUs) {
  struct Seen {
    useconds_t sleepUs;
    std::mutex mu;
    std::set<std::thread::id> ids;
  } seen{sleepUs, {}, {}};
  kiln_parallel_for(
      n,
      [](int64_t, int64_t, void *ctx) {
        auto *s = static_cast<Seen *>(ctx);
        usleep(s->sleepUs);
        std::lock_guard<std::mutex> lock(s->mu);
        s->ids.insert(std::this_thread::get_id());
      },
      &seen);
  return seen.ids.size();
}

} // namespace

TEST(Threads, CoversEveryIndexOnceWithOneAndFourThreads) {
  for (int threads : {1, 4}) {
    kiln_set_num_threads(threads);
    EXPECT_EQ(kiln_get_num_threads(), threads);
    for (int64_t n : {0, 1, 2, 3, 4, 5, 7, 64, 1000, 100003}) {
      SCOPED_TRACE(threads);
      expectEachIndexOnce(n);
    }
  }
}

TEST(Threads, UsesSeveralThreadsWhenAsked) {
  kiln_set_num_threads(4);
  EXPECT_GT(threadsRunning(4, 20000), 1u);
}

// Workers spin for about 200 us, then sleep on a condition variable:
// loops after longer pauses must wake them (no lost wake-up), and the caller
// must sleep and be woken when a worker finishes the last chunk.
TEST(Threads, SleepingWorkersAndCallerAreWoken) {
  kiln_set_num_threads(3);
  for (int rep = 0; rep < 20; ++rep) {
    usleep(rep % 2 ? 3000 : 100);
    expectEachIndexOnce(3);
    expectEachIndexOnce(1000);
  }
  usleep(5000);
  // Chunks longer than the spin: the caller waits on its condition variable.
  EXPECT_GT(threadsRunning(3, 5000), 1u);
}

// Many short loops back to back: chunks are claimed without a lock, and a
// worker still finishing one generation must not take a chunk of the next.
TEST(Threads, ManyShortLoopsEachCoverEveryIndexOnce) {
  kiln_set_num_threads(4);
  for (int rep = 0; rep < 20000; ++rep) expectEachIndexOnce(2 + rep % 7);
}

TEST(Threads, NestedCallsRunSeriallyAndStillCoverEverything) {
  kiln_set_num_threads(4);
  struct Outer {
    std::atomic<int> total{0};
  } outer;
  kiln_parallel_for(
      8,
      [](int64_t begin, int64_t end, void *ctx) {
        for (int64_t i = begin; i < end; ++i) {
          Coverage inner(100);
          std::thread::id self = std::this_thread::get_id();
          struct Inner {
            Coverage *c;
            std::thread::id self;
            bool same_thread = true;
          } in{&inner, self};
          kiln_parallel_for(
              100,
              [](int64_t b, int64_t e, void *p) {
                auto *x = static_cast<Inner *>(p);
                if (std::this_thread::get_id() != x->self) x->same_thread = false;
                countHits(b, e, x->c);
              },
              &in);
          EXPECT_TRUE(in.same_thread);
          for (auto &h : inner.hits) EXPECT_EQ(h.load(), 1);
          static_cast<Outer *>(ctx)->total++;
        }
      },
      &outer);
  EXPECT_EQ(outer.total.load(), 8);
}

TEST(Threads, ConcurrentCallersEachGetFullCoverage) {
  kiln_set_num_threads(3);
  std::vector<std::thread> callers;
  std::atomic<int> failures{0};
  for (int k = 0; k < 4; ++k) {
    callers.emplace_back([&failures] {
      for (int rep = 0; rep < 50; ++rep) {
        Coverage c(997);
        kiln_parallel_for(997, countHits, &c);
        for (auto &h : c.hits)
          if (h.load() != 1) failures++;
      }
    });
  }
  for (auto &t : callers) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(Threads, ResizingBetweenCallsKeepsWorking) {
  for (int threads : {2, 5, 1, 4, 2}) {
    kiln_set_num_threads(threads);
    expectEachIndexOnce(1001);
  }
}

TEST(Threads, NonPositiveMeansHardwareConcurrency) {
  long hw = sysconf(_SC_NPROCESSORS_ONLN);
  kiln_set_num_threads(0);
  EXPECT_EQ(kiln_get_num_threads(), hw);
  kiln_set_num_threads(-3);
  EXPECT_EQ(kiln_get_num_threads(), hw);
  kiln_set_num_threads(4);
  EXPECT_EQ(kiln_get_num_threads(), 4);
}

TEST(Threads, NullBodyOrEmptyRangeDoNothing) {
  kiln_parallel_for(10, nullptr, nullptr);
  Coverage c(1);
  kiln_parallel_for(0, countHits, &c);
  kiln_parallel_for(-5, countHits, &c);
  EXPECT_EQ(c.hits[0].load(), 0);
}
