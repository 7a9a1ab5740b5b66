#include "pipe/bounded_queue.h"

#include <doctest/doctest.h>

#include <thread>
#include <vector>

using namespace kq;

TEST_CASE("BoundedQueue hands items over in order and blocks a producer that is ahead") {
  pipe::BoundedQueue<int> q(2);
  std::vector<int> got;
  std::thread consumer([&] {
    while (std::optional<int> v = q.Pop()) got.push_back(*v);
  });
  for (int i = 0; i < 1000; ++i) REQUIRE(q.Push(i));
  q.Close();
  consumer.join();
  REQUIRE(got.size() == 1000);
  for (int i = 0; i < 1000; ++i) CHECK(got[i] == i);
}

TEST_CASE("BoundedQueue: Close wakes a blocked producer and drains what is left") {
  pipe::BoundedQueue<int> q(1);
  REQUIRE(q.Push(1));
  bool pushed = true;
  std::thread producer([&] { pushed = q.Push(2); });  // blocks: full
  q.Close();
  producer.join();
  CHECK_FALSE(pushed);
  CHECK(q.TryPop() == 1);
  CHECK_FALSE(q.Pop().has_value());
}
