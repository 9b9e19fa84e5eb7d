// Finding assets: one function for every file the app or CLI reads from assets/ or shaders/.
// Lookup order (as hello_imgui's AssetFileFullPath): $ATTNMD_ASSET_DIR, next to the executable,
// the installed prefix (<prefix>/share/attnmd beside <prefix>/bin), the source tree, and finally the
// copy compiled into the binary, so a lone executable still works.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace attnmd {

struct EmbeddedFile {
  const char* path;  // relative to the repository root, e.g. "assets/scenes/default.json"
  const unsigned char* data;
  std::size_t size;
};

// Every file compiled in by cmake/embed.cmake.
std::span<const EmbeddedFile> embeddedFiles();

// The text of an asset by its repository-relative path ("assets/scenes/default.json",
// "shaders/canvas.frag"); nullopt when no lookup location has it.
std::optional<std::string> readAsset(std::string_view relativePath);

// Repository-relative paths of the assets under a folder (e.g. "assets/scenes/"), from the embedded
// copy, sorted. Used to list preset scenes and lessons.
std::vector<std::string> listAssets(std::string_view folderPrefix);

// The directory holding the running executable ("" when unknown).
std::string executableDir();

}  // namespace attnmd
