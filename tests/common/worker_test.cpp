#include "common/worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>

#include <pthread.h>

namespace vigil {
namespace {

TEST(BlockingWorker, RunsJobsInOrderAndFinishesTheQueueWhenDestroyed) {
  std::vector<int> order;
  {
    BlockingWorker w;
    for (int i = 0; i < 50; ++i) w.post([&order, i] { order.push_back(i); });
  }
  ASSERT_EQ(order.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(order[i], i);
}

TEST(BlockingWorker, DropPendingForgetsQueuedJobsButLetsTheRunningOneFinish) {
  std::promise<void> started, release;
  std::atomic<int> ran{0};
  auto done = std::make_shared<int>(0);
  {
    BlockingWorker w;
    w.post([&] {
      started.set_value();
      release.get_future().wait();
      ++ran;
    });
    started.get_future().wait();  // the first job is running; the next three wait behind it
    for (int i = 0; i < 3; ++i) w.post([&ran, done] { ++ran; });
    EXPECT_EQ(done.use_count(), 4);
    EXPECT_EQ(w.drop_pending(), 3u);
    EXPECT_EQ(done.use_count(), 1);  // the dropped jobs (and what they held) are gone
    EXPECT_EQ(w.drop_pending(), 0u);
    release.set_value();
    w.post([&ran] { ran += 10; });  // still usable afterwards
  }
  EXPECT_EQ(ran.load(), 11);
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

std::string thread_name_in(BlockingWorker& w) {
  std::promise<std::string> name;
  w.post([&] {
    char buf[16] = {};
    pthread_getname_np(pthread_self(), buf, sizeof buf);
    name.set_value(buf);
  });
  return name.get_future().get();
}

TEST(BlockingWorker, ItsThreadHasItsNameCutToFifteenBytes) {
  BlockingWorker plain;
  EXPECT_EQ(thread_name_in(plain), "vigil-worker");
  BlockingWorker store("vigil-store");
  EXPECT_EQ(thread_name_in(store), "vigil-store");
  BlockingWorker longer("vigil-a-very-long-name");
  EXPECT_EQ(thread_name_in(longer), "vigil-a-very-lo");
}

}  // namespace
}  // namespace vigil
