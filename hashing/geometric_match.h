// Geometric verification for library mode: does a scanned picture contain a known one, moved, scaled,
// rotated, cropped or inset into a larger picture? Descriptor matches (nearest known feature, Lowe's ratio
// test) are kept only when one similarity transform (scale, rotation, translation) carries the known
// feature onto the scanned one, its orientation and size agreeing: the transform is found by RANSAC over
// pairs of matches (a fixed seed: the same inputs give the same answer) and refined by least squares on
// its inliers. The result says how many matches agree and what the transform is, so an examiner can
// judge a hit; whether it is one is IsGeometricHit's rule.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "hashing/local_features.h"

namespace hashtriage::hashing {

struct GeometricOptions {
  int max_descriptor_distance = 64;  // of 256 bits, for a match to be considered
  double ratio = 0.8;                // nearest / second-nearest distance, Lowe's test
  double inlier_error = 0.012;       // reprojection error allowed, as a share of the scanned picture's diagonal
  double angle_tolerance = 15;       // degrees between a match's orientation change and the transform's rotation
  double size_tolerance = 1.5;       // factor between a match's size change and the transform's scale
  int iterations = 500;              // RANSAC samples
  int min_inliers = 8;               // IsGeometricHit: agreeing matches needed (distinct photos: at most 5 seen)
  double min_scale = 0.15;           // IsGeometricHit: plausible scales of the known picture in the scanned one
  double max_scale = 6;
  // IsGeometricHit: rotations verified, degrees either way. A picture turned by a quarter or a half is
  // the dihedral hashes' (all eight orientations of the whole picture); in 1,002 distinct Debian pictures
  // (bench/collect-photos) every geometric hit between two different letters of one typeface but one
  // was an upside-down match (V onto A, u onto n) near 180 degrees.
  double max_rotation = 45;
};

struct GeometricMatch {
  int matches = 0;  // descriptor matches passing the ratio test
  int inliers = 0;  // of them, those the transform carries within inlier_error
  // known (x, y) -> scanned (scale * R(rotation) * (x, y) + (tx, ty)), working-image pixels.
  double scale = 0;
  double rotation_degrees = 0;
  double tx = 0;
  double ty = 0;
  // The known picture's outline mapped into the scanned one and clipped to it: x0, y0, x1, y1 as shares
  // of the scanned picture's width and height.
  std::array<double, 4> region{};
  double visible = 0;  // share of the known picture's area that lies inside the scanned picture
  double spread = 0;   // the inliers' bounding box (in the known picture) over the visible known area
};

GeometricMatch MatchGeometry(const LocalFeatures& scanned, const LocalFeatures& known,
                             const GeometricOptions& options = {});

bool IsGeometricHit(const GeometricMatch& match, const GeometricOptions& options = {});

// The scanned picture against each view of a known one (ComputeLibraryViews): the best, a hit before a
// non-hit, then by inliers. `view` is set to the index of the view it came from.
GeometricMatch MatchGeometryViews(const LocalFeatures& scanned, const std::vector<LocalFeatures>& views,
                                  const GeometricOptions& options, std::size_t* view = nullptr);

}  // namespace hashtriage::hashing
