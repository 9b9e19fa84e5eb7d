// attnmd-cli: the headless front end on the same core as the app.
#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"attnmd-cli: train attention models and solve max-margin SVMs without a display"};
  app.require_subcommand(0, 1);
  CLI11_PARSE(app, argc, argv);
  if (argc == 1) std::puts(app.help().c_str());
  return 0;
}
