// SubjectStore: the people of a case and what links them: subjects (a root subject, or a merged one
// that redirects to its survivor), accounts seen in referrals or added by hand, identifiers (which
// accounts and subjects hold each; IP addresses with their sightings), manual link / do-not-link
// decisions, possible links for a person to confirm, and risk attributes with their history. The
// linker (engine/subjects/linker.h) decides; this store only keeps typed records.
// Threads: reads from any thread; writes through a CaseTransaction (one thread at a time).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "engine/case/case.h"

namespace hashtriage::engine {

// An ordered list of ids used as a set: insertion order kept, membership in O(1) (an index is built
// once the list is long), so subjects with thousands of accounts stay cheap to extend.
class IdList {
 public:
  IdList() = default;
  IdList(std::initializer_list<std::string> ids);
  explicit IdList(std::vector<std::string> ids);
  bool Contains(std::string_view id) const;
  // Appends `id` unless present; true when added.
  bool Add(std::string_view id);
  void Remove(std::string_view id);
  void Clear();
  const std::vector<std::string>& items() const { return items_; }
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }
  const std::string& front() const { return items_.front(); }
  friend bool operator==(const IdList& a, const IdList& b) { return a.items_ == b.items_; }

 private:
  void BuildIndex() const;
  std::vector<std::string> items_;
  mutable std::unordered_set<std::string> index_;  // complete when items_.size() >= kIndexFrom
  static constexpr std::size_t kIndexFrom = 16;
};

// How a subject came to absorb another (or, kind "split", was re-derived after an unlink).
struct MergeEvent {
  std::string kind;        // "identifier", "link" or "split"
  std::string subject;     // the other subject (merged away; for split: the subject re-derived)
  std::string into;        // the survivor (on the merged subject's own record)
  std::string identifier;  // kind identifier: the shared identifier key
  std::vector<std::string> accounts;  // kind identifier: the two accounts that shared it
  std::string referral;
  std::string link;        // kind link: the link decision id
  std::string reason;
  std::int64_t time = 0;
  std::string by;
};

struct SubjectRecord {
  std::string id;
  std::int64_t created = 0;
  std::string created_by;  // "intake:<referral>", "scan", "manual", "split:<subject>"
  std::string display_name;
  IdList accounts;         // root subjects: every account of the subject (merged ones included)
  IdList aliases;          // root subjects: every subject id merged into it
  std::string merged_into; // merged subjects: the subject it redirects to
  std::optional<MergeEvent> merged;  // merged subjects: how
  std::vector<MergeEvent> merges;    // root subjects: merges and re-derivations, oldest first
  IdList constraints;      // do-not-link decisions touching the subject
  IdList links;            // manual link decisions touching the subject
  std::uint64_t referrals = 0;  // referrals of its accounts (kept in step by the linker)
  bool root() const { return merged_into.empty(); }
};

// One identifier as an account holds it.
struct AccountIdentifier {
  std::string key;   // "<kind>:<value>"
  std::string kind;
  std::string value;
  std::int64_t first_seen = 0;
  std::optional<std::int64_t> last_seen;
  std::string referral;  // where it was first seen ("" for a manual identifier)
};

// How an account joined its subject.
struct JoinInfo {
  std::string kind;        // "founder", "identifier", "manual", "link", "split"
  std::string identifier;  // kind identifier: the shared identifier key
  std::string with;        // the account it was joined with
  std::string referral;
  std::string link;
  std::string source;      // kind manual: where the identifier came from
  std::string from;        // kind split: the subject it was separated from
  std::string by;
  std::int64_t time = 0;
};

struct AccountRecord {
  std::string id;
  std::int64_t created = 0;
  std::string service;
  std::string origin;      // "referral" or "manual"
  std::string source;      // manual: where it came from
  std::string subject;     // a hint resolved through merge redirects
  std::string home;        // the subject it was first placed in
  std::vector<AccountIdentifier> identifiers;
  IdList referrals;
  std::optional<JoinInfo> joined;
  IdList possible_links;   // possible-link keys involving the account
};

// A strong or weak identifier other than an IP address: who holds it.
struct IdentifierRecord {
  std::string key;
  std::string kind;
  std::string value;
  IdList accounts;
  IdList subjects;      // root subjects holding it (hints, resolved through redirects)
  std::string primary;  // the account it names, when it is that account's primary identifier
  std::int64_t first_seen = 0;
  std::int64_t last_seen = 0;
};

struct IpSighting {
  std::int64_t time = 0;
  std::string account;
  std::string referral;
  int port = 0;
  bool proxy = false;
};

struct IpAddressRecord {
  std::string key;  // "ip:<address>"
  std::string value;
  std::vector<IpSighting> sightings;  // the most recent, capped
  bool shared = false;
  std::int64_t shared_since = 0;
  std::string shared_reason;
};

// A person's decision: "link" (these are one subject) or "nolink" (keep apart; automatic linking
// respects it).
struct LinkRecord {
  std::string id;  // "L-000001"
  std::string type;
  std::string a, b;                   // as the person named them
  std::vector<std::string> nodes;     // link: the two nodes joined
  std::vector<std::string> left, right;  // nolink: the nodes on each side
  std::string reason;
  std::string by;
  std::int64_t time = 0;
  bool active = true;
  std::string revoked_by;
  std::int64_t revoked_at = 0;
};

// Two accounts that may be one person, for a person to decide: seen on one IP address within the
// window, or named together by a referral that would have merged too many subjects at once.
struct PossibleLinkRecord {
  std::string key;
  std::string basis;   // "ip" or "identifiers"
  std::string ip;      // basis ip
  std::vector<std::string> accounts;  // two account ids, ordered
  std::string reason;  // basis identifiers: why it was not merged automatically
  std::string referral;
  std::int64_t first = 0, last = 0;
  std::uint64_t count = 0;
  bool proxy = false;
  std::string status = "open";
};

// One recorded value of a risk attribute (or the routing area) of a subject id.
struct AttributeRecord {
  std::uint64_t seq = 0;    // case-wide, increasing
  std::string subject;      // the subject id it was recorded on
  std::string name;
  std::string value;        // "yes" / "no" / "unknown", or the area code
  std::string source;
  std::int64_t recorded_at = 0;
  std::string recorded_by;
  std::int64_t entered_at = 0;  // the command's clock
  // A reference people can quote: "attribute #42".
  std::string ref() const { return "attribute #" + std::to_string(seq); }
};

class SubjectStore {
 public:
  virtual ~SubjectStore() = default;

  virtual Result<std::optional<SubjectRecord>> GetSubject(const std::string& id) const = 0;
  virtual void PutSubject(CaseTransaction& txn, const SubjectRecord& record) = 0;
  // Every subject (root or merged) in id order until `visit` returns false.
  virtual Status ForEachSubject(const std::function<bool(const SubjectRecord&)>& visit) const = 0;

  virtual Result<std::optional<AccountRecord>> GetAccount(const std::string& id) const = 0;
  virtual void PutAccount(CaseTransaction& txn, const AccountRecord& record) = 0;

  virtual Result<std::optional<IdentifierRecord>> GetIdentifier(const std::string& key) const = 0;
  // Many records at once (one round trip on a database server), in the order asked, nullopt where
  // there is none. The defaults read them one by one.
  virtual Result<std::vector<std::optional<SubjectRecord>>> GetSubjects(const std::vector<std::string>& ids) const;
  virtual Result<std::vector<std::optional<AccountRecord>>> GetAccounts(const std::vector<std::string>& ids) const;
  virtual Result<std::vector<std::optional<IdentifierRecord>>> GetIdentifiers(const std::vector<std::string>& keys) const;
  virtual Result<std::vector<std::optional<IpAddressRecord>>> GetIpAddresses(const std::vector<std::string>& keys) const;
  virtual void PutIdentifier(CaseTransaction& txn, const IdentifierRecord& record) = 0;
  virtual Result<std::optional<IpAddressRecord>> GetIpAddress(const std::string& key) const = 0;
  virtual void PutIpAddress(CaseTransaction& txn, const IpAddressRecord& record) = 0;

  virtual Result<std::optional<LinkRecord>> GetLink(const std::string& id) const = 0;
  virtual void PutLink(CaseTransaction& txn, const LinkRecord& record) = 0;
  virtual Result<std::optional<PossibleLinkRecord>> GetPossibleLink(const std::string& key) const = 0;
  virtual void PutPossibleLink(CaseTransaction& txn, const PossibleLinkRecord& record) = 0;

  // Every attribute record of the given subject ids, oldest first (recorded_at, then seq).
  virtual Result<std::vector<AttributeRecord>> Attributes(const std::vector<std::string>& subject_ids) const = 0;
  virtual void PutAttribute(CaseTransaction& txn, const AttributeRecord& record) = 0;
};

}  // namespace hashtriage::engine
