// Reading and writing scene files (../shared/docs/scene-format.md). Loading validates everything and
// either returns a complete Scene or an error naming the file and field; it never half-loads.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "core/scene.h"

namespace attnmd::core {

struct LoadError {
  std::string message;  // "file:path.to.field: what is wrong", e.g. "s.json:sequences[2].tokens[1]: expected 2 numbers, got 3"
};

struct SceneLoadResult {
  std::variant<Scene, LoadError> value;
  bool ok() const { return std::holds_alternative<Scene>(value); }
  const Scene& scene() const { return std::get<Scene>(value); }
  Scene& scene() { return std::get<Scene>(value); }
  const std::string& error() const { return std::get<LoadError>(value).message; }
};

// Parses scene JSON text. `sourceName` prefixes error messages (a file name, "<clipboard>", ...).
SceneLoadResult parseScene(std::string_view jsonText, std::string_view sourceName = "<scene>");
// Reads and parses a file; unreadable files are errors too.
SceneLoadResult loadScene(const std::string& path);

// Validates a Scene built in memory (the same checks as parsing); empty string when valid.
std::string validateScene(const Scene& scene);

// Serializes to JSON text: stable field order and number formatting (save -> load -> save is
// byte-identical); unknown fields read from a file (Scene::extrasJson) are written back.
std::string sceneToJson(const Scene& scene);

// Writes atomically (temporary file in the same folder, fsync, rename). Returns "" or an error message.
std::string saveScene(const Scene& scene, const std::string& path);

}  // namespace attnmd::core
