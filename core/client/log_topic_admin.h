// LogTopicAdmin: TopicAdmin (client/topic_admin.h) over a log directory
// (log/log_dir.h for metadata, LogDir::OpenPartition for partitions,
// log/partition_stats.h for describe's exact counts, maint/delete_records.h
// for trims).
//
// The directory is opened on first use, never before: CreateTopic creates
// it when missing, ListTopics of a missing directory lists nothing (as `ls`
// of an empty folder would), everything else is NotFound for it.
//
// Thread safety: one thread at a time. The Env must outlive the admin.
#pragma once

#include <optional>
#include <string>

#include "client/topic_admin.h"
#include "io/env.h"
#include "log/log_dir.h"

namespace kq::client {

class LogTopicAdmin final : public TopicAdmin {
 public:
  LogTopicAdmin(io::Env* env, std::string path) : env_(env), path_(std::move(path)) {}

  std::string Location() const override { return "in " + path_; }
  Status CheckConfig(const log::ConfigChange& change) const override;
  Result<std::vector<TopicListing>> ListTopics() override;
  Result<int32_t> PartitionCount(std::string_view topic) override;
  Result<std::vector<TopicDetail>> DescribeTopics(const std::vector<std::string>& topics) override;
  Status CreateTopic(const NewTopicSpec& spec) override;
  Status DeleteTopic(std::string_view topic) override;
  Status AlterConfig(std::string_view topic,
                     const std::vector<log::ConfigChange>& changes) override;
  Status AddPartitions(std::string_view topic, int32_t total) override;
  Result<std::vector<PartitionOffsets>> ListOffsets(std::string_view topic,
                                                    std::optional<int64_t> at_ms) override;
  Result<std::vector<TrimmedPartition>> DeleteRecords(const std::vector<TopicSelection>& targets,
                                                      const maint::DeleteBefore& before) override;

 private:
  // The directory, opened (and with create_if_missing created) once.
  Result<log::LogDir*> Dir(bool create_if_missing = false);
  Result<TopicDetail> Describe(const log::LogDir& dir, std::string_view topic);

  io::Env* env_;
  std::string path_;
  std::optional<log::LogDir> dir_;
};

}  // namespace kq::client
