// VICS JSON (Project VIC / CAID data model, OData) reader: 1.2/1.3 ("odata.metadata") and 2.0
// ("@odata.context", #Media or #Cases with Media inside), streamed token by token. Extra hashes come
// from "AltHash" or, as several exporters name it, "AlternativeHashes" (both HashName/HashValue).
// Every Media is staged with its byte offset, so two Media giving one hash are told apart (and
// their categories reconciled by SetWriter) even when the file is a single line.
#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "index/internal/line_reader.h"
#include "index/internal/json_reader.h"
#include "index/internal/record_sink.h"

namespace hashtriage::index::internal {

namespace {

using Token = JsonReader::Token;

struct MediaRecord {
  std::uint64_t line = 0;
  std::uint64_t offset = 0;
  bool is_case = false;
  std::optional<std::int64_t> category;
  std::string category_text;
  std::string md5, sha1, sha256, photodna;
  std::vector<std::string> pdqs;
  std::vector<std::string> file_md5s;
  EntryInfo info;
};

class VicsParser {
 public:
  VicsParser(JsonReader& r, RecordSink& sink, const CategoryMap& categories)
      : r_(r), sink_(sink), categories_(categories) {}

  Status Parse() {
    HT_ASSIGN_OR_RETURN(Token t, r_.Next());
    if (t != Token::kBeginObject) return r_.ErrorAt("not a VICS JSON file: expected a top-level object");
    bool context = false, value = false;
    for (;;) {
      HT_ASSIGN_OR_RETURN(t, r_.Next());
      if (t == Token::kEndObject) break;
      const std::string key(r_.text());
      if (key == "odata.metadata" || key == "@odata.context") {
        HT_ASSIGN_OR_RETURN(t, r_.Next());
        if (t != Token::kString) return r_.ErrorAt(key + " must be a string");
        context = true;
      } else if (key == "value") {
        HT_ASSIGN_OR_RETURN(t, r_.Next());
        if (t != Token::kBeginArray) return r_.ErrorAt("\"value\" must be an array of Media or Cases");
        value = true;
        HT_RETURN_IF_ERROR(ParseItems());
      } else {
        HT_ASSIGN_OR_RETURN(t, r_.Next());
        HT_RETURN_IF_ERROR(r_.Skip(t));
      }
    }
    HT_ASSIGN_OR_RETURN(t, r_.Next());
    if (t != Token::kEnd) return r_.ErrorAt("unexpected content after the VICS document");
    if (!context) return r_.ErrorAt("not a VICS JSON file: no \"odata.metadata\" or \"@odata.context\"");
    if (!value) return r_.ErrorAt("not a VICS JSON file: no \"value\" array");
    return Status::Ok();
  }

 private:
  // The elements of an array of Media (or Cases) objects, up to and including ']'.
  Status ParseItems() {
    for (;;) {
      HT_ASSIGN_OR_RETURN(Token t, r_.Next());
      if (t == Token::kEndArray) return Status::Ok();
      if (t != Token::kBeginObject) {
        sink_.CountRecord(r_.offset());
        HT_RETURN_IF_ERROR(sink_.Reject(r_.line(), r_.offset(), "not an object", "Media entries must be objects"));
        HT_RETURN_IF_ERROR(r_.Skip(t));
        continue;
      }
      HT_RETURN_IF_ERROR(ParseItem());
    }
  }

  // A scalar's text ("" for null; nested values are skipped and give "").
  Result<std::string> Scalar() {
    HT_ASSIGN_OR_RETURN(Token t, r_.Next());
    switch (t) {
      case Token::kString:
      case Token::kNumber: return std::string(r_.text());
      case Token::kTrue: return std::string("true");
      case Token::kFalse: return std::string("false");
      case Token::kNull: return std::string();
      default: HT_RETURN_IF_ERROR(r_.Skip(t)); return std::string();
    }
  }

  // Array of objects; calls field(key) for each member (which must consume the value).
  template <typename Field, typename Done>
  Status ObjectArray(Field field, Done done) {
    HT_ASSIGN_OR_RETURN(Token t, r_.Next());
    if (t != Token::kBeginArray) return r_.Skip(t);
    for (;;) {
      HT_ASSIGN_OR_RETURN(t, r_.Next());
      if (t == Token::kEndArray) return Status::Ok();
      if (t != Token::kBeginObject) {
        HT_RETURN_IF_ERROR(r_.Skip(t));
        continue;
      }
      for (;;) {
        HT_ASSIGN_OR_RETURN(t, r_.Next());
        if (t == Token::kEndObject) break;
        HT_RETURN_IF_ERROR(field(std::string(r_.text())));
      }
      done();
    }
  }

  Status ParseItem() {
    MediaRecord m;
    m.line = r_.line();
    m.offset = r_.offset();
    for (;;) {
      HT_ASSIGN_OR_RETURN(Token t, r_.Next());
      if (t == Token::kEndObject) break;
      const std::string key(r_.text());
      if (key == "Media") {
        HT_ASSIGN_OR_RETURN(t, r_.Next());
        if (t == Token::kBeginArray) {
          m.is_case = true;
          HT_RETURN_IF_ERROR(ParseItems());
        } else {
          HT_RETURN_IF_ERROR(r_.Skip(t));
        }
      } else if (key == "MediaID") {
        HT_ASSIGN_OR_RETURN(m.info.media_id, Scalar());
      } else if (key == "Category") {
        HT_ASSIGN_OR_RETURN(t, r_.Next());
        if (t == Token::kNumber || t == Token::kString) {
          std::int64_t n = 0;
          const std::string_view text = Trim(r_.text());
          const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
          if (ec == std::errc() && p == text.data() + text.size()) {
            m.category = n;
          } else {
            m.category_text = std::string(r_.text());
          }
        } else {
          HT_RETURN_IF_ERROR(r_.Skip(t));
        }
      } else if (key == "MD5") {
        HT_ASSIGN_OR_RETURN(m.md5, Scalar());
      } else if (key == "SHA1") {
        HT_ASSIGN_OR_RETURN(m.sha1, Scalar());
      } else if (key == "SHA256") {
        HT_ASSIGN_OR_RETURN(m.sha256, Scalar());
      } else if (key == "PhotoDNA") {
        HT_ASSIGN_OR_RETURN(m.photodna, Scalar());
      } else if (key == "VictimIdentified" || key == "OffenderIdentified" || key == "IsDistributed") {
        HT_ASSIGN_OR_RETURN(const std::string v, Scalar());
        if (ParseTruthy(v)) {
          m.info.flags |= key == "VictimIdentified"     ? kFlagVictimIdentified
                          : key == "OffenderIdentified" ? kFlagOffenderIdentified
                                                        : kFlagDistributed;
        }
      } else if (key == "Series") {
        HT_ASSIGN_OR_RETURN(m.info.series, Scalar());
      } else if (key == "AltHash" || key == "AlternativeHashes") {
        std::string name, value;
        HT_RETURN_IF_ERROR(ObjectArray(
            [&](const std::string& k) -> Status {
              HT_ASSIGN_OR_RETURN(std::string v, Scalar());
              if (k == "HashName") name = std::move(v);
              if (k == "HashValue") value = std::move(v);
              return Status::Ok();
            },
            [&] {
              const std::string n = NormalizeHeader(name);
              if (n == "pdq") m.pdqs.push_back(value);
              if (n == "sha256" || n == "sha-256") m.sha256 = value;
              name.clear();
              value.clear();
            }));
      } else if (key == "MediaFiles") {
        std::string md5;
        HT_RETURN_IF_ERROR(ObjectArray(
            [&](const std::string& k) -> Status {
              HT_ASSIGN_OR_RETURN(std::string v, Scalar());
              if (k == "MD5") md5 = std::move(v);
              return Status::Ok();
            },
            [&] {
              if (!md5.empty()) m.file_md5s.push_back(md5);
              md5.clear();
            }));
      } else {
        HT_ASSIGN_OR_RETURN(t, r_.Next());
        HT_RETURN_IF_ERROR(r_.Skip(t));
      }
    }
    const bool has_hash = !m.md5.empty() || !m.sha1.empty() || !m.sha256.empty() || !m.photodna.empty() ||
                          !m.pdqs.empty() || !m.file_md5s.empty();
    if (m.is_case && !has_hash) return Status::Ok();  // a case header
    return Emit(m);
  }

  Status Emit(MediaRecord& m) {
    sink_.CountRecord(r_.offset());
    if (m.category) {
      const auto c = categories_.Map(*m.category);
      if (!c) {
        return sink_.Reject(m.line, m.offset, "unknown category",
                            "Category " + std::to_string(*m.category) + " is not in category map '" +
                                categories_.name() + "'");
      }
      m.info.category = *c;
    } else if (!m.category_text.empty()) {
      const auto c = ParseCategory(m.category_text);
      if (!c) return sink_.Reject(m.line, m.offset, "unknown category", "'" + m.category_text.substr(0, 40) + "'");
      m.info.category = *c;
    } else if (sink_.options().category) {
      m.info.category = *sink_.options().category;
    } else {
      return sink_.Reject(m.line, m.offset, "missing category",
                          "no Category in this Media (--category sets one for such Media)");
    }
    decoded_.clear();
    auto decode = [&](HashType type, const std::string& text) -> bool {
      if (text.empty()) return true;
      std::string bytes;
      if (!RecordSink::DecodeHash(type, text, bytes)) {
        bad_ = std::string("malformed ") + std::string(HashTypeName(type));
        bad_detail_ = "'" + text.substr(0, 80) + "' (" + std::to_string(text.size()) + " characters)";
        return false;
      }
      for (const auto& [t, b] : decoded_) {
        if (t == type && b == bytes) return true;  // MediaFiles repeating the Media MD5
      }
      decoded_.emplace_back(type, std::move(bytes));
      return true;
    };
    bool ok = decode(HashType::kMd5, m.md5) && decode(HashType::kSha1, m.sha1) &&
              decode(HashType::kSha256, m.sha256) && decode(HashType::kPhotoDna, m.photodna);
    for (const auto& f : m.file_md5s) ok = ok && decode(HashType::kMd5, f);
    for (const auto& p : m.pdqs) ok = ok && decode(HashType::kPdq, p);
    if (!ok) return sink_.Reject(m.line, m.offset, bad_, bad_detail_);
    if (decoded_.empty()) {
      return sink_.Reject(m.line, m.offset, "no hashes", "no MD5, SHA1, SHA256, PhotoDNA or PDQ in this Media");
    }
    for (const auto& [type, bytes] : decoded_) HT_RETURN_IF_ERROR(sink_.Add(type, bytes, m.info, m.line, m.offset));
    return Status::Ok();
  }

  JsonReader& r_;
  RecordSink& sink_;
  const CategoryMap& categories_;
  std::vector<std::pair<HashType, std::string>> decoded_;
  std::string bad_, bad_detail_;
};

}  // namespace

Status ReadVics(const std::string& path, RecordSink& sink, const CategoryMap& categories) {
  HT_ASSIGN_OR_RETURN(auto reader, JsonReader::Open(path));
  return VicsParser(*reader, sink, categories).Parse();
}

}  // namespace hashtriage::index::internal
