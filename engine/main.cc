// hashtriage: the command-line entry point. Everything happens in RunCommandLine
// (engine/cli/commands.h): parse with CLI11, run one subcommand, map its outcome to the exit code.
#include <malloc.h>

#include "engine/cli/commands.h"

int main(int argc, char** argv) {
  // A scan allocates and frees decode-sized buffers (luma planes, filter rows, file contents) for every
  // image. glibc would map each one over 128 KiB afresh and fault in its zeroed pages, every time
  // (10% of a scan's CPU on camera photos); kept in the heap below these limits they are reused.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  return hashtriage::cli::RunCommandLine(argc, argv, /*hooks=*/nullptr);
}
