// Condition language: a hand-written lexer, a recursive-descent parser (one function per
// precedence level) and a tree-walking evaluator over immutable nodes.
//
//   or  <  and  <  not  <  == != < <= > >= contains matches  <  + -  <  * /  <  unary -
//
// Parse errors throw an internal Fail that parse() turns into a ParseError; evaluation
// never throws. The hot path (a passing condition against a CheckResult) allocates nothing:
// values are Vals whose strings view the result or the condition's literals.
#include "rules/condition.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "rules/resolver.h"

namespace vigil::rules {

using detail::Val;
using detail::VarId;
using detail::VarRef;
using Type = Val::Type;

struct Condition::Node {
  enum class Kind : std::uint8_t {
    literal, variable, neg, add, sub, mul, div,
    eq, ne, lt, le, gt, ge, contains, matches,
    and_, or_, not_,
  };
  Kind kind = Kind::literal;
  std::uint32_t begin = 0, end = 0;    // byte span in the condition text, for reasons
  std::uint32_t outer_begin = 0, outer_end = 0;  // the same, with enclosing parentheses
  std::uint32_t depth = 1;  // height of the subtree; bounded so evaluation cannot overflow the stack
  Val lit;                           // literal; a string literal views `storage`
  std::string storage;
  VarRef var;
  std::unique_ptr<RE2> re;  // matches: compiled once at parse time
  std::unique_ptr<Node> lhs, rhs;
};

namespace {

using Node = Condition::Node;
using Kind = Node::Kind;

// ---------------------------------------------------------------------------------------
// Describing values

constexpr std::size_t kMaxDescribedString = 64;

std::string quote(std::string_view s) {
  bool cut = false;
  if (s.size() > kMaxDescribedString) {
    std::size_t n = kMaxDescribedString;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // UTF-8 boundary
    s = s.substr(0, n);
    cut = true;
  }
  std::string out;
  out.reserve(s.size() + 8);
  out += '"';
  for (char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20) out += fmt::format("\\x{:02x}", static_cast<unsigned char>(ch));
        else out += ch;
    }
  }
  out += '"';
  if (cut) out += "…";
  return out;
}

std::string describe_number(double n) {
  if (std::isfinite(n) && n == std::trunc(n) && std::fabs(n) < 1e15) {
    return fmt::format("{}", static_cast<std::int64_t>(n));
  }
  return fmt::format("{}", n);
}

}  // namespace

namespace detail {

Val to_val(const Value& v) {
  switch (v.index()) {
    case 1: return Val::boolean(std::get<bool>(v));
    case 2: return Val::number(std::get<double>(v));
    case 3: return Val::duration(std::get<Duration>(v));
    case 4: return Val::string(std::get<std::string>(v));
    default: return Val::null();
  }
}

Value to_value(const Val& v) {
  switch (v.type) {
    case Type::boolean: return v.b;
    case Type::number: return v.n;
    case Type::duration: return v.d;
    case Type::string: return std::string(v.s);
    case Type::null: break;
  }
  return Null{};
}

std::string describe(const Val& v) {
  switch (v.type) {
    case Type::null: return "null";
    case Type::boolean: return v.b ? "true" : "false";
    case Type::number: return describe_number(v.n);
    case Type::duration: return format_duration(v.d);
    case Type::string: return quote(v.s);
  }
  return "?";
}

const char* type_name(Type t) {
  switch (t) {
    case Type::null: return "null";
    case Type::boolean: return "a boolean";
    case Type::number: return "a number";
    case Type::duration: return "a duration";
    case Type::string: return "a string";
  }
  return "?";
}

bool FunctionResolver::resolve(const VarRef& var, Val& out, Scratch& scratch) {
  std::optional<Value> v = vars_ ? vars_(var.name, var.key) : std::nullopt;
  if (!v) return false;
  if (std::holds_alternative<std::string>(*v)) {
    out = to_val(scratch.keep(std::move(*v)));  // keep the string alive for the evaluation
  } else {
    out = to_val(*v);
  }
  return true;
}

std::string Resolver::unknown(const VarRef& var) { return "unknown variable " + var.text; }

std::optional<Value> ResolverVariables::operator()(std::string_view name, std::string_view key) const {
  if (!resolver) return std::nullopt;
  const VarRef var = make_var_ref(name, key);
  Scratch scratch;
  Val v;
  if (!resolver->resolve(var, v, scratch)) return std::nullopt;
  return to_value(v);
}

}  // namespace detail

std::string describe(const Value& v) { return detail::describe(detail::to_val(v)); }

namespace {

// ---------------------------------------------------------------------------------------
// Lexer

enum class Tok : std::uint8_t {
  end, number, duration, string, ident, lparen, rparen, lbracket, rbracket,
  field,  // `.name` or `.a.b` right after a `)` or `]` (path("/x").p95); str holds "name" / "a.b"
  dot,    // a '.' not followed by a field name
  eq, ne, lt, le, gt, ge, plus, minus, star, slash,
  kw_and, kw_or, kw_not, kw_contains, kw_matches, kw_true, kw_false, kw_null,
};

struct Token {
  Tok kind = Tok::end;
  std::size_t begin = 0, end = 0;
  double number = 0;
  Duration duration{0};
  std::string str;  // unescaped string literal
};

struct Fail {
  std::size_t offset;
  std::string message;
};

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_start(char c) { return is_alpha(c) || c == '_'; }
bool is_ident_char(char c) { return is_alpha(c) || is_digit(c) || c == '_'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_op_char(char c) { return c == '=' || c == '!' || c == '<' || c == '>' || c == '&' || c == '|'; }

class Lexer {
 public:
  explicit Lexer(std::string_view text) : s_(text) {}

  Token next() {
    while (i_ < s_.size() && is_space(s_[i_])) ++i_;
    Token t;
    t.begin = i_;
    if (i_ >= s_.size()) {
      t.kind = Tok::end;
      t.end = i_;
      return t;
    }
    const char c = s_[i_];
    if (is_digit(c)) {
      lex_number(t);
    } else if (is_ident_start(c)) {
      lex_ident(t);
    } else if (c == '"') {
      lex_string(t);
    } else if (c == '.') {
      lex_field(t);
    } else if (is_op_char(c)) {
      lex_operator(t);
    } else {
      ++i_;
      switch (c) {
        case '(': t.kind = Tok::lparen; break;
        case ')': t.kind = Tok::rparen; break;
        case '[': t.kind = Tok::lbracket; break;
        case ']': t.kind = Tok::rbracket; break;
        case '+': t.kind = Tok::plus; break;
        case '-': t.kind = Tok::minus; break;
        case '*': t.kind = Tok::star; break;
        case '/': t.kind = Tok::slash; break;
        case '\'':
          throw Fail{t.begin, "unexpected character ''' (strings use double quotes)"};
        default: {
          // Report a whole UTF-8 sequence, not a lone lead byte.
          std::size_t n = i_;
          while (n < s_.size() && (static_cast<unsigned char>(s_[n]) & 0xC0) == 0x80) ++n;
          throw Fail{t.begin, fmt::format("unexpected character '{}'", s_.substr(t.begin, n - t.begin))};
        }
      }
    }
    t.end = i_;
    return t;
  }

 private:
  void lex_number(Token& t) {
    while (i_ < s_.size() && is_digit(s_[i_])) ++i_;
    bool fraction = false;
    if (i_ + 1 < s_.size() && s_[i_] == '.' && is_digit(s_[i_ + 1])) {
      fraction = true;
      ++i_;
      while (i_ < s_.size() && is_digit(s_[i_])) ++i_;
    }
    const std::string_view digits = s_.substr(t.begin, i_ - t.begin);
    double value = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || p != digits.data() + digits.size()) {
      throw Fail{t.begin, fmt::format("invalid number '{}'", digits)};
    }
    if (i_ < s_.size() && s_[i_] == '%') {
      ++i_;
      t.kind = Tok::number;
      t.number = value / 100.0;
      return;
    }
    if (i_ < s_.size() && is_alpha(s_[i_])) {  // a duration: 800ms, 14d, 1h30m
      while (i_ < s_.size() && is_ident_char(s_[i_])) ++i_;
      const std::string_view lit = s_.substr(t.begin, i_ - t.begin);
      if (fraction) {
        throw Fail{t.begin, fmt::format("invalid duration '{}': fractions are not supported, use a smaller unit (1500ms, not 1.5s)", lit)};
      }
      auto d = parse_duration(lit);
      if (!d.ok()) throw Fail{t.begin, d.error().message};
      t.kind = Tok::duration;
      t.duration = *d;
      return;
    }
    t.kind = Tok::number;
    t.number = value;
  }

  void lex_ident(Token& t) {
    while (i_ < s_.size() && is_ident_char(s_[i_])) ++i_;
    bool dotted = false;
    while (i_ < s_.size() && s_[i_] == '.') {
      if (i_ + 1 >= s_.size() || !is_ident_char(s_[i_ + 1])) {
        throw Fail{i_ + 1, fmt::format("expected a field name after '{}'", s_.substr(t.begin, i_ + 1 - t.begin))};
      }
      dotted = true;
      ++i_;
      while (i_ < s_.size() && is_ident_char(s_[i_])) ++i_;
    }
    const std::string_view word = s_.substr(t.begin, i_ - t.begin);
    t.kind = Tok::ident;
    if (!dotted) {
      struct Kw { std::string_view word; Tok kind; };
      static constexpr Kw kws[] = {
          {"and", Tok::kw_and},   {"or", Tok::kw_or},       {"not", Tok::kw_not},
          {"true", Tok::kw_true}, {"false", Tok::kw_false}, {"null", Tok::kw_null},
          {"contains", Tok::kw_contains}, {"matches", Tok::kw_matches},
      };
      for (const auto& kw : kws) {
        if (word == kw.word) t.kind = kw.kind;
      }
    }
    if (t.kind == Tok::ident) t.str = std::string(word);
  }

  // `.error_rate`, `.status.2xx`; a '.' followed by anything else is a Tok::dot, which the
  // parser reports with the variable it follows ("expected a field name after ...").
  void lex_field(Token& t) {
    ++i_;  // '.'
    if (i_ >= s_.size() || !is_ident_char(s_[i_])) {
      t.kind = Tok::dot;
      return;
    }
    while (true) {
      while (i_ < s_.size() && is_ident_char(s_[i_])) ++i_;
      if (i_ + 1 < s_.size() && s_[i_] == '.' && is_ident_char(s_[i_ + 1])) {
        ++i_;
        continue;
      }
      break;
    }
    t.kind = Tok::field;
    t.str = std::string(s_.substr(t.begin + 1, i_ - t.begin - 1));
  }

  void lex_string(Token& t) {
    ++i_;  // opening quote
    while (true) {
      if (i_ >= s_.size()) throw Fail{t.begin, "unterminated string"};
      const char c = s_[i_];
      if (c == '"') {
        ++i_;
        break;
      }
      if (c == '\\' && i_ + 1 < s_.size() && (s_[i_ + 1] == '"' || s_[i_ + 1] == '\\')) {
        t.str += s_[i_ + 1];
        i_ += 2;
        continue;
      }
      // Any other backslash is kept as written, so regexes read naturally: "\d+".
      t.str += c;
      ++i_;
    }
    t.kind = Tok::string;
  }

  void lex_operator(Token& t) {
    while (i_ < s_.size() && is_op_char(s_[i_])) ++i_;
    const std::string_view op = s_.substr(t.begin, i_ - t.begin);
    if (op == "==") t.kind = Tok::eq;
    else if (op == "!=") t.kind = Tok::ne;
    else if (op == "<") t.kind = Tok::lt;
    else if (op == "<=") t.kind = Tok::le;
    else if (op == ">") t.kind = Tok::gt;
    else if (op == ">=") t.kind = Tok::ge;
    else {
      std::string_view hint;
      if (op == "=") hint = " (did you mean '=='?)";
      else if (op == "=<") hint = " (did you mean '<='?)";
      else if (op == "=>") hint = " (did you mean '>='?)";
      else if (op == "<>") hint = " (did you mean '!='?)";
      else if (op == "&&" || op == "&") hint = " (use 'and')";
      else if (op == "||" || op == "|") hint = " (use 'or')";
      else if (op == "!") hint = " (use 'not')";
      throw Fail{t.begin, fmt::format("unknown operator '{}'{}", op, hint)};
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

// ---------------------------------------------------------------------------------------
// Parser

std::string_view token_text(std::string_view text, const Token& t) {
  if (t.kind == Tok::end) return "end of condition";
  return text.substr(t.begin, t.end - t.begin);
}

bool is_comparison(Tok k) {
  switch (k) {
    case Tok::eq: case Tok::ne: case Tok::lt: case Tok::le: case Tok::gt: case Tok::ge:
    case Tok::kw_contains: case Tok::kw_matches:
      return true;
    default:
      return false;
  }
}

bool starts_value(Tok k) {
  switch (k) {
    case Tok::number: case Tok::duration: case Tok::string: case Tok::ident: case Tok::lparen:
    case Tok::minus: case Tok::kw_true: case Tok::kw_false: case Tok::kw_null:
      return true;
    default:
      return false;
  }
}

bool is_json_name(std::string_view name) { return name == "json" || name.starts_with("json."); }

VarId classify(const std::string& name, bool has_key) {
  if (is_json_name(name)) return VarId::json;
  if (has_key) return name == "header" ? VarId::header : VarId::figure;
  struct Known { std::string_view name; VarId id; };
  static constexpr Known known[] = {
      {"status", VarId::status},         {"response_time", VarId::response_time},
      {"dns_time", VarId::dns_time},     {"connect_time", VarId::connect_time},
      {"tls_time", VarId::tls_time},     {"ttfb", VarId::ttfb},
      {"body", VarId::body},             {"cert_expires_in", VarId::cert_expires_in},
      {"reachable", VarId::reachable},   {"error", VarId::error},
  };
  for (const auto& k : known) {
    if (name == k.name) return k.id;
  }
  return VarId::figure;
}

void add_segment(std::vector<detail::PathSegment>& path, std::string key) {
  detail::PathSegment seg;
  if (!key.empty() && key.size() <= 9 && std::all_of(key.begin(), key.end(), is_digit)) {
    seg.index = std::stoll(key);
  }
  seg.key = std::move(key);
  path.push_back(std::move(seg));
}

int column_of(std::string_view text, std::size_t offset) {
  int col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++col;  // count code points
  }
  return col;
}

void finish_var_ref(VarRef& v) {
  v.id = classify(v.name, v.has_key);
  if (v.id == VarId::figure) {
    // disk["/var"] → "disk:/var"; path("/x").p95 arrives here already named "path:/x.p95".
    v.figure = v.has_key ? v.name + ':' + v.key : v.name;
    if (const std::size_t colon = v.figure.find(':'); colon != std::string::npos) {
      v.figure_alt = v.figure;
      v.figure_alt[colon] = '.';  // the dotted spelling some check types use: pattern.<name>
    }
    return;
  }
  if (v.id != VarId::json) return;
  std::string_view rest = std::string_view(v.name).substr(4);  // after "json"
  while (!rest.empty()) {
    rest.remove_prefix(1);  // '.'
    const std::size_t dot = rest.find('.');
    add_segment(v.path, std::string(rest.substr(0, dot)));
    rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot);
  }
  if (v.has_key) add_segment(v.path, v.key);
}

// Deeper than any sensible condition; keeps parsing and evaluation recursion bounded.
constexpr std::uint32_t kMaxDepth = 200;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), lex_(text) {}

  std::unique_ptr<Node> parse() {
    advance();
    if (cur_.kind == Tok::end) throw Fail{0, "empty condition"};
    if (!starts_value(cur_.kind) && cur_.kind != Tok::kw_not) unexpected_start();
    auto root = parse_or();
    if (cur_.kind == Tok::rparen) throw Fail{cur_.begin, "unexpected ')'"};
    if (cur_.kind != Tok::end) {
      std::string_view rest = text_.substr(cur_.begin);
      while (!rest.empty() && is_space(rest.back())) rest.remove_suffix(1);
      if (is_comparison(cur_.kind)) {
        throw Fail{cur_.begin, fmt::format("comparisons cannot be chained: '{}' follows a comparison (combine them with 'and')", token_text(text_, cur_))};
      }
      throw Fail{cur_.begin, fmt::format("trailing input '{}'", rest)};
    }
    require_condition(*root);
    return root;
  }

 private:
  void advance() { cur_ = lex_.next(); }

  [[noreturn]] void unexpected_start() {
    if (cur_.kind == Tok::rparen) throw Fail{cur_.begin, "unexpected ')'"};
    throw Fail{cur_.begin, fmt::format("expected a value, got '{}'", token_text(text_, cur_))};
  }

  // Before the operand of `op`: the current token must be able to start a value.
  void expect_operand(const Token& op, bool allow_not) {
    if (starts_value(cur_.kind) || (allow_not && cur_.kind == Tok::kw_not)) return;
    throw Fail{cur_.begin, fmt::format("expected a value after '{}'", token_text(text_, op))};
  }

  // Operands of and/or/not and the whole condition must be conditions, not plain values.
  void require_condition(const Node& n) {
    bool value = false;
    const char* what = "a value";
    switch (n.kind) {
      case Kind::literal:
        value = n.lit.type != Type::boolean;
        what = detail::type_name(n.lit.type);
        if (n.lit.type == Type::null) what = "null";
        break;
      case Kind::neg: case Kind::add: case Kind::sub: case Kind::mul: case Kind::div:
        value = true;
        what = "arithmetic";
        break;
      default:
        break;
    }
    if (value) {
      throw Fail{n.begin, fmt::format("'{}' is {}, not a condition (compare it with ==, <, contains, ...)",
                                      text_.substr(n.begin, n.end - n.begin), what)};
    }
  }

  std::unique_ptr<Node> make(Kind kind, std::size_t begin, std::size_t end) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->begin = static_cast<std::uint32_t>(begin);
    n->end = static_cast<std::uint32_t>(end);
    n->outer_begin = n->begin;
    n->outer_end = n->end;
    return n;
  }

  std::unique_ptr<Node> binary(Kind kind, std::unique_ptr<Node> l, std::unique_ptr<Node> r) {
    auto n = make(kind, l->outer_begin, r->outer_end);
    n->depth = 1 + std::max(l->depth, r->depth);
    check_depth(*n);
    n->lhs = std::move(l);
    n->rhs = std::move(r);
    return n;
  }

  std::unique_ptr<Node> unary(Kind kind, std::size_t begin, std::unique_ptr<Node> operand) {
    auto n = make(kind, begin, operand->outer_end);
    n->depth = 1 + operand->depth;
    check_depth(*n);
    n->lhs = std::move(operand);
    return n;
  }

  void check_depth(const Node& n) {
    if (n.depth > kMaxDepth) {
      throw Fail{n.begin, fmt::format("condition is nested too deeply (more than {} levels)", kMaxDepth)};
    }
  }

  // Guards the parser's own recursion (parentheses, not, unary minus).
  struct Nesting {
    explicit Nesting(Parser& p, std::size_t at) : p_(p) {
      if (++p_.nesting_ > kMaxDepth) {
        throw Fail{at, fmt::format("condition is nested too deeply (more than {} levels)", kMaxDepth)};
      }
    }
    ~Nesting() { --p_.nesting_; }
    Parser& p_;
  };

  std::unique_ptr<Node> parse_or() {
    auto l = parse_and();
    while (cur_.kind == Tok::kw_or) {
      const Token op = cur_;
      advance();
      expect_operand(op, true);
      auto r = parse_and();
      require_condition(*l);
      require_condition(*r);
      l = binary(Kind::or_, std::move(l), std::move(r));
    }
    return l;
  }

  std::unique_ptr<Node> parse_and() {
    auto l = parse_not();
    while (cur_.kind == Tok::kw_and) {
      const Token op = cur_;
      advance();
      expect_operand(op, true);
      auto r = parse_not();
      require_condition(*l);
      require_condition(*r);
      l = binary(Kind::and_, std::move(l), std::move(r));
    }
    return l;
  }

  std::unique_ptr<Node> parse_not() {
    if (cur_.kind != Tok::kw_not) return parse_comparison();
    const Token op = cur_;
    Nesting guard(*this, op.begin);
    advance();
    expect_operand(op, true);
    auto operand = parse_not();
    require_condition(*operand);
    return unary(Kind::not_, op.begin, std::move(operand));
  }

  std::unique_ptr<Node> parse_comparison() {
    auto l = parse_additive();
    if (!is_comparison(cur_.kind)) return l;
    const Token op = cur_;
    advance();
    std::unique_ptr<Node> n;
    if (op.kind == Tok::kw_matches) {
      if (cur_.kind != Tok::string) {
        throw Fail{cur_.begin, "expected a string literal (the regex) after 'matches'"};
      }
      RE2::Options options;
      options.set_log_errors(false);
      auto re = std::make_unique<RE2>(cur_.str, options);
      if (!re->ok()) throw Fail{cur_.begin, fmt::format("invalid regex: {}", re->error())};
      auto r = make(Kind::literal, cur_.begin, cur_.end);
      r->storage = std::move(cur_.str);
      r->lit = Val::string(r->storage);
      advance();
      n = binary(Kind::matches, std::move(l), std::move(r));
      n->re = std::move(re);
    } else {
      expect_operand(op, false);
      auto r = parse_additive();
      Kind kind = Kind::eq;
      switch (op.kind) {
        case Tok::eq: kind = Kind::eq; break;
        case Tok::ne: kind = Kind::ne; break;
        case Tok::lt: kind = Kind::lt; break;
        case Tok::le: kind = Kind::le; break;
        case Tok::gt: kind = Kind::gt; break;
        case Tok::ge: kind = Kind::ge; break;
        default: kind = Kind::contains; break;
      }
      n = binary(kind, std::move(l), std::move(r));
    }
    if (is_comparison(cur_.kind)) {
      throw Fail{cur_.begin, fmt::format("comparisons cannot be chained: '{}' follows a comparison (combine them with 'and')", token_text(text_, cur_))};
    }
    return n;
  }

  std::unique_ptr<Node> parse_additive() {
    auto l = parse_multiplicative();
    while (cur_.kind == Tok::plus || cur_.kind == Tok::minus) {
      const Token op = cur_;
      advance();
      expect_operand(op, false);
      auto r = parse_multiplicative();
      l = binary(op.kind == Tok::plus ? Kind::add : Kind::sub, std::move(l), std::move(r));
    }
    return l;
  }

  std::unique_ptr<Node> parse_multiplicative() {
    auto l = parse_unary();
    while (cur_.kind == Tok::star || cur_.kind == Tok::slash) {
      const Token op = cur_;
      advance();
      expect_operand(op, false);
      auto r = parse_unary();
      l = binary(op.kind == Tok::star ? Kind::mul : Kind::div, std::move(l), std::move(r));
    }
    return l;
  }

  std::unique_ptr<Node> parse_unary() {
    if (cur_.kind != Tok::minus) return parse_primary();
    const Token op = cur_;
    Nesting guard(*this, op.begin);
    advance();
    expect_operand(op, false);
    auto operand = parse_unary();
    return unary(Kind::neg, op.begin, std::move(operand));
  }

  std::unique_ptr<Node> parse_primary() {
    const Token t = cur_;
    switch (t.kind) {
      case Tok::number: case Tok::duration: case Tok::string:
      case Tok::kw_true: case Tok::kw_false: case Tok::kw_null: {
        auto n = make(Kind::literal, t.begin, t.end);
        if (t.kind == Tok::number) n->lit = Val::number(t.number);
        else if (t.kind == Tok::duration) n->lit = Val::duration(t.duration);
        else if (t.kind == Tok::kw_true || t.kind == Tok::kw_false) n->lit = Val::boolean(t.kind == Tok::kw_true);
        else if (t.kind == Tok::kw_null) n->lit = Val::null();
        else {
          n->storage = t.str;
          n->lit = Val::string(n->storage);  // the node never moves: it lives on the heap
        }
        advance();
        return n;
      }
      case Tok::ident:
        return parse_variable();
      case Tok::lparen: {
        Nesting guard(*this, t.begin);
        advance();
        expect_operand(t, true);
        auto inner = parse_or();
        if (cur_.kind != Tok::rparen) {
          if (cur_.kind == Tok::end) {
            throw Fail{cur_.begin, fmt::format("missing ')' to close '(' at column {}", column_of(t.begin))};
          }
          throw Fail{cur_.begin, fmt::format("expected ')' to close '(' at column {}, got '{}'",
                                             column_of(t.begin), token_text(text_, cur_))};
        }
        inner->outer_begin = static_cast<std::uint32_t>(t.begin);
        inner->outer_end = static_cast<std::uint32_t>(cur_.end);
        advance();
        return inner;  // its own span excludes the parentheses, its outer span includes them
      }
      default:
        unexpected_start();
    }
  }

  // NAME, NAME["key"] (header["X"], json.a["b-c"], disk["/var"]), and the selector forms
  // NAME("arg").field and NAME["arg"].field, both naming the figure "NAME:arg.field".
  std::unique_ptr<Node> parse_variable() {
    const Token t = cur_;
    advance();
    auto n = make(Kind::variable, t.begin, t.end);
    VarRef& v = n->var;
    v.name = t.str;
    auto written = [&] { return text_.substr(n->begin, n->end - n->begin); };
    if (cur_.kind == Tok::lparen) {
      const Token open = cur_;
      if (v.name == "header" || is_json_name(v.name)) {
        throw Fail{open.begin, fmt::format("'{}' takes a subscript, not a call: {}[\"...\"]", v.name, v.name)};
      }
      advance();
      if (cur_.kind != Tok::string) {
        throw Fail{cur_.begin, fmt::format("expected a string after '{}('", v.name)};
      }
      std::string arg = std::move(cur_.str);
      advance();
      if (cur_.kind != Tok::rparen) {
        throw Fail{cur_.begin, fmt::format("expected ')' to close '(' at column {}", column_of(open.begin))};
      }
      n->end = static_cast<std::uint32_t>(cur_.end);
      advance();
      if (cur_.kind != Tok::field) {
        if (cur_.kind == Tok::dot) throw Fail{cur_.end, fmt::format("expected a field name after '{}.'", written())};
        throw Fail{cur_.begin, fmt::format("expected a field after '{}', e.g. {}.error_rate", written(), written())};
      }
      select(*n, arg);
    } else if (cur_.kind == Tok::lbracket) {
      const Token open = cur_;
      advance();
      if (cur_.kind != Tok::string) {
        throw Fail{cur_.begin, fmt::format("expected a string after '{}['", v.name)};
      }
      v.key = cur_.str;
      v.has_key = true;
      advance();
      if (cur_.kind != Tok::rbracket) {
        throw Fail{cur_.begin, fmt::format("expected ']' to close '[' at column {}", column_of(open.begin))};
      }
      n->end = static_cast<std::uint32_t>(cur_.end);
      advance();
      if (cur_.kind == Tok::field) {
        if (v.name == "header") {
          throw Fail{cur_.begin, fmt::format("'{}' cannot follow {}: a header has no fields", token_text(text_, cur_), written())};
        }
        if (is_json_name(v.name)) {
          throw Fail{cur_.begin, fmt::format("'{}' cannot follow {}: a subscript must be the last part of a JSON path",
                                             token_text(text_, cur_), written())};
        }
        std::string arg = std::move(v.key);
        v.key.clear();
        v.has_key = false;
        select(*n, arg);
      }
    }
    if (cur_.kind == Tok::dot) throw Fail{cur_.end, fmt::format("expected a field name after '{}.'", written())};
    n->outer_end = n->end;
    finish_var_ref(v);
    v.text = std::string(written());
    return n;
  }

  // At the field after NAME("arg") / NAME["arg"]: names the variable "NAME:arg.field".
  void select(Node& n, std::string_view arg) {
    n.var.name = fmt::format("{}:{}.{}", n.var.name, arg, cur_.str);
    n.end = static_cast<std::uint32_t>(cur_.end);
    advance();
  }

  int column_of(std::size_t offset) const { return rules::column_of(text_, offset); }

  std::string_view text_;
  Lexer lex_;
  Token cur_;
  std::uint32_t nesting_ = 0;
};

// ---------------------------------------------------------------------------------------
// Evaluator

struct Ctx {
  detail::Resolver& vars;
  std::string_view text;
  detail::Scratch scratch;
  std::string error;  // set when evaluation fails with an error (not merely false)

  std::string_view span(const Node& n) const { return text.substr(n.begin, n.end - n.begin); }
};

void collect_vars(const Node& n, std::vector<const VarRef*>& out) {
  if (n.kind == Kind::variable) {
    for (const VarRef* v : out) {
      if (v->text == n.var.text) return;
    }
    out.push_back(&n.var);
    return;
  }
  if (n.lhs) collect_vars(*n.lhs, out);
  if (n.rhs) collect_vars(*n.rhs, out);
}

// " (status is 503, body is "…")", or "" when the node has no (resolvable) variables.
std::string observed(const Node& n, Ctx& c) {
  std::vector<const VarRef*> vars;
  collect_vars(n, vars);
  std::string out;
  for (const VarRef* v : vars) {
    Val val;
    if (!c.vars.resolve(*v, val, c.scratch)) continue;
    out += out.empty() ? " (" : ", ";
    out += v->text;
    out += " is ";
    out += detail::describe(val);
  }
  if (!out.empty()) out += ')';
  return out;
}

bool fail(Ctx& c, const Node& n, std::string_view problem, std::string_view hint = {}) {
  c.error = fmt::format("{}: {}{}{}", c.span(n), problem, observed(n, c), hint);
  return false;
}

bool eval(const Node& n, Ctx& c, Val& out);

// Evaluates a condition operand (and/or/not): booleans, with null counting as false.
bool eval_bool(const Node& n, Ctx& c, bool& out) {
  Val v;
  if (!eval(n, c, v)) return false;
  if (v.type == Type::boolean) {
    out = v.b;
    return true;
  }
  if (v.type == Type::null) {
    out = false;
    return true;
  }
  c.error = fmt::format("{} is {} ({}), not true or false", c.span(n), detail::type_name(v.type), detail::describe(v));
  return false;
}

bool is_number_literal(const Node& n) { return n.kind == Kind::literal && n.lit.type == Type::number; }

bool type_mismatch(const Node& n, Ctx& c, const char* verb, const Val& a, const Val& b) {
  const std::string_view with = std::string_view(verb) == "compare" ? "with" : "and";
  std::string problem =
      fmt::format("cannot {} {} {} {}", verb, detail::type_name(a.type), with, detail::type_name(b.type));
  std::string_view hint;
  if ((a.type == Type::duration && b.type == Type::number && is_number_literal(*n.rhs)) ||
      (b.type == Type::duration && a.type == Type::number && is_number_literal(*n.lhs))) {
    hint = "; write durations with a unit, e.g. 800ms or 5s";
  }
  return fail(c, n, problem, hint);
}

bool eval_arith(const Node& n, Ctx& c, Val& out) {
  Val a, b;
  if (!eval(*n.lhs, c, a) || !eval(*n.rhs, c, b)) return false;
  const Type ta = a.type, tb = b.type;
  const char* verb = "add";
  switch (n.kind) {
    case Kind::add:
    case Kind::sub: {
      const bool add = n.kind == Kind::add;
      verb = add ? "add" : "subtract";
      if (ta == Type::number && tb == Type::number) {
        out = Val::number(add ? a.n + b.n : a.n - b.n);
        return true;
      }
      if (ta == Type::duration && tb == Type::duration) {
        out = Val::duration(add ? a.d + b.d : a.d - b.d);
        return true;
      }
      break;
    }
    case Kind::mul: {
      verb = "multiply";
      if (ta == Type::number && tb == Type::number) {
        out = Val::number(a.n * b.n);
        return true;
      }
      if ((ta == Type::duration && tb == Type::number) || (ta == Type::number && tb == Type::duration)) {
        const Duration d = ta == Type::duration ? a.d : b.d;
        const double k = ta == Type::number ? a.n : b.n;
        const double ms = static_cast<double>(d.count()) * k;
        if (!std::isfinite(ms) || std::fabs(ms) > 9e15) return fail(c, n, "duration out of range");
        out = Val::duration(Duration{static_cast<std::int64_t>(std::llround(ms))});
        return true;
      }
      break;
    }
    case Kind::div: {
      verb = "divide";
      const bool zero = (tb == Type::number && b.n == 0) || (tb == Type::duration && b.d.count() == 0);
      if (ta == Type::number && tb == Type::number) {
        if (zero) return fail(c, n, "division by zero");
        out = Val::number(a.n / b.n);
        return true;
      }
      if (ta == Type::duration && tb == Type::duration) {
        if (zero) return fail(c, n, "division by zero");
        out = Val::number(static_cast<double>(a.d.count()) / static_cast<double>(b.d.count()));
        return true;
      }
      if (ta == Type::duration && tb == Type::number) {
        if (zero) return fail(c, n, "division by zero");
        const double ms = static_cast<double>(a.d.count()) / b.n;
        if (!std::isfinite(ms) || std::fabs(ms) > 9e15) return fail(c, n, "duration out of range");
        out = Val::duration(Duration{static_cast<std::int64_t>(std::llround(ms))});
        return true;
      }
      break;
    }
    default:
      break;
  }
  return type_mismatch(n, c, verb, a, b);
}

template <typename T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

bool eval_compare(const Node& n, Ctx& c, Val& out) {
  Val a, b;
  if (!eval(*n.lhs, c, a) || !eval(*n.rhs, c, b)) return false;
  const bool equality = n.kind == Kind::eq || n.kind == Kind::ne;
  if (a.type == Type::null || b.type == Type::null) {
    // Missing values (json.x absent, no such header) are equal only to null, never ordered.
    const bool eq = a.type == b.type;
    out = Val::boolean(n.kind == Kind::eq ? eq : (n.kind == Kind::ne ? !eq : false));
    return true;
  }
  if (a.type != b.type) return type_mismatch(n, c, "compare", a, b);
  int cmp = 0;
  switch (a.type) {
    case Type::boolean:
      if (!equality) return fail(c, n, "booleans can only be compared with == and !=");
      cmp = a.b == b.b ? 0 : 1;
      break;
    case Type::number:
      if (std::isnan(a.n) || std::isnan(b.n)) {
        out = Val::boolean(n.kind == Kind::ne);
        return true;
      }
      cmp = three_way(a.n, b.n);
      break;
    case Type::duration: cmp = three_way(a.d, b.d); break;
    case Type::string: cmp = a.s.compare(b.s); break;
    case Type::null: break;
  }
  bool r = false;
  switch (n.kind) {
    case Kind::eq: r = cmp == 0; break;
    case Kind::ne: r = cmp != 0; break;
    case Kind::lt: r = cmp < 0; break;
    case Kind::le: r = cmp <= 0; break;
    case Kind::gt: r = cmp > 0; break;
    case Kind::ge: r = cmp >= 0; break;
    default: break;
  }
  out = Val::boolean(r);
  return true;
}

bool eval(const Node& n, Ctx& c, Val& out) {
  switch (n.kind) {
    case Kind::literal:
      out = n.lit;
      return true;
    case Kind::variable:
      if (!c.vars.resolve(n.var, out, c.scratch)) {
        c.error = c.vars.unknown(n.var);
        return false;
      }
      return true;
    case Kind::neg: {
      Val v;
      if (!eval(*n.lhs, c, v)) return false;
      if (v.type == Type::number) out = Val::number(-v.n);
      else if (v.type == Type::duration) out = Val::duration(-v.d);
      else return fail(c, n, fmt::format("cannot negate {}", detail::type_name(v.type)));
      return true;
    }
    case Kind::add: case Kind::sub: case Kind::mul: case Kind::div:
      return eval_arith(n, c, out);
    case Kind::eq: case Kind::ne: case Kind::lt: case Kind::le: case Kind::gt: case Kind::ge:
      return eval_compare(n, c, out);
    case Kind::contains: {
      Val a, b;
      if (!eval(*n.lhs, c, a) || !eval(*n.rhs, c, b)) return false;
      if (a.type == Type::null) {
        out = Val::boolean(false);
        return true;
      }
      if (a.type != Type::string || b.type != Type::string) {
        return fail(c, n, fmt::format("'contains' needs two strings, got {} and {}", detail::type_name(a.type),
                                      detail::type_name(b.type)));
      }
      out = Val::boolean(a.s.find(b.s) != std::string_view::npos);
      return true;
    }
    case Kind::matches: {
      Val a;
      if (!eval(*n.lhs, c, a)) return false;
      if (a.type == Type::null) {
        out = Val::boolean(false);
        return true;
      }
      if (a.type != Type::string) {
        return fail(c, n, fmt::format("'matches' needs a string on the left, got {}", detail::type_name(a.type)));
      }
      out = Val::boolean(RE2::PartialMatch(re2::StringPiece(a.s.data(), a.s.size()), *n.re));
      return true;
    }
    case Kind::and_:
    case Kind::or_: {
      bool l = false;
      if (!eval_bool(*n.lhs, c, l)) return false;
      if (l == (n.kind == Kind::or_)) {  // short-circuit
        out = Val::boolean(l);
        return true;
      }
      bool r = false;
      if (!eval_bool(*n.rhs, c, r)) return false;
      out = Val::boolean(r);
      return true;
    }
    case Kind::not_: {
      bool v = false;
      if (!eval_bool(*n.lhs, c, v)) return false;
      out = Val::boolean(!v);
      return true;
    }
  }
  return fail(c, n, "internal error: unknown node");
}

// Why a condition that evaluated to false failed: descend into the failing side of `and`,
// otherwise the node's text with the values of the variables it reads.
std::string explain(const Node& n, Ctx& c) {
  if (n.kind == Kind::and_) {
    bool l = false;
    if (eval_bool(*n.lhs, c, l) && !l) return explain(*n.lhs, c);
    return explain(*n.rhs, c);
  }
  return std::string(c.span(n)) + observed(n, c);
}

}  // namespace

VarRef detail::make_var_ref(std::string_view name, std::string_view key) {
  VarRef v;
  v.name = std::string(name);
  v.key = std::string(key);
  v.has_key = !key.empty();
  finish_var_ref(v);
  v.text = v.has_key ? fmt::format("{}[{}]", v.name, quote(v.key)) : v.name;
  return v;
}

Condition::Condition(const Condition&) = default;
Condition& Condition::operator=(const Condition&) = default;
Condition::Condition(Condition&&) noexcept = default;
Condition& Condition::operator=(Condition&&) noexcept = default;
Condition::~Condition() = default;

const std::string& Condition::text() const { return text_; }

std::variant<Condition, ParseError> Condition::parse(std::string_view text) {
  try {
    Parser p(text);
    auto root = p.parse();
    Condition c;
    c.text_ = std::string(text);
    c.root_ = std::move(root);
    return c;
  } catch (const Fail& f) {
    return ParseError{column_of(text, f.offset), f.message};
  } catch (const std::exception& e) {  // bad_alloc and the like: still a value, not a crash
    return ParseError{1, e.what()};
  }
}

EvalOutcome Condition::evaluate(detail::Resolver& vars) const {
  if (!root_) return {false, "empty condition"};
  Ctx c{vars, text_, {}, {}};
  try {
    Val v;
    if (!eval(*root_, c, v)) return {false, std::move(c.error)};
    if (v.type == Type::boolean && v.b) return {true, {}};
    if (v.type != Type::boolean && v.type != Type::null) {
      return {false, fmt::format("{} is {} ({}), not true or false", text_, detail::type_name(v.type), detail::describe(v))};
    }
    std::string reason = explain(*root_, c);
    if (!c.error.empty()) reason = std::move(c.error);
    return {false, std::move(reason)};
  } catch (const std::exception& e) {  // a throwing Variables function or bad_alloc
    return {false, fmt::format("{}: evaluation failed: {}", text_, e.what())};
  }
}

EvalOutcome Condition::evaluate(const Variables& vars) const {
  if (const auto* backed = vars.target<detail::ResolverVariables>(); backed && backed->resolver) {
    return evaluate(*backed->resolver);  // result_variables(): same path, same reasons as judge()
  }
  detail::FunctionResolver resolver(vars);
  return evaluate(resolver);
}

}  // namespace vigil::rules
