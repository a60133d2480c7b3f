// GIF first-frame decoding with giflib (OpenCV 4.6 has no GIF reader). The frame is drawn on a
// white canvas of the logical screen size; transparent pixels stay white.
#include <gif_lib.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "hashing/image_decode.h"

namespace hashtriage::hashing::decode_internal {

namespace {

struct MemoryCursor {
  std::span<const std::byte> bytes;
  std::size_t offset = 0;
};

int ReadFromMemory(GifFileType* gif, GifByteType* out, int length) {
  auto* cursor = static_cast<MemoryCursor*>(gif->UserData);
  const std::size_t available = cursor->bytes.size() - cursor->offset;
  const std::size_t n = std::min<std::size_t>(available, length < 0 ? 0 : static_cast<std::size_t>(length));
  std::memcpy(out, cursor->bytes.data() + cursor->offset, n);
  cursor->offset += n;
  return static_cast<int>(n);
}

struct GifCloser {
  void operator()(GifFileType* gif) const {
    int error = 0;
    DGifCloseFile(gif, &error);
  }
};

Status GifError(int code) {
  const char* text = GifErrorString(code);
  return Status::Corruption(std::string("GIF decode failed: ") + (text ? text : "unknown error"));
}

}  // namespace

Result<DecodedImage> DecodeGif(std::span<const std::byte> bytes, const DecodeOptions& options) {
  HT_ASSIGN_OR_RETURN(ImageDimensions screen, ReadImageDimensions(bytes, ImageFormat::kGif));
  HT_RETURN_IF_ERROR(CheckPixelLimit(screen, options));
  MemoryCursor cursor{bytes, 0};
  int error = 0;
  std::unique_ptr<GifFileType, GifCloser> gif(DGifOpen(&cursor, &ReadFromMemory, &error));
  if (!gif) return GifError(error);

  int transparent_index = -1;
  while (true) {
    GifRecordType record;
    if (DGifGetRecordType(gif.get(), &record) == GIF_ERROR) return GifError(gif->Error);
    if (record == TERMINATE_RECORD_TYPE) return Status::Corruption("GIF contains no image frame");
    if (record == EXTENSION_RECORD_TYPE) {
      int code = 0;
      GifByteType* ext = nullptr;
      if (DGifGetExtension(gif.get(), &code, &ext) == GIF_ERROR) return GifError(gif->Error);
      bool first_block = true;
      while (ext != nullptr) {
        if (first_block && code == GRAPHICS_EXT_FUNC_CODE && ext[0] >= 4 && (ext[1] & 1)) transparent_index = ext[4];
        first_block = false;
        if (DGifGetExtensionNext(gif.get(), &ext) == GIF_ERROR) return GifError(gif->Error);
      }
      continue;
    }
    if (record != IMAGE_DESC_RECORD_TYPE) continue;
    if (DGifGetImageDesc(gif.get()) == GIF_ERROR) return GifError(gif->Error);
    const GifImageDesc& desc = gif->Image;
    const ColorMapObject* colors = desc.ColorMap ? desc.ColorMap : gif->SColorMap;
    if (colors == nullptr) return Status::Corruption("GIF frame has no colour map");
    if (desc.Width <= 0 || desc.Height <= 0) return Status::Corruption("GIF frame has an invalid size");
    const ImageDimensions frame{desc.Width, desc.Height};
    HT_RETURN_IF_ERROR(CheckPixelLimit(frame, options));

    std::vector<GifPixelType> indices(static_cast<std::size_t>(desc.Width) * desc.Height);
    auto read_row = [&](int row) { return DGifGetLine(gif.get(), &indices[static_cast<std::size_t>(row) * desc.Width], desc.Width); };
    if (desc.Interlace) {
      static constexpr int kStart[] = {0, 4, 2, 1};
      static constexpr int kStep[] = {8, 8, 4, 2};
      for (int pass = 0; pass < 4; ++pass) {
        for (int row = kStart[pass]; row < desc.Height; row += kStep[pass]) {
          if (read_row(row) == GIF_ERROR) return GifError(gif->Error);
        }
      }
    } else {
      for (int row = 0; row < desc.Height; ++row) {
        if (read_row(row) == GIF_ERROR) return GifError(gif->Error);
      }
    }

    // Canvas of the logical screen (at least the frame), white where the frame does not paint.
    const int width = std::max(screen.width, desc.Left + desc.Width);
    const int height = std::max(screen.height, desc.Top + desc.Height);
    HT_RETURN_IF_ERROR(CheckPixelLimit(ImageDimensions{width, height}, options));
    std::vector<std::uint8_t> rgb(static_cast<std::size_t>(width) * height * 3, 255);
    for (int y = 0; y < desc.Height; ++y) {
      for (int x = 0; x < desc.Width; ++x) {
        const int index = indices[static_cast<std::size_t>(y) * desc.Width + x];
        if (index == transparent_index || index >= colors->ColorCount) continue;
        const GifColorType& c = colors->Colors[index];
        std::uint8_t* p = &rgb[(static_cast<std::size_t>(y + desc.Top) * width + (x + desc.Left)) * 3];
        p[0] = c.Red;
        p[1] = c.Green;
        p[2] = c.Blue;
      }
    }
    DecodedImage out;
    out.format = ImageFormat::kGif;
    out.original = ImageDimensions{width, height};
    out.luma = LumaFromInterleaved(rgb.data(), width, height, static_cast<std::size_t>(width) * 3, 3, false);
    return out;
  }
}

}  // namespace hashtriage::hashing::decode_internal
