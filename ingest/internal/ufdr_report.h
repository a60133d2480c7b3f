// UfdrReportParser: a streaming reader (expat) of a Cellebrite-style report.xml (namespace
// http://pa.cellebrite.com/report/2.0) that keeps only what ingest needs: for each
//   <file path="/device/path" deleted="Deleted|Intact" size=".."> ... <accessInfo><timestamp
//   name="CreationTime|ModifyTime|AccessTime" [formattedTimestamp=".."]>ISO-8601</timestamp>
//   ... <metadata section="File"><item name="Local Path"><![CDATA[files\Image\a.jpg]]></item>
// the package-internal "Local Path" (normalised to '/' separators) mapped to the device path, deleted flag
// and times. report.xml may be gigabytes, so it is fed in chunks. Element names are matched without their
// namespace prefix. External entities are never loaded; expat's amplification limits stay on.
// One thread; not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "hashing/status.h"

namespace hashtriage::ingest::internal {

struct UfdrFileRecord {
  std::string device_path;  // raw, as in report.xml
  bool deleted = false;
  std::optional<std::int64_t> created, modified, accessed;  // unix seconds UTC
  bool matched = false;  // set by the source when the package entry is found
};

struct UfdrReport {
  // Keyed by NormalizeUfdrLocalPath(local path).
  std::unordered_map<std::string, UfdrFileRecord> files;
  std::uint64_t file_elements = 0;        // <file> elements seen
  std::uint64_t without_local_path = 0;   // <file> elements with no Local Path (not in the package)
};

// "files\Image\a.jpg" -> "files/Image/a.jpg"; drops leading "./" and '/'.
std::string NormalizeUfdrLocalPath(std::string_view local_path);

// "2019-05-04T12:34:56.123+02:00", "...Z", or without zone (taken as UTC) -> unix seconds.
std::optional<std::int64_t> ParseIso8601(std::string_view text);

class UfdrReportParser {
 public:
  UfdrReportParser();
  ~UfdrReportParser();
  UfdrReportParser(const UfdrReportParser&) = delete;
  UfdrReportParser& operator=(const UfdrReportParser&) = delete;

  // Feeds the next chunk; Corruption with line/column on malformed XML.
  Status Feed(std::span<const std::byte> chunk);
  // Ends the document and returns what was collected.
  Result<UfdrReport> Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace hashtriage::ingest::internal
