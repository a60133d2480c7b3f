// What several fuzz targets share: a process-wide scratch directory (removed at exit) to hand the
// input to parsers that read files, and a scratch known-image index for the importers.
// One thread; the state lives until the process exits (libFuzzer runs millions of inputs in one process).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "index/importer.h"

namespace hashtriage::fuzz::internal {

// Writes the input to <scratch>/<name> (replacing it) and returns the path.
std::string WriteScratchFile(const std::string& name, const std::uint8_t* data, std::size_t size);

// Imports the input as one file of `options.format` into a scratch index (committing the set when the
// importer accepts it), and checks the summary's invariants.
void RunImport(const std::uint8_t* data, std::size_t size, index::ImportOptions options, const char* file_name);

// RunImport of the whole input as a file of `format`, with --strict when the input's first byte is odd.
int RunImportOf(index::ImportFormat format, const std::uint8_t* data, std::size_t size, const char* file_name);

}  // namespace hashtriage::fuzz::internal
