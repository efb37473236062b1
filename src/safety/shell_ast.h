// The syntax tree of a shell command line (POSIX sh plus the bash forms people type), as the
// parser reads it. Every node carries the byte span of the source it came from, so that a
// safety reason can point at the exact characters. The tree only describes; nothing here expands
// or runs anything (expansion for judging is the evaluator's job, in command_evaluator.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace trainctl::safety {

// Byte offsets [begin, end) into the text that was parsed.
struct Span {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
};

struct Word;
struct Script;

enum class WordPartKind {
  kLiteral,               // text: the characters after quote removal and escape decoding
  kParameter,             // $x, ${x}, ${x:-word}, ${#x}, ${!x}, ${x[i]}, $1, $@, $?, ...
  kCommandSubstitution,   // $(...) or `...`: script holds the parsed body
  kArithmetic,            // $((...)): args[0] is the expression (with any substitutions in it)
  kProcessSubstitution,   // <(...) or >(...): text is "<" or ">", script holds the body
  kTilde,                 // ~ or ~user at the start of a word (or after = / : in an assignment); text: user
  kGlob,                  // unquoted *, ?, [...] or an extglob like @(a|b); text: the pattern characters
  kBrace,                 // unquoted {a,b,c} (args: one word per alternative) or {1..9} (text: "1..9", no args)
};

struct WordPart {
  WordPartKind kind = WordPartKind::kLiteral;
  Span span;
  std::string text;       // see WordPartKind
  bool quoted = false;    // inside "..." (or '...' / $'...' for literals): no field splitting, no globbing
  // kParameter only.
  std::string name;       // "x", "1", "@", "*", "#", "?", "$", "!", "0", "-"
  std::string op;         // "" plain; ":-" "-" ":=" "=" ":?" "?" ":+" "+" "#" "##" "%" "%%" "/" "//" "/#"
                          // "/%" "^" "^^" "," ",," ":" (substring) "length" (${#x}) "indirect" (${!x})
                          // "prefix" (${!x*}) "@" (transform, text holds the letter)
  std::string subscript;  // ${a[i]}: "i" (raw text); empty otherwise
  std::vector<Word> args;        // operator arguments (for "/" two: pattern, replacement); see above
  std::vector<Script> script;    // zero or one: the body of a substitution
  // Additions (parser): ${a[i]}: zero or one word, the subscript read as an arithmetic word so
  // that substitutions inside it ($(...), `...`) are found. ${!a[@]} / ${!a[*]} have op "keys".
  // ${!x<op>...} (indirection combined with an operator) has that op and indirect true; plain
  // ${!x} has op "indirect" and indirect true too.
  std::vector<Word> subscript_words;
  bool indirect = false;
};

// Parser notes (additions): adjacent literal parts with the same `quoted` are merged; an extglob
// with expansions inside is kGlob "@(", the inner parts, kGlob ")"; here-document body parts are
// marked quoted (no splitting or globbing happens there); an argument NAME=(a b) of declare,
// typeset, local, export or readonly is one word: the NAME= literal, "(", the elements' parts
// joined by " ", ")".
struct Word {
  Span span;
  std::vector<WordPart> parts;
};

struct Redirect {
  Span span;
  int fd = -1;            // the explicit fd before the operator (2>), -1 when none given
  std::string fd_var;     // {var}> form: the variable name; empty otherwise
  std::string op;         // "<" ">" ">>" ">|" "<>" "<&" ">&" "&>" "&>>" "<<" "<<-" "<<<"
  Word target;            // file, fd number, "-", here-string word, or the here-document delimiter
  // Here-documents only: the body (one literal part when the delimiter was quoted; literals and
  // expansions otherwise), and whether the delimiter was quoted.
  Word heredoc_body;
  bool heredoc_quoted = false;
};

struct Assignment {
  Span span;
  std::string name;
  std::string subscript;       // a[i]=v: "i"
  std::vector<Word> subscript_words;  // addition: zero or one, "i" read as an arithmetic word
  bool append = false;         // +=
  bool is_array = false;       // a=(x y z): elements in array_values, value unused
  Word value;
  std::vector<Word> array_values;
};

enum class CommandKind {
  kSimple,       // assignments, words, redirects
  kSubshell,     // ( body ): bodies[0]
  kBraceGroup,   // { body; }: bodies[0]
  kIf,           // bodies: cond, then, [elif-cond, elif-then]..., [else]; has_else says whether the last is else
  kWhile,        // bodies: cond, body
  kUntil,        // bodies: cond, body
  kFor,          // name: variable; words: the list (empty with in_list false: "$@"); bodies[0]; or
                 // arithmetic for ((a;b;c)): words holds the three expressions, arithmetic_for true
  kSelect,       // like kFor
  kCase,         // words[0]: the subject; case_items
  kFunction,     // name: the function's name; bodies[0] holds one item: the compound body command
  kArithmetic,   // (( expr )): words[0] is the expression
  kConditional,  // [[ expr ]]: words are the expression's words and operators, in order
  kCoproc,       // coproc [NAME] command: name, bodies[0]
};

struct CaseItem {
  Span span;
  std::vector<Word> patterns;
  std::vector<Script> body;    // exactly one
  std::string terminator;      // ";;" ";&" ";;&" or "" for the last item without one
};

struct Command {
  CommandKind kind = CommandKind::kSimple;
  Span span;
  std::vector<Assignment> assignments;   // kSimple
  std::vector<Word> words;               // see CommandKind
  std::vector<Redirect> redirects;       // on any kind: applies to the whole command
  std::string name;                      // kFor/kSelect variable, kFunction/kCoproc name
  std::vector<Script> bodies;            // see CommandKind
  std::vector<CaseItem> case_items;      // kCase
  bool has_else = false;                 // kIf
  bool in_list = false;                  // kFor/kSelect: an explicit `in` list was given
  bool arithmetic_for = false;           // kFor: for ((init; cond; step))
};

struct Pipeline {
  Span span;
  bool negated = false;                  // leading !
  bool timed = false;                    // leading `time` (with -p or not)
  std::vector<Command> commands;         // one or more, joined by | (or |&); a bare `time` or `!`
                                         // holds one empty kSimple command
  std::vector<bool> stderr_piped;        // per joint: true for |& (size commands.size() - 1)
};

enum class AndOrOp { kAnd, kOr };

struct AndOr {
  Span span;
  std::vector<Pipeline> pipelines;       // one or more
  std::vector<AndOrOp> ops;              // size pipelines.size() - 1
};

struct ListItem {
  Span span;
  AndOr and_or;
  bool background = false;               // ended by &
};

// A whole command line, a substitution's body, or a compound command's body.
struct Script {
  Span span;
  std::vector<ListItem> items;
};

}  // namespace trainctl::safety
