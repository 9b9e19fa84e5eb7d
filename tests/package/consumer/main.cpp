// Loads a scene with the installed core and prints what it holds: `consumer SCENE.json`.
#include <iostream>

#include "core/scene_io.h"
#include "core/version.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const attnmd::core::SceneLoadResult r = attnmd::core::loadScene(argv[1]);
  if (!r.ok()) {
    std::cerr << r.error() << '\n';
    return 1;
  }
  std::cout << "attnmd " << attnmd::core::version() << ": " << r.scene().sequences.size()
            << " sequences, d = " << r.scene().dim << '\n';
  return 0;
}
