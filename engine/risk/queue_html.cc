// QueueHtml (queue_view.h): one self-contained HTML page for supervisors. No images, no scripts, no
// external assets (a Content-Security-Policy forbids loading anything); every text is escaped (HtmlText:
// markup characters as entities, control characters in their visible \x1b form), since screen names
// and file names in referrals are chosen by suspects.
#include <fmt/format.h>

#include "engine/risk/queue_rules.h"
#include "engine/risk/queue_view.h"
#include "engine/text/untrusted_text.h"
#include "engine/time_util.h"

namespace hashtriage::engine::risk {

namespace {

// Markup-escaped, with no raw control character or invalid UTF-8 (engine/text/untrusted_text.h).
std::string Esc(std::string_view text) { return HtmlText(text); }

constexpr std::string_view kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5em;color:#1a1a1a}
h1{font-size:1.4em;margin:0 0 .2em}
.meta{color:#555;font-size:.9em;margin-bottom:1em}
table.q{border-collapse:collapse;width:100%;font-size:.9em}
table.q th,table.q td{border-bottom:1px solid #ddd;padding:.35em .5em;text-align:left;vertical-align:top}
table.q th{background:#f2f2f2;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.band{font-weight:600;padding:.1em .45em;border-radius:.3em;white-space:nowrap}
.b-very-high{background:#7a0010;color:#fff}.b-high{background:#d9480f;color:#fff}
.b-medium{background:#f1c40f;color:#000}.b-low{background:#d5e8d4;color:#000}
.overdue{color:#b00020;font-weight:700}
.flag{color:#b00020}
.research{color:#7a4f00}
details summary{cursor:pointer}
table.f{border-collapse:collapse;margin:.3em 0 .3em 1em;font-size:.95em}
table.f td{border:none;padding:.1em .6em .1em 0;vertical-align:top}
.ev{color:#555;font-size:.9em}
.counts span{margin-right:1em}
@media print{details{display:block}details>*{display:block}}
)";

std::string BandBadge(Band band) {
  return fmt::format("<span class=\"band b-{}\">{}</span>", BandKey(band), Esc(BandName(band)));
}

std::string EvidenceList(const std::vector<FactorEvidence>& evidence, std::uint64_t count) {
  std::string out;
  for (const auto& e : evidence) out += "<div class=\"ev\">" + Esc(e.ref) + " &mdash; " + Esc(e.detail) + "</div>";
  if (count > evidence.size()) out += fmt::format("<div class=\"ev\">&hellip; and {} more</div>", count - evidence.size());
  return out;
}

std::string Breakdown(const QueueRow& r) {
  const QueueEntry& e = r.entry;
  std::string out = "<table class=\"f\">";
  if (r.assessment) {
    for (const auto& u : r.assessment->urgency) {
      out += "<tr><td class=\"flag\">URGENT</td><td>" + Esc(u.label) + EvidenceList(u.evidence, u.evidence.size()) +
             "</td></tr>";
    }
    for (const auto& f : r.assessment->factors) {
      out += fmt::format("<tr><td class=\"num\">+{}</td><td>{}", f.points, Esc(f.label));
      if (!f.basis.empty()) out += " <span class=\"ev\">(" + Esc(f.basis) + ")</span>";
      out += EvidenceList(f.evidence, f.count > 1 ? f.count : f.evidence.size()) + "</td></tr>";
    }
    if (!r.assessment->floor_reason.empty()) {
      out += "<tr><td>floor</td><td>" + Esc(r.assessment->floor_reason) + "</td></tr>";
    }
    for (const auto& t : r.assessment->research) {
      if (!t.conflict.empty()) {
        out += "<tr><td class=\"research\">conflict</td><td class=\"research\">" + Esc(t.label) + " (" +
               Esc(t.attribute) + "): " + Esc(t.conflict) + " &mdash; record the right value</td></tr>";
        continue;
      }
      std::string adds;
      for (const auto& u : r.assessment->outlook.unknowns) {
        if (u.attribute == t.attribute) {
          adds = fmt::format(", would add +{}; {:.0f}% of comparable subjects had it", u.points, 100 * u.prevalence);
        }
      }
      out += "<tr><td class=\"research\">unknown</td><td class=\"research\">" + Esc(t.label) + " (" +
             Esc(t.attribute) + ") &mdash; research needed" + Esc(adds) + "</td></tr>";
    }
    if (!r.assessment->outlook.unknowns.empty() && r.assessment->urgency.empty()) {
      out += fmt::format("<tr><td class=\"research\">outlook</td><td class=\"research\">{:.0f}% likely High once "
                         "the unknowns are known (expected score {:.1f})</td></tr>",
                         100 * r.assessment->outlook.p_high, r.assessment->outlook.expected_score);
    }
    out += "<tr><td></td><td class=\"ev\">assessed " + Esc(FormatIso8601(r.assessment->assessed_at)) + ", model " +
           Esc(r.assessment->model_name) + " " + Esc(r.assessment->model_sha256.substr(0, 12)) + "</td></tr>";
  }
  if (e.override_band) {
    out += "<tr><td>override</td><td>" + Esc(BandName(e.override_band->band)) + " by " + Esc(e.override_band->by) +
           " on " + Esc(FormatDate(e.override_band->at)) + ": " + Esc(e.override_band->reason) + "</td></tr>";
  }
  return out + "</table>";
}

// The breakdown of the first rows is shown unfolded; the rest fold (one click).
constexpr std::size_t kOpenDetails = 50;

}  // namespace

std::string QueueHtml(const std::vector<QueueRow>& rows, const QueueViewContext& context) {
  std::array<std::size_t, kBandCount> open_by_band{};
  std::array<std::size_t, kBandCount> overdue_by_band{};
  for (const auto& r : rows) {
    if (!r.entry.open()) continue;
    ++open_by_band[BandIndex(r.entry.band)];
    if (r.entry.overdue(context.now)) ++overdue_by_band[BandIndex(r.entry.band)];
  }
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>hashtriage queue " + Esc(FormatDate(context.now)) + "</title>\n<style>" + std::string(kStyle) +
      "</style></head><body>\n";
  out += "<h1>Prioritised queue</h1>\n<div class=\"meta\">Generated " + Esc(FormatIso8601(context.now)) +
         " from case " + Esc(context.case_path) + " &middot; model " + Esc(context.model_name) + " (sha256 " +
         Esc(context.model_sha256) + ") &middot; advisory: an investigator decides</div>\n<div class=\"counts\">";
  for (Band b : kBandsHighestFirst) {
    out += fmt::format("<span>{} {} open, {} overdue</span>", BandBadge(b), open_by_band[BandIndex(b)],
                       overdue_by_band[BandIndex(b)]);
  }
  out += "</div>\n<table class=\"q\"><thead><tr><th>#</th><th>subject</th><th>band</th><th>deadline</th>"
         "<th>score</th><th>age</th><th>status</th><th>hits</th><th>owner</th><th>why (factors and evidence)</th>"
         "</tr></thead><tbody>\n";
  for (const auto& r : rows) {
    const QueueEntry& e = r.entry;
    std::string band = BandBadge(e.band);
    if (e.override_band) band += "<div class=\"ev\">model: " + Esc(BandName(e.model_band)) + "</div>";
    std::string status = Esc(RowStatus(r, context.now));
    if (e.overdue(context.now)) status = "<span class=\"overdue\">OVERDUE</span>";
    if (e.review_flag) status += "<div class=\"flag\">review: " + Esc(e.review_flag->why) + "</div>";
    std::string subject = "<b>" + Esc(e.subject_id) + "</b>";
    if (!e.display_name.empty()) subject += "<div class=\"ev\">" + Esc(e.display_name) + "</div>";
    const std::string summary = r.assessment ? TopFactorsText(*r.assessment, 3) : "";
    out += fmt::format(
        "<tr id=\"subject-{}\"><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}d</td><td>{}</td><td>{}</td><td>{}</td><td><details{}><summary>{}</summary>{}</details>"
        "</td></tr>\n",
        Esc(e.subject_id), r.rank ? std::to_string(r.rank) : "&ndash;", subject, band, Esc(FormatDate(e.deadline)),
        e.score, DaysInQueue(e, context.now), status, r.assessment ? Esc(HitCountsText(*r.assessment)) : "",
        Esc(e.owner), r.rank > 0 && r.rank <= kOpenDetails ? " open" : "", summary.empty() ? "no scoring factor" : Esc(summary), Breakdown(r));
  }
  out += "</tbody></table>\n<p class=\"meta\">" + std::to_string(rows.size()) +
         " subject(s). This page holds no images and loads nothing from anywhere.</p>\n</body></html>\n";
  return out;
}

}  // namespace hashtriage::engine::risk
