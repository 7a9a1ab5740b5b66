// See consume.h for which librdkafka calls are used and why.
#include "kafka/consume.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <utility>

#include <fmt/format.h>

namespace kq::kafka {
namespace {

constexpr int64_t kNoStop = std::numeric_limits<int64_t>::max();
constexpr int kPollMs = 100;
constexpr auto kCommitInterval = std::chrono::seconds(1);

struct PartitionState {
  int64_t stop = kNoStop;    // first offset not to deliver
  bool done = false;         // reached stop, e@MS or (without follow) EOF
  int64_t next_offset = -1;  // offset after the last delivered record, -1: none
  int64_t committed = -1;    // next_offset as last committed
};

using Key = std::pair<std::string, int32_t>;

// Everything the poll loop and the rebalance callback share.
struct Loop {
  Client* client = nullptr;
  const ConsumeRequest* request = nullptr;
  const RecordSink* sink = nullptr;
  const FlushHook* flush = nullptr;
  std::map<Key, PartitionState> partitions;
  bool group_mode = false;
  bool assigned = false;  // group mode: the first assignment arrived
  Status error;           // first failure seen in a callback
  uint64_t delivered = 0;
  bool unflushed = false;
  std::chrono::steady_clock::time_point last_commit = std::chrono::steady_clock::now();
};

bool AllDone(const Loop& loop) {
  if (loop.request->follow) return false;
  if (loop.group_mode && !loop.assigned) return false;
  return std::all_of(loop.partitions.begin(), loop.partitions.end(),
                     [](const auto& kv) { return kv.second.done; });
}

Status Flush(Loop& loop) {
  if (!loop.unflushed || !*loop.flush) return Status::Ok();
  loop.unflushed = false;
  return (*loop.flush)();
}

// -G: flushes the caller's output, then commits what it has delivered
// (only partitions whose position moved since the last commit).
Status Commit(Loop& loop) {
  KQ_RETURN_IF_ERROR(Flush(loop));
  loop.last_commit = std::chrono::steady_clock::now();
  if (!loop.group_mode) return Status::Ok();
  PartitionListPtr list(rd_kafka_topic_partition_list_new(4));
  for (const auto& [key, state] : loop.partitions) {
    if (state.next_offset > state.committed) {
      rd_kafka_topic_partition_list_add(list.get(), key.first.c_str(), key.second)->offset =
          state.next_offset;
    }
  }
  if (list->cnt == 0) return Status::Ok();
  rd_kafka_resp_err_t err = rd_kafka_commit(loop.client->handle(), list.get(), 0);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return loop.client->Unreachable(
        err, fmt::format("commit offsets of group '{}'", loop.request->group));
  }
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = list->elems[i];
    if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return ErrorStatus(tp.err,
                         fmt::format("commit offset of group '{}' for {}", loop.request->group,
                                     PartitionName(tp.topic, tp.partition)));
    }
    loop.partitions[{tp.topic, tp.partition}].committed = tp.offset;
  }
  return Status::Ok();
}

void MarkDone(Loop& loop, const std::string& topic, int32_t partition, PartitionState& state) {
  if (state.done) return;
  state.done = true;
  PartitionListPtr list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition);
  rd_kafka_pause_partitions(loop.client->handle(), list.get());
}

// Group mode: a new assignment fixes stop offsets at the current high
// watermarks; a revocation commits what was delivered before letting go.
Status OnAssign(Loop& loop, rd_kafka_topic_partition_list_t* parts) {
  for (int i = 0; i < parts->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = parts->elems[i];
    PartitionState state;
    if (!loop.request->follow) {
      KQ_ASSIGN_OR_RETURN(auto marks, loop.client->Watermarks(tp.topic, tp.partition));
      state.stop = marks.second;
    }
    loop.partitions[{tp.topic, tp.partition}] = state;
  }
  loop.assigned = true;
  rd_kafka_resp_err_t err = rd_kafka_assign(loop.client->handle(), parts);
  return ErrorStatus(err, fmt::format("join group '{}'", loop.request->group));
}

void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                 void* /*opaque*/) {
  auto* loop = static_cast<Loop*>(Client::FromHandle(rk)->user_data());
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    Status s = OnAssign(*loop, parts);
    if (!s.ok() && loop->error.ok()) loop->error = std::move(s);
    return;
  }
  Status s = Commit(*loop);
  if (!s.ok() && loop->error.ok()) loop->error = std::move(s);
  loop->partitions.clear();
  rd_kafka_assign(rk, nullptr);
}

// Converts and delivers one message; marks its partition done when it
// reaches the stop offset or the end timestamp. *view is reused.
Status Deliver(Loop& loop, const rd_kafka_message_t* msg, format::RecordView* view) {
  std::string topic = rd_kafka_topic_name(msg->rkt);
  auto it = loop.partitions.find({topic, msg->partition});
  if (it == loop.partitions.end() || it->second.done) return Status::Ok();
  PartitionState& state = it->second;
  if (msg->offset >= state.stop) {
    MarkDone(loop, topic, msg->partition, state);
    return Status::Ok();
  }
  rd_kafka_timestamp_type_t ts_type;
  int64_t ts = rd_kafka_message_timestamp(msg, &ts_type);
  if (loop.request->end_timestamp_ms && ts >= *loop.request->end_timestamp_ms) {
    MarkDone(loop, topic, msg->partition, state);
    return Status::Ok();
  }
  std::vector<format::HeaderView>& headers = view->headers;
  headers.clear();
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(msg, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0;
         rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      std::optional<std::string_view> v;
      if (value != nullptr) v = std::string_view(static_cast<const char*>(value), size);
      headers.push_back({std::string_view(name), v});
    }
  }
  view->offset = msg->offset;
  view->offset_delta = 0;  // librdkafka does not expose the batch
  view->timestamp = ts_type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? -1 : ts;
  view->key.reset();
  view->value.reset();
  if (msg->key != nullptr)
    view->key = std::string_view(static_cast<const char*>(msg->key), msg->key_len);
  if (msg->payload != nullptr) {
    view->value = std::string_view(static_cast<const char*>(msg->payload), msg->len);
  }
  client::ConsumedRecord record;
  record.topic = topic;
  record.partition = msg->partition;
  record.log_append_time = ts_type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME;
  record.record = view;
  KQ_RETURN_IF_ERROR((*loop.sink)(record));
  state.next_offset = msg->offset + 1;
  loop.unflushed = true;
  ++loop.delivered;
  if (state.next_offset >= state.stop) MarkDone(loop, topic, msg->partition, state);
  return Status::Ok();
}

// Resolves the request's start into an absolute offset for one partition,
// given its watermarks. `by_time` holds offsets_for_times answers.
int64_t StartOffset(const StartPosition& start, int64_t low, int64_t high,
                    std::optional<int64_t> by_time) {
  switch (start.kind) {
    case StartPosition::Kind::kBeginning:
      return low;
    case StartPosition::Kind::kEnd:
      return high;
    case StartPosition::Kind::kOffset:
      return std::clamp(start.value, low, high);
    case StartPosition::Kind::kFromEnd:
      return std::max(low, high - start.value);
    case StartPosition::Kind::kTimestamp:
      return by_time && *by_time >= 0 ? *by_time : high;
  }
  return low;
}

// Without a group: picks the partitions, fixes start and stop offsets and
// assigns the ones with something to read.
Status AssignRange(Loop& loop) {
  Client& client = *loop.client;
  const ConsumeRequest& request = *loop.request;
  KQ_ASSIGN_OR_RETURN(std::vector<TopicMetadata> topics, client.Topics());
  PartitionListPtr wanted(rd_kafka_topic_partition_list_new(8));
  for (const TopicSelection& sel : request.topics) {
    auto meta = std::find_if(topics.begin(), topics.end(),
                             [&](const TopicMetadata& t) { return t.name == sel.topic; });
    if (meta == topics.end()) {
      return Status::NotFound(
          fmt::format("topic '{}' does not exist at '{}'", sel.topic, client.brokers()));
    }
    if (sel.partition) {
      if (std::find(meta->partitions.begin(), meta->partitions.end(), *sel.partition) ==
          meta->partitions.end()) {
        return Status::NotFound(fmt::format("partition {} does not exist (topic has {})",
                                            PartitionName(sel.topic, *sel.partition),
                                            meta->partitions.size()));
      }
      rd_kafka_topic_partition_list_add(wanted.get(), sel.topic.c_str(), *sel.partition);
    } else {
      for (int32_t p : meta->partitions) {
        rd_kafka_topic_partition_list_add(wanted.get(), sel.topic.c_str(), p);
      }
    }
  }
  // Timestamps are resolved for all partitions in one request.
  std::map<Key, int64_t> by_time;
  if (request.start.kind == StartPosition::Kind::kTimestamp) {
    PartitionListPtr times(rd_kafka_topic_partition_list_copy(wanted.get()));
    for (int i = 0; i < times->cnt; ++i) times->elems[i].offset = request.start.value;
    rd_kafka_resp_err_t err =
        rd_kafka_offsets_for_times(client.handle(), times.get(), client.timeout_ms());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return client.Unreachable(err, "offsets for time");
    for (int i = 0; i < times->cnt; ++i) {
      const rd_kafka_topic_partition_t& tp = times->elems[i];
      if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return ErrorStatus(
            tp.err, fmt::format("offsets for time of {}", PartitionName(tp.topic, tp.partition)));
      }
      by_time[{tp.topic, tp.partition}] = tp.offset;
    }
  }
  PartitionListPtr assignment(rd_kafka_topic_partition_list_new(wanted->cnt));
  for (int i = 0; i < wanted->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = wanted->elems[i];
    Key key{tp.topic, tp.partition};
    if (loop.partitions.count(key) != 0) continue;  // named twice
    KQ_ASSIGN_OR_RETURN(auto marks, client.Watermarks(tp.topic, tp.partition));
    std::optional<int64_t> t;
    if (auto it = by_time.find(key); it != by_time.end()) t = it->second;
    int64_t start = StartOffset(request.start, marks.first, marks.second, t);
    PartitionState state;
    state.stop = request.follow ? kNoStop : marks.second;
    state.done = start >= state.stop;
    loop.partitions[key] = state;
    if (!state.done) {
      rd_kafka_topic_partition_list_add(assignment.get(), tp.topic, tp.partition)->offset = start;
    }
  }
  return ErrorStatus(rd_kafka_assign(client.handle(), assignment.get()), "assign partitions");
}

// -G: checks the request, then subscribes; partitions arrive in OnRebalance.
Status Subscribe(Loop& loop) {
  const ConsumeRequest& request = *loop.request;
  PartitionListPtr topics(
      rd_kafka_topic_partition_list_new(static_cast<int>(request.topics.size())));
  for (const TopicSelection& sel : request.topics) {
    if (sel.partition) {
      return Status::InvalidArgument(
          fmt::format("{}: in group '{}' the group assigns partitions; name the topic only",
                      PartitionName(sel.topic, *sel.partition), request.group));
    }
    KQ_RETURN_IF_ERROR(loop.client->Topic(sel.topic).status());
    rd_kafka_topic_partition_list_add(topics.get(), sel.topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  return ErrorStatus(rd_kafka_subscribe(loop.client->handle(), topics.get()),
                     fmt::format("subscribe group '{}'", request.group));
}

// Handles one poll result; returns false when the loop should end.
Result<bool> Step(Loop& loop, rd_kafka_message_t* msg, format::RecordView* view) {
  if (msg == nullptr) {  // caught up: push output to the reader
    KQ_RETURN_IF_ERROR(loop.group_mode ? Commit(loop) : Flush(loop));
    return true;
  }
  if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    if (!loop.request->follow) {
      std::string topic = rd_kafka_topic_name(msg->rkt);
      auto it = loop.partitions.find({topic, msg->partition});
      if (it != loop.partitions.end()) MarkDone(loop, topic, msg->partition, it->second);
    }
    return true;
  }
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::string where = msg->rkt != nullptr
                            ? PartitionName(rd_kafka_topic_name(msg->rkt), msg->partition)
                            : std::string("the cluster");
    return ErrorStatus(msg->err, fmt::format("consume from {}", where),
                       rd_kafka_message_errstr(msg));
  }
  KQ_RETURN_IF_ERROR(Deliver(loop, msg, view));
  if (loop.request->max_records && loop.delivered >= *loop.request->max_records) return false;
  if (loop.group_mode && std::chrono::steady_clock::now() - loop.last_commit >= kCommitInterval) {
    KQ_RETURN_IF_ERROR(Commit(loop));
  }
  return true;
}

Status RunLoop(Loop& loop) {
  format::RecordView view;
  // Without follow, a group that never assigns anything is an error, not
  // a hang.
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(std::max(30000, loop.client->timeout_ms() * 3));
  for (;;) {
    if (!loop.error.ok()) return loop.error;
    if (AllDone(loop)) return Status::Ok();
    if (loop.request->max_records && loop.delivered >= *loop.request->max_records) {
      return Status::Ok();
    }
    if (loop.request->stop != nullptr && loop.request->stop->load()) return Status::Ok();
    if (loop.group_mode && !loop.assigned && !loop.request->follow &&
        std::chrono::steady_clock::now() > deadline) {
      return Status::IoError(fmt::format("group '{}': no partitions assigned within {} ms",
                                         loop.request->group,
                                         std::max(30000, loop.client->timeout_ms() * 3)));
    }
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(loop.client->handle(), kPollMs);
    Result<bool> more = Step(loop, msg, &view);
    if (msg != nullptr) rd_kafka_message_destroy(msg);
    if (!more.ok()) return more.status();
    if (!*more) return Status::Ok();
  }
}

}  // namespace

Status ConsumeRange(const ClusterConfig& config, const ConsumeRequest& request,
                    const RecordSink& sink, const FlushHook& flush) {
  if (request.topics.empty()) return Status::InvalidArgument("no topic to consume");
  Loop loop;
  loop.request = &request;
  loop.sink = &sink;
  loop.flush = &flush;
  loop.group_mode = !request.group.empty();
  std::vector<Property> defaults = {
      {"enable.partition.eof", "true"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
  };
  if (loop.group_mode) {
    using Kind = StartPosition::Kind;
    if (request.start.kind != Kind::kBeginning && request.start.kind != Kind::kEnd) {
      return Status::InvalidArgument(fmt::format(
          "group '{}' starts at its committed offsets; where it has none, it can only start "
          "at the beginning or the end",
          request.group));
    }
    defaults.push_back({"group.id", request.group});
    defaults.push_back(
        {"auto.offset.reset", request.start.kind == Kind::kEnd ? "latest" : "earliest"});
  } else {
    // librdkafka's KafkaConsumer wants a group.id even for rd_kafka_assign;
    // without subscribe it joins nothing, and nothing is ever committed.
    defaults.push_back({"group.id", "kq-consume"});
  }
  KQ_ASSIGN_OR_RETURN(
      std::unique_ptr<Client> client,
      Client::Open(config, Client::Kind::kConsumer, defaults, [&](rd_kafka_conf_t* conf) {
        if (loop.group_mode) rd_kafka_conf_set_rebalance_cb(conf, &OnRebalance);
      }));
  client->set_user_data(&loop);
  client->set_leave_group_on_destroy(loop.group_mode);
  loop.client = client.get();
  // Reachability first: a wrong -b fails here within the timeout.
  KQ_RETURN_IF_ERROR(client->Topics().status());
  KQ_RETURN_IF_ERROR(loop.group_mode ? Subscribe(loop) : AssignRange(loop));
  Status s = RunLoop(loop);
  // Whatever happened, commit what was printed (the sink's own failure
  // included: records before it were delivered).
  Status commit = Commit(loop);
  if (!s.ok()) return s;
  return commit;
}

}  // namespace kq::kafka
