// Re-oriented PDQ: the PDQ of a picture as it would be if it were mirrored or turned, computed by
// sampling the picture where PDQ would sample the turned pixels, without turning any pixels.
// ComputePdqDihedral's DCT sign flips instead assume the 64x64 Jarosz sampling is mirror-symmetric,
// which it is not (the box and the sample grid are anchored to one edge): on fine textures a mirrored
// copy lands 30-90 bits away that way, while these land on the turned copy's own PDQ.
// Pure, reentrant, thread-safe.
#pragma once

#include "hashing/luma_image.h"
#include "hashing/pdq_hash.h"

namespace hashtriage::hashing {

// PDQ of each of the eight dihedral re-orientations of `image`: hashes[d] equals ComputePdq(image
// turned by d) up to float rounding (the two box passes are applied as one tent of weights, so a
// coefficient at the median may land on the other side), and quality is ComputePdq's.
PdqDihedralResult ComputePdqReoriented(const LumaImage& image);

// The same for the six orientations that reverse an axis only: kOriginal and kFlipPlus1 (the
// transpose, exact in the DCT) are left zero, as is the quality. Saves one of the four grids.
PdqDihedralResult ComputePdqReorientedMirrored(const LumaImage& image);

}  // namespace hashtriage::hashing
