// Compiling and linking the GLSL programs of shaders/ (OpenGL 3.3 core). Sources are files embedded at
// build time (cmake/embed.cmake) and read with readAsset(); they carry no #version line: it is injected
// here, so one source serves every context the app may get. A failure is never silent: the result
// names the shader file and carries the driver's info log, for the app to print before it exits.
#pragma once

#include <string>
#include <string_view>

namespace attnmd::gui {

// The first line of every shader attnmd compiles.
inline constexpr std::string_view kGlslVersionLine = "#version 330 core\n";

struct ShaderSource {
  std::string name;  // for messages: "shaders/token.frag"
  std::string text;  // GLSL without a #version line
};

struct ShaderProgram {
  unsigned program = 0;  // GL program object; 0 on failure
  std::string error;     // on failure: "shaders/token.frag: compile failed: <info log>"
  bool ok() const { return program != 0; }
};

// Compiles both stages and links them. Needs a current GL 3.3 context. On failure nothing is left
// allocated and `error` says which shader (or the link of which pair) failed and why.
ShaderProgram buildShaderProgram(const ShaderSource& vertex, const ShaderSource& fragment);

// The same from two files of shaders/ ("token.vert", "token.frag"); a missing file is an error too.
// `defines` ("#define DENSE 1\n") go first in both stages, for a variant of one pair of files.
ShaderProgram loadShaderProgram(std::string_view vertexFile, std::string_view fragmentFile,
                                std::string_view defines = {});

}  // namespace attnmd::gui
