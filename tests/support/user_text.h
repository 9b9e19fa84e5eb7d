#pragma once
// What users read must point at what they have: the project's own docs, never the developers'
// specification beside the checkout, an issue number or a bare section number they cannot open.
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace attnmd::testing {

// Each problem found in `text`, as "line N: <why>: <the line>". Section signs are allowed only right
// after a name of the project's theory document ("theory.md §5", "theory §8.4").
inline std::vector<std::string> userTextProblems(std::string_view text) {
  static const std::regex kShared(R"(\.\./shared|shared/docs|math\.md)");
  static const std::regex kIssue(R"(\b[Ii]ssues? #?[0-9]+)");
  static const std::regex kSection("§");
  static const std::regex kNamedSection(R"(theory(\.md)? ?(§[0-9.,–\- ]*(and )?)+)");
  std::vector<std::string> out;
  std::size_t lineNo = 0, start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string line(text.substr(start, end - start));
    ++lineNo;
    auto report = [&](const char* why) {
      out.push_back("line " + std::to_string(lineNo) + ": " + why + ": " + line);
    };
    if (std::regex_search(line, kShared)) report("cites the developers' specification");
    if (std::regex_search(line, kIssue)) report("cites an issue number");
    if (std::regex_search(std::regex_replace(line, kNamedSection, ""), kSection))
      report("a section number without the document it is in");
    start = end + 1;
  }
  return out;
}

// The string literals of a C++ source (comments skipped), one per line: the text of its messages,
// tooltips and help. The section sign's escapes are turned back into the sign.
inline std::string stringLiterals(std::string_view source) {
  std::string out;
  std::size_t i = 0;
  while (i < source.size()) {
    if (source.compare(i, 2, "//") == 0) {
      i = source.find('\n', i);
      if (i == std::string_view::npos) break;
    } else if (source.compare(i, 2, "/*") == 0) {
      i = source.find("*/", i + 2);
      if (i == std::string_view::npos) break;
      i += 2;
    } else if (source.compare(i, 3, "R\"(") == 0) {
      const std::size_t close = source.find(")\"", i + 3);
      if (close == std::string_view::npos) break;
      out.append(source.substr(i + 3, close - i - 3)).push_back('\n');
      i = close + 2;
    } else if (source[i] == '\'') {  // a character literal, e.g. '"'
      i += source.compare(i, 2, "'\\") == 0 ? 4 : 3;
    } else if (source[i] == '"') {
      ++i;
      while (i < source.size() && source[i] != '"' && source[i] != '\n') {
        if (source[i] == '\\' && i + 1 < source.size()) out.push_back(source[i++]);
        out.push_back(source[i++]);
      }
      out.push_back('\n');
      ++i;
    } else {
      ++i;
    }
  }
  for (const char* escape : {"\\xC2\\xA7", "\\u00a7", "\\u00A7"})
    for (std::size_t at = out.find(escape); at != std::string::npos; at = out.find(escape, at))
      out.replace(at, std::string_view(escape).size(), "§");
  return out;
}

}  // namespace attnmd::testing
