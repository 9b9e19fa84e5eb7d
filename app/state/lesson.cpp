#include "app/state/lesson.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "app/common/assets.h"

namespace attnmd::gui {
namespace {

bool isFlag(std::string_view name) {
  return name == "runs_disagree" || name == "selected_is_optimal";
}
bool isIndexed(std::string_view name) {
  return name == "selected" || name == "optimal" || name == "tokens";
}
bool isNumber(std::string_view name) {
  for (const char* n : {"step", "loss", "corr", "corr_optimal", "sparsity", "margin", "accuracy", "runs"})
    if (name == n) return true;
  return false;
}

std::string trim(std::string_view s) {
  const std::size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string_view::npos) return {};
  const std::size_t b = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(a, b - a + 1));
}

// One comparison, e.g. "selected[2] == 1", "corr > 0.99", "runs_disagree".
std::variant<LessonCheck::Comparison, std::string> parseComparison(const std::string& text) {
  LessonCheck::Comparison c;
  std::size_t i = 0;
  while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) ++i;
  c.name = text.substr(0, i);
  if (c.name.empty()) return "expected a name at '" + text + "'";
  if (!isFlag(c.name) && !isIndexed(c.name) && !isNumber(c.name))
    return "unknown name '" + c.name +
           "' (step, loss, corr, corr_optimal, sparsity, margin, accuracy, runs, "
           "runs_disagree, selected_is_optimal, selected[i], optimal[i], tokens[i])";
  if (isIndexed(c.name)) {
    const std::size_t close = text.find(']', i);
    if (i >= text.size() || text[i] != '[' || close == std::string::npos)
      return "'" + c.name + "' needs a sequence index, e.g. " + c.name + "[0]";
    const std::string index = trim(std::string_view(text).substr(i + 1, close - i - 1));
    const auto [end, ec] = std::from_chars(index.data(), index.data() + index.size(), c.index);
    if (ec != std::errc() || end != index.data() + index.size() || c.index < 0)
      return "bad sequence index '" + index + "' in '" + text + "'";
    i = close + 1;
  }
  const std::string rest = trim(std::string_view(text).substr(i));
  if (rest.empty()) {
    if (!isFlag(c.name)) return "'" + c.name + "' needs a comparison, e.g. " + c.name + " > 0";
    c.op = "!=";
    c.value = 0;
    return c;
  }
  for (const char* op : {"==", "!=", "<=", ">=", "<", ">"})
    if (rest.rfind(op, 0) == 0) {
      c.op = op;
      break;
    }
  if (c.op.empty()) return "expected ==, !=, <, <=, > or >= after '" + c.name + "' in '" + text + "'";
  const std::string number = trim(std::string_view(rest).substr(c.op.size()));
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), c.value);
  if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(c.value))
    return "expected a number after '" + c.op + "' in '" + text + "', got '" + number + "'";
  return c;
}

double valueOf(const LessonCheck::Comparison& c, const LessonFacts& f) {
  auto at = [&](const std::vector<int>& v) {
    return c.index >= 0 && static_cast<std::size_t>(c.index) < v.size() ? v[static_cast<std::size_t>(c.index)]
                                                                        : std::nan("");
  };
  if (c.name == "step") return static_cast<double>(f.step);
  if (c.name == "loss") return f.loss;
  if (c.name == "corr") return f.corr;
  if (c.name == "corr_optimal") return f.corrOptimal;
  if (c.name == "sparsity") return f.sparsity;
  if (c.name == "margin") return f.margin;
  if (c.name == "accuracy") return f.accuracy;
  if (c.name == "runs") return f.runs;
  if (c.name == "runs_disagree") return f.runsDisagree ? 1 : 0;
  if (c.name == "selected_is_optimal") {
    bool all = !f.selected.empty() && f.selected.size() == f.optimal.size();
    for (std::size_t i = 0; all && i < f.selected.size(); ++i)
      all = f.selected[i] >= 0 && f.selected[i] == f.optimal[i];
    return all ? 1 : 0;
  }
  if (c.name == "selected") return at(f.selected);
  if (c.name == "optimal") return at(f.optimal);
  if (c.name == "tokens") return at(f.tokens);
  return std::nan("");
}

}  // namespace

std::variant<LessonCheck, std::string> parseLessonCheck(std::string_view text) {
  LessonCheck check;
  check.text = trim(text);
  if (check.text.empty()) return std::string("empty check");
  std::size_t start = 0;
  while (start <= check.text.size()) {
    std::size_t cut = check.text.find(" and ", start);
    if (cut == std::string::npos) cut = check.text.size();
    auto c = parseComparison(trim(std::string_view(check.text).substr(start, cut - start)));
    if (auto* error = std::get_if<std::string>(&c)) return *error;
    check.all.push_back(std::get<LessonCheck::Comparison>(c));
    start = cut + 5;
  }
  return check;
}

bool lessonCheckHolds(const LessonCheck& check, const LessonFacts& facts) {
  for (const LessonCheck::Comparison& c : check.all) {
    const double v = valueOf(c, facts);
    if (std::isnan(v)) return false;  // not known yet (no SVM, a sequence that does not exist)
    const bool ok = c.op == "=="   ? v == c.value
                    : c.op == "!=" ? v != c.value
                    : c.op == "<"  ? v < c.value
                    : c.op == "<=" ? v <= c.value
                    : c.op == ">"  ? v > c.value
                                   : v >= c.value;
    if (!ok) return false;
  }
  return true;
}

std::variant<Lesson, std::string> parseLesson(std::string_view text, std::string_view name) {
  const std::string where = "lesson " + std::string(name) + ": ";
  Lesson lesson;
  lesson.name = name;
  const std::size_t open = text.find("<!-- lesson");
  const std::size_t close = open == std::string_view::npos ? open : text.find("-->", open);
  if (close == std::string_view::npos) return where + "no '<!-- lesson {...} -->' block";
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(text.substr(open + 11, close - open - 11));
  } catch (const std::exception& e) {
    return where + "the lesson block is not JSON: " + e.what();
  }
  if (!meta.is_object() || !meta.contains("title") || !meta["title"].is_string())
    return where + "the lesson block needs a \"title\"";
  lesson.title = meta["title"].get<std::string>();
  if (!meta.contains("steps") || !meta["steps"].is_array() || meta["steps"].empty())
    return where + "the lesson block needs a non-empty \"steps\" array";

  // The Markdown after the block: an introduction, then one "## " section per step.
  const std::string body(text.substr(close + 3));
  std::vector<std::string> sections;
  std::string intro;
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t end = body.find('\n', pos);
    if (end == std::string::npos) end = body.size();
    const std::string line = body.substr(pos, end - pos);
    if (line.rfind("## ", 0) == 0)
      sections.push_back(line + "\n");
    else if (sections.empty())
      intro += line + "\n";
    else
      sections.back() += line + "\n";
    pos = end + 1;
  }
  lesson.introduction = trim(intro);
  if (sections.size() != meta["steps"].size())
    return where + "the block lists " + std::to_string(meta["steps"].size()) + " steps but the text has " +
           std::to_string(sections.size()) + " \"## \" sections";

  for (std::size_t k = 0; k < sections.size(); ++k) {
    const nlohmann::json& sj = meta["steps"][k];
    const std::string at = where + "step " + std::to_string(k + 1) + ": ";
    if (!sj.is_object()) return at + "expected an object";
    LessonStep step;
    const std::string& sec = sections[k];
    const std::size_t nl = sec.find('\n');
    step.title = trim(std::string_view(sec).substr(3, nl - 3));
    std::string rest;
    bool inTask = false;  // the task is the "**Task:**" paragraph: up to the next blank line
    std::size_t p = nl + 1;
    while (p < sec.size()) {
      std::size_t e = sec.find('\n', p);
      if (e == std::string::npos) e = sec.size();
      const std::string line = sec.substr(p, e - p);
      if (line.rfind("**Task:**", 0) == 0) {
        step.task = trim(std::string_view(line).substr(9));
        inTask = true;
      } else if (inTask && !trim(line).empty()) {
        step.task += " " + trim(line);
      } else {
        inTask = false;
        rest += line + "\n";
      }
      p = e + 1;
    }
    // "**" is emphasis in the file; the window shows plain text.
    for (std::size_t at = step.task.find("**"); at != std::string::npos; at = step.task.find("**", at))
      step.task.erase(at, 2);
    step.text = trim(rest);
    if (sj.contains("scene")) {
      if (!sj["scene"].is_string()) return at + "\"scene\" must be an asset path";
      step.scene = sj["scene"].get<std::string>();
    }
    if (sj.contains("check")) {
      if (!sj["check"].is_string()) return at + "\"check\" must be a string";
      auto c = parseLessonCheck(sj["check"].get<std::string>());
      if (auto* error = std::get_if<std::string>(&c)) return at + *error;
      step.check = std::get<LessonCheck>(c);
    }
    lesson.steps.push_back(std::move(step));
  }
  return lesson;
}

std::vector<Lesson> bundledLessons() {
  std::vector<Lesson> out;
  for (const std::string& path : listAssets("assets/lessons/")) {
    if (!path.ends_with(".md")) continue;
    const std::string stem = path.substr(std::string("assets/lessons/").size(), path.size() - 18);
    const std::optional<std::string> text = readAsset(path);
    if (!text || text->find("<!-- lesson") == std::string::npos) continue;  // e.g. the Help window's guide
    auto parsed = parseLesson(*text, stem);
    if (Lesson* l = std::get_if<Lesson>(&parsed)) out.push_back(std::move(*l));
  }
  return out;
}

std::variant<Lesson, std::string> bundledLesson(std::string_view name) {
  const std::string path = "assets/lessons/" + std::string(name) + ".md";
  if (const std::optional<std::string> text = readAsset(path)) return parseLesson(*text, name);
  std::string names;
  for (const Lesson& l : bundledLessons()) names += (names.empty() ? "" : ", ") + l.name;
  return "no lesson '" + std::string(name) + "' (the lessons: " + names + ")";
}

bool LessonProgress::update(const LessonFacts& facts) {
  if (lesson.steps.empty() || currentDone()) return false;
  const LessonStep& s = current();
  if (s.check && !lessonCheckHolds(*s.check, facts)) return false;
  done[static_cast<std::size_t>(step)] = true;
  return true;
}

}  // namespace attnmd::gui
