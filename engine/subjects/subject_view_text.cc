// Text rendering of `subject show` and `subject list` from their JSON views (subject_view.cc).
// Every field is printed in its terminal form (engine/text/untrusted_text.h): names, identifiers and
// file names come from referrals and devices.
#include <cstdio>

#include "engine/subjects/subject_view.h"
#include "engine/text/untrusted_text.h"

namespace hashtriage::engine::subjects {

namespace {

using OJson = nlohmann::ordered_json;

std::string Str(const OJson& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return TerminalText(it->is_string() ? it->get<std::string>() : it->dump());
}

std::string Day(const OJson& j, const char* key) { return Str(j, key).substr(0, 10); }

void Line(std::string& out, const std::string& text) { out += text + "\n"; }

}  // namespace

std::string RenderSubjectText(const OJson& v) {
  std::string out;
  Line(out, "Subject " + Str(v, "id") + (Str(v, "name").empty() ? "" : "  \"" + Str(v, "name") + "\"") + "  (created " +
                Day(v, "created") + ", " + Str(v, "created_by") + ")");
  if (v.contains("requested_id")) Line(out, Str(v, "requested_id") + " was merged into " + Str(v, "id"));
  if (!v["aliases"].empty()) {
    std::string ids;
    for (const auto& a : v["aliases"]) ids += (ids.empty() ? "" : ", ") + TerminalText(a.get<std::string>());
    Line(out, "Also known as: " + ids);
  }
  if (!v["area"].is_null()) {
    Line(out, "Area (routing only): " + Str(v["area"], "value") + "  (source: " + Str(v["area"], "source") + ")");
  }
  std::string flags;
  if (v["escalate_to_high_priority"].get<bool>()) flags += " ESCALATE-TO-HIGH-PRIORITY";
  if (v["possible_self_production"].get<bool>()) flags += " POSSIBLE-SELF-PRODUCTION";
  if (!flags.empty()) Line(out, "Provider flags:" + flags);

  Line(out, "\nAccounts (" + std::to_string(v["accounts"].size()) + ")");
  for (const auto& a : v["accounts"]) {
    Line(out, "  " + Str(a, "id") + (Str(a, "service").empty() ? "" : "  " + Str(a, "service")) + "  - " + Str(a, "joined"));
    for (const auto& id : a["identifiers"]) {
      std::string seen = Day(id, "first_seen");
      if (id.contains("last_seen") && Day(id, "last_seen") != seen) seen += ".." + Day(id, "last_seen");
      Line(out, "      " + Str(id, "kind") + "  " + Str(id, "value") + "  (" + seen + ")");
    }
  }
  if (!v["merges"].empty()) {
    Line(out, "\nMerges and re-derivations");
    for (const auto& m : v["merges"]) Line(out, "  " + Day(m, "time") + "  " + Str(m, "text"));
  }
  if (!v["link_decisions"].empty()) {
    Line(out, "\nLink decisions");
    for (const auto& d : v["link_decisions"]) {
      Line(out, "  " + Str(d, "id") + "  " + (Str(d, "type") == "link" ? "link   " : "unlink ") + Str(d, "a") + " / " +
                    Str(d, "b") + "  by " + Str(d, "by") + " " + Day(d, "time") + ": " + Str(d, "reason") +
                    (d["active"].get<bool>() ? "" : "  [revoked by " + Str(d, "revoked_by") + "]"));
    }
  }
  if (!v["possible_links"].empty()) {
    Line(out, "\nPossible links (never merged automatically - confirm with 'subject link')");
    for (const auto& p : v["possible_links"]) {
      if (Str(p, "basis") == "identifiers") {
        Line(out, "  " + Str(p, "account") + " ~ " + Str(p, "other_account") + " (" + Str(p, "other_subject") +
                      "): not merged automatically: referral " + Str(p, "referral") + " " + Str(p, "reason"));
        continue;
      }
      Line(out, "  ip " + Str(p, "ip") + "  " + Str(p, "account") + " ~ " + Str(p, "other_account") + " (" +
                    Str(p, "other_subject") + ")  " + Str(p, "sightings") + "x " + Day(p, "first") + ".." + Day(p, "last") +
                    (p["proxy"].get<bool>() ? "  possible proxy" : "") +
                    (p.contains("shared_ip") ? "  shared address: " + Str(p, "shared_ip") : ""));
    }
  }
  Line(out, "\nReferrals (" + std::to_string(v["referrals"].size()) + ")");
  for (const auto& r : v["referrals"]) {
    Line(out, "  " + Day(r, "received") + "  " + Str(r, "id") + "  " + Str(r, "format") +
                  (Str(r, "service").empty() ? "" : " " + Str(r, "service")) + "  files " + Str(r, "files") + ", hits " +
                  Str(r, "hits") + (r["escalate"].get<bool>() ? "  ESCALATE" : "") +
                  (Str(r, "industry_classification").empty() ? "" : "  industry " + Str(r, "industry_classification")) +
                  (Str(r, "location").empty() ? "" : "  location " + Str(r, "location")));
  }
  Line(out, "\nDevice scans (" + std::to_string(v["scans"].size()) + ")");
  for (const auto& s : v["scans"]) {
    Line(out, "  " + Str(s, "id") + "  " + Str(s, "source") + "  started " + Str(s, "started") + ", files with hits " +
                  Str(s, "files_with_hits"));
  }
  std::string cats;
  for (const auto& [name, count] : v["hits_by_category"].items()) cats += "  " + name + " " + count.dump();
  Line(out, "\nKnown-image hits (distinct images):" + cats);
  for (const auto& h : v["hits"]) {
    const bool exact = Str(h, "kind") == "md5" || Str(h, "kind") == "sha1" || Str(h, "kind") == "sha256";
    Line(out, "  " + Str(h, "category") + "  " + Str(h, "kind") + (exact ? "" : " d=" + Str(h, "distance")) +
                  "  set " + Str(h, "set") + "  " + Str(h, "source"));
  }
  Line(out, "\nRisk attributes (current)");
  for (const auto& a : v["attributes"]) {
    char name[48];
    std::snprintf(name, sizeof name, "  %-36s", Str(a, "name").c_str());
    if (a.contains("conflict")) {
      Line(out, std::string(name) + Str(a, "value") + "  CONFLICT - " + Str(a, "note"));
      for (const auto& c : a["conflict"]) {
        Line(out, "      " + Str(c, "value") + " on " + Str(c, "subject") + "  source: " + Str(c, "source") + ", " +
                      Day(c, "recorded_at") + ", by " + Str(c, "recorded_by") + " (" + Str(c, "ref") + ")");
      }
    } else if (a.contains("note")) {
      Line(out, std::string(name) + "unknown  - " + Str(a, "note"));
    } else {
      Line(out, std::string(name) + Str(a, "value") + "  source: " + Str(a, "source") + ", " + Day(a, "recorded_at") +
                    ", by " + Str(a, "recorded_by"));
    }
  }
  if (!v["attribute_history"].empty()) {
    Line(out, "\nAttribute history (" + std::to_string(v["attribute_history"].size()) + " records, oldest first)");
    for (const auto& a : v["attribute_history"]) {
      Line(out, "  " + Day(a, "recorded_at") + "  " + Str(a, "name") + " = " + Str(a, "value") + "  source: " +
                    Str(a, "source") + ", by " + Str(a, "recorded_by") + " (entered " + Day(a, "entered_at") + ")");
    }
  }
  Line(out, "\nTimeline (UTC)");
  for (const auto& e : v["timeline"]) Line(out, "  " + Str(e, "time") + "  " + Str(e, "event"));
  return out;
}

std::string RenderSubjectListText(const OJson& list) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-12s %-24s %8s %9s %5s %5s %8s  %s\n", "SUBJECT", "NAME", "ACCOUNTS", "REFERRALS",
                "SCANS", "HITS", "ESCALATE", "LAST REFERRAL");
  out += line;
  for (const auto& s : list["subjects"]) {
    const std::string name = FitTerminalText(Str(s, "name"), 24);
    std::snprintf(line, sizeof line, "%-12s %-24s %8s %9s %5s %5s %8s  %s\n", Str(s, "id").c_str(), name.c_str(),
                  Str(s, "accounts").c_str(), Str(s, "referrals").c_str(), Str(s, "scans").c_str(),
                  Str(s, "referral_hits").c_str(), s["escalate"].get<bool>() ? "yes" : "", Day(s, "last_referral").c_str());
    out += line;
  }
  out += std::to_string(list["subjects"].size()) + " subjects\n";
  return out;
}

}  // namespace hashtriage::engine::subjects
