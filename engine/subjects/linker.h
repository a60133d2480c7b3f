// Linker: turns accounts into subjects (people), incrementally. Accounts that share a strong
// identifier (email, phone, service account id, device id, P2P client GUID) are one subject: a
// persisted union-find whose merges leave redirects (old subject ids keep resolving) and record the
// identifier that caused them. Weak identifiers never merge: an IP address seen with two subjects
// within a time window becomes a possible link for a person to confirm, and an address seen with
// many subjects is marked shared (carrier NAT, VPN). People can link and unlink; an unlink is a
// do-not-merge constraint that automatic linking respects, and undoes an earlier merge by
// re-deriving the subject's components from its evidence (founders, manual links, identifiers).
// A referral whose identifiers would merge more than LinkOptions::max_auto_merge existing subjects at
// once merges none of them: it raises possible links for a person to decide (one referral naming
// a thousand e-mail addresses must not make a thousand people one).
// Works through a SubjectWorkspace: nothing reaches the case before it is flushed and committed.
// One thread at a time. Records: engine/case/subject_store.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/subjects/subject_workspace.h"
#include "hashing/status.h"
#include "ingest/referral/referral.h"

namespace hashtriage::engine::subjects {

struct LinkOptions {
  // Two subjects seen on one IP address within this many seconds are reported as a possible link.
  // Default: 86400 (24 hours).
  std::int64_t ip_window_seconds = 86400;
  // An address seen with more subjects than this inside the window is treated as shared (carrier NAT,
  // VPN exit, public Wi-Fi) and stops producing possible links. Default: 4.
  int max_subjects_per_ip = 4;
  // Sightings kept per IP address, the most recent by time. Default: 256.
  std::size_t max_ip_sightings = 256;
  // A referral (or added identifier) whose strong identifiers are held by more than this many other
  // existing subjects merges none of them and raises a possible link with each instead. Default: 3.
  int max_auto_merge = 3;
};

// Who does a change, and when (the command's --now).
struct Actor {
  std::int64_t now = 0;
  std::string by;
};

// What one referral (or a manually added identifier) says about one account.
struct AccountInput {
  std::string service;
  std::vector<ingest::Identifier> identifiers;  // every kind but IP (see RecordIpSighting)
  std::string display_name;                     // a name to show for a new subject
  std::string referral_id;                      // "" for a manual identifier
  std::string origin = "referral";              // "referral" or "manual"
  std::string source;                           // for manual identifiers: where the fact came from
  // Attach to this subject instead of deriving it (manual identifiers). "" = derive.
  std::string subject_id;
};

struct MergeReport {
  std::string survivor;
  std::string merged;
  std::string kind;  // "identifier" or "link"
  std::string identifier;
  std::string link;
};

struct Attachment {
  std::string account_id;
  bool new_account = false;
  bool already_known = false;  // a manual identifier the subject already held: nothing added
  std::string subject_id;  // the root subject after linking
  bool new_subject = false;
  std::vector<MergeReport> merges;
  std::vector<std::string> blocked;  // "identifier blocked by L-000003 (S-1 / S-4)"
  // Set when the fan-out safeguard held back the merges: why, and the possible links raised.
  std::string held_back;
  std::vector<std::string> possible_links;
};

struct UnlinkOutcome {
  std::string constraint_id;
  bool split = false;                  // the two were one subject and have been separated
  std::vector<std::string> subjects;   // roots that now hold what the subject held (split only)
};

class Linker {
 public:
  Linker(SubjectWorkspace& work, LinkOptions options = {}) : work_(work), options_(options) {}

  // The root subject of `subject_id` (through merge redirects). NotFound if there is no such subject.
  Result<std::string> Resolve(std::string_view subject_id);
  // The root subject an account belongs to now.
  Result<std::string> SubjectOfAccount(std::string_view account_id);

  // Creates a subject. `id` "" allocates the next S-NNNNNN. InvalidArgument if `id` exists or is invalid.
  Result<std::string> CreateSubject(std::string id, std::string_view created_by, std::string_view display_name,
                                    std::int64_t time);

  // Adds an account's identifiers (creating the account when its primary identifier is new), places it
  // in a subject and merges every other subject that shares one of its strong identifiers.
  Result<Attachment> Attach(const AccountInput& input, const Actor& actor);

  // Records that `account_id` used `ip` at `time`; creates or refreshes possible links with other
  // subjects seen on the address within the window (never merges). Returns the possible-link keys.
  Result<std::vector<std::string>> RecordIpSighting(const std::string& ip, const std::string& account_id,
                                                    std::int64_t time, int port, bool proxy,
                                                    const std::string& referral_id);

  // A person says `a` and `b` (subject or account ids) are one subject. Revokes do-not-merge
  // constraints between them. Returns the surviving root subject.
  Result<std::string> Link(const std::string& a, const std::string& b, const std::string& reason, const Actor& actor);
  // A person says `a` and `b` are not one subject: records a do-not-merge constraint, revokes manual
  // links between them and, when they are one subject now, splits it.
  Result<UnlinkOutcome> Unlink(const std::string& a, const std::string& b, const std::string& reason,
                               const Actor& actor);

 private:
  struct Node {
    std::string node;     // account id or "subject:<id>"
    std::string root;     // its root subject
  };
  Result<Node> ResolveNode(const std::string& id);
  Result<std::string> Merge(std::string a, std::string b, MergeEvent how, const Actor& actor);
  Result<std::vector<std::string>> RaisePossibleLinks(const std::string& account_id,
                                                      const std::vector<std::string>& others,
                                                      const std::string& reason, const std::string& referral,
                                                      std::int64_t time);
  // The active constraint that forbids merging roots `a` and `b`, if any.
  Result<std::optional<std::string>> Blocking(const std::string& a, const std::string& b);
  Result<std::vector<std::string>> FamilyNodes(const std::string& root);
  Result<std::vector<std::string>> SubjectFounders(const std::string& subject_id);
  struct AccountChoice {
    std::string id;
    bool created = false;
  };
  Result<AccountChoice> AccountFor(const AccountInput& input, const std::string& primary, std::int64_t now);
  Status AddIdentifiers(const std::string& account_id, const AccountInput& input, const std::string& primary,
                        std::int64_t now);
  // The account of the subject `root` that holds identifier `key` (for merge explanations).
  Result<std::string> AccountInSubjectWith(const std::string& key, const std::string& root);
  Result<std::vector<std::string>> Rebuild(const std::string& root, const Actor& actor);
  Status RefreshIdentifierHints(const std::vector<std::string>& accounts);

  SubjectWorkspace& work_;
  LinkOptions options_;
};

}  // namespace hashtriage::engine::subjects
