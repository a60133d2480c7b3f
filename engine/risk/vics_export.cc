#include "engine/risk/vics_export.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "engine/case/case_settings.h"
#include "engine/case/evidence_catalogue.h"
#include "engine/case/referral_store.h"
#include "engine/subjects/subject_evidence.h"
#include "engine/time_util.h"
#include "index/category_map.h"

namespace hashtriage::engine::risk {

namespace {

using OJson = nlohmann::ordered_json;

OJson TimeOrNull(const std::optional<std::int64_t>& t) { return t ? OJson(FormatIso8601(*t)) : OJson(nullptr); }

// What the collector needs of a matched file, from a scan or a referral.
struct MatchedFile {
  std::string md5, sha1, sha256, pdq;
  std::optional<std::uint64_t> size;
  std::optional<std::int64_t> created, modified, accessed;
  bool carved = false, deleted = false;
  const std::vector<Hit>* hits = nullptr;
};

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
  bool precategorized = false;  // an exact hash match gave the category
  std::vector<std::string> comments;
  std::string series;
  OJson files = OJson::array();
};

class Collector {
 public:
  void AddFile(const MatchedFile& file, const std::string& file_path, const std::string& source_id, bool from_scan) {
    if (file.hits == nullptr || file.hits->empty()) return;
    const bool only_ignorable = std::all_of(file.hits->begin(), file.hits->end(),
                                            [](const Hit& h) { return h.category == index::Category::kIgnorable; });
    if (only_ignorable) {
      ++ignorable_;
      return;
    }
    const std::string key = !file.md5.empty() ? "md5:" + file.md5 : !file.sha1.empty() ? "sha1:" + file.sha1 : "pdq:" + file.pdq;
    if (key == "pdq:") return;  // nothing to identify the content by
    auto [it, fresh] = index_.try_emplace(key, media_.size());
    if (fresh) media_.emplace_back();
    Media& m = media_[it->second];
    if (m.md5.empty()) m.md5 = file.md5;
    if (m.sha1.empty()) m.sha1 = file.sha1;
    if (m.sha256.empty()) m.sha256 = file.sha256;
    if (m.pdq.empty()) m.pdq = file.pdq;
    if (!m.size) m.size = file.size;
    for (const Hit& h : *file.hits) {
      if (h.category == index::Category::kIgnorable) continue;
      const bool exact = IsExactMatch(h.kind);
      // An exact match's category outranks a near match's; among equals the most serious wins.
      const bool better = !m.have_category || (exact && !m.precategorized) ||
                          (exact == m.precategorized &&
                           subjects::CategorySeverity(h.category) < subjects::CategorySeverity(m.category));
      if (better) {
        m.category = h.category;
        m.have_category = true;
        m.precategorized = m.precategorized || exact;
      }
      std::string comment = "hashtriage: " + std::string(MatchKindName(h.kind)) + " match in set '" + h.set + "' (" +
                            std::string(index::CategoryName(h.category)) + ")";
      if (h.geometry) {
        // VICS has no field for a geometric verification: what agreed, and where, goes here.
        const GeometricEvidence& g = *h.geometry;
        comment += fmt::format(" {} of {} local features agree on one transform (scale {:.2f}, rotation {:.1f} "
                               "degrees, in the region x {:.0f}-{:.0f}%, y {:.0f}-{:.0f}% of the picture), near match: "
                               "needs review",
                               g.inliers, g.matches, g.scale, g.rotation_degrees, 100 * g.region[0],
                               100 * g.region[2], 100 * g.region[1], 100 * g.region[3]);
      } else if (!exact) {
        comment += " distance " + std::to_string(h.distance) + ", near match: needs review";
      }
      // VICS has no field for a video's frame hashes: where in the video, and how much of it, goes here.
      if (h.timestamp) comment += fmt::format(", at {:.1f} s into the video", *h.timestamp);
      if (h.kind == MatchKind::kVpdq) {
        comment += fmt::format(" ({:.0f}% of its frames in the known video, {:.0f}% of the known video's found)",
                               h.query_match, h.target_match);
      }
      if (std::find(m.comments.begin(), m.comments.end(), comment) == m.comments.end()) m.comments.push_back(comment);
      if (m.series.empty()) m.series = h.series;
    }
    OJson f;
    f["MD5"] = file.md5.empty() ? OJson(nullptr) : OJson(Upper(file.md5));
    f["FileName"] = std::filesystem::path(file_path).filename().string();
    f["FilePath"] = file_path;
    f["Created"] = TimeOrNull(file.created);
    f["Written"] = TimeOrNull(file.modified);
    f["Accessed"] = TimeOrNull(file.accessed);
    f["Unallocated"] = from_scan && file.carved;
    f["Deleted"] = from_scan && file.deleted;
    f["SourceID"] = source_id;
    f["PhysicalLocation"] = nullptr;
    m.files.push_back(std::move(f));
    ++files_;
  }

  Status AddScan(const Case& c, const EvidenceRecord& evidence) {
    const std::string id = evidence.id.empty() ? "evidence " + std::to_string(evidence.number) : evidence.id;
    return c.evidence().ForEachFile(evidence.number, /*with_hits_only=*/true, [&](const FileRecord& r) {
      MatchedFile f;
      f.md5 = r.digests.md5 ? r.digests.md5->hex() : "";
      f.sha1 = r.digests.sha1 ? r.digests.sha1->hex() : "";
      f.sha256 = r.digests.sha256 ? r.digests.sha256->hex() : "";
      f.pdq = r.image ? r.image->pdq.hex() : "";
      f.size = r.size_read ? r.size_read : std::optional<std::uint64_t>(r.info.size);
      f.created = r.info.created;
      f.modified = r.info.modified;
      f.accessed = r.info.accessed;
      f.carved = r.info.carved;
      f.deleted = r.info.deleted;
      f.hits = &r.hits;
      AddFile(f, r.info.original_path.empty() ? r.info.path : r.info.original_path, id, true);
      return true;
    });
  }

  void AddReferral(const ReferralRecord& referral) {
    const std::string id = "referral:" + referral.id;
    for (const ReferralFileRecord& file : referral.files) {
      MatchedFile f;
      f.md5 = file.md5;
      f.sha1 = file.sha1;
      f.sha256 = file.sha256;
      f.pdq = file.pdq;
      f.size = file.size;
      f.hits = &file.hits;
      AddFile(f, id + "/" + file.name, id, false);
    }
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
      j["IsPrecategorized"] = m.precategorized;
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
  std::size_t ignorable() const { return ignorable_; }

 private:
  std::map<std::string, std::size_t> index_;
  std::vector<Media> media_;
  std::size_t files_ = 0;
  std::size_t ignorable_ = 0;
};

}  // namespace

Result<VicsExport> BuildVicsExport(const Case& c, const VicsExportOptions& options) {
  HT_ASSIGN_OR_RETURN(index::CategoryMap map, index::CategoryMap::Builtin(options.profile));
  Collector collector;
  std::vector<EvidenceRecord> scans;
  std::vector<ReferralRecord> referrals;
  if (options.subject_id.empty()) {
    HT_ASSIGN_OR_RETURN(scans, c.evidence().List());
    HT_RETURN_IF_ERROR(c.referrals().ForEach([&](const ReferralRecord& r) {
      referrals.push_back(r);
      return true;
    }));
  } else {
    HT_ASSIGN_OR_RETURN(auto evidence, subjects::GatherSubjectEvidence(c, options.subject_id));
    for (auto& s : evidence.scans) scans.push_back(std::move(s.record));
    referrals = std::move(evidence.referrals);
  }
  for (const auto& s : scans) HT_RETURN_IF_ERROR(collector.AddScan(c, s));
  for (const auto& r : referrals) collector.AddReferral(r);

  const std::string profile = options.profile == "us" ? "US" : "UK";
  OJson header;
  HT_ASSIGN_OR_RETURN(const std::string case_name, CaseName(c));
  header["CaseID"] = options.case_id.empty() ? case_name : options.case_id;
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
  out.ignorable_left_out = collector.ignorable();
  return out;
}

}  // namespace hashtriage::engine::risk
