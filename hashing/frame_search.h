// Frame search (issue 7, hash-set mode): a picture padded or letterboxed on every side with its own
// edge colour (an icon on black put on a black square, a dark-edged photo zoomed out onto black)
// loses its frame: trimming finds the subject, not the picture, and where the picture ended cannot
// be seen. When that is the case, this hashes the frames it could have had: centred boxes of the
// canvas's aspect, at every size from the smallest that holds the visible content to the canvas,
// each rescaled to the canvas size (match_kind "pdq-frame", original orientation only). Pure
// function, thread-safe; no pixels kept.
#pragma once

#include <vector>

#include "hashing/luma_image.h"
#include "hashing/pdq_hash.h"
#include "hashing/robust_variants.h"

namespace hashtriage::hashing {

// The frame hypotheses' hashes for an image whose uniform border surrounds `box` on all four sides
// and both of whose content edges on one axis merged with it (ContentEdgeContrast below
// options.strong_edge: that axis's extent is unknown); empty otherwise or when options.max_frames is 0.
std::vector<PdqHash> ComputeFrameHypotheses(const LumaImage& image, const TrimBox& box, const TrimOptions& trim,
                                            const FrameSearchOptions& options);

}  // namespace hashtriage::hashing
