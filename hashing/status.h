// Status and Result<T>: how every hashtriage module reports failure across its boundary.
// A Status is a code plus a one-line human message; Result<T> is a value or a non-OK Status.
// Exceptions are used only at the CLI edge. Both types are cheap to move and safe to pass
// between threads; neither is shared mutable state.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hashtriage {

// Persistent format: these values are stored in case-store error records. Append only.
enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,  // the caller (or the user) asked for something malformed
  kNotFound = 2,         // a named thing does not exist (file, set, subject)
  kCorruption = 3,       // input data is damaged: truncated JPEG, broken zip directory, bad record
  kNotSupported = 4,     // well-formed, but a format or feature we do not handle
  kIOError = 5,          // the operating system refused or failed a read/write
  kResourceLimit = 6,    // a configured cap was hit: pixel limit, decompression budget, depth
  kAborted = 7,          // interrupted on purpose (signal, cancellation)
  kInternal = 8,         // a bug in hashtriage
  kConflict = 9,         // someone else changed the same records first; nothing of this write was stored
  kPermissionDenied = 10,  // the acting user may not do this (team mode's roles and ownership rules)
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return Status(StatusCode::kInvalidArgument, std::move(msg)); }
  static Status NotFound(std::string msg) { return Status(StatusCode::kNotFound, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(StatusCode::kCorruption, std::move(msg)); }
  static Status NotSupported(std::string msg) { return Status(StatusCode::kNotSupported, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(StatusCode::kIOError, std::move(msg)); }
  static Status ResourceLimit(std::string msg) { return Status(StatusCode::kResourceLimit, std::move(msg)); }
  static Status Aborted(std::string msg) { return Status(StatusCode::kAborted, std::move(msg)); }
  static Status Internal(std::string msg) { return Status(StatusCode::kInternal, std::move(msg)); }
  static Status Conflict(std::string msg) { return Status(StatusCode::kConflict, std::move(msg)); }
  static Status PermissionDenied(std::string msg) { return Status(StatusCode::kPermissionDenied, std::move(msg)); }

  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "Corruption: truncated JPEG data" (or "OK").
  std::string ToString() const;
  // A copy with "context: " put before the message, e.g. the file name.
  Status WithContext(std::string_view context) const;

  // Ignoring an error must be explicit and grep-able.
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value of type T, or the Status that explains why there is none. Never holds an OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok() && "Result built from an OK Status");
    if (std::get<Status>(data_).ok()) data_ = Status::Internal("Result built from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace hashtriage

// Early return on a non-OK Status.
#define HT_RETURN_IF_ERROR(expr)                 \
  do {                                           \
    ::hashtriage::Status _ht_status = (expr);    \
    if (!_ht_status.ok()) return _ht_status;     \
  } while (0)

#define HT_CONCAT_INNER(a, b) a##b
#define HT_CONCAT(a, b) HT_CONCAT_INNER(a, b)
// `HT_ASSIGN_OR_RETURN(auto x, MakeX());` declares x from a Result or returns its Status.
#define HT_ASSIGN_OR_RETURN(lhs, expr) HT_ASSIGN_OR_RETURN_IMPL(HT_CONCAT(_ht_result_, __LINE__), lhs, expr)
#define HT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
