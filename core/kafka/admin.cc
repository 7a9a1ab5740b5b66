// See admin.h for which librdkafka calls are used and why.
#include "kafka/admin.h"

#include <algorithm>

#include <fmt/format.h>

namespace kq::kafka {
namespace {

Result<std::unique_ptr<Client>> OpenAdmin(const ClusterConfig& config) {
  return Client::Open(config, Client::Kind::kProducer);
}

// The error of one topic inside a CreateTopics/DeleteTopics result.
Status TopicResultStatus(const rd_kafka_topic_result_t* const* results, size_t n,
                         std::string_view context) {
  for (size_t i = 0; i < n; ++i) {
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return ErrorStatus(err, context, rd_kafka_topic_result_error_string(results[i]));
    }
  }
  return Status::Ok();
}

Result<std::vector<ConfigEntry>> DescribeConfigWith(Client& client, std::string_view topic) {
  std::string name(topic);
  std::string context = fmt::format("describe config of topic '{}'", topic);
  rd_kafka_ConfigResource_t* resource =
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name.c_str());
  Result<EventPtr> event =
      client.Admin(RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, context,
                   [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
                     rd_kafka_DescribeConfigs(client.handle(), &resource, 1, options, queue);
                   });
  rd_kafka_ConfigResource_destroy(resource);
  if (!event.ok()) return event.status();
  const rd_kafka_DescribeConfigs_result_t* result =
      rd_kafka_event_DescribeConfigs_result(event->get());
  size_t n = 0;
  const rd_kafka_ConfigResource_t** resources =
      rd_kafka_DescribeConfigs_result_resources(result, &n);
  std::vector<ConfigEntry> entries;
  for (size_t i = 0; i < n; ++i) {
    rd_kafka_resp_err_t err = rd_kafka_ConfigResource_error(resources[i]);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return ErrorStatus(err, context, rd_kafka_ConfigResource_error_string(resources[i]));
    }
    size_t count = 0;
    const rd_kafka_ConfigEntry_t** configs = rd_kafka_ConfigResource_configs(resources[i], &count);
    for (size_t j = 0; j < count; ++j) {
      ConfigEntry entry;
      entry.name = rd_kafka_ConfigEntry_name(configs[j]);
      if (const char* v = rd_kafka_ConfigEntry_value(configs[j])) entry.value = v;
      entry.is_default = rd_kafka_ConfigEntry_is_default(configs[j]) != 0;
      entry.read_only = rd_kafka_ConfigEntry_is_read_only(configs[j]) != 0;
      entry.sensitive = rd_kafka_ConfigEntry_is_sensitive(configs[j]) != 0;
      entries.push_back(std::move(entry));
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const ConfigEntry& a, const ConfigEntry& b) { return a.name < b.name; });
  return entries;
}

}  // namespace

Status CreateTopic(Client& client, const NewTopic& topic) {
  std::string context = fmt::format("create topic '{}'", topic.name);
  char errstr[512];
  rd_kafka_NewTopic_t* spec = rd_kafka_NewTopic_new(
      topic.name.c_str(), topic.partitions, topic.replication_factor, errstr, sizeof(errstr));
  if (spec == nullptr) return Status::InvalidArgument(fmt::format("{}: {}", context, errstr));
  for (const auto& [key, value] : topic.configs) {
    rd_kafka_resp_err_t err = rd_kafka_NewTopic_set_config(spec, key.c_str(), value.c_str());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_NewTopic_destroy(spec);
      return ErrorStatus(err, fmt::format("{}: --config {}", context, key));
    }
  }
  Result<EventPtr> event =
      client.Admin(RD_KAFKA_ADMIN_OP_CREATETOPICS, context,
                   [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
                     rd_kafka_CreateTopics(client.handle(), &spec, 1, options, queue);
                   });
  rd_kafka_NewTopic_destroy(spec);
  if (!event.ok()) return event.status();
  size_t n = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event->get()), &n);
  return TopicResultStatus(results, n, context);
}

Status CreateTopic(const ClusterConfig& config, const NewTopic& topic) {
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<Client> client, OpenAdmin(config));
  return CreateTopic(*client, topic);
}

Result<std::vector<TopicMetadata>> ListTopics(const ClusterConfig& config, bool include_internal) {
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<Client> client, OpenAdmin(config));
  KQ_ASSIGN_OR_RETURN(std::vector<TopicMetadata> topics, client->Topics());
  if (!include_internal) {
    std::erase_if(topics, [](const TopicMetadata& t) { return t.internal; });
  }
  return topics;
}

Result<TopicDescription> DescribeTopic(const ClusterConfig& config, std::string_view topic) {
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<Client> client, OpenAdmin(config));
  KQ_ASSIGN_OR_RETURN(TopicMetadata meta, client->Topic(topic));
  TopicDescription description;
  description.name = meta.name;
  for (size_t i = 0; i < meta.partitions.size(); ++i) {
    PartitionDescription p;
    p.partition = meta.partitions[i];
    p.leader = meta.leaders[i];
    KQ_ASSIGN_OR_RETURN(auto marks, client->Watermarks(topic, p.partition));
    p.start_offset = marks.first;
    p.end_offset = marks.second;
    description.partitions.push_back(p);
  }
  return description;
}

Result<std::vector<ConfigEntry>> DescribeTopicConfig(const ClusterConfig& config,
                                                     std::string_view topic) {
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<Client> client, OpenAdmin(config));
  KQ_RETURN_IF_ERROR(client->Topic(topic).status());
  return DescribeConfigWith(*client, topic);
}

Status AlterTopicConfig(const ClusterConfig& config, std::string_view topic,
                        const std::map<std::string, std::string>& set,
                        const std::vector<std::string>& remove) {
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<Client> client, OpenAdmin(config));
  KQ_RETURN_IF_ERROR(client->Topic(topic).status());
  // AlterConfigs replaces the topic's dynamic configuration as a whole:
  // start from what is set now, then apply the changes.
  KQ_ASSIGN_OR_RETURN(std::vector<ConfigEntry> current, DescribeConfigWith(*client, topic));
  std::map<std::string, std::string> merged;
  for (const ConfigEntry& e : current) {
    if (!e.is_default && !e.read_only && !e.sensitive && e.value) merged[e.name] = *e.value;
  }
  for (const std::string& key : remove) merged.erase(key);
  for (const auto& [key, value] : set) merged[key] = value;

  std::string name(topic);
  std::string context = fmt::format("alter config of topic '{}'", topic);
  rd_kafka_ConfigResource_t* resource =
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name.c_str());
  for (const auto& [key, value] : merged) {
    rd_kafka_ConfigResource_set_config(resource, key.c_str(), value.c_str());
  }
  Result<EventPtr> event =
      client->Admin(RD_KAFKA_ADMIN_OP_ALTERCONFIGS, context,
                    [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
                      rd_kafka_AlterConfigs(client->handle(), &resource, 1, options, queue);
                    });
  rd_kafka_ConfigResource_destroy(resource);
  if (!event.ok()) return event.status();
  size_t n = 0;
  const rd_kafka_ConfigResource_t** resources =
      rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(event->get()), &n);
  for (size_t i = 0; i < n; ++i) {
    rd_kafka_resp_err_t err = rd_kafka_ConfigResource_error(resources[i]);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return ErrorStatus(err, context, rd_kafka_ConfigResource_error_string(resources[i]));
    }
  }
  return Status::Ok();
}

Status AddPartitions(const ClusterConfig& config, std::string_view topic, int32_t total) {
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<Client> client, OpenAdmin(config));
  KQ_RETURN_IF_ERROR(client->Topic(topic).status());
  std::string name(topic);
  std::string context = fmt::format("add partitions to topic '{}'", topic);
  char errstr[512];
  rd_kafka_NewPartitions_t* spec =
      rd_kafka_NewPartitions_new(name.c_str(), static_cast<size_t>(total), errstr, sizeof(errstr));
  if (spec == nullptr) return Status::InvalidArgument(fmt::format("{}: {}", context, errstr));
  Result<EventPtr> event =
      client->Admin(RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, context,
                    [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
                      rd_kafka_CreatePartitions(client->handle(), &spec, 1, options, queue);
                    });
  rd_kafka_NewPartitions_destroy(spec);
  if (!event.ok()) return event.status();
  size_t n = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreatePartitions_result_topics(
      rd_kafka_event_CreatePartitions_result(event->get()), &n);
  return TopicResultStatus(results, n, context);
}

Status DeleteTopic(const ClusterConfig& config, std::string_view topic) {
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<Client> client, OpenAdmin(config));
  KQ_RETURN_IF_ERROR(client->Topic(topic).status());
  std::string name(topic);
  std::string context = fmt::format("delete topic '{}'", topic);
  rd_kafka_DeleteTopic_t* spec = rd_kafka_DeleteTopic_new(name.c_str());
  Result<EventPtr> event =
      client->Admin(RD_KAFKA_ADMIN_OP_DELETETOPICS, context,
                    [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
                      rd_kafka_DeleteTopics(client->handle(), &spec, 1, options, queue);
                    });
  rd_kafka_DeleteTopic_destroy(spec);
  if (!event.ok()) return event.status();
  size_t n = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event->get()), &n);
  return TopicResultStatus(results, n, context);
}

Result<std::map<int32_t, int64_t>> OffsetsForTime(const ClusterConfig& config,
                                                  std::string_view topic, int64_t timestamp_ms) {
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<Client> client, OpenAdmin(config));
  KQ_ASSIGN_OR_RETURN(TopicMetadata meta, client->Topic(topic));
  std::string name(topic);
  PartitionListPtr list(
      rd_kafka_topic_partition_list_new(static_cast<int>(meta.partitions.size())));
  for (int32_t p : meta.partitions) {
    // offsets_for_times takes the timestamp in the offset field.
    rd_kafka_topic_partition_list_add(list.get(), name.c_str(), p)->offset = timestamp_ms;
  }
  std::string context = fmt::format("offsets of topic '{}' at time {}", topic, timestamp_ms);
  rd_kafka_resp_err_t err =
      rd_kafka_offsets_for_times(client->handle(), list.get(), client->timeout_ms());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return client->Unreachable(err, context);
  std::map<int32_t, int64_t> offsets;
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = list->elems[i];
    if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return ErrorStatus(tp.err,
                         fmt::format("{} ({})", context, PartitionName(topic, tp.partition)));
    }
    int64_t offset = tp.offset;
    if (offset < 0) {  // no record that late: the end of the partition
      KQ_ASSIGN_OR_RETURN(auto marks, client->Watermarks(topic, tp.partition));
      offset = marks.second;
    }
    offsets[tp.partition] = offset;
  }
  return offsets;
}

Result<std::map<int32_t, int64_t>> TrimTopic(const ClusterConfig& config, std::string_view topic,
                                             const std::map<int32_t, int64_t>& before_offset) {
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<Client> client, OpenAdmin(config));
  KQ_RETURN_IF_ERROR(client->Topic(topic).status());
  std::string name(topic);
  std::string context = fmt::format("trim topic '{}'", topic);
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(before_offset.size())));
  for (const auto& [partition, offset] : before_offset) {
    rd_kafka_topic_partition_list_add(list.get(), name.c_str(), partition)->offset = offset;
  }
  rd_kafka_DeleteRecords_t* request = rd_kafka_DeleteRecords_new(list.get());  // copies the list
  Result<EventPtr> event =
      client->Admin(RD_KAFKA_ADMIN_OP_DELETERECORDS, context,
                    [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
                      rd_kafka_DeleteRecords(client->handle(), &request, 1, options, queue);
                    });
  rd_kafka_DeleteRecords_destroy(request);
  if (!event.ok()) return event.status();
  const rd_kafka_topic_partition_list_t* result =
      rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(event->get()));
  std::map<int32_t, int64_t> start_offsets;
  for (int i = 0; result != nullptr && i < result->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = result->elems[i];
    if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return ErrorStatus(tp.err, fmt::format("trim {}", PartitionName(topic, tp.partition)));
    }
    start_offsets[tp.partition] = tp.offset;
  }
  return start_offsets;
}

}  // namespace kq::kafka
