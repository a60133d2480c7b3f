#include "engine/risk/vics_export.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>

#include "engine/record_codec.h"
#include "engine/subjects/subject_evidence.h"
#include "index/category_map.h"

namespace hashtriage::engine::risk {

namespace {

using Json = nlohmann::json;
using OJson = nlohmann::ordered_json;

std::string Str(const Json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Category -> the profile's number: the first number mapping to it; A/B/C fall back to the number
// of "indecent-uncategorised" in profiles without grades (US), and anything unmapped to 0.
class CategoryNumbers {
 public:
  explicit CategoryNumbers(const index::CategoryMap& map) {
    for (std::int64_t n = 99; n >= 0; --n) {
      if (auto c = map.Map(n)) number_[*c] = n;
    }
  }
  std::int64_t Of(index::Category c) const {
    if (auto it = number_.find(c); it != number_.end()) return it->second;
    if (c == index::Category::kA || c == index::Category::kB || c == index::Category::kC) {
      return Of(index::Category::kIndecentUncategorised);
    }
    return 0;
  }

 private:
  std::map<index::Category, std::int64_t> number_;
};

struct Media {
  std::string md5, sha1, sha256, pdq;
  std::optional<std::uint64_t> size;
  index::Category category = index::Category::kUnknown;
  bool have_category = false;
  std::vector<std::string> comments;
  std::string series;
  OJson files = OJson::array();
};

class Collector {
 public:
  void AddFile(const Json& file, const std::string& file_path, const std::string& source_id, bool from_scan) {
    const Json& hits = file.is_object() && file.contains("hits") ? file["hits"] : Json();
    if (!hits.is_array() || hits.empty()) return;
    const std::string md5 = Str(file, "md5"), sha1 = Str(file, "sha1"), pdq = Str(file, "pdq");
    const std::string key = !md5.empty() ? "md5:" + md5 : !sha1.empty() ? "sha1:" + sha1 : "pdq:" + pdq;
    if (key == "pdq:") return;  // nothing to identify the content by
    auto [it, fresh] = index_.try_emplace(key, media_.size());
    if (fresh) media_.emplace_back();
    Media& m = media_[it->second];
    if (m.md5.empty()) m.md5 = md5;
    if (m.sha1.empty()) m.sha1 = sha1;
    if (m.sha256.empty()) m.sha256 = Str(file, "sha256");
    if (m.pdq.empty()) m.pdq = pdq;
    if (!m.size && file.contains("size") && file["size"].is_number_unsigned()) m.size = file["size"].get<std::uint64_t>();
    for (const auto& h : hits) {
      const auto category = index::ParseCategory(Str(h, "category")).value_or(index::Category::kUnknown);
      if (category == index::Category::kIgnorable) continue;
      if (!m.have_category || subjects::CategorySeverity(category) < subjects::CategorySeverity(m.category)) {
        m.category = category;
        m.have_category = true;
      }
      std::string comment = "hashtriage: " + Str(h, "kind") + " match in set '" + Str(h, "set") + "' (" +
                            std::string(index::CategoryName(category)) + ")";
      if (Str(h, "kind").starts_with("pdq") || Str(h, "kind") == "region") comment += " distance " + std::to_string(h.value("distance", 0));
      if (std::find(m.comments.begin(), m.comments.end(), comment) == m.comments.end()) m.comments.push_back(comment);
      if (m.series.empty()) m.series = Str(h, "series");
    }
    OJson f;
    f["MD5"] = md5.empty() ? OJson(nullptr) : OJson(Upper(md5));
    f["FileName"] = std::filesystem::path(file_path).filename().string();
    f["FilePath"] = file_path;
    f["Created"] = file.contains("created") ? OJson(file["created"]) : OJson(nullptr);
    f["Written"] = file.contains("modified") ? OJson(file["modified"]) : OJson(nullptr);
    f["Accessed"] = file.contains("accessed") ? OJson(file["accessed"]) : OJson(nullptr);
    f["Unallocated"] = from_scan && file.value("carved", false);
    f["Deleted"] = from_scan && file.value("deleted", false);
    f["SourceID"] = source_id;
    f["PhysicalLocation"] = nullptr;
    m.files.push_back(std::move(f));
    ++files_;
  }

  Status AddScan(const CaseStore& store, const Json& evidence) {
    const auto number = evidence.value("number", std::uint32_t{0});
    const std::string id = Str(evidence, "id").empty() ? "evidence " + std::to_string(number) : Str(evidence, "id");
    Status bad;
    HT_RETURN_IF_ERROR(store.Scan(Table::kFiles, EncodeU32(number), [&](std::string_view key, std::string_view value) {
      auto file = DecodeRecord(value);
      if (!file.ok()) {
        bad = Status::Corruption("file record " + std::to_string(number) + "/" +
                                 std::to_string(DecodeU64(key.substr(4))) + ": " + file.status().message());
        return false;
      }
      const std::string path = Str(*file, "original_path").empty() ? Str(*file, "path") : Str(*file, "original_path");
      AddFile(*file, path, id, true);
      return true;
    }));
    return bad;
  }

  void AddReferral(const Json& referral) {
    const std::string id = "referral:" + Str(referral, "id");
    if (!referral.contains("files") || !referral["files"].is_array()) return;
    for (const auto& file : referral["files"]) AddFile(file, id + "/" + Str(file, "name"), id, false);
  }

  OJson MediaJson(const CategoryNumbers& numbers) const {
    OJson out = OJson::array();
    std::int64_t media_id = 0;
    for (const Media& m : media_) {
      OJson j;
      j["MediaID"] = ++media_id;
      j["Category"] = numbers.Of(m.category);
      j["MD5"] = m.md5.empty() ? OJson(nullptr) : OJson(Upper(m.md5));
      j["SHA1"] = m.sha1.empty() ? OJson(nullptr) : OJson(Upper(m.sha1));
      j["MediaSize"] = m.size ? OJson(*m.size) : OJson(nullptr);
      j["IsPrecategorized"] = true;
      j["Series"] = m.series.empty() ? OJson(nullptr) : OJson(m.series);
      std::string comments;
      for (const auto& c : m.comments) comments += (comments.empty() ? "" : "; ") + c;
      j["Comments"] = comments;
      OJson alt = OJson::array();
      if (!m.pdq.empty()) alt.push_back({{"HashName", "PDQ"}, {"HashValue", m.pdq}});
      if (!m.sha256.empty()) alt.push_back({{"HashName", "SHA256"}, {"HashValue", Upper(m.sha256)}});
      j["AltHash"] = std::move(alt);
      j["MediaFiles"] = m.files;
      out.push_back(std::move(j));
    }
    return out;
  }

  std::size_t media() const { return media_.size(); }
  std::size_t files() const { return files_; }

 private:
  std::map<std::string, std::size_t> index_;
  std::vector<Media> media_;
  std::size_t files_ = 0;
};

Result<std::vector<Json>> AllRecords(const CaseStore& store, Table table) {
  std::vector<Json> out;
  Status bad;
  HT_RETURN_IF_ERROR(store.Scan(table, "", [&](std::string_view, std::string_view value) {
    auto j = DecodeRecord(value);
    if (!j.ok()) {
      bad = j.status().WithContext(std::string(TableName(table)));
      return false;
    }
    out.push_back(std::move(j).value());
    return true;
  }));
  HT_RETURN_IF_ERROR(bad);
  return out;
}

}  // namespace

Result<VicsExport> BuildVicsExport(const CaseStore& store, const VicsExportOptions& options) {
  HT_ASSIGN_OR_RETURN(index::CategoryMap map, index::CategoryMap::Builtin(options.profile));
  Collector collector;
  std::vector<Json> scans;
  std::vector<Json> referrals;
  if (options.subject_id.empty()) {
    HT_ASSIGN_OR_RETURN(scans, AllRecords(store, Table::kEvidence));
    HT_ASSIGN_OR_RETURN(referrals, AllRecords(store, Table::kReferrals));
  } else {
    HT_ASSIGN_OR_RETURN(auto evidence, subjects::GatherSubjectEvidence(store, options.subject_id));
    for (auto& s : evidence.scans) scans.push_back(std::move(s.record));
    referrals = std::move(evidence.referrals);
  }
  for (const auto& s : scans) HT_RETURN_IF_ERROR(collector.AddScan(store, s));
  for (const auto& r : referrals) collector.AddReferral(r);

  const std::string profile = options.profile == "us" ? "US" : "UK";
  OJson header;
  header["CaseID"] = options.case_id.empty() ? std::filesystem::path(store.path()).filename().string() : options.case_id;
  header["CaseNumber"] = header["CaseID"];
  header["Contact"] = options.contact;
  header["SourceApplicationName"] = "hashtriage";
  header["SourceApplicationVersion"] = HASHTRIAGE_VERSION;
  header["Media"] = collector.MediaJson(CategoryNumbers(map));
  VicsExport out;
  out.document["@odata.context"] =
      "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/" + profile + "/$metadata#Cases";
  out.document["value"] = OJson::array({std::move(header)});
  out.media = collector.media();
  out.media_files = collector.files();
  return out;
}

}  // namespace hashtriage::engine::risk
