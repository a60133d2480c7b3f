// PDQ perceptual hashing of a luma plane (Meta ThreatExchange "PDQ" algorithm, hashing.pdf):
// Jarosz (two-pass tent) box-filter downsample to 64x64, 2-D DCT keeping rows/cols 1..16,
// threshold at the median -> 256 bits, plus a gradient-based quality score; the eight dihedral
// variants come from sign flips/transposes of the one 16x16 DCT. Pure, reentrant, thread-safe.
// Floating-point evaluation order follows the published reference so hashes are bit-identical.
#pragma once

#include <array>

#include "hashing/luma_image.h"
#include "hashing/pdq_hash.h"

namespace hashtriage::hashing {

PdqResult ComputePdq(const LumaImage& image);
PdqDihedralResult ComputePdqDihedral(const LumaImage& image);

// Meta's pdq-photo-hasher first resizes any image with a side over 512 px to exactly 512x512 by
// nearest neighbour (aspect not kept). Applying this before ComputePdq reproduces that program.
LumaImage ApplyPdqPhotoHasherResize(const LumaImage& image);

namespace pdq_internal {
// Exposed for tests and benchmarks.
int JaroszWindowSize(int old_dim, int new_dim);
using Samples64 = std::array<std::array<float, 64>, 64>;
using Dct16 = std::array<std::array<float, 16>, 16>;
// The 64x64 samples of the Jarosz-filtered plane that the DCT reads (all zero for an empty image).
Samples64 JaroszSamples(const LumaImage& image);
// PDQ's DCT of 64x64 samples (rows/columns 1..16, each coefficient summed in the reference's order)
// and its quality score: for hashes of samples taken another way (hashing/reoriented_pdq.h).
Dct16 DctOfSamples(const Samples64& samples);
int QualityOfSamples(const Samples64& samples);
}  // namespace pdq_internal

}  // namespace hashtriage::hashing
