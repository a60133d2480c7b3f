// RGB(8-bit) -> float luma for one row: Y = (0.299 R + 0.587 G) + 0.114 B, evaluated in float in
// exactly that order (so PDQ stays bit-identical to the reference). SSE4.1 path for 4 pixels at a
// time; the input row must be readable for 4 bytes past its end (callers pad their buffers).
#pragma once

#include <cstdint>

namespace hashtriage::hashing {

void RgbRowToLuma(const std::uint8_t* rgb, float* out, int width, bool bgr_order);

}  // namespace hashtriage::hashing
