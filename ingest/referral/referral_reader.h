// ReferralReader: streams the referrals of one intake file, one record at a time, in any supported
// format (CyberTipline-like JSON: one object, an array or JSON Lines; peer-to-peer monitoring CSV;
// generic CSV with a column map). Memory is bounded by the largest single record, never the file.
// One bad record never stops the rest: it comes back as a ReferralRecord with a non-OK status and its
// record number and line; Next() itself fails only when the file cannot be read on.
// One thread at a time per reader.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hashing/status.h"
#include "ingest/referral/referral.h"

namespace hashtriage::ingest {

enum class ReferralFormat : std::uint8_t { kAuto = 0, kCybertip = 1, kP2p = 2, kCsv = 3 };
// "auto", "cybertip", "p2p", "csv".
std::string_view ReferralFormatName(ReferralFormat format);
Result<ReferralFormat> ParseReferralFormat(std::string_view name);

// ISO 8601 text (with or without an offset) -> Unix seconds UTC.
using TimeParser = std::function<Result<std::int64_t>(std::string_view)>;

struct ReferralReaderOptions {
  // The file's format. kAuto: JSON when the first non-blank byte is '{' or '['; CSV whose header has
  // client_guid and observed_at is P2P; any other CSV needs `columns`. Default: kAuto.
  ReferralFormat format = ReferralFormat::kAuto;
  // For generic CSV: "field=Column Header,field=Other" mapping hashtriage's field names (see
  // kCsvFields in csv_referral_parser.cc, listed by CsvFieldNames()) to the file's column headers.
  // Default: "" (the file's headers must already be hashtriage's field names).
  std::string columns;
  // A record (JSON element or CSV record, which may span lines) longer than this is reported as bad
  // and skipped. Default: 16 MiB.
  std::size_t max_record_bytes = 16u << 20;
  // Parses the times in the file. Default: null = a built-in ISO 8601 parser; the engine passes its own.
  TimeParser parse_time;
  // Phone numbers without a country code are national numbers of this region (ISO 3166-1 alpha-2),
  // normalised to E.164 (phone_number.h). Default: "GB".
  std::string phone_region = std::string(kDefaultPhoneRegion);
};

struct ReferralRecord {
  std::uint64_t number = 0;  // 1-based record number in the file (JSON element or CSV data row)
  std::uint64_t line = 0;    // 1-based line where the record starts
  Status status;             // not OK: the record is bad and `referral` must not be used
  Referral referral;         // its `warnings` name the fields that were dropped
};

class ReferralReader {
 public:
  virtual ~ReferralReader() = default;
  // The next record, or nullopt at the end of the file.
  virtual Result<std::optional<ReferralRecord>> Next() = 0;
  virtual ReferralFormat format() const = 0;
  // Bytes of the file read so far (for progress displays).
  virtual std::uint64_t bytes_read() const = 0;
};

Result<std::unique_ptr<ReferralReader>> OpenReferralReader(const std::string& path,
                                                           const ReferralReaderOptions& options = {});

// The generic CSV field names accepted in ReferralReaderOptions::columns.
std::vector<std::string_view> CsvFieldNames();

}  // namespace hashtriage::ingest
