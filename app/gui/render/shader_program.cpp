#include "app/gui/render/shader_program.h"

#include <GL/gl.h>
#include <GL/glext.h>

#include <optional>
#include <vector>

#include "app/common/assets.h"

namespace attnmd::gui {
namespace {

// The info log of a shader or program object (the driver's own words), without trailing newlines.
std::string glslInfoLog(GLuint object, bool isProgram) {
  GLint length = 0;
  if (isProgram)
    glGetProgramiv(object, GL_INFO_LOG_LENGTH, &length);
  else
    glGetShaderiv(object, GL_INFO_LOG_LENGTH, &length);
  if (length <= 1) return "(the driver gave no log)";
  std::vector<char> log(static_cast<std::size_t>(length) + 1, '\0');
  if (isProgram)
    glGetProgramInfoLog(object, length, nullptr, log.data());
  else
    glGetShaderInfoLog(object, length, nullptr, log.data());
  std::string s(log.data());
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// A compiled shader object, or 0 with `error` set.
GLuint compileGlslStage(GLenum stage, const ShaderSource& src, std::string& error) {
  const GLuint shader = glCreateShader(stage);
  if (!shader) {
    error = src.name;
    error += ": glCreateShader failed (no current OpenGL 3.3 context?)";
    return 0;
  }
  const char* parts[2] = {kGlslVersionLine.data(), src.text.c_str()};
  const GLint lengths[2] = {static_cast<GLint>(kGlslVersionLine.size()), static_cast<GLint>(src.text.size())};
  glShaderSource(shader, 2, parts, lengths);
  glCompileShader(shader);
  GLint ok = GL_FALSE;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
  if (ok != GL_TRUE) {
    error = src.name;
    error += ": compile failed: ";
    error += glslInfoLog(shader, false);
    glDeleteShader(shader);
    return 0;
  }
  return shader;
}

}  // namespace

ShaderProgram buildShaderProgram(const ShaderSource& vertex, const ShaderSource& fragment) {
  ShaderProgram out;
  const GLuint vs = compileGlslStage(GL_VERTEX_SHADER, vertex, out.error);
  if (!vs) return out;
  const GLuint fs = compileGlslStage(GL_FRAGMENT_SHADER, fragment, out.error);
  if (!fs) {
    glDeleteShader(vs);
    return out;
  }
  const GLuint program = glCreateProgram();
  glAttachShader(program, vs);
  glAttachShader(program, fs);
  glLinkProgram(program);
  // The program keeps the compiled code; the shader objects can go.
  glDetachShader(program, vs);
  glDetachShader(program, fs);
  glDeleteShader(vs);
  glDeleteShader(fs);
  GLint ok = GL_FALSE;
  glGetProgramiv(program, GL_LINK_STATUS, &ok);
  if (ok != GL_TRUE) {
    out.error = vertex.name;
    out.error += " + ";
    out.error += fragment.name;
    out.error += ": link failed: ";
    out.error += glslInfoLog(program, true);
    glDeleteProgram(program);
    return out;
  }
  out.program = program;
  return out;
}

ShaderProgram loadShaderProgram(std::string_view vertexFile, std::string_view fragmentFile,
                                std::string_view defines) {
  ShaderSource stages[2];
  const std::string_view files[2] = {vertexFile, fragmentFile};
  for (int k = 0; k < 2; ++k) {
    stages[k].name = "shaders/";
    stages[k].name += files[k];
    const std::optional<std::string> text = readAsset(stages[k].name);
    if (!text) {
      ShaderProgram missing;
      missing.error = stages[k].name;
      missing.error += ": not found (neither embedded nor in an asset folder)";
      return missing;
    }
    stages[k].text = std::string(defines) + *text;
  }
  return buildShaderProgram(stages[0], stages[1]);
}

}  // namespace attnmd::gui
