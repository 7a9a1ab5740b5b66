// The request handlers, one file each (handle_*.cc). Each decodes its
// request, acts on the log directory through the Broker, and answers
// exactly once: at once, or later for requests that wait.
#pragma once

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

}  // namespace kq::server
