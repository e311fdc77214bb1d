// Errors as values at module borders: every public function of a Haven module that can fail
// returns Status or Result<T>; exceptions never cross a module's public header.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace haven {

enum class ErrorCode {
  kInvalidArgument,     // the input is wrong: fix it and retry (HTTP 400/422)
  kNotFound,            // no such record, or not visible to the caller (404)
  kConflict,            // stale version or duplicate key (409)
  kFailedPrecondition,  // a workflow rule forbids it in the current state (409/422)
  kPreconditionRequired,  // the caller must say which version it updates (428)
  kUnauthenticated,     // 401
  kPermissionDenied,    // 403
  kPayloadTooLarge,     // 413
  kUnavailable,         // a resource (disk, database) is unavailable: retry later (503)
  kStorageFull,         // the database's disk is full: nothing of the request was kept (507)
  kInternal,            // a bug or an unexpected environment failure (500)
};

const char* error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // what was wrong and what is accepted, for a person
  std::string field;    // JSON pointer (/birth_date) or location (line 4, column "sex"); may be empty
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  static Status Ok() { return {}; }

  bool ok() const { return !error_.has_value(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}     // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  // REQUIRES: ok()
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  // REQUIRES: !ok()
  const Error& error() const { return std::get<Error>(state_); }
  Status status() const { return ok() ? Status::Ok() : Status(error()); }

 private:
  std::variant<T, Error> state_;
};

inline Error invalid(std::string message, std::string field = {}) {
  return Error{ErrorCode::kInvalidArgument, std::move(message), std::move(field)};
}

}  // namespace haven

// Propagates a failed Status or Result from an expression, inside a function returning Status or
// Result<U>.
#define HAVEN_TRY(expr)                                 \
  do {                                                  \
    auto&& haven_try_value_ = (expr);                   \
    if (!haven_try_value_.ok()) return haven_try_value_.error(); \
  } while (false)
