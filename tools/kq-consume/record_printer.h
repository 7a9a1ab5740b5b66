// Renders consumed records in kq-consume's output modes, appending to the
// output buffer with no allocation per record once buffers have grown:
//   value      VALUE DELIM                     (the default; DELIM is -D, \n)
//   key-value  KEY KDELIM VALUE DELIM          (-K KDELIM)
//   format     the -f template                 (RecordFormatter)
//   json       the -J envelope, then DELIM     (json_envelope.h)
// A null key or value prints as nothing in value and key-value modes.
//
// Thread safety: one thread at a time.
#pragma once

#include <string>
#include <vector>

#include "client/consumer.h"
#include "common/record_format.h"
#include "kq-consume/consume_settings.h"

namespace kq::tools::consume {

class RecordPrinter {
 public:
  // `settings` must outlive the printer.
  explicit RecordPrinter(const ConsumeSettings& settings) : settings_(settings) {}

  // Records from a log directory and from a cluster (kafka/consume.h) alike.
  void Print(const client::ConsumedRecord& r, std::string* out);

 private:
  FormattedRecord Convert(const client::ConsumedRecord& r);

  const ConsumeSettings& settings_;
  std::vector<HeaderView> headers_;  // reused between records
};

}  // namespace kq::tools::consume
