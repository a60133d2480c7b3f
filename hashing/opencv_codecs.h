// Decoding through the OpenCV codec plugin (opencv_codec_plugin.h), loaded on first use: from the
// build tree it was made in, else from beside the running binary. Thread-safe. When the plugin cannot
// be loaded the image gets NotSupported naming what is missing; other images go on.
#pragma once

#include <span>

#include "hashing/luma_image.h"
#include "hashing/status.h"

namespace hashtriage::hashing::decode_internal {

// The image (JPEG at 1/jpeg_scale) as luma, alpha composited on white.
Result<LumaImage> DecodeLumaWithOpenCv(std::span<const std::byte> bytes, bool is_jpeg, int jpeg_scale);

}  // namespace hashtriage::hashing::decode_internal
