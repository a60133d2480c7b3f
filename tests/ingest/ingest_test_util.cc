#include "tests/ingest/ingest_test_util.h"

#include <gtest/gtest.h>

#include "hashing/digests.h"

namespace hashtriage::ingest::testing {

std::vector<Item> CollectAll(EvidenceSource& source) {
  std::vector<Item> items;
  for (;;) {
    auto next = source.Next();
    EXPECT_TRUE(next.ok()) << next.status().ToString();
    if (!next.ok() || !next->has_value()) break;
    items.push_back(std::move(**next));
  }
  return items;
}

std::vector<Item> OpenAndCollect(const std::string& path, const SourceOptions& options) {
  auto source = OpenEvidenceSource(path, options);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  if (!source.ok()) return {};
  return CollectAll(**source);
}

std::string ReaderMd5(ByteReader& reader) {
  hashing::MultiDigester digester(hashing::DigestSet().Add(hashing::DigestKind::kMd5));
  std::vector<std::byte> buf(1 << 16);
  for (;;) {
    auto n = reader.Read(buf);
    if (!n.ok()) return "error: " + n.status().ToString();
    if (*n == 0) break;
    digester.Update(std::span<const std::byte>(buf.data(), *n));
  }
  return digester.Finish().md5->hex();
}

std::string MustRun(const std::string& command) {
  auto r = RunCommand(command);
  EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.err;
  return r.out;
}

std::string Md5sum(const std::filesystem::path& path) {
  return MustRun("md5sum " + ShellQuote(path.string())).substr(0, 32);
}

const Item* FindByPath(const std::vector<Item>& items, const std::string& path) {
  for (const Item& item : items) {
    if (item.info.path == path && item.info.kind != ItemKind::kError) return &item;
  }
  return nullptr;
}

const Item* FindByOriginalPath(const std::vector<Item>& items, const std::string& original_path) {
  for (const Item& item : items) {
    if (item.info.original_path == original_path && item.info.kind != ItemKind::kError) return &item;
  }
  return nullptr;
}

std::vector<const Item*> OfKind(const std::vector<Item>& items, ItemKind kind) {
  std::vector<const Item*> out;
  for (const Item& item : items) {
    if (item.info.kind == kind) out.push_back(&item);
  }
  return out;
}

std::filesystem::path Photo(const std::string& name) { return TestDataDir() / "photos" / name; }

std::map<std::string, std::string> DigestsByPath(std::vector<Item>& items) {
  std::map<std::string, std::string> out;
  for (Item& item : items) {
    if (item.reader) out[item.info.path] = ReaderMd5(*item.reader);
  }
  return out;
}

}  // namespace hashtriage::ingest::testing
