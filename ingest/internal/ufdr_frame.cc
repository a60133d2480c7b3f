#include "ingest/internal/ufdr_frame.h"

#include <archive.h>
#include <archive_entry.h>

#include <cstdio>
#include <vector>

#include "ingest/internal/ufdr_report.h"
#include "ingest/provenance.h"

namespace hashtriage::ingest::internal {
namespace {

constexpr std::string_view kReportName = "report.xml";

struct ZipReadContext {
  std::unique_ptr<ByteReader> reader;
  std::vector<std::byte> buffer = std::vector<std::byte>(1 << 16);
  std::int64_t position = 0;
};

la_ssize_t ZipRead(struct archive*, void* data, const void** buf) {
  auto* c = static_cast<ZipReadContext*>(data);
  auto n = c->reader->Read(c->buffer);
  if (!n.ok()) return -1;
  *buf = c->buffer.data();
  c->position += static_cast<std::int64_t>(*n);
  return static_cast<la_ssize_t>(*n);
}

la_int64_t ZipSeek(struct archive*, void* data, la_int64_t offset, int whence) {
  auto* c = static_cast<ZipReadContext*>(data);
  std::int64_t target = offset;
  if (whence == SEEK_CUR) target += c->position;
  if (whence == SEEK_END) target += static_cast<std::int64_t>(c->reader->size());
  if (target < 0 || !c->reader->Seek(static_cast<std::uint64_t>(target)).ok()) return ARCHIVE_FATAL;
  c->position = target;
  return target;
}

// Walks the zip's entries (seekable: the central directory, data skipped by seeking) until report.xml at
// the root. With `parser`, its data is streamed into the parser. Returns whether it was found.
Result<bool> FindReport(const ContentHandle& zip, const std::string& name, UfdrReportParser* parser) {
  ZipReadContext ctx;
  HT_ASSIGN_OR_RETURN(ctx.reader, zip.Open());
  struct archive* a = archive_read_new();
  archive_read_support_format_zip_seekable(a);
  archive_read_set_callback_data(a, &ctx);
  archive_read_set_read_callback(a, ZipRead);
  archive_read_set_seek_callback(a, ZipSeek);
  auto fail = [&](const std::string& what) {
    const char* e = archive_error_string(a);
    Status s = Status::Corruption(name + ": " + what + ": " + (e != nullptr ? e : "unknown error"));
    archive_read_free(a);
    return s;
  };
  if (archive_read_open1(a) != ARCHIVE_OK) return fail("cannot open as zip");
  for (;;) {
    struct archive_entry* entry = nullptr;
    const int r = archive_read_next_header(a, &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return fail("cannot read the zip directory");
    const char* p = archive_entry_pathname(entry);
    if (p == nullptr || NormalizeUfdrLocalPath(p) != kReportName) continue;
    if (parser != nullptr) {
      std::vector<std::byte> buf(1 << 16);
      for (;;) {
        const la_ssize_t n = archive_read_data(a, buf.data(), buf.size());
        if (n < 0) return fail("cannot read report.xml");
        if (n == 0) break;
        Status s = parser->Feed(std::span<const std::byte>(buf.data(), static_cast<std::size_t>(n)));
        if (!s.ok()) {
          archive_read_free(a);
          return s.WithContext(name);
        }
      }
    }
    archive_read_free(a);
    return true;
  }
  archive_read_free(a);
  return false;
}

// The package's entries, annotated from report.xml; at the end, one error per report.xml file that had a
// Local Path but no entry in the package.
class UfdrFrame final : public Frame {
 public:
  UfdrFrame(std::shared_ptr<UfdrReport> report, std::unique_ptr<Frame> inner, std::string evidence_id)
      : report_(std::move(report)), inner_(std::move(inner)), evidence_id_(std::move(evidence_id)) {}
  std::optional<FrameEntry> Next() override {
    if (inner_) {
      if (auto e = inner_->Next()) return e;
      inner_.reset();
      it_ = report_->files.begin();
    }
    while (it_ != report_->files.end()) {
      const auto& [local, rec] = *it_++;
      if (rec.matched) continue;
      const std::string path = AppendStep(evidence_id_, "report.xml:" + EscapeName(rec.device_path));
      return ErrorEntry(evidence_id_, path,
                        Status::NotFound(path + ": listed in report.xml with local path " + EscapeName(local) +
                                         " but absent from the package"),
                        /*inside_archive=*/true);
    }
    return std::nullopt;
  }

 private:
  std::shared_ptr<UfdrReport> report_;
  std::unique_ptr<Frame> inner_;
  std::string evidence_id_;
  std::unordered_map<std::string, UfdrFileRecord>::iterator it_;
};

}  // namespace

Result<bool> IsUfdrPackage(const ContentHandle& zip, const std::string& name) {
  return FindReport(zip, name, nullptr);
}

Result<std::unique_ptr<Frame>> MakeUfdrFrame(std::shared_ptr<ContentHandle> zip, const std::string& name,
                                             ArchiveFrameParams params, const SourceOptions& options) {
  UfdrReportParser parser;
  HT_ASSIGN_OR_RETURN(const bool found, FindReport(*zip, name, &parser));
  if (!found) return Status::Corruption(name + ": not a UFDR package: no report.xml at the root of the zip");
  HT_ASSIGN_OR_RETURN(UfdrReport parsed, parser.Finish());
  auto report = std::make_shared<UfdrReport>(std::move(parsed));
  params.annotator = [report](std::string_view raw_name, ItemInfo& info) {
    auto it = report->files.find(NormalizeUfdrLocalPath(raw_name));
    if (it == report->files.end()) return;
    UfdrFileRecord& rec = it->second;
    rec.matched = true;
    info.original_path = EscapeName(rec.device_path);
    info.deleted = rec.deleted;
    if (rec.created) info.created = rec.created;
    if (rec.modified) info.modified = rec.modified;
    if (rec.accessed) info.accessed = rec.accessed;
  };
  HT_ASSIGN_OR_RETURN(std::unique_ptr<ByteReader> reader, zip->Open());
  std::string evidence_id = params.evidence_id;
  auto inner = MakeArchiveFrame(std::move(reader), std::move(params), options);
  return std::unique_ptr<Frame>(std::make_unique<UfdrFrame>(std::move(report), std::move(inner), std::move(evidence_id)));
}

}  // namespace hashtriage::ingest::internal
