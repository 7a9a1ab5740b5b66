#include "kq-consume/record_printer.h"

#include "common/json_envelope.h"

namespace kq::tools::consume {

FormattedRecord RecordPrinter::Convert(const client::ConsumedRecord& r) {
  const format::RecordView& rec = *r.record;
  headers_.clear();
  for (const format::HeaderView& h : rec.headers) headers_.emplace_back(h.key, h.value);
  return FormattedRecord{r.topic,           r.partition, rec.offset, rec.timestamp,
                         r.log_append_time, rec.key,     rec.value,  headers_};
}

void RecordPrinter::Print(const client::ConsumedRecord& r, std::string* out) {
  const format::RecordView& rec = *r.record;
  switch (settings_.mode) {
    case OutputMode::kValue:
      if (rec.value.has_value()) out->append(*rec.value);
      out->append(settings_.delimiter);
      return;
    case OutputMode::kKeyValue:
      if (rec.key.has_value()) out->append(*rec.key);
      out->append(settings_.key_delimiter);
      if (rec.value.has_value()) out->append(*rec.value);
      out->append(settings_.delimiter);
      return;
    case OutputMode::kFormat:
      settings_.formatter->Render(Convert(r), out);
      return;
    case OutputMode::kJson:
      EncodeJsonEnvelope(Convert(r), out);
      out->append(settings_.delimiter);
      return;
  }
}

}  // namespace kq::tools::consume
