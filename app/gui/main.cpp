// attnmd: the GLFW + ImGui desktop app.
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (!std::strcmp(argv[i], "--help")) {
      std::puts("usage: attnmd [--scene FILE] [--steps N] [--size WxH] [--screenshot out.png] [--exit]");
      return 0;
    }
  return 0;
}
