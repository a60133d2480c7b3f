#include "hashing/image_hasher.h"

#include "hashing/pdq.h"

namespace hashtriage::hashing {

ImageHashes HashDecodedImage(const DecodedImage& image, bool dihedral, bool query_variants,
                             const RegionOptions* region) {
  ImageHashes out;
  out.format = image.format;
  out.width = image.original.width;
  out.height = image.original.height;
  out.scale_denominator = image.scale_denominator;
  if (dihedral) {
    const PdqDihedralResult all = ComputePdqDihedral(image.luma);
    out.pdq = PdqResult{all.hashes[0], all.quality};
    out.dihedral = all.hashes;
  } else {
    out.pdq = ComputePdq(image.luma);
  }
  if (query_variants) {
    // Re-oriented query hashes only when the caller searches orientations at all.
    RobustOptions robust;
    robust.reoriented = dihedral;
    out.variants = ComputeQueryVariants(image.luma, robust);
  }
  if (region != nullptr) out.region = ComputeRegionHashes(image.luma, *region);
  return out;
}

Result<ImageHashes> HashImage(std::span<const std::byte> bytes, const ImageHashOptions& options) {
  DecodeOptions decode = options.decode;
  if (options.photo_hasher_compat) decode.min_short_side = 0;
  HT_ASSIGN_OR_RETURN(DecodedImage image, DecodeImage(bytes, decode));
  if (options.photo_hasher_compat) image.luma = ApplyPdqPhotoHasherResize(image.luma);
  const bool regions = options.region_hashes && !options.photo_hasher_compat;
  ImageHashes out = HashDecodedImage(image, options.dihedral, options.query_variants && !options.photo_hasher_compat,
                                     regions ? &options.region : nullptr);
  if (options.keep_luma) out.luma = std::make_shared<const LumaImage>(std::move(image.luma));
  return out;
}

}  // namespace hashtriage::hashing
