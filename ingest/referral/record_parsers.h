// The per-record parsers behind ReferralReader: a CyberTipline-like JSON report object, a peer-to-peer
// monitoring CSV row and a generic CSV row (through a column map) each become one Referral. A malformed
// field is dropped with a warning on the Referral; a record with nothing usable left is an
// InvalidArgument giving the reason and the warnings. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "hashing/status.h"
#include "ingest/referral/referral.h"
#include "ingest/referral/referral_reader.h"

namespace hashtriage::ingest::referral_internal {

// One provider report. Every field is optional; present fields must have the documented types.
// Uses options.parse_time (never null here) and options.phone_region.
Result<Referral> ParseCybertipReport(const nlohmann::json& report, const ReferralReaderOptions& options);

// Maps hashtriage's CSV field names to column positions of one file (from its header row).
class CsvColumns {
 public:
  // `header`: the file's header cells. `mapping`: "field=Header,..." ("" = headers are field names).
  // `p2p`: the fixed peer-to-peer monitoring header (observed_at,network,client_guid,ip,port,...).
  static Result<CsvColumns> Make(const std::vector<std::string>& header, std::string_view mapping, bool p2p);
  // The cell of `field` in `row`, "" when the field is not mapped or the row is short.
  std::string_view Get(const std::vector<std::string>& row, std::string_view field) const;
  bool Has(std::string_view field) const;

 private:
  std::vector<std::pair<std::string, std::size_t>> positions_;  // field -> column
};

// One data row. `p2p` rows are offers; generic rows may carry any mapped field.
Result<Referral> ParseCsvReferral(const CsvColumns& columns, const std::vector<std::string>& row, bool p2p,
                                  const ReferralReaderOptions& options);

// Appends the rows of one generic-CSV report (same report_id on consecutive rows) into `into`.
void MergeCsvReferral(Referral& into, Referral&& row);

// "<format>:sha256:<first 32 hex digits of SHA-256(content)>".
std::string ContentId(std::string_view format, std::string_view content);

// A raw value for a message: at most 64 bytes (cut at a UTF-8 character boundary, "..." added).
std::string QuoteForMessage(std::string_view value);
// Adds the warning "<why's message>: dropped".
void DropField(Referral& r, const Status& why);
// Stores a good value in `out`; a bad one is dropped with a warning (DropField). True when kept.
template <typename T>
bool KeepOrDrop(Result<T> value, T& out, Referral& r) {
  if (!value.ok()) {
    DropField(r, value.status());
    return false;
  }
  out = std::move(value).value();
  return true;
}
// InvalidArgument "<reason>; <warning>; ..." for a record with nothing usable left.
Status RejectWithWarnings(std::string_view reason, const Referral& r);

// Headers are matched lowercased with spaces and '-' as '_'.
std::string NormalizeFieldName(std::string_view name);

}  // namespace hashtriage::ingest::referral_internal
