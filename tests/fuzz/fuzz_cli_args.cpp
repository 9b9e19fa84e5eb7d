// libFuzzer target: cli::runCli on a command line made from the input, split on NUL bytes
// (tests/fuzz/build_and_run.sh builds and runs it).
//
// It must never write a file or wait: inputs with --out (or a short option cluster holding -o) are
// skipped, scene paths may only name files in the folder it runs in (no '/', no "-" for stdin), and
// generate sizes are kept small so one run stays fast. The folder is a fresh temporary one holding a
// few scenes (a.json, b.json, ...) copied from ATTNMD_FUZZ_SCENES at start-up.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "app/cli/cli.h"

namespace {

namespace fs = std::filesystem;

// The working folder, removed when the process exits (libFuzzer ends with exit()).
std::string gSandbox;

void removeSandbox() {
  std::error_code ec;
  fs::remove_all(gSandbox, ec);
}

// A fresh working folder with the seed scenes, once per process.
void enterSandbox() {
  if (!gSandbox.empty()) return;
  std::string tmpl = (fs::temp_directory_path() / "attnmd-fuzz-cli-XXXXXX").string();
  if (!::mkdtemp(tmpl.data()) || ::chdir(tmpl.c_str()) != 0) {
    std::perror("fuzz_cli_args: cannot make its working folder");
    std::abort();
  }
  gSandbox = tmpl;
  std::atexit(removeSandbox);
  if (const char* scenes = std::getenv("ATTNMD_FUZZ_SCENES")) {
    char name = 'a';
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(scenes, ec)) {
      if (e.path().extension() != ".json" || name > 'z') continue;
      fs::copy_file(e.path(), std::string(1, name++) + ".json", ec);
    }
  }
}

bool isSmallNumber(const std::string& s) {
  return !s.empty() && s.size() <= 2 && s.find_first_not_of("0123456789") == std::string::npos;
}

// False for command lines that could write a file, read outside the folder or run for long.
bool harmless(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-" || a.find('/') != std::string::npos) return false;
    if (a.rfind("--o", 0) == 0 && std::string("--out").rfind(a.substr(0, a.find('=')), 0) == 0) return false;
    if (a.size() > 1 && a[0] == '-' && a[1] != '-' && a.find('o') != std::string::npos) return false;
    // generate sizes: --n 5, -n5, --d=7 ...; at most two digits each.
    for (const char* flag : {"-n", "--n", "-T", "--T", "-d", "--d"}) {
      const std::string f = flag;
      if (a == f && (i + 1 >= args.size() || !isSmallNumber(args[i + 1]))) return false;
      if (a.rfind(f, 0) == 0 && a.size() > f.size()) {
        std::string rest = a.substr(f.size());
        if (rest[0] == '=') rest.erase(0, 1);
        if (!isSmallNumber(rest)) return false;
      }
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  enterSandbox();
  std::vector<std::string> args;
  std::string cur;
  for (std::size_t k = 0; k < size; ++k) {
    if (data[k] == 0) {
      args.push_back(cur);
      cur.clear();
    } else {
      cur += static_cast<char>(data[k]);
    }
  }
  args.push_back(cur);
  if (args.size() > 32 || !harmless(args)) return 0;
  std::ostringstream out, err;
  const int code = attnmd::cli::runCli(args, out, err, false);
  // The documented exit codes only (docs/scene-format.md).
  if (code != 0 && code != 2 && code != 3 && code != 130) {
    std::fprintf(stderr, "fuzz_cli_args: exit code %d\n", code);
    std::abort();
  }
  return 0;
}
