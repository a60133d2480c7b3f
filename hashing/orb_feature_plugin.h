// The C interface between hashtriage and its local-feature plugin (hashtriage_orb_features.so, built
// from orb_feature_plugin.cc). ORB keypoints and descriptors come from OpenCV's features2d, which with
// its dependencies (FLANN, LAPACK, BLAS, X11 client libraries) is 23 shared libraries: the plugin is
// loaded only by a process that computes local features (library build, a scan against a library with
// geometric signatures), as the codec and video plugins are. Plain C types only.
#pragma once

#include <cstddef>

extern "C" {

struct HashtriageOrbFeature {
  float x;                      // keypoint centre, pixels of the image given
  float y;
  float size;                   // diameter of the described patch, pixels
  float angle;                  // orientation, degrees in [0, 360)
  float response;               // corner strength (FAST/Harris score): larger is more distinctive
  unsigned char descriptor[32]; // rBRIEF, 256 bits
};

struct HashtriageOrbParams {
  int max_features;    // keypoints kept
  int pyramid_levels;  // scales searched
  float pyramid_scale; // each level this many times smaller than the last (> 1)
  int oversample;      // keypoints detected per one kept, before they are spread over the picture
  int fast_score;      // rank keypoints by FAST score (cheaper) instead of the Harris measure
};

// The plugin's symbol is hashtriage_orb_detect_v2 (v1 took max_features alone): a stale plugin of another
// interface fails to load with an error instead of being called with the wrong arguments.
// Detects at most `params->max_features` keypoints on an 8-bit grey image of `width` x `height`
// (`stride` bytes per row) and writes them to `out` (room for max_features), their number to `*count`.
// Returns 0 on success; otherwise `error` (256 bytes) says why.
typedef int (*HashtriageOrbDetect)(const unsigned char* grey, int width, int height, std::size_t stride,
                                   const HashtriageOrbParams* params, HashtriageOrbFeature* out, int* count,
                                   char* error);

}  // extern "C"
