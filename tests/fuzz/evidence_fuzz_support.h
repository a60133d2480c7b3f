// Enumerates one evidence file to its end with every item's bytes read, checking the EvidenceSource
// contract (item.h): a reader exactly for readable files, each yielding exactly info.size bytes or
// failing; provenance paths that start with the evidence id and are unique; errors with reasons.
// Shared by the archive and disk-image fuzz targets. One thread.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ingest/source_options.h"

namespace hashtriage::fuzz::internal {

void EnumerateEvidence(const std::uint8_t* data, std::size_t size, ingest::SourceType type, const char* file_name);

}  // namespace hashtriage::fuzz::internal
