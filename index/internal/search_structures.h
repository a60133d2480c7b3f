// SearchStructures: the index's derived search structures on disk — the PDQ multi-index tables and the
// exact-digest filters, in <index>/structures/ — and the index state they belong to. RocksDB stays the
// source of truth: a structure is written from it when a set is committed or removed (and on a
// read-write open that finds none current), and used by a later open only when its fingerprint equals
// the index's own; otherwise that open builds the structure in memory from RocksDB, as before.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "hashing/status.h"
#include "index/internal/exact_filter.h"
#include "index/internal/mih_index.h"
#include "index/membership.h"

namespace hashtriage::index::internal {

// The live sets (name, generation, entries per type) and the structure format: any import, re-import
// or removal changes it.
std::string IndexFingerprint(const std::map<std::string, SetInfo>& sets);

std::string StructureDir(const std::string& index_dir);

// "current" when every structure the sets need has a file written from them; else, per structure,
// why not ("PDQ tables: absent; md5 filter: built from another index state"). Reads headers only.
std::string DescribeStructureFiles(const std::string& index_dir, const std::map<std::string, SetInfo>& sets);

Status SavePdqStructure(const MihIndex& index, const std::string& index_dir, const std::string& fingerprint);
// Null reason in `why` when absent or not current (see MappedStructure::Open).
std::optional<MihIndex> MapPdqStructure(const std::string& index_dir, const std::string& fingerprint, std::string* why);

Status SaveFilterStructure(const ExactFilter& filter, HashType type, const std::string& index_dir,
                           const std::string& fingerprint);
std::optional<ExactFilter> MapFilterStructure(HashType type, const std::string& index_dir,
                                              const std::string& fingerprint, std::string* why);

}  // namespace hashtriage::index::internal
