#pragma once
// traio's version, from project() in CMakeLists.txt: what `traiod --version`, the
// protocol's ping/version replies and `traioctl version` report.
namespace traio {

inline constexpr const char* kVersion = TRAIO_VERSION;

}  // namespace traio
