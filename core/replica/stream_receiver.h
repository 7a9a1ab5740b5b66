// The receiving side of the replication stream (stream_format.h): applies
// frames to a follower directory with the sync rules (follower.h): TOPIC
// creates or aligns the topic, PARTITION runs the divergence and log-start
// rules against the sender's offsets and epochs, BATCHES appends verbatim.
// Each frame is checked whole (CRC, payload, every batch's CRC) before any
// of it is applied, so a corrupt frame changes nothing; what earlier frames
// applied stays, and the next run continues from there.
//
// Thread safety: one receiver per directory at a time.
#pragma once

#include "base/result.h"
#include "log/log_dir.h"
#include "replica/stream_format.h"
#include "replica/sync.h"

namespace kq::replica {

// Reads frames until END. Errors name the frame and its byte position.
Result<SyncSummary> Receive(stream::StreamReader& reader, const log::LogDir& dest);

}  // namespace kq::replica
