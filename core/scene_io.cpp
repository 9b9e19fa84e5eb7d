// Scene files: docs/scene-format.md.
//
// [SECTION] JSON text -> DOM, with the path of the value being read (for errors in the lexer)
// [SECTION] Number formatting and the pretty printer
// [SECTION] Field readers (types and shapes; throw Failure with a field path)
// [SECTION] Value checks shared by parseScene and validateScene
// [SECTION] Parse
// [SECTION] Write
// [SECTION] NTP scenes (parse, check, write)
// [SECTION] Files (read, atomic write)
#include "core/scene_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/ntp.h"
#include "core/version.h"

namespace attnmd::core {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kMaxDepth = 64;    // deeper files are refused (the printer recurses)
constexpr int kLineWidth = 100;  // the printer keeps a value on one line if it fits
constexpr double kMaxP = 20;     // issue 3: any p in (1, 20]
constexpr std::uintmax_t kMaxFileBytes = 1ull << 30;

// A problem in one field. Thrown inside this file only; parseScene turns it into a LoadError.
struct Failure {
  std::string path;  // "sequences[2].tokens[1]"; empty for the document itself
  std::string message;
};

[[noreturn]] void fail(std::string path, std::string message) {
  throw Failure{std::move(path), std::move(message)};
}

std::string join(const std::string& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}
std::string index(const std::string& base, std::size_t i) {
  return base + "[" + std::to_string(i) + "]";
}
std::string numbers(long long n) {
  return std::to_string(n) + (n == 1 ? " number" : " numbers");
}

std::string withSource(std::string_view source, const Failure& f) {
  std::string out(source);
  out += f.path.empty() ? ": " : ":" + f.path + ": ";
  out += f.message;
  return out;
}

// =====================================================================================================
// [SECTION] JSON text -> DOM
// =====================================================================================================

// Adds a member the caller knows is not in `obj` yet, in constant time (ordered_json's insert and
// operator[] first search every member, so building an object of k keys with them takes k^2 / 2 steps).
void appendNewMember(Json& obj, std::string key, Json value) {
  Json::object_t& members = obj.get_ref<Json::object_t&>();
  static_cast<Json::object_t::Container&>(members).emplace_back(std::move(key), std::move(value));
}

// nlohmann's SAX interface, building an ordered_json (so unknown fields keep the file's order) while
// tracking where it is: an out-of-range number such as 1e999 is reported by the lexer with no path,
// and a scene error must name the field.
class DomBuilder {
 public:
  explicit DomBuilder(Json& root) : root_(root) {}

  bool null() { return put(nullptr); }
  bool boolean(bool b) { return put(b); }
  bool number_integer(Json::number_integer_t v) { return put(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return put(v); }
  bool number_float(Json::number_float_t v, const Json::string_t&) { return put(v); }
  bool string(Json::string_t& s) { return put(std::move(s)); }
  bool binary(Json::binary_t&) { return false; }  // the JSON reader never produces binary values
  bool start_object(std::size_t) { return open(Json::object()); }
  bool start_array(std::size_t) { return open(Json::array()); }
  bool key(Json::string_t& k) {
    stack_.back().key = std::move(k);
    return true;
  }
  bool end_object() {
    stack_.pop_back();
    return true;
  }
  bool end_array() {
    stack_.pop_back();
    return true;
  }

  bool parse_error(std::size_t, const std::string& token, const nlohmann::detail::exception& ex) {
    if (ex.id == 406) {  // out_of_range.406: a number too large for a double
      error_ = Failure{currentPath(), "number " + token + " is out of range (it would be infinite)"};
      return false;
    }
    // "[json.exception.parse_error.101] parse error at line 3, column 1: syntax error ..." ->
    // "3:1: invalid JSON: syntax error ...", the usual file:line:column form.
    std::string what = ex.what();
    if (auto close = what.find("] "); close != std::string::npos) what.erase(0, close + 2);
    std::string where;
    if (auto at = what.find("at line "); at != std::string::npos) {
      auto comma = what.find(", column ", at);
      auto colon = what.find(": ", at);
      if (comma != std::string::npos && colon != std::string::npos && comma < colon) {
        where = what.substr(at + 8, comma - at - 8) + ":" + what.substr(comma + 9, colon - comma - 9);
        what.erase(0, colon + 2);
      }
    }
    error_ = Failure{where, "invalid JSON: " + what};
    return false;
  }

  const std::optional<Failure>& error() const { return error_; }

 private:
  struct Frame {
    Json* node;
    std::string key;  // object frames: the key of the value being read
    // Object frames: where each key sits in the object. ordered_json's own insert searches its members
    // one by one, which made an object of 100,000 keys take 20 s to read.
    std::unordered_map<std::string, std::size_t> slots;
  };

  Json* place(Json value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Frame& f = stack_.back();
    if (f.node->is_array()) {
      f.node->push_back(std::move(value));
      return &f.node->back();
    }
    auto& members = f.node->get_ref<Json::object_t&>();
    const auto [at, added] = f.slots.try_emplace(f.key, members.size());
    if (!added) {  // a repeated key keeps the last value, as JSON parsers do
      Json& slot = (members.begin() + static_cast<std::ptrdiff_t>(at->second))->second;
      slot = std::move(value);
      return &slot;
    }
    appendNewMember(*f.node, f.key, std::move(value));  // f.key stays: currentPath() reads it
    return &members.back().second;
  }
  bool put(Json value) {
    place(std::move(value));
    return true;
  }
  bool open(Json container) {
    if (static_cast<int>(stack_.size()) >= kMaxDepth) {
      // Name the top-level field that holds the deep value; its full path would be 64 indices long.
      std::string path = currentPath();
      path = path.substr(0, path.find_first_of(".["));
      error_ = Failure{path, "nested deeper than " + std::to_string(kMaxDepth) + " levels"};
      return false;
    }
    Json* node = place(std::move(container));
    stack_.push_back(Frame{node, {}, {}});
    return true;
  }

  // The path of the value being read now: open containers from the root, then the pending key/index.
  std::string currentPath() const {
    std::string path;
    for (std::size_t k = 0; k < stack_.size(); ++k) {
      const Frame& f = stack_[k];
      const bool last = k + 1 == stack_.size();
      if (f.node->is_array()) {
        const std::size_t n = f.node->size();
        path = index(path, last ? n : n - 1);
      } else {
        path = join(path, f.key);
      }
    }
    return path;
  }

  Json& root_;
  std::vector<Frame> stack_;
  std::optional<Failure> error_;
};

// Parses JSON text; throws Failure (path = "line:column" for syntax errors).
Json parseJson(std::string_view text) {
  // nlohmann's lexer takes a NUL byte for the end of the input, so whatever follows one would be
  // silently dropped (a scene with a truncated tail that still looks complete).
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    const std::string_view before = text.substr(0, nul);
    const std::size_t line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
    const std::size_t lineStart = before.rfind('\n');
    const std::size_t column = nul - (lineStart == std::string_view::npos ? 0 : lineStart + 1) + 1;
    fail(
        std::to_string(line) + ":" + std::to_string(column),
        "a NUL byte at byte offset " + std::to_string(nul) + " (scene files are JSON text, not binary data)");
  }
  Json root;
  DomBuilder builder(root);
  bool ok = Json::sax_parse(text, &builder);
  if (!ok) {
    if (builder.error()) throw *builder.error();
    fail("", "invalid JSON");
  }
  return root;
}

// =====================================================================================================
// [SECTION] Number formatting and the pretty printer
// =====================================================================================================

void appendScalar(const Json& j, std::string& out) {
  switch (j.type()) {
    case Json::value_t::number_float:
      out += formatDouble(j.get<double>());
      break;
    case Json::value_t::number_integer:
      out += std::to_string(j.get<std::int64_t>());
      break;
    case Json::value_t::number_unsigned:
      out += std::to_string(j.get<std::uint64_t>());
      break;
    default:
      out += j.dump(-1, ' ', false, Json::error_handler_t::replace);
      break;
  }
}

bool isNumberArray(const Json& j) {
  if (!j.is_array()) return false;
  for (const Json& e : j)
    if (!e.is_number()) return false;
  return true;
}

// One-line form; false when it grows past `limit` characters (the caller then breaks the value).
bool appendCompact(const Json& j, std::string& out, std::size_t limit) {
  if (out.size() > limit) return false;
  if (j.is_array()) {
    out += '[';
    bool first = true;
    for (const Json& e : j) {
      if (!first) out += ", ";
      first = false;
      if (!appendCompact(e, out, limit)) return false;
    }
    out += ']';
  } else if (j.is_object()) {
    if (j.empty()) {
      out += "{}";
      return true;
    }
    out += "{ ";
    bool first = true;
    for (const auto& [k, v] : j.items()) {
      if (!first) out += ", ";
      first = false;
      appendScalar(Json(k), out);
      out += ": ";
      if (!appendCompact(v, out, limit)) return false;
    }
    out += " }";
  } else {
    appendScalar(j, out);
  }
  return out.size() <= limit;
}

// `column` is where the value starts on its line (for the fits-in-a-line rule).
void appendPretty(const Json& j, int indent, std::size_t column, std::string& out) {
  if (!j.is_structured() || j.empty() || isNumberArray(j)) {
    appendCompact(j, out, std::numeric_limits<std::size_t>::max());
    return;
  }
  if (indent > 0) {  // the document itself is always broken into lines
    std::string line;
    const std::size_t room = column < static_cast<std::size_t>(kLineWidth) ? kLineWidth - column : 0;
    if (appendCompact(j, line, room)) {
      out += line;
      return;
    }
  }
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  out += j.is_array() ? "[\n" : "{\n";
  bool first = true;
  if (j.is_array()) {
    for (const Json& e : j) {
      if (!first) out += ",\n";
      first = false;
      out += pad;
      appendPretty(e, indent + 2, pad.size(), out);
    }
  } else {
    for (const auto& [k, v] : j.items()) {
      if (!first) out += ",\n";
      first = false;
      out += pad;
      const std::size_t start = out.size();
      appendScalar(Json(k), out);
      out += ": ";
      appendPretty(v, indent + 2, pad.size() + (out.size() - start), out);
    }
  }
  out += '\n';
  out += std::string(static_cast<std::size_t>(indent), ' ');
  out += j.is_array() ? ']' : '}';
}

std::string printDocument(const Json& j) {
  std::string out;
  appendPretty(j, 0, 0, out);
  out += '\n';
  return out;
}

// =====================================================================================================
// [SECTION] Field readers
// =====================================================================================================

std::string describe(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::object:
      return "an object";
    default:
      return "a number";
  }
}

const Json* member(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

const Json& need(const Json& obj, const std::string& objPath, const char* key, const std::string& hint) {
  const Json* j = member(obj, key);
  if (!j) fail(join(objPath, key), "missing" + (hint.empty() ? std::string() : " (" + hint + ")"));
  return *j;
}

void expectObject(const Json& j, const std::string& path) {
  if (!j.is_object()) fail(path, "expected an object, got " + describe(j));
}

double readDouble(const Json& j, const std::string& path) {
  if (!j.is_number()) fail(path, "expected a number, got " + describe(j));
  return j.get<double>();
}

// An integer in [lo, hi]; integral floating-point values ("2.0", "1e3") are accepted too. `rule` says
// the range in words for messages (default "must be >= lo" / "must be in [lo, hi]").
long long readInteger(const Json& j, const std::string& path, long long lo, long long hi,
                      std::string rule = {}) {
  if (rule.empty())
    rule = hi == std::numeric_limits<long long>::max()
               ? "must be >= " + std::to_string(lo)
               : "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  if (!j.is_number()) fail(path, "expected an integer, got " + describe(j));
  if (j.is_number_unsigned()) {
    const std::uint64_t u = j.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(hi) || (lo > 0 && u < static_cast<std::uint64_t>(lo)))
      fail(path, rule + ", got " + std::to_string(u));
    return static_cast<long long>(u);
  }
  if (j.is_number_integer()) {
    const long long v = j.get<std::int64_t>();
    if (v < lo || v > hi) fail(path, rule + ", got " + std::to_string(v));
    return v;
  }
  const double d = j.get<double>();
  if (d != std::floor(d)) fail(path, "expected an integer, got " + formatDouble(d));
  // double(LLONG_MAX) rounds up to 2^63, which passes `d > hi` but does not fit a long long.
  if (d < static_cast<double>(lo) || d > static_cast<double>(hi) || d >= 0x1p63 || d < -0x1p63)
    fail(path, rule + ", got " + formatDouble(d));
  return static_cast<long long>(d);
}

std::uint64_t readSeed(const Json& j, const std::string& path) {
  const std::string rule = "must be a whole number from 0 to 18446744073709551615";
  if (j.is_number_unsigned()) return j.get<std::uint64_t>();
  if (j.is_number_float()) {  // "1e3", "2.0"; converting a double outside [0, 2^64) is undefined
    const double d = j.get<double>();
    if (d != std::floor(d)) fail(path, "expected an integer, got " + formatDouble(d));
    if (!(d >= 0 && d < 0x1p64)) fail(path, rule + ", got " + formatDouble(d));
    return static_cast<std::uint64_t>(d);
  }
  return static_cast<std::uint64_t>(readInteger(j, path, 0, std::numeric_limits<long long>::max(), rule));
}

std::string iterationsRule() {
  return "must be in [0, " + std::to_string(kMaxIterations) + "] (at most 1e10 steps)";
}

bool readBool(const Json& j, const std::string& path) {
  if (!j.is_boolean()) fail(path, "expected true or false, got " + describe(j));
  return j.get<bool>();
}

std::string readString(const Json& j, const std::string& path) {
  if (!j.is_string()) fail(path, "expected a string, got " + describe(j));
  return j.get<std::string>();
}

template <class E>
std::string enumChoices() {
  std::string s;
  for (const auto& e : enumTable<E>()) s += (s.empty() ? "" : ", ") + std::string(e.name);
  return s;
}

template <class E>
E readEnum(const Json& j, const std::string& path, const char* what) {
  const std::string s = readString(j, path);
  if (auto e = enumFromName<E>(s)) return *e;
  fail(path, std::string("unknown ") + what + " \"" + s + "\" (expected one of " + enumChoices<E>() + ")");
}

// An array of exactly `n` numbers; `why` explains n in messages ("dim = 2").
Eigen::VectorXd readVector(const Json& j, const std::string& path, long long n, const std::string& why) {
  if (!j.is_array()) fail(path, "expected an array of " + numbers(n) + ", got " + describe(j));
  if (static_cast<long long>(j.size()) != n)
    fail(path, "expected " + numbers(n) + " (" + why + "), got " + std::to_string(j.size()));
  Eigen::VectorXd v(n);
  for (std::size_t k = 0; k < j.size(); ++k) {
    // The field path is built only for an error: a 50 MB scene reads millions of numbers.
    const Json& e = j[k];
    v(static_cast<Eigen::Index>(k)) = e.is_number() ? e.get<double>() : readDouble(e, index(path, k));
  }
  return v;
}

// An array of rows, each `cols` numbers. rows < 0: any number of rows.
Eigen::MatrixXd readMatrix(const Json& j, const std::string& path, long long rows, long long cols,
                           const std::string& why) {
  if (!j.is_array()) fail(path, "expected an array of rows, got " + describe(j));
  if (rows >= 0 && static_cast<long long>(j.size()) != rows)
    fail(path, "expected " + std::to_string(rows) + " rows (" + why + "), got " + std::to_string(j.size()));
  Eigen::MatrixXd m(static_cast<Eigen::Index>(j.size()), cols);
  for (std::size_t r = 0; r < j.size(); ++r) {
    const Json& row = j[r];
    if (row.is_array() && static_cast<long long>(row.size()) == cols &&
        std::all_of(row.begin(), row.end(), [](const Json& e) { return e.is_number(); })) {
      for (long long c = 0; c < cols; ++c)  // the common case, without building the row's field path
        m(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) =
            row[static_cast<std::size_t>(c)].get<double>();
      continue;
    }
    const std::string rowPath = index(path, r);
    if (!row.is_array()) fail(rowPath, "expected an array of " + numbers(cols) + ", got " + describe(row));
    m.row(static_cast<Eigen::Index>(r)) = readVector(row, rowPath, cols, why).transpose();
  }
  return m;
}

// =====================================================================================================
// [SECTION] Value checks shared by parseScene and validateScene
// =====================================================================================================

void checkFinite(const Eigen::Ref<const Eigen::MatrixXd>& m, const std::string& path, bool isVector) {
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c)
      if (!std::isfinite(m(r, c))) {
        const std::string at =
            isVector ? index(path, static_cast<std::size_t>(r))
                     : index(index(path, static_cast<std::size_t>(r)), static_cast<std::size_t>(c));
        fail(at, "not a finite number");
      }
}

void checkVector(const Eigen::VectorXd& v, const std::string& path, Eigen::Index n, const std::string& why) {
  if (v.size() != n) fail(path, "expected " + numbers(n) + " (" + why + "), got " + std::to_string(v.size()));
  checkFinite(v, path, true);
}

void checkMatrix(const Eigen::MatrixXd& m, const std::string& path, Eigen::Index rows, Eigen::Index cols,
                 const std::string& why) {
  if (m.rows() != rows || m.cols() != cols)
    fail(path, "expected a " + std::to_string(rows) + " x " + std::to_string(cols) + " matrix (" + why +
                   "), got " + std::to_string(m.rows()) + " x " + std::to_string(m.cols()));
  checkFinite(m, path, false);
}

// `x` in (lo, hi] / [lo, hi) style checks; NaN fails every one of them.
void checkRange(double x, const std::string& path, double lo, bool loOpen, double hi, bool hiOpen,
                const std::string& rule) {
  if (!std::isfinite(x)) fail(path, "not a finite number");
  const bool okLo = loOpen ? x > lo : x >= lo;
  const bool okHi = hiOpen ? x < hi : x <= hi;
  if (!okLo || !okHi) fail(path, rule + ", got " + formatDouble(x));
}

const char* tensorShape(ModelKind kind) {
  switch (kind) {
    case ModelKind::Prompt:
      return "p, d numbers";
    case ModelKind::Query:
      return "W, d x d";
    case ModelKind::KQ:
      return "K and Q, d x rank";
  }
  return "";
}

// The optimizer's values, shared by every scene kind.
void checkOptimizer(const OptimizerSpec& o) {
  checkRange(o.p, "optimizer.p", 1, true, kMaxP, false, "must be in (1, 20]");
  checkRange(o.lr, "optimizer.lr", 0, true, std::numeric_limits<double>::max(), false, "must be > 0");
  checkRange(o.beta1, "optimizer.beta1", 0, false, 1, true, "must be in [0, 1)");
  checkRange(o.beta2, "optimizer.beta2", 0, false, 1, true, "must be in [0, 1)");
  checkRange(o.eps, "optimizer.eps", 0, true, std::numeric_limits<double>::max(), false, "must be > 0");
  checkRange(o.momentum, "optimizer.momentum", 0, false, 1, true, "must be in [0, 1)");
}

// Every value rule of scene-format.md, on an in-memory scene. Paths as in the file.
void checkScene(const Scene& s) {
  const Eigen::Index d = s.dim;
  if (s.dim < 1) fail("dim", "must be at least 1, got " + std::to_string(s.dim));
  const std::string dimWhy = "dim = " + std::to_string(s.dim);

  // model
  const ModelSpec& m = s.model;
  if (m.keyMatrix.size() > 0) checkMatrix(m.keyMatrix, "model.key_matrix", d, d, "d x d, " + dimWhy);
  if (m.rank != 0 && (m.rank < 1 || m.rank > s.dim))
    fail("model.rank",
         "must be in [1, dim] = [1, " + std::to_string(s.dim) + "], got " + std::to_string(m.rank));
  checkVector(m.v, "model.v", d, dimWhy);

  // sequences
  if (s.sequences.empty()) fail("sequences", "empty dataset: at least one sequence is needed");
  const bool needZ = m.kind != ModelKind::Prompt && m.query == QueryKind::Given;
  for (std::size_t i = 0; i < s.sequences.size(); ++i) {
    const Sequence& q = s.sequences[i];
    const std::string path = index("sequences", i);
    if (q.y != 1 && q.y != -1) fail(join(path, "y"), "must be 1 or -1, got " + std::to_string(q.y));
    if (q.tokens.cols() != d)
      fail(join(path, "tokens"),
           "expected tokens of " + numbers(d) + " (" + dimWhy + "), got " + std::to_string(q.tokens.cols()));
    if (q.tokens.rows() < 2)
      fail(join(path, "tokens"),
           "a sequence needs at least 2 tokens, got " + std::to_string(q.tokens.rows()));
    checkFinite(q.tokens, join(path, "tokens"), false);
    if (needZ && q.z.size() == 0) fail(join(path, "z"), "missing (model.query is \"given\")");
    if (q.z.size() > 0) checkVector(q.z, join(path, "z"), d, dimWhy);
  }

  checkOptimizer(s.optimizer);

  // init
  const InitSpec& in = s.init;
  if (in.kind == InitKind::Gaussian)
    checkRange(in.scale, "init.scale", 0, true, std::numeric_limits<double>::max(), false, "must be > 0");
  if (in.kind == InitKind::Given) {
    const std::string hint = std::string("init.kind \"given\" with the ") + enumName(m.kind) +
                             " model needs " + tensorShape(m.kind);
    auto present = [&](Eigen::Index size, const char* name) {
      if (size == 0) fail(join("init", name), "missing (" + hint + ")");
    };
    switch (m.kind) {
      case ModelKind::Prompt:
        present(in.given.p.size(), "p");
        checkVector(in.given.p, "init.p", d, dimWhy);
        break;
      case ModelKind::Query:
        present(in.given.W.size(), "W");
        checkMatrix(in.given.W, "init.W", d, d, "d x d, " + dimWhy);
        break;
      case ModelKind::KQ: {
        const Eigen::Index r = s.rankOrDim();
        const std::string why = "d x rank = " + std::to_string(d) + " x " + std::to_string(r);
        present(in.given.K.size(), "K");
        checkMatrix(in.given.K, "init.K", d, r, why);
        present(in.given.Q.size(), "Q");
        checkMatrix(in.given.Q, "init.Q", d, r, why);
        break;
      }
    }
  }

  if (s.iterations < 0 || s.iterations > kMaxIterations)
    fail("iterations", iterationsRule() + ", got " + std::to_string(s.iterations));

  if (!s.extrasJson.empty()) {
    bool object = false;
    try {
      object = parseJson(s.extrasJson).is_object();  // not Json::parse: quadratic in an object's keys
    } catch (const Failure&) {
    }
    if (!object) fail("", "the unknown fields kept from the file (Scene::extrasJson) are not a JSON object");
  }
}

// =====================================================================================================
// [SECTION] Parse
// =====================================================================================================

bool known(std::string_view key, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), key) != names.end();
}

// The members of `obj` whose names are not in `names`, in file order.
Json unknownFields(const Json& obj, std::initializer_list<std::string_view> names) {
  Json out = Json::object();
  for (const auto& [k, v] : obj.items())
    if (!known(k, names)) appendNewMember(out, k, v);  // obj's keys are unique (DomBuilder)
  return out;
}

// The "optimizer" object, shared by every scene kind; its unknown fields go to extras["optimizer"].
OptimizerSpec readOptimizer(const Json& doc, Json& extras) {
  OptimizerSpec o;
  const Json& opt = need(doc, "", "optimizer", "");
  expectObject(opt, "optimizer");
  o.name = readEnum<OptimizerKind>(need(opt, "optimizer", "name", "one of " + enumChoices<OptimizerKind>()),
                                   "optimizer.name", "optimizer");
  const bool mirror = o.name == OptimizerKind::MD || o.name == OptimizerKind::NMD;
  if (const Json* p = member(opt, "p"))
    o.p = readDouble(*p, "optimizer.p");
  else if (mirror)
    fail("optimizer.p", std::string("missing (") + enumName(o.name) + " needs the geometry p > 1)");
  o.lr = readDouble(need(opt, "optimizer", "lr", "the step size, > 0"), "optimizer.lr");
  if (const Json* x = member(opt, "beta1")) o.beta1 = readDouble(*x, "optimizer.beta1");
  if (const Json* x = member(opt, "beta2")) o.beta2 = readDouble(*x, "optimizer.beta2");
  if (const Json* x = member(opt, "eps")) o.eps = readDouble(*x, "optimizer.eps");
  if (const Json* x = member(opt, "momentum")) o.momentum = readDouble(*x, "optimizer.momentum");
  if (Json u = unknownFields(opt, {"name", "p", "lr", "beta1", "beta2", "eps", "momentum"}); !u.empty())
    extras["optimizer"] = std::move(u);
  return o;
}

// The top level's "format" and "version", shared by every scene kind.
void checkHeader(const Json& doc) {
  if (!doc.is_object()) fail("", "expected a JSON object at the top level, got " + describe(doc));

  const std::string format = readString(need(doc, "", "format", "\"attnmd-scene\""), "format");
  if (format != "attnmd-scene") fail("format", "expected \"attnmd-scene\", got \"" + format + "\"");
  {
    const Json& vj = need(doc, "", "version", "1");
    if (!vj.is_number() || (vj.is_number_float() && vj.get<double>() != std::floor(vj.get<double>())))
      fail("version",
           "expected an integer, got " + (vj.is_number() ? formatDouble(vj.get<double>()) : describe(vj)));
    const double v = vj.get<double>();
    if (v > kSceneFormatVersion)
      fail("version", "this file is version " + (vj.is_number_float() ? formatDouble(v) : vj.dump()) +
                          ", written by a newer attnmd; this build reads version " +
                          std::to_string(kSceneFormatVersion) + " files (update attnmd to open it)");
    if (v < 1) fail("version", "must be " + std::to_string(kSceneFormatVersion) + ", got " + vj.dump());
  }
}

// model.kind == "ntp": a next-token prediction scene (vocabulary and sentences, not sequences).
bool isNtpDocument(const Json& doc) {
  if (!doc.is_object()) return false;
  const Json* model = member(doc, "model");
  if (!model || !model->is_object()) return false;
  const Json* kind = member(*model, "kind");
  return kind && kind->is_string() && kind->get<std::string>() == "ntp";
}

Scene sceneFromJson(const Json& doc) {
  checkHeader(doc);

  Scene s;
  Json extras = unknownFields(doc, {"format", "version", "written_by", "dim", "model", "sequences",
                                    "optimizer", "init", "iterations", "seed"});

  // Sizes are bounded by the file itself: every token row must hold `dim` numbers.
  s.dim = static_cast<int>(
      readInteger(need(doc, "", "dim", "the token dimension d"), "dim", 1, 1 << 24, "must be at least 1"));
  const long long d = s.dim;
  const std::string dimWhy = "dim = " + std::to_string(d);

  // model
  const Json& model = need(doc, "", "model", "");
  expectObject(model, "model");
  if (const Json* k = member(model, "kind"); k && k->is_string() && k->get<std::string>() == "ntp")
    fail("model.kind",
         "a next-token prediction scene (\"ntp\"): attnmd-cli train, svm and figure run it; this "
         "program opens prompt, query and kq scenes only");
  s.model.kind = readEnum<ModelKind>(need(model, "model", "kind", "one of " + enumChoices<ModelKind>()),
                                     "model.kind", "model kind");
  if (const Json* q = member(model, "query")) {
    s.model.query = readEnum<QueryKind>(*q, "model.query", "query kind");
  } else if (s.model.kind != ModelKind::Prompt) {
    fail("model.query",
         "missing (\"first\" or \"given\", needed by the " + std::string(enumName(s.model.kind)) + " model)");
  }
  if (const Json* km = member(model, "key_matrix"))
    s.model.keyMatrix = readMatrix(*km, "model.key_matrix", d, d, "d x d, " + dimWhy);
  if (const Json* r = member(model, "rank"))
    s.model.rank = static_cast<int>(
        readInteger(*r, "model.rank", 1, d, "must be in [1, dim] = [1, " + std::to_string(d) + "]"));
  s.model.v = readVector(need(model, "model", "v", "the decoder, " + numbers(d)), "model.v", d, dimWhy);
  if (const Json* t = member(model, "train_v")) s.model.trainV = readBool(*t, "model.train_v");
  s.model.loss = readEnum<LossKind>(need(model, "model", "loss", "one of " + enumChoices<LossKind>()),
                                    "model.loss", "loss");
  if (Json u = unknownFields(model, {"kind", "query", "key_matrix", "rank", "v", "train_v", "loss"});
      !u.empty())
    extras["model"] = std::move(u);

  // sequences
  const Json& seqs = need(doc, "", "sequences", "");
  if (!seqs.is_array()) fail("sequences", "expected an array of sequences, got " + describe(seqs));
  if (seqs.empty()) fail("sequences", "empty dataset: at least one sequence is needed");
  Json seqExtras = Json::array();
  bool anySeqExtras = false;
  s.sequences.reserve(seqs.size());
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    const std::string path = index("sequences", i);
    const Json& sj = seqs[i];
    expectObject(sj, path);
    Sequence q;
    q.y = static_cast<int>(readInteger(need(sj, path, "y", "1 or -1"), join(path, "y"), -1000000, 1000000));
    q.tokens =
        readMatrix(need(sj, path, "tokens", "rows of " + numbers(d)), join(path, "tokens"), -1, d, dimWhy);
    if (const Json* z = member(sj, "z")) q.z = readVector(*z, join(path, "z"), d, dimWhy);
    Json u = unknownFields(sj, {"y", "tokens", "z"});
    anySeqExtras = anySeqExtras || !u.empty();
    seqExtras.push_back(std::move(u));
    s.sequences.push_back(std::move(q));
  }
  if (anySeqExtras) extras["sequences"] = std::move(seqExtras);

  s.optimizer = readOptimizer(doc, extras);

  // init
  const Json& init = need(doc, "", "init", "");
  expectObject(init, "init");
  s.init.kind = readEnum<InitKind>(need(init, "init", "kind", "one of " + enumChoices<InitKind>()),
                                   "init.kind", "init kind");
  if (const Json* x = member(init, "scale")) s.init.scale = readDouble(*x, "init.scale");
  std::vector<std::string_view> initKnown = {"kind", "scale"};
  if (s.init.kind == InitKind::Given) {
    // Only the tensors the model trains are read; others stay in the extras, untouched.
    const std::string hint = std::string("init.kind \"given\" with the ") + enumName(s.model.kind) +
                             " model needs " + tensorShape(s.model.kind);
    switch (s.model.kind) {
      case ModelKind::Prompt:
        s.init.given.p = readVector(need(init, "init", "p", hint), "init.p", d, dimWhy);
        initKnown.push_back("p");
        break;
      case ModelKind::Query:
        s.init.given.W = readMatrix(need(init, "init", "W", hint), "init.W", d, d, "d x d, " + dimWhy);
        initKnown.push_back("W");
        break;
      case ModelKind::KQ: {
        const long long r = s.rankOrDim();
        const std::string why = "d x rank = " + std::to_string(d) + " x " + std::to_string(r);
        s.init.given.K = readMatrix(need(init, "init", "K", hint), "init.K", d, r, why);
        s.init.given.Q = readMatrix(need(init, "init", "Q", hint), "init.Q", d, r, why);
        initKnown.push_back("K");
        initKnown.push_back("Q");
        break;
      }
    }
  }
  {
    Json u = Json::object();
    for (const auto& [k, v] : init.items())
      if (std::find(initKnown.begin(), initKnown.end(), k) == initKnown.end()) appendNewMember(u, k, v);
    if (!u.empty()) extras["init"] = std::move(u);
  }

  if (const Json* it = member(doc, "iterations"))
    s.iterations = readInteger(*it, "iterations", 0, kMaxIterations, iterationsRule());
  if (const Json* sd = member(doc, "seed")) s.seed = readSeed(*sd, "seed");

  if (!extras.empty()) s.extrasJson = extras.dump(-1, ' ', false, Json::error_handler_t::replace);

  checkScene(s);
  return s;
}

// =====================================================================================================
// [SECTION] Write
// =====================================================================================================

Json vectorJson(const Eigen::VectorXd& v) {
  Json a = Json::array();
  for (Eigen::Index k = 0; k < v.size(); ++k) a.push_back(v(k));
  return a;
}

Json matrixJson(const Eigen::MatrixXd& m) {
  Json a = Json::array();
  for (Eigen::Index r = 0; r < m.rows(); ++r) a.push_back(vectorJson(m.row(r).transpose()));
  return a;
}

// Appends `extra`'s members that `obj` does not already have (known fields win). Only obj's own
// (known) keys are looked up: extra's keys are unique among themselves, and an obj growing by
// thousands of unknown keys would make every lookup slower.
void mergeExtras(Json& obj, const Json* extra) {
  if (!extra || !extra->is_object()) return;
  std::unordered_set<std::string> present;
  for (const auto& [k, v] : obj.items()) present.insert(k);
  for (const auto& [k, v] : extra->items())
    if (!present.count(k)) appendNewMember(obj, k, v);
}

// The "optimizer" object, shared by every scene kind, with the unknown fields read from the file.
Json optimizerJson(const OptimizerSpec& o, const Json* extra) {
  const OptimizerSpec defaults;
  Json opt = Json::object();
  opt["name"] = enumName(o.name);
  opt["p"] = o.p;
  opt["lr"] = o.lr;
  const bool adam = o.name == OptimizerKind::Adam;
  if (adam || o.beta1 != defaults.beta1) opt["beta1"] = o.beta1;
  if (adam || o.beta2 != defaults.beta2) opt["beta2"] = o.beta2;
  if (adam || o.eps != defaults.eps) opt["eps"] = o.eps;
  if (o.name == OptimizerKind::Momentum || o.momentum != defaults.momentum) opt["momentum"] = o.momentum;
  mergeExtras(opt, extra);
  return opt;
}

Json sceneJson(const Scene& s) {
  Json extras = Json::object();
  if (!s.extrasJson.empty()) {
    try {
      extras = parseJson(s.extrasJson);  // not Json::parse: quadratic in an object's keys
    } catch (const Failure&) {
      extras = Json::object();  // validateScene reports it; saving must not fail on it
    }
    if (!extras.is_object()) extras = Json::object();
  }
  auto extra = [&](const char* key) -> const Json* {
    auto it = extras.find(key);
    return it == extras.end() ? nullptr : &*it;
  };

  Json doc = Json::object();
  doc["format"] = "attnmd-scene";
  doc["version"] = kSceneFormatVersion;
  doc["written_by"] = std::string("attnmd ") + version();  // informative only: never read back
  doc["dim"] = s.dim;

  Json model = Json::object();
  model["kind"] = enumName(s.model.kind);
  if (s.model.kind != ModelKind::Prompt || s.model.query != QueryKind::First)
    model["query"] = enumName(s.model.query);
  if (s.model.keyMatrix.size() > 0) model["key_matrix"] = matrixJson(s.model.keyMatrix);
  if (s.model.kind == ModelKind::KQ)
    model["rank"] = s.rankOrDim();
  else if (s.model.rank != 0)
    model["rank"] = s.model.rank;
  model["v"] = vectorJson(s.model.v);
  model["train_v"] = s.model.trainV;
  model["loss"] = enumName(s.model.loss);
  mergeExtras(model, extra("model"));
  doc["model"] = std::move(model);

  const Json* seqExtras = extra("sequences");
  const bool seqExtrasFit = seqExtras && seqExtras->is_array() && seqExtras->size() == s.sequences.size();
  Json seqs = Json::array();
  for (std::size_t i = 0; i < s.sequences.size(); ++i) {
    const Sequence& q = s.sequences[i];
    Json sj = Json::object();
    sj["y"] = q.y;
    sj["tokens"] = matrixJson(q.tokens);
    if (q.z.size() > 0) sj["z"] = vectorJson(q.z);
    if (seqExtrasFit) mergeExtras(sj, &(*seqExtras)[i]);
    seqs.push_back(std::move(sj));
  }
  doc["sequences"] = std::move(seqs);

  doc["optimizer"] = optimizerJson(s.optimizer, extra("optimizer"));

  Json init = Json::object();
  init["kind"] = enumName(s.init.kind);
  if (s.init.kind == InitKind::Gaussian || s.init.scale != 1.0) init["scale"] = s.init.scale;
  if (s.init.kind == InitKind::Given) {
    switch (s.model.kind) {
      case ModelKind::Prompt:
        init["p"] = vectorJson(s.init.given.p);
        break;
      case ModelKind::Query:
        init["W"] = matrixJson(s.init.given.W);
        break;
      case ModelKind::KQ:
        init["K"] = matrixJson(s.init.given.K);
        init["Q"] = matrixJson(s.init.given.Q);
        break;
    }
  }
  mergeExtras(init, extra("init"));
  doc["init"] = std::move(init);

  doc["iterations"] = s.iterations;
  doc["seed"] = s.seed;

  mergeExtras(doc, &extras);
  return doc;
}

// =====================================================================================================
// [SECTION] NTP scenes (docs/scene-format.md "NTP scenes")
// =====================================================================================================

// Every value rule of an NTP scene, on an in-memory one. Paths as in the file.
void checkNtpScene(const NtpScene& s) {
  const Eigen::Index d = s.dim;
  if (s.dim < 1) fail("dim", "must be at least 1, got " + std::to_string(s.dim));
  const int K = s.vocabularySize();
  if (K < 2) fail("vocabulary", "at least 2 tokens are needed, got " + std::to_string(K));
  const std::string dimWhy = "dim = " + std::to_string(d);
  for (int a = 0; a < K; ++a)
    checkVector(s.embedding(a), join(index("vocabulary", static_cast<std::size_t>(a)), "embedding"), d,
                dimWhy);
  auto checkToken = [&](int t, const std::string& path) {
    if (t < 0 || t >= K)
      fail(path,
           "not a vocabulary index: must be in [0, " + std::to_string(K - 1) + "], got " + std::to_string(t));
  };
  std::vector<int> successor(static_cast<std::size_t>(K), -1);
  for (std::size_t k = 0; k < s.collocation.size(); ++k) {
    const auto& [a, b] = s.collocation[k];
    const std::string path = index("collocation", k);
    checkToken(a, index(path, 0));
    checkToken(b, index(path, 1));
    int& n = successor[static_cast<std::size_t>(a)];
    if (n >= 0 && n != b)
      fail(index(path, 0), "token " + std::to_string(a) + " has two successors (" + std::to_string(n) +
                               " and " + std::to_string(b) + "); each token has at most one");
    n = b;
  }
  if (s.sentences.empty()) fail("sentences", "empty dataset: at least one sentence is needed");
  for (std::size_t i = 0; i < s.sentences.size(); ++i) {
    const NtpSentence& sen = s.sentences[i];
    const std::string path = index("sentences", i);
    if (sen.tokens.size() < 2)
      fail(join(path, "tokens"), "a sentence needs at least 2 tokens (the last is the query), got " +
                                     std::to_string(sen.tokens.size()));
    for (std::size_t t = 0; t < sen.tokens.size(); ++t)
      checkToken(sen.tokens[t], index(join(path, "tokens"), t));
    checkToken(sen.next, join(path, "next"));
  }
  if (s.schedule == NtpSchedule::TwoStage && s.stage1Iterations > s.iterations)
    fail("model.stage1_iterations",
         "stage 1 cannot be longer than the whole run (iterations = " + std::to_string(s.iterations) +
             "), got " + std::to_string(s.stage1Iterations));
  if (s.stage1Iterations < 0) fail("model.stage1_iterations", "must be >= 0");
  checkOptimizer(s.optimizer);
  if (s.init.kind == InitKind::Gaussian)
    checkRange(s.init.scale, "init.scale", 0.0, false, 1e150, false, "must be >= 0");
  if (s.init.kind == InitKind::Given) {
    checkMatrix(s.init.given.Wov, "init.W_ov", K, d,
                "K x d = " + std::to_string(K) + " x " + std::to_string(d));
    checkMatrix(s.init.given.Wkq, "init.W_kq", d, d, "d x d, " + dimWhy);
  }
  if (s.iterations < 0 || s.iterations > kMaxIterations) fail("iterations", iterationsRule());
}

NtpScene ntpSceneFromJson(const Json& doc, Json extras) {
  NtpScene s;
  s.dim = static_cast<int>(
      readInteger(need(doc, "", "dim", "the embedding length d"), "dim", 1, 1 << 24, "must be at least 1"));
  const long long d = s.dim;
  const std::string dimWhy = "dim = " + std::to_string(d);

  const Json& model = need(doc, "", "model", "");
  if (const Json* sc = member(model, "schedule")) {
    const std::string name = readString(*sc, "model.schedule");
    if (name == "two_stage")
      s.schedule = NtpSchedule::TwoStage;
    else if (name == "joint")
      s.schedule = NtpSchedule::Joint;
    else
      fail("model.schedule", "unknown schedule \"" + name + "\" (expected one of two_stage, joint)");
  }
  if (const Json* n1 = member(model, "stage1_iterations"))
    s.stage1Iterations = readInteger(*n1, "model.stage1_iterations", 0, kMaxIterations, iterationsRule());
  if (Json u = unknownFields(model, {"kind", "schedule", "stage1_iterations"}); !u.empty())
    extras["model"] = std::move(u);

  const Json& vocab = need(doc, "", "vocabulary", "K >= 2 tokens, each {\"name\", \"embedding\"}");
  if (!vocab.is_array()) fail("vocabulary", "expected an array of tokens, got " + describe(vocab));
  for (std::size_t a = 0; a < vocab.size(); ++a) {
    const std::string path = index("vocabulary", a);
    expectObject(vocab[a], path);
    NtpWord w;
    if (const Json* nm = member(vocab[a], "name")) w.name = readString(*nm, join(path, "name"));
    w.embedding =
        readVector(need(vocab[a], path, "embedding", numbers(d)), join(path, "embedding"), d, dimWhy);
    s.vocabulary.push_back(std::move(w));
  }
  const long long K = static_cast<long long>(s.vocabulary.size());
  if (K < 2) fail("vocabulary", "at least 2 tokens are needed, got " + std::to_string(K));
  auto readToken = [&](const Json& j, const std::string& path) {
    return static_cast<int>(readInteger(
        j, path, 0, K - 1, "not a vocabulary index: must be in [0, " + std::to_string(K - 1) + "]"));
  };

  if (const Json* col = member(doc, "collocation")) {
    if (!col->is_array()) fail("collocation", "expected an array of [a, n(a)] pairs, got " + describe(*col));
    for (std::size_t k = 0; k < col->size(); ++k) {
      const std::string path = index("collocation", k);
      const Json& pair = (*col)[k];
      if (!pair.is_array() || pair.size() != 2)
        fail(path, "expected a pair [a, n(a)] of vocabulary indices, got " +
                       (pair.is_array() ? std::to_string(pair.size()) + " values" : describe(pair)));
      s.collocation.emplace_back(readToken(pair[0], index(path, 0)), readToken(pair[1], index(path, 1)));
    }
  }

  const Json& sens = need(doc, "", "sentences", "");
  if (!sens.is_array()) fail("sentences", "expected an array of sentences, got " + describe(sens));
  for (std::size_t i = 0; i < sens.size(); ++i) {
    const std::string path = index("sentences", i);
    expectObject(sens[i], path);
    NtpSentence sen;
    const Json& toks = need(sens[i], path, "tokens", "T >= 2 vocabulary indices, the last is the query");
    if (!toks.is_array())
      fail(join(path, "tokens"), "expected an array of vocabulary indices, got " + describe(toks));
    for (std::size_t t = 0; t < toks.size(); ++t)
      sen.tokens.push_back(readToken(toks[t], index(join(path, "tokens"), t)));
    sen.next = readToken(need(sens[i], path, "next", "the label, a vocabulary index"), join(path, "next"));
    s.sentences.push_back(std::move(sen));
  }

  s.optimizer = readOptimizer(doc, extras);

  const Json& init = need(doc, "", "init", "");
  expectObject(init, "init");
  s.init.kind = readEnum<InitKind>(need(init, "init", "kind", "one of " + enumChoices<InitKind>()),
                                   "init.kind", "init kind");
  if (const Json* x = member(init, "scale")) s.init.scale = readDouble(*x, "init.scale");
  if (s.init.kind == InitKind::Given) {
    const std::string hint = "init.kind \"given\" needs W_ov (K x d) and W_kq (d x d)";
    s.init.given.Wov = readMatrix(need(init, "init", "W_ov", hint), "init.W_ov", K, d,
                                  "K x d = " + std::to_string(K) + " x " + std::to_string(d));
    s.init.given.Wkq = readMatrix(need(init, "init", "W_kq", hint), "init.W_kq", d, d, "d x d, " + dimWhy);
  }
  if (Json u =
          unknownFields(init, s.init.kind == InitKind::Given
                                  ? std::initializer_list<std::string_view>{"kind", "scale", "W_ov", "W_kq"}
                                  : std::initializer_list<std::string_view>{"kind", "scale"});
      !u.empty())
    extras["init"] = std::move(u);

  if (const Json* it = member(doc, "iterations"))
    s.iterations = readInteger(*it, "iterations", 0, kMaxIterations, iterationsRule());
  if (const Json* sd = member(doc, "seed")) s.seed = readSeed(*sd, "seed");
  if (!extras.empty()) s.extrasJson = extras.dump(-1, ' ', false, Json::error_handler_t::replace);
  checkNtpScene(s);
  return s;
}

Json ntpSceneJson(const NtpScene& s) {
  Json extras = Json::object();
  if (!s.extrasJson.empty()) {
    try {
      extras = parseJson(s.extrasJson);
    } catch (const Failure&) {
      extras = Json::object();
    }
    if (!extras.is_object()) extras = Json::object();
  }
  auto extra = [&](const char* key) -> const Json* {
    auto it = extras.find(key);
    return it == extras.end() ? nullptr : &*it;
  };
  Json doc = Json::object();
  doc["format"] = "attnmd-scene";
  doc["version"] = kSceneFormatVersion;
  doc["written_by"] = std::string("attnmd ") + version();
  doc["dim"] = s.dim;
  Json model = Json::object();
  model["kind"] = "ntp";
  model["schedule"] = ntpScheduleName(s.schedule);
  if (s.schedule == NtpSchedule::TwoStage) model["stage1_iterations"] = s.stage1Iterations;
  mergeExtras(model, extra("model"));
  doc["model"] = std::move(model);
  Json vocab = Json::array();
  for (const NtpWord& w : s.vocabulary) {
    Json wj = Json::object();
    if (!w.name.empty()) wj["name"] = w.name;
    wj["embedding"] = vectorJson(w.embedding);
    vocab.push_back(std::move(wj));
  }
  doc["vocabulary"] = std::move(vocab);
  Json col = Json::array();
  for (const auto& [a, b] : s.collocation) col.push_back(Json::array({a, b}));
  doc["collocation"] = std::move(col);
  Json sens = Json::array();
  for (const NtpSentence& sen : s.sentences) {
    Json sj = Json::object();
    sj["tokens"] = sen.tokens;
    sj["next"] = sen.next;
    sens.push_back(std::move(sj));
  }
  doc["sentences"] = std::move(sens);
  doc["optimizer"] = optimizerJson(s.optimizer, extra("optimizer"));
  Json init = Json::object();
  init["kind"] = enumName(s.init.kind);
  if (s.init.kind == InitKind::Gaussian || s.init.scale != 1.0) init["scale"] = s.init.scale;
  if (s.init.kind == InitKind::Given) {
    init["W_ov"] = matrixJson(s.init.given.Wov);
    init["W_kq"] = matrixJson(s.init.given.Wkq);
  }
  mergeExtras(init, extra("init"));
  doc["init"] = std::move(init);
  doc["iterations"] = s.iterations;
  doc["seed"] = s.seed;
  mergeExtras(doc, &extras);
  return doc;
}

// =====================================================================================================
// [SECTION] Files
// =====================================================================================================

std::string errnoText(int err) {
  switch (err) {
    case ENOSPC:
      return "the disk is full";
    case EDQUOT:
      return "the disk quota is exceeded";
    case EROFS:
      return "the file system is read-only";
    case EACCES:
    case EPERM:
      return "permission denied";
    case ENOENT:
      return "no such file or folder";
    case EISDIR:
      return "it is a folder";
    case EFBIG:
      return "the file is too large for this file system or process limit";
    default:
      return std::strerror(err);
  }
}

// What a non-regular, non-folder file is, for messages ("a FIFO (named pipe)").
std::string fileKind(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "a special file";
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

}  // namespace

// =====================================================================================================
// Public API
// =====================================================================================================

std::string formatDouble(double x) {
  if (!std::isfinite(x)) return "null";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, x);  // shortest text that reads back exactly
  std::string s(buf, r.ptr);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string prettyJson(std::string_view jsonText) {
  try {
    return printDocument(parseJson(jsonText));
  } catch (const Failure&) {
  } catch (const std::exception&) {
  }
  return std::string(jsonText);
}

SceneLoadResult parseScene(std::string_view jsonText, std::string_view sourceName) {
  try {
    Json doc = parseJson(jsonText);
    return SceneLoadResult{sceneFromJson(doc)};  // built in a temporary: a failure leaves nothing behind
  } catch (const Failure& f) {
    return SceneLoadResult{LoadError{withSource(sourceName, f)}};
  } catch (const std::bad_alloc&) {
    return SceneLoadResult{LoadError{std::string(sourceName) + ": out of memory while reading the scene"}};
  } catch (const std::exception& e) {
    return SceneLoadResult{LoadError{std::string(sourceName) + ": " + e.what()}};
  }
}

namespace {

// Reads a scene file's text: regular files only, at most 1 GiB. "" or the message.
std::string readSceneFile(const std::string& path, std::string& text) {
  // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever, before fstat can refuse it.
  // fstat on the open descriptor (not stat on the path) so the file checked is the file read.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return path + ": cannot read: " + errnoText(errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return path + ": cannot read: " + errnoText(err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    if (S_ISDIR(st.st_mode)) return path + ": cannot read: it is a folder, not a scene file";
    return path + ": cannot read: it is " + fileKind(st.st_mode) +
           ", not a regular file (use - to read a scene from standard input)";
  }
  // A regular file never blocks, but the flag would be inherited by anything reading fd; clear it.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  text.clear();
  if (st.st_size > 0 && static_cast<std::uintmax_t>(st.st_size) <= kMaxFileBytes)
    text.reserve(static_cast<std::size_t>(st.st_size));  // one allocation, no regrowth copies
  char buf[1 << 16];
  bool tooLarge = false;
  int readErr = 0;
  for (;;) {
    const ssize_t got = ::read(fd, buf, sizeof buf);
    if (got < 0) {
      if (errno == EINTR) continue;
      readErr = errno;
      break;
    }
    if (got == 0) break;
    text.append(buf, static_cast<std::size_t>(got));
    if (text.size() > kMaxFileBytes) {
      tooLarge = true;
      break;
    }
  }
  ::close(fd);
  if (tooLarge) return path + ": cannot read: larger than 1 GiB, not a scene file";
  if (readErr != 0) return path + ": cannot read: " + errnoText(readErr);
  return {};
}

}  // namespace

SceneLoadResult loadScene(const std::string& path) {
  std::string text;
  if (std::string problem = readSceneFile(path, text); !problem.empty()) return {LoadError{problem}};
  return parseScene(text, path);
}

AnySceneLoadResult parseAnyScene(std::string_view jsonText, std::string_view sourceName) {
  try {
    Json doc = parseJson(jsonText);
    if (!isNtpDocument(doc)) return AnySceneLoadResult{sceneFromJson(doc)};
    checkHeader(doc);
    Json extras = unknownFields(doc, {"format", "version", "written_by", "dim", "model", "vocabulary",
                                      "collocation", "sentences", "optimizer", "init", "iterations", "seed"});
    return AnySceneLoadResult{ntpSceneFromJson(doc, std::move(extras))};
  } catch (const Failure& f) {
    return AnySceneLoadResult{LoadError{withSource(sourceName, f)}};
  } catch (const std::bad_alloc&) {
    return AnySceneLoadResult{LoadError{std::string(sourceName) + ": out of memory while reading the scene"}};
  } catch (const std::exception& e) {
    return AnySceneLoadResult{LoadError{std::string(sourceName) + ": " + e.what()}};
  }
}

AnySceneLoadResult loadAnyScene(const std::string& path) {
  std::string text;
  if (std::string problem = readSceneFile(path, text); !problem.empty()) return {LoadError{problem}};
  return parseAnyScene(text, path);
}

std::string validateNtpScene(const NtpScene& scene) {
  try {
    checkNtpScene(scene);
  } catch (const Failure& f) {
    return f.path.empty() ? f.message : f.path + ": " + f.message;
  }
  return {};
}

std::string ntpSceneToJson(const NtpScene& scene) {
  try {
    return printDocument(ntpSceneJson(scene));
  } catch (const std::exception&) {
    return {};
  }
}

std::string saveNtpScene(const NtpScene& scene, const std::string& path, Symlinks links) {
  if (std::string problem = validateNtpScene(scene); !problem.empty()) return path + ": " + problem;
  return writeFileAtomic(path, ntpSceneToJson(scene), links);
}

std::string validateScene(const Scene& scene) {
  try {
    checkScene(scene);
  } catch (const Failure& f) {
    return f.path.empty() ? f.message : f.path + ": " + f.message;
  }
  return {};
}

std::string sceneToJson(const Scene& scene) {
  try {
    return printDocument(sceneJson(scene));
  } catch (const std::exception&) {
    return {};  // only bad_alloc can get here
  }
}

std::string saveScene(const Scene& scene, const std::string& path, Symlinks links) {
  if (std::string problem = validateScene(scene); !problem.empty())
    return "cannot save " + quoted(path) + ": the scene is not valid: " + problem;
  std::string text = sceneToJson(scene);
  if (text.empty()) return "cannot save " + quoted(path) + ": out of memory";
  return writeFileAtomic(path, text, links);
}

std::string writeFileAtomic(const std::string& path, std::string_view text, Symlinks links) {
  namespace fs = std::filesystem;
  if (path.empty()) return "cannot save: no file name given";
  const std::string what = "cannot save " + quoted(path) + ": ";
  try {
    std::error_code ec;
    fs::path target(path);
    const bool isLink = fs::is_symlink(target, ec);
    if (isLink && links == Symlinks::Follow) {  // replace the file the link points to, not the link
      fs::path resolved = fs::weakly_canonical(target, ec);
      if (!ec) target = resolved;
    }
    // Symlinks::Replace: the rename below puts the new file where the link was; whatever it pointed
    // to, even a folder, is left alone.
    if (!(isLink && links == Symlinks::Replace) && fs::is_directory(target, ec))
      return what + "it is a folder";
    fs::path dir = target.parent_path();
    if (dir.empty()) dir = ".";
    if (!fs::is_directory(dir, ec)) return what + "the folder " + quoted(dir.string()) + " does not exist";

    std::string tmpl = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    int fd = ::mkstemp(name.data());
    if (fd < 0) return what + errnoText(errno) + " (cannot create a file in " + quoted(dir.string()) + ")";
    const std::string tmp(name.data());
    auto abandon = [&](int err, const char* step) {
      if (fd >= 0) ::close(fd);
      ::unlink(tmp.c_str());
      return what + errnoText(err) + " (" + step + "); the previous file, if any, is unchanged";
    };

    struct stat st {};
    mode_t mode = 0644;
    // lstat: a replaced link's own mode (0777) is no file's permissions; it gets the default.
    if (::lstat(target.c_str(), &st) == 0 && S_ISREG(st.st_mode)) mode = st.st_mode & 07777;
    if (::fchmod(fd, mode) != 0) return abandon(errno, "while setting permissions");

    std::size_t off = 0;
    while (off < text.size()) {
      ssize_t w = ::write(fd, text.data() + off, text.size() - off);
      if (w < 0) {
        if (errno == EINTR) continue;
        return abandon(errno, "while writing");
      }
      off += static_cast<std::size_t>(w);
    }
    if (::fsync(fd) != 0) return abandon(errno, "while flushing to disk");
    const int closed = ::close(fd);
    fd = -1;
    if (closed != 0) return abandon(errno, "while closing");
    if (::rename(tmp.c_str(), target.c_str()) != 0) return abandon(errno, "while replacing the file");
    // Make the rename itself durable; failure here loses nothing already written.
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
    return {};
  } catch (const std::exception& e) {
    return what + e.what();
  }
}

}  // namespace attnmd::core
