// The request handlers, one file each (handle_*.cc). Each decodes its
// request, acts on the log directory through the Broker, and answers
// exactly once: at once, or later for requests that wait.
#pragma once

#include "protocol/error_codes.h"
#include "server/broker.h"
#include "server/request.h"

namespace kq::server {

void HandleApiVersions(Broker& broker, const RequestPtr& request);
void HandleMetadata(Broker& broker, const RequestPtr& request);
void HandleProduce(Broker& broker, const RequestPtr& request);
void HandleFetch(Broker& broker, const RequestPtr& request);
void HandleListOffsets(Broker& broker, const RequestPtr& request);
void HandleFindCoordinator(Broker& broker, const RequestPtr& request);
void HandleCreateTopics(Broker& broker, const RequestPtr& request);
void HandleDeleteTopics(Broker& broker, const RequestPtr& request);
void HandleDescribeConfigs(Broker& broker, const RequestPtr& request);
void HandleInitProducerId(Broker& broker, const RequestPtr& request);
void HandleOffsetForLeaderEpoch(Broker& broker, const RequestPtr& request);
void HandleCreatePartitions(Broker& broker, const RequestPtr& request);
void HandleAlterConfigs(Broker& broker, const RequestPtr& request);
void HandleIncrementalAlterConfigs(Broker& broker, const RequestPtr& request);
void HandleDeleteRecords(Broker& broker, const RequestPtr& request);
void HandleDescribeCluster(Broker& broker, const RequestPtr& request);
void HandleJoinGroup(Broker& broker, const RequestPtr& request);
void HandleSyncGroup(Broker& broker, const RequestPtr& request);
void HandleHeartbeat(Broker& broker, const RequestPtr& request);
void HandleLeaveGroup(Broker& broker, const RequestPtr& request);
void HandleOffsetCommit(Broker& broker, const RequestPtr& request);
void HandleOffsetFetch(Broker& broker, const RequestPtr& request);
void HandleOffsetDelete(Broker& broker, const RequestPtr& request);
void HandleListGroups(Broker& broker, const RequestPtr& request);
void HandleDescribeGroups(Broker& broker, const RequestPtr& request);
void HandleDeleteGroups(Broker& broker, const RequestPtr& request);
void HandleSaslHandshake(Broker& broker, const RequestPtr& request);
void HandleSaslAuthenticate(Broker& broker, const RequestPtr& request);

// Decodes the request body into *message; a body that does not parse is
// logged and closes the connection (false), as Kafka does.
template <typename Message>
bool DecodeOrClose(const RequestPtr& request, Message* message) {
  if (Status s = request->Decode(message); !s.ok()) {
    LogRequestError(*request, "decode", s);
    request->CloseConnection();
    return false;
  }
  return true;
}

constexpr int16_t Code(protocol::ErrorCode code) { return static_cast<int16_t>(code); }

// The partition a read-side request (ListOffsets, OffsetForLeaderEpoch)
// names, refreshed, after the checks Kafka makes: read access, existence, and
// the client's current leader epoch (-1: no check). On failure the Kafka
// error code, and *partition is untouched.
int16_t OpenForRead(Broker& broker, const Request& request, const std::string& topic,
                    int32_t partition, int32_t current_leader_epoch, log::Partition** out);

}  // namespace kq::server
