// Internal to the shell parser (not part of the contract in shell_parser.h): the recursive-descent
// reader that the shell_*.cc files share. One Parser reads one text; the text of a backquoted
// command is decoded first and read by a nested Parser whose offsets map back to the source.
// Every recursion goes through DepthGuard and every node through count_node, so the limits of
// shell_parser.h hold however the input nests.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "safety/shell_ast.h"
#include "safety/shell_parser.h"

namespace trainctl::safety::shell_internal {

inline constexpr int kEnd = -1;  // peek() past the end of the text
// find_arithmetic_close: a ) that is not followed by ), or the end of the text reached first.
inline constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);
inline constexpr std::size_t kRanOff = static_cast<std::size_t>(-2);

// What all the parsers of one parse_shell call share.
struct ParseContext {
  std::string_view source;  // the text given to parse_shell: spans and errors point into it
  int depth = 0;
  std::size_t nodes = 0;
  bool failed = false;
  ShellSyntaxError error;   // the first error; offset in source, line and column filled at the end
  // Here-document bodies, by the span.begin of their redirect; parse_shell puts them in the tree.
  std::unordered_map<std::uint32_t, Word> heredoc_bodies;
};

// How a word is read: where it ends, which characters are special, and which shapes
// (brace expansion, globs, tildes) are looked for once it is read.
enum class WordMode {
  kCommand,         // an argument, pattern or target: ends at a blank or an operator
  kAssignment,      // an assignment's value: as kCommand, but no brace expansion and no globs
  kRegex,           // the right side of =~ in [[ ]]: ( ) | are pattern characters
  kExtglob,         // inside @( ... ): ends at the unmatched )
  kParamArg,        // an operator's argument in ${...}: ends at the unmatched }
  kParamArgQuoted,  // the same inside "..."
  kDoubleQuoted,    // inside "...": ends at "
  kArithmetic,      // $((...)), ((...)), subscripts: the whole (narrowed) text
  kHeredoc,         // the body of a here-document with an unquoted delimiter
};

struct WordOptions {
  WordMode mode = WordMode::kCommand;
  char stop = 0;                  // kParamArg*: also ends at this character (`/` in ${x/a/b})
  bool braces = false;            // look for brace expansion
  bool globs = false;             // mark unquoted * ? [..] as kGlob
  bool tilde = false;             // ~ at the start
  bool assignment_tilde = false;  // ~ after = and : (assignment values; NAME=... arguments)
  bool single_quotes = true;      // kParamArgQuoted: ' quotes (pattern operators) or is literal
  bool strip_tabs = false;        // kHeredoc for <<-
};

// A here-document whose operator was read and whose body comes after the next newline.
struct PendingHeredoc {
  std::uint32_t key = 0;          // the redirect's span.begin (source offset)
  std::size_t op_at = 0;          // local offset of the operator, for messages
  std::string delimiter;
  bool strip_tabs = false;
  bool quoted = false;
};

// The tokens of a [[ ]] expression, as its grammar sees them.
enum class CondToken { kWord, kAnd, kOr, kOpen, kClose, kCompare, kClosing, kNewline, kEndOfInput, kBad };

// The first word at a position when it is made only of plain characters (no quotes, no $):
// used to recognize reserved words, which are never longer than kMaxPlainWord. Held in a small
// array rather than a std::string: it is looked at before almost every token.
inline constexpr std::size_t kMaxPlainWord = 16;
struct PlainWord {
  std::array<char, kMaxPlainWord> chars{};
  std::size_t size = 0;
  std::size_t end = 0;  // local offset just after the word
  bool plain = false;

  std::string_view text() const { return std::string_view(chars.data(), size); }
};

class Parser {
 public:
  // `to_source` maps each offset of `text` (and one past its end) to a source offset;
  // nullptr when `text` is the source itself.
  Parser(ParseContext& context, std::string_view text, const std::vector<std::uint32_t>* to_source);

  // The whole text as a script; false (with context.error set) on a syntax error.
  bool parse_program(Script& out);

  // --- cursor (shell_cursor.cc) ---
  int peek();                      // the character at the cursor, line continuations skipped
  int peek_at(std::size_t ahead);  // the character `ahead` characters further
  void advance(std::size_t count = 1);
  std::size_t pos();               // the cursor after any line continuations
  bool at_end() { return peek() == kEnd; }
  std::size_t skip_continuations(std::size_t at) const;
  void skip_blanks();
  void skip_comment();             // at '#': up to the newline, which stays
  bool skip_linebreaks();          // blanks, comments and newlines (reading here-documents)
  bool consume_newline();          // at '\n': past it, then the pending here-document bodies
  PlainWord peek_plain_word_at(std::size_t at);
  PlainWord peek_plain_word() { return peek_plain_word_at(pos()); }
  bool at_reserved(std::string_view word);  // the plain word at the cursor is exactly `word`
  void consume_plain(const PlainWord& word) { pos_ = word.end; }
  std::string describe_here();     // "`fi`", "end of input", "newline", "`;;`" ...

  // --- positions, errors and limits (shell_cursor.cc) ---
  std::uint32_t src(std::size_t local) const;
  Span span(std::size_t begin, std::size_t end) const;
  std::string where(std::size_t local) const;   // "line 3, column 7"
  bool fail(std::size_t local, std::string message);
  bool failed() const { return context_.failed; }
  bool enter(std::size_t local);   // one nesting level deeper; false past kMaxShellNestingDepth
  void leave() { --context_.depth; }
  bool count_node(std::size_t local, std::size_t count = 1);

  // --- lists and commands (shell_commands.cc) ---
  bool at_list_end();
  bool parse_list(Script& out);
  bool parse_and_or(AndOr& out);
  bool parse_pipeline(Pipeline& out, bool& found);
  bool parse_command(Command& out, bool& found);
  bool parse_simple_command(Command& out, bool& found);
  bool parse_function_def(Command& out, Word name_word);
  bool parse_assignment(Assignment& out);
  bool parse_array_elements(std::size_t open, std::vector<Word>& out);
  bool assignment_ahead(std::size_t at);
  bool check_command_subscript(std::size_t at);
  bool redirect_ahead();
  bool parse_trailing_redirects(Command& out);

  // --- compound commands (shell_compound.cc) ---
  bool compound_ahead(std::size_t at);
  bool parse_compound(Command& out);
  bool parse_group(Command& out, char open_char);
  bool parse_if(Command& out);
  bool parse_loop(Command& out, CommandKind kind);
  bool parse_for(Command& out, CommandKind kind);
  bool parse_loop_body(Command& out, std::size_t opened, const char* keyword);
  bool parse_case_item(CaseItem& out, std::size_t opened);
  bool parse_case(Command& out);
  bool parse_conditional(Command& out);
  CondToken cond_peek();
  bool cond_or(Command& out, std::size_t opened);
  bool cond_and(Command& out, std::size_t opened);
  bool cond_term(Command& out, std::size_t opened);
  bool cond_word(Command& out, bool regex);
  bool cond_operator(Command& out, std::size_t length);
  bool cond_unexpected(CondToken token, std::size_t opened, const char* what);
  bool parse_arithmetic_command(Command& out, std::size_t close);
  bool parse_coproc(Command& out);
  bool parse_function_keyword(Command& out);
  bool parse_compound_list(Script& out, std::size_t keyword_at, const char* keyword);
  bool expect_reserved(const char* word, std::size_t opened, const char* opener);
  std::size_t find_arithmetic_close(std::size_t from, char close) const;  // or kNotFound, kRanOff

  // --- redirections and here-documents (shell_redirects.cc) ---
  bool parse_redirect(Redirect& out);
  bool read_pending_heredocs();
  bool read_heredoc_body(const PendingHeredoc& heredoc);
  bool check_no_pending_heredocs();

  // --- words (shell_words.cc) ---
  bool parse_word(const WordOptions& options, Word& out);
  bool scan_pieces(const WordOptions& options, std::vector<WordPart>& out);
  bool finish_word(const WordOptions& options, std::vector<WordPart> pieces, std::size_t begin, Word& out);
  void append_char(std::vector<WordPart>& out, char ch, std::size_t at, bool quoted);
  void append_text(std::vector<WordPart>& out, std::string text, Span where, bool quoted);
  bool push_part(std::vector<WordPart>& out, WordPart part, std::size_t at);
  bool parse_single_quoted(std::vector<WordPart>& out);
  bool parse_ansi_c_quoted(std::vector<WordPart>& out);
  bool parse_double_quoted(std::vector<WordPart>& out);
  bool parse_extglob(std::vector<WordPart>& out);
  bool literal_word(std::string text, std::size_t begin, std::size_t end, Word& out);

  // --- expansions (shell_expansions.cc) ---
  bool parse_dollar(std::vector<WordPart>& out, WordMode mode);
  bool parse_braced_parameter(std::vector<WordPart>& out, bool quoted);
  bool parse_parameter_operator(WordPart& part, bool quoted);
  bool parse_parameter_arg(WordPart& part, bool quoted, char stop, bool pattern);
  bool parse_subscript(std::size_t open, std::string& text, std::vector<Word>& word);
  std::size_t find_subscript_close(std::size_t open, bool in_assignment) const;  // or kNotFound
  bool parse_command_substitution(std::vector<WordPart>& out, WordPartKind kind, bool quoted);
  bool parse_arithmetic_expansion(std::vector<WordPart>& out, bool quoted, std::size_t close);
  bool parse_backquoted(std::vector<WordPart>& out, bool quoted);
  bool parse_arithmetic_word(std::size_t begin, std::size_t end, std::size_t resume, Word& out);

  // --- word shapes (shell_word_shapes.cc) ---
  bool expand_braces(std::vector<WordPart>& parts, const WordOptions& options, std::size_t at);
  bool mark_tildes(std::vector<WordPart>& parts, const WordOptions& options, std::size_t at);
  bool mark_globs(std::vector<WordPart>& parts, std::size_t at);
  static void merge_adjacent(std::vector<WordPart>& parts);

 private:
  friend class TextWindow;
  ParseContext& context_;
  std::string_view text_;
  const std::vector<std::uint32_t>* to_source_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;   // the text's end, or a narrower end while a part of it is read
  std::vector<PendingHeredoc> pending_;
  // check_command_subscript: the first ] at or after closing_bracket_from_ (kNotFound: none).
  std::size_t closing_bracket_from_ = kNotFound;
  std::size_t closing_bracket_at_ = kNotFound;
};

// Scope for one nesting level; check ok() right after constructing.
class DepthGuard {
 public:
  DepthGuard(Parser& parser, std::size_t at) : parser_(parser), ok_(parser.enter(at)) {}
  ~DepthGuard() { parser_.leave(); }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;
  bool ok() const { return ok_; }

 private:
  Parser& parser_;
  bool ok_;
};

// Narrows the parser to [begin, end) of its text while a sub-range (an arithmetic expression, a
// here-document body) is read, and restores the cursor and end afterwards.
class TextWindow {
 public:
  TextWindow(Parser& parser, std::size_t begin, std::size_t end, std::size_t resume_at);
  ~TextWindow();
  TextWindow(const TextWindow&) = delete;
  TextWindow& operator=(const TextWindow&) = delete;

 private:
  Parser& parser_;
  std::size_t saved_end_;
  std::size_t resume_at_;
};

WordOptions argument_word();  // arguments, for lists, array elements, redirect targets: every shape
WordOptions pattern_word();   // case patterns and [[ ]] operands: globs and tildes, no braces
WordOptions plain_word();     // here-document delimiters, function names, case subjects: no shapes
Script wrap_in_script(Command command);  // a function's or coproc's body: one command as a script

bool is_name_start(int c);
bool is_name_char(int c);
bool is_valid_name(std::string_view text);
bool is_metachar(int c);  // | & ; ( ) < > blank newline
bool is_blank(int c);

}  // namespace trainctl::safety::shell_internal
