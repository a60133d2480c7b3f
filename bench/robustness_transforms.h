// The robustness harness's image transforms (issue 7): the edits offenders make when re-sharing a
// known image, applied with OpenCV to a BGR picture and re-encoded. Deterministic: every random
// choice comes from the seed. Bench-only code; never writes pixels anywhere but memory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace hashtriage::bench {

struct Transform {
  std::string name;
  // Encoded bytes of the transformed image (JPEG q92 unless the transform is about encoding).
  std::vector<std::uint8_t> (*apply)(const cv::Mat& bgr, std::uint64_t seed);
};

const std::vector<Transform>& AllTransforms();

std::vector<std::uint8_t> EncodeJpeg(const cv::Mat& bgr, int quality);

// A photo normalised as the issue asks: longer side <= 1600 px (area resize), JPEG q92.
std::vector<std::uint8_t> NormalisePhoto(const cv::Mat& bgr);

// True for two test photos (file stems) that testdata/README.md lists as near-duplicates of each other
// (stereo pairs, consecutive frames, the same scene twice): never counted as false positives.
bool NearDuplicatePhotos(const std::string& stem_a, const std::string& stem_b);

// A synthetic, distinct grey tile (random shapes, gradients, texture) for false-positive counting.
cv::Mat GenerateTile(std::uint64_t seed, int side);

}  // namespace hashtriage::bench
