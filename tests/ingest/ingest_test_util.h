// Helpers for the ingest tests: collecting a source's items, digesting a reader, looking items up, and
// running the command-line tools that build evidence fixtures at test time.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "ingest/evidence_source.h"
#include "tests/test_support.h"

namespace hashtriage::ingest::testing {

using hashtriage::testing::RunCommand;
using hashtriage::testing::ShellQuote;
using hashtriage::testing::TempDir;
using hashtriage::testing::TestDataDir;

// Drains a source; fails the test (and stops) if Next() itself fails.
std::vector<Item> CollectAll(EvidenceSource& source);
std::vector<Item> OpenAndCollect(const std::string& path, const SourceOptions& options = {});

// MD5 hex of everything the reader yields, or "error: <status>" if it fails.
std::string ReaderMd5(ByteReader& reader);
// MD5 hex of a file by coreutils md5sum (independent of our code).
std::string Md5sum(const std::filesystem::path& path);

// Runs a shell command and returns its stdout; fails the test on a non-zero exit.
std::string MustRun(const std::string& command);

const Item* FindByPath(const std::vector<Item>& items, const std::string& path);
const Item* FindByOriginalPath(const std::vector<Item>& items, const std::string& original_path);
std::vector<const Item*> OfKind(const std::vector<Item>& items, ItemKind kind);

// A benign photo from the shared test data.
std::filesystem::path Photo(const std::string& name);  // e.g. "skimage/coffee.png"

// For readable files: provenance path -> MD5 of the bytes the source yields.
std::map<std::string, std::string> DigestsByPath(std::vector<Item>& items);

}  // namespace hashtriage::ingest::testing
