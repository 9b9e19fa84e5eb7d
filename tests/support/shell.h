// Running the real binaries from a test: a shell command's exit code and output, and quoting for it.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace attnmd::testing {

struct ShellResult {
  int code = -1;       // the exit status; -1 when the command did not exit normally
  std::string output;  // stdout and stderr together
};

inline ShellResult runShell(const std::string& command) {
  ShellResult r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) r.output += buf;
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// `s` as one word for /bin/sh, whatever characters it holds.
inline std::string shellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace attnmd::testing
