#pragma once
// errno as a boost::system::error_code: how every os/ wrapper reports a failed syscall.
#include <cerrno>

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace traio::os {

template <class T>
using Result = boost::system::result<T>;

inline boost::system::error_code errno_code(int e) noexcept {
  return {e, boost::system::system_category()};
}

inline boost::system::error_code last_errno() noexcept { return errno_code(errno); }

}  // namespace traio::os
