#include "hashing/luma_convert.h"

#if defined(__SSE4_1__)
#include <smmintrin.h>
#endif

namespace hashtriage::hashing {

void RgbRowToLuma(const std::uint8_t* rgb, float* out, int width, bool bgr_order) {
  int x = 0;
#if defined(__SSE4_1__)
  // Each mask gathers one channel of 4 packed RGB pixels into the low byte of four 32-bit lanes.
  const __m128i first = _mm_setr_epi8(0, -1, -1, -1, 3, -1, -1, -1, 6, -1, -1, -1, 9, -1, -1, -1);
  const __m128i second = _mm_setr_epi8(1, -1, -1, -1, 4, -1, -1, -1, 7, -1, -1, -1, 10, -1, -1, -1);
  const __m128i third = _mm_setr_epi8(2, -1, -1, -1, 5, -1, -1, -1, 8, -1, -1, -1, 11, -1, -1, -1);
  const __m128i r_mask = bgr_order ? third : first;
  const __m128i b_mask = bgr_order ? first : third;
  const __m128 kr = _mm_set1_ps(0.299f);
  const __m128 kg = _mm_set1_ps(0.587f);
  const __m128 kb = _mm_set1_ps(0.114f);
  // A 16-byte load covers 4 pixels plus 4 bytes of the next: stop while that stays in the row.
  for (; 3 * x + 16 <= 3 * width; x += 4) {
    const __m128i px = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rgb + 3 * x));
    const __m128 r = _mm_cvtepi32_ps(_mm_shuffle_epi8(px, r_mask));
    const __m128 g = _mm_cvtepi32_ps(_mm_shuffle_epi8(px, second));
    const __m128 b = _mm_cvtepi32_ps(_mm_shuffle_epi8(px, b_mask));
    const __m128 y = _mm_add_ps(_mm_add_ps(_mm_mul_ps(kr, r), _mm_mul_ps(kg, g)), _mm_mul_ps(kb, b));
    _mm_storeu_ps(out + x, y);
  }
#endif
  const int r_index = bgr_order ? 2 : 0;
  const int b_index = bgr_order ? 0 : 2;
  for (; x < width; ++x) {
    const std::uint8_t* p = rgb + 3 * x;
    out[x] = 0.299f * p[r_index] + 0.587f * p[1] + 0.114f * p[b_index];
  }
}

}  // namespace hashtriage::hashing
