// Result<T>: a value or an Error, the way every trainctl module reports failure.
// Errors carry a message a user can act on (what failed, on what, what to do) and a kind that
// maps onto the CLI's exit statuses. Exceptions never cross module boundaries; this does.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace trainctl::core {

// What went wrong, coarsely; the CLI maps each kind to an exit status (see exit_status.h).
enum class ErrorKind {
  kFailure,   // something failed while doing the work
  kUsage,     // the caller asked for something malformed
  kRefused,   // a safety rule refused it
  kNotFound,  // the thing asked for does not exist
};

struct Error {
  ErrorKind kind = ErrorKind::kFailure;
  std::string message;

  static Error failure(std::string message) { return {ErrorKind::kFailure, std::move(message)}; }
  static Error usage(std::string message) { return {ErrorKind::kUsage, std::move(message)}; }
  static Error refused(std::string message) { return {ErrorKind::kRefused, std::move(message)}; }
  static Error not_found(std::string message) { return {ErrorKind::kNotFound, std::move(message)}; }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}    // NOLINT(google-explicit-constructor)

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

// Result<void>: success or an Error.
struct Ok {};
using Status = Result<Ok>;

}  // namespace trainctl::core
