// The PostgreSQL backend of the key-value layer (team mode): table kv_<name> per Table, created by
// `hashtriage db migrate` (pg_migrations.h). One connection per open case, one REPEATABLE READ
// transaction at a time: it begins with the first read or write and ends with the next Write, so the
// reads a command makes and the batch it then commits are one unit. If another process committed a
// change to a record this batch writes after that transaction began, PostgreSQL refuses the batch and
// Write returns a Conflict: nothing is lost silently, nothing of the batch is stored.
// Threads: every call takes one (recursive) lock: a Scan's visitor may read again.
#include <pqxx/pqxx>
#include <stdlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>

#include "engine/case/kv/kv_backend.h"
#include "engine/case/postgres/pg_error.h"
#include "engine/case/postgres/pg_migrations.h"

namespace hashtriage::engine::kv {

namespace {

using ReadWrite = pqxx::transaction<pqxx::repeatable_read, pqxx::read_write>;
using ReadOnly = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

constexpr int kScanPage = 512;
constexpr std::size_t kManyKeys = 1000;  // keys per GetMany statement
constexpr long long kWritersLock = 0x6874726961676531;  // "htriage1": the advisory lock of LockWriters

std::string TableSql(Table table) { return "kv_" + std::string(TableName(table)); }
std::string Stmt(std::string_view what, Table table) {
  return std::string(what) + "_" + std::to_string(static_cast<int>(table));
}

pqxx::binarystring Bytes(std::string_view s) { return pqxx::binarystring(s.data(), s.size()); }
std::string FromBytes(const pqxx::field& f) {
  const pqxx::binarystring b(f);
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

class PostgresBackend : public KvBackend {
 public:
  PostgresBackend(std::string url, std::unique_ptr<pqxx::connection> conn, bool read_only)
      : url_(std::move(url)), conn_(std::move(conn)), read_only_(read_only) {
    Prepare();
  }

  ~PostgresBackend() override {
    txn_.reset();  // rolls back anything uncommitted
    if (!scratch_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(scratch_, ec);
    }
  }

  Status Write(const std::vector<KvOp>& ops) override {
    std::lock_guard lock(mu_);
    if (view_lost_) {
      EndTransaction();
      return Status::Conflict("case write: the connection to PostgreSQL was lost while this change was being "
                              "prepared; nothing of it was stored: repeat the command");
    }
    try {
      if (!txn_ && !conn_->is_open()) Reconnect();
      pqxx::transaction_base& txn = Txn();
      WriteGrouped(txn, ops);
      txn.commit();
      EndTransaction();
      ++commits_;
      return Status::Ok();
    } catch (const std::exception& e) {
      EndTransaction();
      return pg::FromPostgres(e, "case write");
    }
  }

  Result<std::optional<std::string>> Get(Table table, std::string_view key) override {
    std::lock_guard lock(mu_);
    try {
      const pqxx::result r = Read([&] { return Txn().exec_prepared(Stmt("get", table), Bytes(key)); });
      if (r.empty()) return std::optional<std::string>();
      return std::optional<std::string>(FromBytes(r[0][0]));
    } catch (const std::exception& e) {
      FailRead();
      return pg::FromPostgres(e, "case read");
    }
  }

  Status GetMany(Table table, const std::vector<std::string>& keys, bool with_values,
                 const std::function<void(std::string_view, std::string_view)>& visit) override {
    std::lock_guard lock(mu_);
    try {
      for (std::size_t begin = 0; begin < keys.size(); begin += kManyKeys) {
        std::string array = "{";
        for (std::size_t i = begin; i < std::min(keys.size(), begin + kManyKeys); ++i) AppendArrayElement(array, keys[i]);
        array.back() = '}';
        const pqxx::result r = Read([&] { return Txn().exec_prepared(Stmt(with_values ? "getmany" : "hasmany", table), array); });
        for (const pqxx::row& row : r) {
          const std::string key = FromBytes(row[0]);
          const std::string value = with_values ? FromBytes(row[1]) : std::string();
          visit(key, value);
        }
      }
      return Status::Ok();
    } catch (const std::exception& e) {
      FailRead();
      return pg::FromPostgres(e, "case read");
    }
  }

  bool remote() const override { return true; }

  Status LockWriters() override {
    std::lock_guard lock(mu_);
    try {
      EndTransaction();
      if (!conn_->is_open()) Reconnect();
      pqxx::nontransaction n(*conn_);
      n.exec("SELECT pg_advisory_lock(" + std::to_string(kWritersLock) + ")");
      return Status::Ok();
    } catch (const std::exception& e) {
      EndTransaction();
      return pg::FromPostgres(e, "waiting for the case's writers' lock");
    }
  }

  void UnlockWriters() override {
    std::lock_guard lock(mu_);
    try {
      EndTransaction();  // the unit of work is over, stored or not
      pqxx::nontransaction n(*conn_);
      n.exec("SELECT pg_advisory_unlock(" + std::to_string(kWritersLock) + ")");
    } catch (const std::exception&) {
      // A lost connection released the lock with its session.
    }
  }

  Status ScanMany(Table table, const std::vector<std::string>& prefixes,
                  const std::function<void(std::size_t, std::string_view, std::string_view)>& visit) override {
    std::lock_guard lock(mu_);
    try {
      for (std::size_t begin = 0; begin < prefixes.size(); begin += kManyKeys) {
        std::string lows = "{", highs = "{";
        std::vector<std::size_t> index;  // statement row -> prefix
        for (std::size_t i = begin; i < std::min(prefixes.size(), begin + kManyKeys); ++i) {
          const std::string upper = PrefixUpperBound(prefixes[i]);
          if (upper.empty()) {  // no upper bound (a prefix of 0xFF bytes): scanned alone
            HT_RETURN_IF_ERROR(Scan(table, prefixes[i], [&](std::string_view key, std::string_view value) {
              visit(i, key, value);
              return true;
            }));
            continue;
          }
          AppendArrayElement(lows, prefixes[i]);
          AppendArrayElement(highs, upper);
          index.push_back(i);
        }
        if (index.empty()) continue;
        lows.back() = '}';
        highs.back() = '}';
        const pqxx::result r = Read([&] { return Txn().exec_prepared(Stmt("scanmany", table), lows, highs); });
        for (const pqxx::row& row : r) {
          const std::size_t n = row[0].as<std::size_t>();
          const std::string key = FromBytes(row[1]);
          const std::string value = FromBytes(row[2]);
          visit(index.at(n - 1), key, value);
        }
      }
      return Status::Ok();
    } catch (const std::exception& e) {
      FailRead();
      return pg::FromPostgres(e, "case read");
    }
  }

  Status Scan(Table table, std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit) override {
    std::lock_guard lock(mu_);
    try {
      const std::string upper = PrefixUpperBound(prefix);
      auto first = [&] {
        return upper.empty() ? Txn().exec_prepared(Stmt("from", table), Bytes(prefix))
                             : Txn().exec_prepared(Stmt("from_in", table), Bytes(prefix), Bytes(upper));
      };
      std::string key;
      auto after = [&] {
        return upper.empty() ? Txn().exec_prepared(Stmt("after", table), Bytes(key))
                             : Txn().exec_prepared(Stmt("after_in", table), Bytes(key), Bytes(upper));
      };
      pqxx::result page = Read(first);
      while (!page.empty()) {
        // A visitor that commits ends the read view the page came from: the rest is read again, fresh.
        bool stale = false;
        for (const pqxx::row& row : page) {
          key = FromBytes(row[0]);
          if (!std::string_view(key).starts_with(prefix)) return Status::Ok();
          const std::string value = FromBytes(row[1]);
          const std::uint64_t commits = commits_;
          if (!visit(key, value)) return Status::Ok();
          if (commits_ != commits) {
            stale = true;
            break;
          }
        }
        if (!stale && page.size() < static_cast<std::size_t>(kScanPage)) break;
        page = Read(after);
      }
      return Status::Ok();
    } catch (const std::exception& e) {
      FailRead();
      return pg::FromPostgres(e, "case scan");
    }
  }

  Result<std::optional<std::pair<std::string, std::string>>> Last(Table table, std::string_view prefix) override {
    std::lock_guard lock(mu_);
    using Found = std::optional<std::pair<std::string, std::string>>;
    try {
      const std::string upper = PrefixUpperBound(prefix);
      const pqxx::result r = Read([&] {
        return upper.empty() ? Txn().exec_prepared(Stmt("last_all", table), Bytes(prefix))
                             : Txn().exec_prepared(Stmt("last", table), Bytes(prefix), Bytes(upper));
      });
      if (r.empty()) return Found();
      return Found(std::make_pair(FromBytes(r[0][0]), FromBytes(r[0][1])));
    } catch (const std::exception& e) {
      FailRead();
      return pg::FromPostgres(e, "case scan");
    }
  }

  void EndReadView() override {
    std::lock_guard lock(mu_);
    EndTransaction();
  }

  std::string ScratchDirectory() override {
    std::lock_guard lock(mu_);
    if (scratch_.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/hashtriage-scratch-XXXXXX";
      if (::mkdtemp(pattern.data()) != nullptr) scratch_ = pattern;  // mkdtemp creates it 0700
    }
    return scratch_;
  }

 private:
  // A read failed: the transaction is gone; if it had read before, its write must not go ahead on a
  // view that no longer holds (see Write).
  void FailRead() {
    const bool had_reads = reads_ > 0;
    EndTransaction();
    view_lost_ = had_reads;
  }

  void EndTransaction() {
    txn_.reset();
    reads_ = 0;
    view_lost_ = false;
  }
  void Reconnect() {
    conn_ = std::make_unique<pqxx::connection>(url_);
    Prepare();
  }

  pqxx::transaction_base& Txn() {
    if (!txn_) {
      if (read_only_) {
        txn_ = std::make_unique<ReadOnly>(*conn_);
      } else {
        txn_ = std::make_unique<ReadWrite>(*conn_);
      }
    }
    return *txn_;
  }

  // Applies `ops` with one statement per table and kind (a multi-row upsert, a multi-key delete): a
  // batch costs a few round trips, not one per record. The last op on a key wins, as in a batch.
  void WriteGrouped(pqxx::transaction_base& txn, const std::vector<KvOp>& ops) {
    std::map<std::pair<Table, std::string_view>, const KvOp*> last;
    for (const KvOp& op : ops) last[{op.table, op.key}] = &op;
    struct Group {
      std::vector<const KvOp*> puts, deletes;
    };
    std::map<Table, Group> groups;
    for (const auto& [key, op] : last) (op->is_put ? groups[key.first].puts : groups[key.first].deletes).push_back(op);
    for (const auto& [table, group] : groups) {
      if (group.puts.size() == 1) {
        txn.exec_prepared(Stmt("put", table), Bytes(group.puts[0]->key), Bytes(group.puts[0]->value));
      } else if (!group.puts.empty()) {
        std::string keys = "{", values = "{";
        for (const KvOp* op : group.puts) {
          AppendArrayElement(keys, op->key);
          AppendArrayElement(values, op->value);
        }
        keys.back() = '}';
        values.back() = '}';
        txn.exec_prepared(Stmt("putmany", table), keys, values);
      }
      if (!group.deletes.empty()) {
        std::string keys = "{";
        for (const KvOp* op : group.deletes) AppendArrayElement(keys, op->key);
        keys.back() = '}';
        txn.exec_prepared(Stmt("delmany", table), keys);
      }
    }
  }

  // One bytea element of a text-format array literal: "\\x<hex>", then a comma.
  static void AppendArrayElement(std::string& out, std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += "\"\\\\x";
    for (const unsigned char c : bytes) {
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
    out += "\",";
  }

  void Prepare() {
    // Short statements: compiling one (JIT) costs more than running it (8 ms against 2 ms, measured).
    conn_->set_variable("jit", "off");
    for (int t = 0; t < kTableCount; ++t) {
      const Table table = static_cast<Table>(t);
      const std::string name = TableSql(table);
      conn_->prepare(Stmt("get", table), "SELECT value FROM " + name + " WHERE key = $1");
      conn_->prepare(Stmt("getmany", table), "SELECT key, value FROM " + name + " WHERE key = ANY($1::bytea[])");
      conn_->prepare(Stmt("hasmany", table), "SELECT key FROM " + name + " WHERE key = ANY($1::bytea[])");
      // LATERAL: one index range scan per prefix, in the generic plan too (a plain join of the ranges
      // is planned as a sequential scan once the plan is cached: a second per statement at 100k rows).
      conn_->prepare(Stmt("scanmany", table), "SELECT r.n, t.key, t.value FROM unnest($1::bytea[], $2::bytea[]) "
                                                  "WITH ORDINALITY AS r(lo, hi, n) CROSS JOIN LATERAL (SELECT key, "
                                                  "value FROM " + name + " WHERE key >= r.lo AND key < r.hi ORDER BY "
                                                  "key) t");
      conn_->prepare(Stmt("put", table), "INSERT INTO " + name +
                                             " (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = "
                                             "EXCLUDED.value");
      conn_->prepare(Stmt("del", table), "DELETE FROM " + name + " WHERE key = $1");
      conn_->prepare(Stmt("putmany", table), "INSERT INTO " + name +
                                                 " (key, value) SELECT * FROM unnest($1::bytea[], $2::bytea[]) "
                                                 "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value");
      conn_->prepare(Stmt("delmany", table), "DELETE FROM " + name + " WHERE key = ANY($1::bytea[])");
      conn_->prepare(Stmt("from", table), "SELECT key, value FROM " + name + " WHERE key >= $1 ORDER BY key LIMIT " +
                                              std::to_string(kScanPage));
      conn_->prepare(Stmt("after", table), "SELECT key, value FROM " + name + " WHERE key > $1 ORDER BY key LIMIT " +
                                               std::to_string(kScanPage));
      conn_->prepare(Stmt("from_in", table), "SELECT key, value FROM " + name +
                                                 " WHERE key >= $1 AND key < $2 ORDER BY key LIMIT " +
                                                 std::to_string(kScanPage));
      conn_->prepare(Stmt("after_in", table), "SELECT key, value FROM " + name +
                                                  " WHERE key > $1 AND key < $2 ORDER BY key LIMIT " +
                                                  std::to_string(kScanPage));
      conn_->prepare(Stmt("last", table), "SELECT key, value FROM " + name + " WHERE key >= $1 AND key < $2 "
                                              "ORDER BY key DESC LIMIT 1");
      conn_->prepare(Stmt("last_all", table),
                     "SELECT key, value FROM " + name + " WHERE key >= $1 ORDER BY key DESC LIMIT 1");
    }
  }

  // Runs a read; when the connection was lost (a server restart), connects again and repeats it
  // once. A read view lost that way taints the transaction: its write is refused (see Write).
  template <typename Fn>
  auto Read(Fn&& fn) -> decltype(fn()) {
    try {
      auto out = fn();
      ++reads_;
      return out;
    } catch (const pqxx::broken_connection&) {
      txn_.reset();
      if (reads_ > 0) view_lost_ = true;
      Reconnect();
      auto out = fn();
      ++reads_;
      return out;
    }
  }

  std::string url_;
  std::recursive_mutex mu_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::transaction_base> txn_;
  std::uint64_t reads_ = 0;   // reads in the current transaction
  std::uint64_t commits_ = 0; // writes committed through this connection
  bool view_lost_ = false;    // the connection was lost after this transaction's first read
  bool read_only_;
  std::string scratch_;
};

}  // namespace

Result<std::unique_ptr<KvBackend>> OpenPostgresBackend(const KvOptions& options) {
  try {
    auto conn = std::make_unique<pqxx::connection>(options.path);
    int version = 0;
    {
      pqxx::read_transaction check(*conn);
      const pqxx::row exists = check.exec1("SELECT to_regclass('schema_migrations') IS NOT NULL");
      if (exists[0].as<bool>()) version = check.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>();
    }
    if (version == 0) {
      return Status::NotSupported("the database holds no hashtriage case: run 'hashtriage db migrate --case <url>' "
                                  "first");
    }
    if (version < pg::LatestMigration()) {
      return Status::NotSupported("the case database is at schema version " + std::to_string(version) +
                                  ", this hashtriage needs " + std::to_string(pg::LatestMigration()) +
                                  ": run 'hashtriage db migrate --case <url>'");
    }
    if (version > pg::LatestMigration()) {
      return Status::NotSupported("the case database is at schema version " + std::to_string(version) +
                                  ", newer than this hashtriage knows (" + std::to_string(pg::LatestMigration()) +
                                  ")");
    }
    return std::unique_ptr<KvBackend>(new PostgresBackend(options.path, std::move(conn), options.read_only));
  } catch (const std::exception& e) {
    return pg::FromPostgres(e, "opening the case database");
  }
}

}  // namespace hashtriage::engine::kv
