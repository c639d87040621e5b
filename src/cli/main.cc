// s3-user-script entry point. Wiring grows with the CLI issue; for now: version and help.
#include <CLI/CLI.hpp>
#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"s3-user-script: boot EC2 instances from private S3 (cloud-init style)"};
  app.set_version_flag("--version", std::string("s3-user-script ") + S3US_VERSION);
  CLI11_PARSE(app, argc, argv);
  std::cout << app.help();
  return 0;
}
