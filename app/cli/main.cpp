// attnmd-cli: the headless front end on the same core as the app. Everything is in attnmd_cli_lib
// (app/cli/cli.h), so tests run the commands without spawning this binary.
#include "app/cli/cli.h"

int main(int argc, char** argv) {
  return attnmd::cli::runCli(argc, argv);
}
