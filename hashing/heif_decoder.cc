// HEIC/HEIF decoding with libheif: the primary image, its declared size checked against the pixel
// limit before decoding, transformations (irot/imir) not applied, alpha composited on white.
#include <libheif/heif.h>

#include <memory>
#include <string>

#include "hashing/image_decode.h"

namespace hashtriage::hashing::decode_internal {

namespace {

Status HeifError(const heif_error& error, std::string_view what) {
  // libheif's messages may end in (or contain) line breaks; errors are one line.
  std::string message = error.message ? error.message : "unknown error";
  for (char& c : message) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!message.empty() && message.back() == ' ') message.pop_back();
  return Status::Corruption(std::string("HEIF ") + std::string(what) + " failed: " + message);
}

struct ContextDeleter {
  void operator()(heif_context* c) const { heif_context_free(c); }
};
struct HandleDeleter {
  void operator()(heif_image_handle* h) const { heif_image_handle_release(h); }
};
struct ImageDeleter {
  void operator()(heif_image* i) const { heif_image_release(i); }
};
struct OptionsDeleter {
  void operator()(heif_decoding_options* o) const { heif_decoding_options_free(o); }
};

}  // namespace

Result<DecodedImage> DecodeHeif(std::span<const std::byte> bytes, const DecodeOptions& options) {
  std::unique_ptr<heif_context, ContextDeleter> context(heif_context_alloc());
  if (!context) return Status::Internal("libheif context allocation failed");
  heif_error error = heif_context_read_from_memory_without_copy(context.get(), bytes.data(), bytes.size(), nullptr);
  if (error.code != heif_error_Ok) return HeifError(error, "container parse");

  heif_image_handle* raw_handle = nullptr;
  error = heif_context_get_primary_image_handle(context.get(), &raw_handle);
  if (error.code != heif_error_Ok) return HeifError(error, "primary image lookup");
  std::unique_ptr<heif_image_handle, HandleDeleter> handle(raw_handle);

  const ImageDimensions dims{heif_image_handle_get_width(handle.get()), heif_image_handle_get_height(handle.get())};
  if (dims.width <= 0 || dims.height <= 0) return Status::Corruption("HEIF image declares an invalid size");
  HT_RETURN_IF_ERROR(CheckPixelLimit(dims, options));

  const bool has_alpha = heif_image_handle_has_alpha_channel(handle.get()) != 0;
  std::unique_ptr<heif_decoding_options, OptionsDeleter> decode_options(heif_decoding_options_alloc());
  decode_options->ignore_transformations = 1;
  heif_image* raw_image = nullptr;
  error = heif_decode_image(handle.get(), &raw_image, heif_colorspace_RGB,
                            has_alpha ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB,
                            decode_options.get());
  if (error.code != heif_error_Ok) return HeifError(error, "decode");
  std::unique_ptr<heif_image, ImageDeleter> image(raw_image);

  int stride = 0;
  const std::uint8_t* plane = heif_image_get_plane_readonly(image.get(), heif_channel_interleaved, &stride);
  if (plane == nullptr || stride <= 0) return Status::Corruption("HEIF decode produced no pixel plane");
  const int width = heif_image_get_width(image.get(), heif_channel_interleaved);
  const int height = heif_image_get_height(image.get(), heif_channel_interleaved);
  if (width <= 0 || height <= 0) return Status::Corruption("HEIF decode produced an empty image");

  DecodedImage out;
  out.format = ImageFormat::kHeif;
  out.original = dims;
  out.luma = LumaFromInterleaved(plane, width, height, static_cast<std::size_t>(stride), has_alpha ? 4 : 3, false);
  return out;
}

}  // namespace hashtriage::hashing::decode_internal
