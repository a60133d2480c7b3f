#include "bench/geometric_transforms.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <opencv2/imgproc.hpp>

namespace hashtriage::bench {

namespace {

double Uniform(std::mt19937_64& rng, double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); }
int Int(std::mt19937_64& rng, int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng); }

std::string Format(const char* fmt, double a, double b = 0, double c = 0, double d = 0) {
  char buf[160];
  std::snprintf(buf, sizeof buf, fmt, a, b, c, d);
  return buf;
}

cv::Scalar RandomColour(std::mt19937_64& rng) { return cv::Scalar(Int(rng, 0, 255), Int(rng, 0, 255), Int(rng, 0, 255)); }

Transformed Crop(const cv::Mat& m, std::mt19937_64& rng) {
  const double cx = Uniform(rng, 0.03, 0.30), cy = Uniform(rng, 0.03, 0.30);
  const double ax = Uniform(rng, 0, 1), ay = Uniform(rng, 0, 1);  // share of the cut taken from the left / top
  const int w = std::max(16, static_cast<int>(std::lround(m.cols * (1 - cx))));
  const int h = std::max(16, static_cast<int>(std::lround(m.rows * (1 - cy))));
  const int x = static_cast<int>(std::lround((m.cols - w) * ax)), y = static_cast<int>(std::lround((m.rows - h) * ay));
  return {m(cv::Rect(x, y, w, h)).clone(), Format("crop %.0f%%x%.0f%% anchor (%.2f, %.2f)", 100 * cx, 100 * cy, ax, ay)};
}

Transformed Rotate(const cv::Mat& m, std::mt19937_64& rng) {
  const double angle = (Int(rng, 0, 1) ? 1 : -1) * Uniform(rng, 1, 20);
  const int style = Int(rng, 0, 2);  // 0 black corners, 1 white corners, 2 cut to the inscribed rectangle
  const cv::Point2f c(m.cols / 2.0f, m.rows / 2.0f);
  cv::Mat out;
  cv::warpAffine(m, out, cv::getRotationMatrix2D(c, angle, 1.0), m.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                 style == 1 ? cv::Scalar(255, 255, 255) : cv::Scalar(0, 0, 0));
  if (style == 2) {
    // Largest axis-aligned rectangle of the same aspect inside the rotated picture.
    const double a = std::abs(angle) * CV_PI / 180, w = m.cols, h = m.rows;
    const double k = std::min(w / (w * std::cos(a) + h * std::sin(a)), h / (w * std::sin(a) + h * std::cos(a)));
    const int iw = static_cast<int>(w * k), ih = static_cast<int>(h * k);
    out = out(cv::Rect((m.cols - iw) / 2, (m.rows - ih) / 2, iw, ih)).clone();
  }
  return {out, Format("rotate %.1f deg, ", angle) + (style == 0 ? "black corners" : style == 1 ? "white corners" : "cut")};
}

// A generated screen: a flat background with a header, text lines and shapes, like a viewer or chat.
cv::Mat Screen(int width, int height, std::mt19937_64& rng) {
  const int shade = Int(rng, 0, 1) ? Int(rng, 225, 255) : Int(rng, 10, 45);
  cv::Mat s(height, width, CV_8UC3, cv::Scalar(shade, shade, shade));
  const cv::Scalar ink = shade > 128 ? cv::Scalar(30, 30, 30) : cv::Scalar(230, 230, 230);
  cv::rectangle(s, cv::Rect(0, 0, width, height / 12), RandomColour(rng), cv::FILLED);
  const char* words[] = {"ok", "see this", "lol", "where was this", "sent a photo", "haha", "tomorrow?", "yes", "11:42"};
  for (int line = 0; line < 14; ++line) {
    std::string text;
    for (int k = Int(rng, 1, 4); k > 0; --k) text += std::string(words[Int(rng, 0, 8)]) + " ";
    cv::putText(s, text, cv::Point(Int(rng, 5, width / 3), Int(rng, height / 10, height - 5)), cv::FONT_HERSHEY_SIMPLEX,
                Uniform(rng, 0.4, 1.2) * width / 800.0 + 0.3, ink, 1, cv::LINE_AA);
  }
  for (int k = Int(rng, 2, 6); k > 0; --k) {
    cv::circle(s, cv::Point(Int(rng, 0, width), Int(rng, 0, height)), Int(rng, 5, width / 20), RandomColour(rng), cv::FILLED);
  }
  return s;
}

Transformed Inset(const cv::Mat& m, std::mt19937_64& rng) {
  const double scale = Uniform(rng, 0.30, 0.90);
  // The canvas: portrait (phone) or landscape (desktop) screen.
  const bool portrait = Int(rng, 0, 1) == 1;
  const int cw = portrait ? 720 : 1280, ch = portrait ? 1280 : 720;
  cv::Mat canvas = Screen(cw, ch, rng);
  const double f = scale * std::min(cw, ch) / std::max(m.cols, m.rows);
  cv::Mat small;
  cv::resize(m, small, cv::Size(), f, f, cv::INTER_AREA);
  const int x = Int(rng, 0, cw - small.cols), y = Int(rng, 0, ch - small.rows);
  small.copyTo(canvas(cv::Rect(x, y, small.cols, small.rows)));
  return {canvas, Format("inset %.0f%% of a %.0fx%.0f screen at (%.0f", 100 * scale, cw, ch, x) + Format(", %.0f)", y)};
}

Transformed Caption(const cv::Mat& m, std::mt19937_64& rng) {
  cv::Mat out = m.clone();
  const double share = Uniform(rng, 0.08, 0.20);
  const int bar = std::max(8, static_cast<int>(m.rows * share));
  const int where = Int(rng, 0, 2);  // top, bottom, middle
  const int y = where == 0 ? 0 : where == 1 ? m.rows - bar : Int(rng, 0, m.rows - bar);
  const bool dark = Int(rng, 0, 1) == 1;
  cv::rectangle(out, cv::Rect(0, y, m.cols, bar), dark ? cv::Scalar(0, 0, 0) : cv::Scalar(255, 255, 255), cv::FILLED);
  const char* captions[] = {"when you see it", "no way", "this is fine", "mood", "look at this one #share"};
  cv::putText(out, captions[Int(rng, 0, 4)], cv::Point(bar / 3, y + bar * 3 / 4), cv::FONT_HERSHEY_SIMPLEX, bar / 40.0,
              dark ? cv::Scalar(255, 255, 255) : cv::Scalar(0, 0, 0), std::max(1, bar / 15), cv::LINE_AA);
  return {out, Format("caption %.0f%% ", 100 * share) + (where == 0 ? "top" : where == 1 ? "bottom" : "middle")};
}

Transformed Sticker(const cv::Mat& m, std::mt19937_64& rng) {
  cv::Mat out = m.clone();
  const double total = Uniform(rng, 0.03, 0.15);
  const int count = Int(rng, 1, 3);
  for (int k = 0; k < count; ++k) {
    const double area = total / count * m.cols * m.rows;
    const int r = std::max(3, static_cast<int>(std::sqrt(area / CV_PI)));
    const cv::Point c(Int(rng, 0, m.cols - 1), Int(rng, 0, m.rows - 1));
    if (Int(rng, 0, 1)) {
      cv::circle(out, c, r, RandomColour(rng), cv::FILLED, cv::LINE_AA);
      cv::circle(out, c + cv::Point(-r / 3, -r / 4), std::max(1, r / 8), cv::Scalar(0, 0, 0), cv::FILLED);
      cv::circle(out, c + cv::Point(r / 3, -r / 4), std::max(1, r / 8), cv::Scalar(0, 0, 0), cv::FILLED);
    } else {
      const int side = static_cast<int>(std::sqrt(area));
      cv::rectangle(out, cv::Rect(c.x - side / 2, c.y - side / 2, side, side), RandomColour(rng), cv::FILLED);
    }
  }
  return {out, Format("%.0f sticker(s), %.0f%% of the area", count, 100 * total)};
}

}  // namespace

const char* FamilyName(Family f) {
  switch (f) {
    case Family::kCrop: return "crop";
    case Family::kRotate: return "rotate";
    case Family::kInset: return "inset";
    case Family::kCaption: return "caption";
    case Family::kSticker: return "sticker";
    case Family::kChain: return "chain";
  }
  return "?";
}

Transformed ApplyFamily(Family family, const cv::Mat& bgr, std::mt19937_64& rng) {
  switch (family) {
    case Family::kCrop: return Crop(bgr, rng);
    case Family::kRotate: return Rotate(bgr, rng);
    case Family::kInset: return Inset(bgr, rng);
    case Family::kCaption: return Caption(bgr, rng);
    case Family::kSticker: return Sticker(bgr, rng);
    case Family::kChain: {
      std::vector<Family> steps = {Family::kCrop, Family::kRotate, Family::kInset, Family::kCaption, Family::kSticker};
      std::shuffle(steps.begin(), steps.end(), rng);
      steps.resize(static_cast<std::size_t>(Int(rng, 2, 3)));
      // An inset is the last step (a screenshot is taken of the edited picture).
      std::stable_partition(steps.begin(), steps.end(), [](Family f) { return f != Family::kInset; });
      Transformed t{bgr, ""};
      for (Family f : steps) {
        Transformed next = ApplyFamily(f, t.bgr, rng);
        t.bgr = next.bgr;
        t.description += (t.description.empty() ? "" : " + ") + next.description;
      }
      return t;
    }
  }
  return {bgr, ""};
}

}  // namespace hashtriage::bench
