#pragma once
// latentwalk/version.hpp — the library version (kept in step with project(VERSION) in CMakeLists.txt).
#define LATENTWALK_VERSION_MAJOR 0
#define LATENTWALK_VERSION_MINOR 1
#define LATENTWALK_VERSION_PATCH 0
#define LATENTWALK_VERSION_STRING "0.1.0"
