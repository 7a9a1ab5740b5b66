// A GroupCoordinator over a MemEnv log directory with a hand-driven clock,
// and small clients that remember what their callbacks were answered.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/group_coordinator.h"
#include "coordinator/group_errors.h"
#include "groups/offsets_store.h"
#include "io/mem_env.h"
#include "log/log_dir.h"

namespace kq::coordinator::testing {

// A ConsumerProtocolSubscription v0 for `topics` with null user data.
inline std::string Subscription(const std::vector<std::string>& topics) {
  std::string out;
  auto i16 = [&](int v) {
    out.push_back(static_cast<char>((v >> 8) & 0xff));
    out.push_back(static_cast<char>(v & 0xff));
  };
  auto i32 = [&](int64_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((v >> shift) & 0xff));
  };
  i16(0);
  i32(static_cast<int64_t>(topics.size()));
  for (const std::string& t : topics) {
    i16(static_cast<int>(t.size()));
    out += t;
  }
  i32(-1);
  return out;
}

template <typename T>
struct Answer {
  std::shared_ptr<std::optional<T>> slot = std::make_shared<std::optional<T>>();
  bool ready() const { return slot->has_value(); }
  const T& operator*() const {
    REQUIRE_MESSAGE(slot->has_value(), "no answer yet");
    return **slot;
  }
  const T* operator->() const { return &**this; }
};

struct Harness {
  std::unique_ptr<io::Env> env = io::NewMemEnv();
  std::string dir = "/data";
  int64_t now = 1'000'000;
  CoordinatorOptions options;
  std::unique_ptr<GroupCoordinator> coord;

  explicit Harness(int32_t initial_delay_ms = 0) {
    auto d = log::LogDir::Open(env.get(), dir, true);
    REQUIRE(d.ok());
    REQUIRE(d->CreateTopic("t", 4, {}).ok());
    REQUIRE(d->CreateTopic("u", 2, {}).ok());
    options.env = env.get();
    options.log_dir = dir;
    options.clock = [this] { return now; };
    options.group_initial_rebalance_delay_ms = initial_delay_ms;
    Start();
  }
  void Start() {
    auto store = groups::OffsetsStore::Open(env.get(), dir);
    REQUIRE(store.ok());
    coord = std::make_unique<GroupCoordinator>(options, std::move(*store));
  }
  void Restart() {
    coord->Shutdown();
    coord.reset();
    Start();
  }
  // Moves the clock by `ms`, ticking at every deadline on the way as the
  // server's timer would.
  void Advance(int64_t ms) {
    const int64_t target = now + ms;
    for (int i = 0;; ++i) {
      REQUIRE_MESSAGE(i < 10000, "deadlines do not advance");
      std::optional<int64_t> next = coord->NextDeadline();
      if (!next || *next > target) break;
      now = std::max(now, *next);
      coord->Tick(now);
    }
    now = target;
    coord->Tick(now);
  }

  JoinRequest JoinReq(const std::string& member_id, std::vector<std::string> protocols = {"range"},
                      std::optional<std::string> instance = std::nullopt) {
    JoinRequest r;
    r.group_id = "g";
    r.session_timeout_ms = 10000;
    r.rebalance_timeout_ms = 30000;
    r.member_id = member_id;
    r.group_instance_id = std::move(instance);
    r.protocol_type = "consumer";
    for (const std::string& p : protocols) r.protocols.push_back({p, Subscription({"t"})});
    r.client_id = "client";
    r.client_host = "/127.0.0.1";
    return r;
  }
  Answer<JoinResult> Join(JoinRequest request) {
    Answer<JoinResult> a;
    coord->Join(std::move(request), [slot = a.slot](JoinResult r) {
      REQUIRE_MESSAGE(!slot->has_value(), "callback invoked twice");
      *slot = std::move(r);
    });
    return a;
  }
  Answer<JoinResult> Join(const std::string& member_id,
                          std::optional<std::string> instance = std::nullopt) {
    return Join(JoinReq(member_id, {"range"}, std::move(instance)));
  }
  Answer<SyncResult> Sync(const std::string& member_id, int32_t generation,
                          std::vector<std::pair<std::string, std::string>> assignments = {},
                          std::optional<std::string> instance = std::nullopt) {
    SyncRequest r;
    r.group_id = "g";
    r.generation_id = generation;
    r.member_id = member_id;
    r.group_instance_id = std::move(instance);
    r.assignments = std::move(assignments);
    Answer<SyncResult> a;
    coord->Sync(std::move(r), [slot = a.slot](SyncResult res) {
      REQUIRE_MESSAGE(!slot->has_value(), "callback invoked twice");
      *slot = std::move(res);
    });
    return a;
  }
  int16_t Heartbeat(const std::string& member_id, int32_t generation,
                    std::optional<std::string> instance = std::nullopt) {
    return coord->Heartbeat({"g", generation, member_id, std::move(instance)});
  }
  int16_t Commit(const std::string& member_id, int32_t generation, int64_t offset,
                 std::string group = "g") {
    OffsetCommitRequest r;
    r.group_id = std::move(group);
    r.generation_id = generation;
    r.member_id = member_id;
    r.partitions.push_back({{"t", 0}, offset, -1, "meta"});
    OffsetCommitResult res = coord->CommitOffsets(r);
    REQUIRE(res.partitions.size() == 1);
    return res.partitions[0].second;
  }
  // The committed offset of t-0 (-1 when none).
  int64_t Committed(std::string group = "g") {
    OffsetFetchResult r = coord->FetchOffsets({std::move(group), {{{"t", 0}}}});
    REQUIRE(r.error_code == kNone);
    REQUIRE(r.partitions.size() == 1);
    return r.partitions[0].offset;
  }
  std::string State(std::string group = "g") {
    return coord->DescribeGroups({std::move(group)}).at(0).state;
  }
  size_t Members(std::string group = "g") {
    return coord->DescribeGroups({std::move(group)}).at(0).members.size();
  }
};

// Two members of "g" in a Stable generation: `leader` assigned "A", the
// other "B".
struct StableGroup {
  std::string leader, follower;
  int32_t generation = 0;
};

inline StableGroup MakeStable(Harness& h, std::optional<std::string> instance_a = std::nullopt,
                              std::optional<std::string> instance_b = std::nullopt) {
  auto a = h.Join("", instance_a);
  REQUIRE(a.ready());  // no initial delay: a generation of one at once
  auto b = h.Join("", instance_b);
  REQUIRE(!b.ready());
  // a must rejoin for the second generation.
  REQUIRE(h.Heartbeat(a->member_id, a->generation_id, instance_a) == kRebalanceInProgress);
  auto a2 = h.Join(h.JoinReq(a->member_id, {"range"}, instance_a));
  REQUIRE(a2.ready());
  REQUIRE(b.ready());
  REQUIRE(a2->error_code == kNone);
  REQUIRE(b->error_code == kNone);
  StableGroup s;
  s.generation = a2->generation_id;
  s.leader = a2->leader;
  s.follower = s.leader == a2->member_id ? b->member_id : a2->member_id;
  const auto leader_instance = s.leader == a2->member_id ? instance_a : instance_b;
  const auto follower_instance = s.leader == a2->member_id ? instance_b : instance_a;
  auto fs = h.Sync(s.follower, s.generation, {}, follower_instance);
  auto ls = h.Sync(s.leader, s.generation, {{s.leader, "A"}, {s.follower, "B"}}, leader_instance);
  REQUIRE(fs.ready());
  REQUIRE(ls.ready());
  REQUIRE(h.State() == "Stable");
  return s;
}

}  // namespace kq::coordinator::testing
