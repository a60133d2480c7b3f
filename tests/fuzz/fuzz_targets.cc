#include "tests/fuzz/fuzz_targets.h"

#include <array>

namespace hashtriage::fuzz {

std::span<const FuzzTarget> AllTargets() {
  static constexpr std::array<FuzzTarget, 17> kTargets{{
      {"image_decode", &FuzzImageDecode},
      {"vics_import", &FuzzVicsImport},
      {"icse_import", &FuzzIcseImport},
      {"nsrl_import", &FuzzNsrlImport},
      {"hashlist_import", &FuzzHashListImport},
      {"pdq_import", &FuzzPdqImport},
      {"csv_import", &FuzzCsvImport},
      {"csv_reader", &FuzzCsvReader},
      {"cybertip_referral", &FuzzCybertipReferral},
      {"p2p_referral", &FuzzP2pReferral},
      {"csv_referral", &FuzzCsvReferral},
      {"ufdr_report", &FuzzUfdrReport},
      {"archive", &FuzzArchive},
      {"disk_image", &FuzzDiskImage},
      {"untrusted_text", &FuzzUntrustedText},
      {"video_decode", &FuzzVideoDecode},
      {"heif_preview", &FuzzHeifPreview},
  }};
  return kTargets;
}

}  // namespace hashtriage::fuzz
