#include "ingest/referral/referral_reader.h"

#include <cctype>

#include "ingest/internal/ufdr_report.h"
#include "ingest/csv_reader.h"
#include "ingest/referral/json_record_splitter.h"
#include "ingest/referral/phone_number.h"
#include "ingest/referral/record_parsers.h"
#include "ingest/text_input.h"

namespace hashtriage::ingest {

using referral_internal::CsvColumns;
using referral_internal::JsonRecordSplitter;

namespace {

bool IsBlank(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Result<std::int64_t> BuiltinTime(std::string_view text) {
  // The UFDR parser wants a time of day; a bare date is midnight UTC.
  const bool date_only = text.size() == 10 && text[4] == '-' && text[7] == '-';
  auto t = internal::ParseIso8601(date_only ? std::string(text) + "T00:00:00Z" : std::string(text));
  if (!t) return Status::InvalidArgument("invalid ISO 8601 time '" + std::string(text.substr(0, 64)) + "'");
  return *t;
}

class CybertipReader final : public ReferralReader {
 public:
  CybertipReader(std::unique_ptr<TextInput> input, const ReferralReaderOptions& options, bool json_lines)
      : input_(std::move(input)), splitter_(*input_, options.max_record_bytes, json_lines), options_(options) {}

  Result<std::optional<ReferralRecord>> Next() override {
    auto text = splitter_.Next();
    if (!text) {
      if (!input_->status().ok()) return input_->status();
      return std::optional<ReferralRecord>();
    }
    ReferralRecord record;
    record.number = text->number;
    record.line = text->line;
    record.status = text->status;
    if (record.status.ok()) {
      try {
        const nlohmann::json report = nlohmann::json::parse(text->text);
        auto parsed = referral_internal::ParseCybertipReport(report, options_);
        if (parsed.ok()) {
          record.referral = std::move(parsed).value();
        } else {
          record.status = parsed.status();
        }
      } catch (const nlohmann::json::exception& e) {
        std::string what = e.what();
        if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
        record.status = Status::Corruption("invalid JSON: " + what);
      }
    }
    return std::optional<ReferralRecord>(std::move(record));
  }
  ReferralFormat format() const override { return ReferralFormat::kCybertip; }
  std::uint64_t bytes_read() const override { return input_->offset(); }

 private:
  std::unique_ptr<TextInput> input_;
  JsonRecordSplitter splitter_;
  ReferralReaderOptions options_;
};

class CsvReferralReader final : public ReferralReader {
 public:
  // `p2p`: nullopt decides from the header (observed_at and client_guid columns, no column map).
  CsvReferralReader(std::unique_ptr<CsvReader> csv, const ReferralReaderOptions& options, std::optional<bool> p2p)
      : csv_(std::move(csv)), options_(options), p2p_(p2p.value_or(false)), decide_p2p_(!p2p) {}

  // Reads the header row; an unusable header fails the whole file.
  Status ReadHeader() {
    const std::string& path = csv_->input().path();
    const CsvRecord* header = nullptr;
    do {
      HT_ASSIGN_OR_RETURN(header, csv_->Next());
    } while (header != nullptr && header->blank());
    if (header == nullptr) return Status::InvalidArgument(path + ": empty CSV file");
    if (!header->status.ok()) {
      return Status::InvalidArgument(path + ": line " + std::to_string(header->line) + ": header: " +
                                     header->status.message());
    }
    if (decide_p2p_ && options_.columns.empty()) {
      bool observed = false, guid = false;
      for (const std::string& cell : header->fields) {
        const std::string name = referral_internal::NormalizeFieldName(cell);
        observed = observed || name == "observed_at";
        guid = guid || name == "client_guid";
      }
      p2p_ = observed && guid;
    }
    auto columns = CsvColumns::Make(header->fields, options_.columns, p2p_);
    if (!columns.ok()) return columns.status().WithContext(path);
    columns_ = std::move(columns).value();
    return Status::Ok();
  }

  Result<std::optional<ReferralRecord>> Next() override {
    for (;;) {
      HT_ASSIGN_OR_RETURN(const CsvRecord* row, csv_->Next());
      if (row == nullptr) return std::exchange(group_, std::nullopt);
      if (row->status.ok() && row->blank()) continue;
      ReferralRecord record;
      record.number = ++rows_;
      record.line = row->line;
      record.status = row->status;
      if (record.status.ok()) {
        auto parsed = referral_internal::ParseCsvReferral(*columns_, row->fields, p2p_, options_);
        if (parsed.ok()) {
          record.referral = std::move(parsed).value();
        } else {
          record.status = parsed.status();
        }
      }
      if (!record.status.ok()) return std::optional<ReferralRecord>(std::move(record));
      // Consecutive generic rows of one report (one row per file) make one referral.
      const std::string& report_id = record.referral.report_id;
      if (group_ && !report_id.empty() && report_id == group_->referral.report_id) {
        for (std::string& w : record.referral.warnings) w = "line " + std::to_string(record.line) + ": " + w;
        referral_internal::MergeCsvReferral(group_->referral, std::move(record.referral));
        continue;
      }
      if (p2p_ || report_id.empty()) {
        if (group_) {
          std::optional<ReferralRecord> out = std::exchange(group_, std::nullopt);
          group_ = std::move(record);
          return out;
        }
        return std::optional<ReferralRecord>(std::move(record));
      }
      std::optional<ReferralRecord> out = std::exchange(group_, std::move(record));
      if (out) return out;
    }
  }
  ReferralFormat format() const override { return p2p_ ? ReferralFormat::kP2p : ReferralFormat::kCsv; }
  std::uint64_t bytes_read() const override { return csv_->input().offset(); }

 private:
  std::unique_ptr<CsvReader> csv_;
  ReferralReaderOptions options_;
  bool p2p_;
  bool decide_p2p_;
  std::optional<CsvColumns> columns_;
  std::uint64_t rows_ = 0;
  std::optional<ReferralRecord> group_;  // a generic report waiting for more of its rows
};

// Sniffs the format from the first bytes (leading blank lines are skipped; they hold no record).
Result<ReferralFormat> DetectFormat(TextInput& input) {
  while (IsBlank(input.Peek())) input.Get();
  const int first = input.Peek();
  if (first == '{' || first == '[') return ReferralFormat::kCybertip;
  if (first == TextInput::kEof) return input.status().ok() ? ReferralFormat::kCybertip : Result<ReferralFormat>(input.status());
  return ReferralFormat::kCsv;  // P2P or generic: decided from the header
}

}  // namespace

std::string_view ReferralFormatName(ReferralFormat format) {
  switch (format) {
    case ReferralFormat::kAuto: return "auto";
    case ReferralFormat::kCybertip: return "cybertip";
    case ReferralFormat::kP2p: return "p2p";
    case ReferralFormat::kCsv: return "csv";
  }
  return "auto";
}

Result<ReferralFormat> ParseReferralFormat(std::string_view name) {
  for (ReferralFormat f : {ReferralFormat::kAuto, ReferralFormat::kCybertip, ReferralFormat::kP2p, ReferralFormat::kCsv}) {
    if (name == ReferralFormatName(f)) return f;
  }
  return Status::InvalidArgument("unknown referral format '" + std::string(name) + "' (auto, cybertip, p2p, csv)");
}

Result<std::unique_ptr<ReferralReader>> OpenReferralReader(const std::string& path,
                                                           const ReferralReaderOptions& options) {
  HT_ASSIGN_OR_RETURN(auto input, TextInput::Open(path));
  ReferralReaderOptions effective = options;
  if (!effective.parse_time) effective.parse_time = BuiltinTime;
  if (!IsSupportedPhoneRegion(effective.phone_region)) {
    return Status::InvalidArgument("unknown phone region '" + effective.phone_region +
                                   "' (an ISO 3166-1 alpha-2 code such as GB or US)");
  }
  ReferralFormat format = options.format;
  if (format == ReferralFormat::kAuto) {
    HT_ASSIGN_OR_RETURN(format, DetectFormat(*input));
  }
  if (format == ReferralFormat::kCybertip) {
    const bool json_lines = EndsWith(path, ".jsonl") || EndsWith(path, ".ndjson");
    return std::unique_ptr<ReferralReader>(new CybertipReader(std::move(input), effective, json_lines));
  }
  // Auto: a CSV whose header has the P2P monitoring columns is P2P; any other is generic.
  std::optional<bool> p2p;
  if (options.format != ReferralFormat::kAuto) p2p = format == ReferralFormat::kP2p;
  HT_ASSIGN_OR_RETURN(const char delimiter, SniffCsvDelimiter(*input, ",\t"));
  CsvReaderOptions csv_options;
  csv_options.delimiter = delimiter;
  csv_options.max_record_bytes = effective.max_record_bytes;
  HT_ASSIGN_OR_RETURN(auto csv, CsvReader::Make(std::move(input), csv_options));
  auto reader = std::make_unique<CsvReferralReader>(std::move(csv), effective, p2p);
  HT_RETURN_IF_ERROR(reader->ReadHeader());
  return std::unique_ptr<ReferralReader>(std::move(reader));
}

}  // namespace hashtriage::ingest
