#include "bench/robustness_transforms.h"

#include <algorithm>
#include <set>
#include <utility>
#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace hashtriage::bench {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes Jpeg92(const cv::Mat& m) { return EncodeJpeg(m, 92); }

Bytes Resize(const cv::Mat& m, double f) {
  cv::Mat out;
  cv::resize(m, out, cv::Size(), f, f, cv::INTER_AREA);
  return Jpeg92(out);
}

Bytes CentreCrop(const cv::Mat& m, double f) {
  const int w = static_cast<int>(std::lround(m.cols * f));
  const int h = static_cast<int>(std::lround(m.rows * f));
  return Jpeg92(m(cv::Rect((m.cols - w) / 2, (m.rows - h) / 2, w, h)).clone());
}

Bytes Rotate4(const cv::Mat& m, std::uint64_t) {
  const cv::Point2f c((m.cols - 1) / 2.0f, (m.rows - 1) / 2.0f);
  cv::Mat r = cv::getRotationMatrix2D(c, 4.0, 1.0);
  const cv::Rect2f box = cv::RotatedRect(cv::Point2f(), m.size(), 4.0f).boundingRect2f();
  r.at<double>(0, 2) += box.width / 2.0 - c.x;
  r.at<double>(1, 2) += box.height / 2.0 - c.y;
  cv::Mat out;
  cv::warpAffine(m, out, r, box.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(255, 255, 255));
  return Jpeg92(out);
}

Bytes Letterbox(const cv::Mat& m, std::uint64_t) {
  const int side = std::max(m.cols, m.rows);
  const double s = 0.7 * side / std::max(m.cols, m.rows);
  cv::Mat small;
  cv::resize(m, small, cv::Size(), s, s, cv::INTER_AREA);
  cv::Mat canvas(side, side, m.type(), cv::Scalar(0, 0, 0));
  small.copyTo(canvas(cv::Rect((side - small.cols) / 2, (side - small.rows) / 2, small.cols, small.rows)));
  return Jpeg92(canvas);
}

Bytes Caption(const cv::Mat& m, std::uint64_t) {
  cv::Mat out = m.clone();
  const int bar = std::max(8, m.rows / 10);
  cv::rectangle(out, cv::Rect(0, m.rows - bar, m.cols, bar), cv::Scalar(0, 0, 0), cv::FILLED);
  const double scale = bar / 40.0;
  cv::putText(out, "when you see it lol #share", cv::Point(bar / 3, m.rows - bar / 4), cv::FONT_HERSHEY_SIMPLEX,
              scale, cv::Scalar(255, 255, 255), std::max(1, bar / 15), cv::LINE_AA);
  return Jpeg92(out);
}

Bytes Sticker(const cv::Mat& m, std::uint64_t seed) {
  cv::RNG rng(seed);
  cv::Mat out = m.clone();
  const int w = static_cast<int>(m.cols * 0.3);
  const int h = static_cast<int>(m.rows * 0.3);
  const int x = rng.uniform(0, m.cols - w + 1);
  const int y = rng.uniform(0, m.rows - h + 1);
  cv::rectangle(out, cv::Rect(x, y, w, h), cv::Scalar(rng.uniform(0, 256), rng.uniform(0, 256), rng.uniform(0, 256)),
                cv::FILLED);
  return Jpeg92(out);
}

const std::vector<Transform> kTransforms = {
    {"original (q92)", [](const cv::Mat& m, std::uint64_t) { return Jpeg92(m); }},
    {"resize 50%", [](const cv::Mat& m, std::uint64_t) { return Resize(m, 0.5); }},
    {"resize 25%", [](const cv::Mat& m, std::uint64_t) { return Resize(m, 0.25); }},
    {"jpeg q30", [](const cv::Mat& m, std::uint64_t) { return EncodeJpeg(m, 30); }},
    {"blur sigma 2",
     [](const cv::Mat& m, std::uint64_t) {
       cv::Mat o;
       cv::GaussianBlur(m, o, cv::Size(), 2.0);
       return Jpeg92(o);
     }},
    {"noise sigma 10",
     [](const cv::Mat& m, std::uint64_t seed) {
       cv::RNG rng(seed);
       cv::Mat n(m.size(), CV_16SC3);
       rng.fill(n, cv::RNG::NORMAL, 0, 10);
       cv::Mat o;
       m.convertTo(o, CV_16SC3);
       o += n;
       o.convertTo(o, CV_8UC3);
       return Jpeg92(o);
     }},
    {"gamma 0.7",
     [](const cv::Mat& m, std::uint64_t) {
       cv::Mat lut(1, 256, CV_8U);
       for (int i = 0; i < 256; ++i) lut.at<std::uint8_t>(i) = cv::saturate_cast<std::uint8_t>(255.0 * std::pow(i / 255.0, 0.7));
       cv::Mat o;
       cv::LUT(m, lut, o);
       return Jpeg92(o);
     }},
    {"brightness+15 contrast+20%",
     [](const cv::Mat& m, std::uint64_t) {
       cv::Mat o;
       m.convertTo(o, -1, 1.2, 15);
       return Jpeg92(o);
     }},
    {"greyscale",
     [](const cv::Mat& m, std::uint64_t) {
       cv::Mat g, o;
       cv::cvtColor(m, g, cv::COLOR_BGR2GRAY);
       cv::cvtColor(g, o, cv::COLOR_GRAY2BGR);
       return Jpeg92(o);
     }},
    {"rotate 90",
     [](const cv::Mat& m, std::uint64_t) {
       cv::Mat o;
       cv::rotate(m, o, cv::ROTATE_90_CLOCKWISE);
       return Jpeg92(o);
     }},
    {"mirror",
     [](const cv::Mat& m, std::uint64_t) {
       cv::Mat o;
       cv::flip(m, o, 1);
       return Jpeg92(o);
     }},
    {"rotate 4 (white corners)", Rotate4},
    {"centre crop 95%", [](const cv::Mat& m, std::uint64_t) { return CentreCrop(m, 0.95); }},
    {"centre crop 90%", [](const cv::Mat& m, std::uint64_t) { return CentreCrop(m, 0.90); }},
    {"white border 10%",
     [](const cv::Mat& m, std::uint64_t) {
       cv::Mat o;
       const int bx = m.cols / 10;
       const int by = m.rows / 10;
       cv::copyMakeBorder(m, o, by, by, bx, bx, cv::BORDER_CONSTANT, cv::Scalar(255, 255, 255));
       return Jpeg92(o);
     }},
    {"letterbox 70% black square", Letterbox},
    {"caption bar", Caption},
    {"aspect 100%x80%",
     [](const cv::Mat& m, std::uint64_t) {
       cv::Mat o;
       cv::resize(m, o, cv::Size(m.cols, static_cast<int>(m.rows * 0.8)), 0, 0, cv::INTER_AREA);
       return Jpeg92(o);
     }},
    {"sticker 9%", Sticker},
    {"png re-encode",
     [](const cv::Mat& m, std::uint64_t) {
       std::vector<std::uint8_t> out;
       cv::imencode(".png", m, out);
       return out;
     }},
};

}  // namespace

const std::vector<Transform>& AllTransforms() { return kTransforms; }

std::vector<std::uint8_t> EncodeJpeg(const cv::Mat& bgr, int quality) {
  std::vector<std::uint8_t> out;
  cv::imencode(".jpg", bgr, out, {cv::IMWRITE_JPEG_QUALITY, quality});
  return out;
}

std::vector<std::uint8_t> NormalisePhoto(const cv::Mat& bgr) {
  const int longer = std::max(bgr.cols, bgr.rows);
  if (longer <= 1600) return EncodeJpeg(bgr, 92);
  cv::Mat o;
  const double s = 1600.0 / longer;
  cv::resize(bgr, o, cv::Size(), s, s, cv::INTER_AREA);
  return EncodeJpeg(o, 92);
}

bool NearDuplicatePhotos(const std::string& a, const std::string& b) {
  static const std::set<std::pair<std::string, std::string>> kPairs = {
      {"aloeL", "aloeR"},       {"aero1", "aero3"},         {"leuvenA", "leuvenB"},
      {"graf1", "graf3"},       {"rubberwhale1", "rubberwhale2"}, {"basketball1", "basketball2"},
      {"box", "box_in_scene"},  {"left01", "right01"},      {"ela_modified", "ela_original"},
      {"motorcycle_left", "motorcycle_right"}, {"basketball-court1-a", "basketball-court1-b"},
      {"city-with-water", "city-with-water2"}, {"brick-wall1", "brick-wall2"},
      {"train-tracks1", "train-tracks2"},      {"the-movies", "the-movies-inside"}};
  return kPairs.count({std::min(a, b), std::max(a, b)}) > 0;
}

cv::Mat GenerateTile(std::uint64_t seed, int side) {
  cv::RNG rng(seed * 0x9E3779B97F4A7C15ULL + 1);
  cv::Mat tile(side, side, CV_8UC1);
  // Smooth random gradient background.
  const double gx = rng.uniform(-2.0, 2.0);
  const double gy = rng.uniform(-2.0, 2.0);
  const double base = rng.uniform(0.0, 255.0);
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x) tile.at<std::uint8_t>(y, x) = cv::saturate_cast<std::uint8_t>(base + gx * (x - side / 2) + gy * (y - side / 2));
  }
  const int shapes = rng.uniform(3, 12);
  for (int i = 0; i < shapes; ++i) {
    const cv::Scalar colour(rng.uniform(0, 256));
    const cv::Point a(rng.uniform(0, side), rng.uniform(0, side));
    const cv::Point b(rng.uniform(0, side), rng.uniform(0, side));
    switch (rng.uniform(0, 3)) {
      case 0: cv::rectangle(tile, a, b, colour, cv::FILLED); break;
      case 1: cv::circle(tile, a, rng.uniform(side / 16, side / 3), colour, cv::FILLED); break;
      default: cv::line(tile, a, b, colour, rng.uniform(1, side / 10)); break;
    }
  }
  cv::Mat noise(tile.size(), CV_8UC1);
  rng.fill(noise, cv::RNG::NORMAL, 0, rng.uniform(0.0, 12.0));
  cv::add(tile, noise, tile);
  cv::GaussianBlur(tile, tile, cv::Size(), rng.uniform(0.5, 2.0));
  return tile;
}

}  // namespace hashtriage::bench
