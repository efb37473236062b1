// The shell parser against bash's own reading (/bin/bash, run as a real process): it accepts
// exactly the lines `bash -n` accepts, and for lines made only of literal words its word split and
// quote removal give the words bash passes to printf. Only the bash calls leave the process.
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "core/environment_vars.h"
#include "core/subprocess.h"
#include "safety/shell_parser.h"

namespace trainctl::safety {
namespace {

constexpr const char* kBash = "/bin/bash";

core::SubprocessResult run_bash(const std::vector<std::string>& args) {
  core::SubprocessOptions options;
  options.argv = {kBash};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  core::EnvironmentVars env = core::EnvironmentVars::of({});
  env.set("PATH", "/usr/bin:/bin");
  env.set("LC_ALL", "C.UTF-8");  // $'\u00e9' decodes to UTF-8, as our parser does
  options.env = env;
  options.timeout = std::chrono::seconds(20);
  auto result = core::run_subprocess(options);
  if (!result) {
    ADD_FAILURE() << "cannot run " << kBash << ": " << result.error().message;
    return {};
  }
  return *result;
}

// bash -n with extglob on (the parser always reads extended globs), as bash reads `bash -c LINE`.
bool bash_accepts(const std::string& line) {
  const core::SubprocessResult result = run_bash({"-O", "extglob", "-n", "-c", "--", line});
  EXPECT_FALSE(result.timed_out) << line;
  return result.succeeded() && result.err.empty();
}

bool we_accept(const std::string& line) { return std::holds_alternative<Script>(parse_shell(line)); }

// Lines bash -n accepts: quoting, escapes, $'...', expansions, substitutions, compound commands.
const std::vector<std::string> kAccepted = {
    "echo hello world",
    "echo 'single quoted' \"double quoted\" unquoted",
    "echo a\\ b \\$HOME \\\\ \\'",
    "echo \"nested \\\"quotes\\\" and \\$dollar\"",
    "echo $'ansi\\tc\\nquote\\x41\\u00e9\\101\\cA'",
    "echo $\"locale\"",
    "echo 'it'\\''s'",
    "echo \"$HOME/${USER}-$1 $@ $* $# $? $$ $! $0 $-\"",
    "echo ${x:-default} ${x-d} ${x:=v} ${x:?err} ${x:+alt} ${x+alt}",
    "echo ${x#pre} ${x##*/} ${x%.c} ${x%%.*} ${x/a/b} ${x//a/b} ${x/#a/b} ${x/%a/b}",
    "echo ${x^} ${x^^} ${x,} ${x,,} ${x:1} ${x:1:2} ${x: -1} ${#x} ${!x} ${!pre*} ${!pre@}",
    "echo ${a[1]} ${a[@]} ${a[*]} ${#a[@]} ${!a[@]} ${x@Q} ${x@U}",
    "echo ${x:-\"quoted $y\"} ${x:-'single'} ${x:-${y:-z}}",
    "echo \"${x:-'literal'}\" \"${x#'pat'}\"",
    "echo $(ls -l | wc -l) `date` \"$(pwd)\"",
    "echo $(echo $(echo nested))",
    "echo $(case x in a) echo 1;; esac)",
    "echo $(echo ')' \")\" \\))",
    "echo `echo \\`echo inner\\``",
    "x=$( (cd /tmp && ls) )",
    "echo $((1 + 2 * 3)) $[4 + 5] $(( $x + $(f) ))",
    "diff <(sort a) <(sort b) > >(cat)",
    "echo {a,b,c} x{1,2}y {1..10} {a..z} {1..9..2} {a,{b,c}}",
    "echo {} { } {a} \\{a,b\\} \"{a,b}\"",
    "find . -name '*.c' -exec rm {} \\;",
    "ls *.txt a?c [abc]x [!a]* [[:alpha:]]",
    "ls @(a|b) !(x) +(y) *(z) ?(w)",
    "echo ~ ~/x ~root a=~ PATH=~/bin:~/sbin",
    "A=1 B=2 env",
    "A=1",
    "a=(1 2 \"three four\")",
    "a[0]=x a[i+1]+=y",
    "declare -a arr=(x y) ; local -r v=1",
    "export PATH=\"$PATH:/opt/bin\"",
    "a | b | c",
    "a |& b",
    "a && b || c",
    "a; b & c",
    "! a",
    "time a | b",
    "time -p a",
    "a | time b",
    "a && ! b",
    "a &&\nb",
    "a |\nb",
    "# only a comment",
    "a # trailing comment",
    "echo a#b",
    "(a; b)",
    "{ a; b; }",
    "{ a\n}",
    "if a; then b; fi",
    "if a; then b; elif c; then d; else e; fi",
    "if a\nthen\n  b\nfi",
    "while read -r line; do echo \"$line\"; done < file",
    "until false; do :; done",
    "for i in 1 2 3; do echo $i; done",
    "for i; do echo $i; done",
    "for i do echo; done",
    "for ((i=0; i<10; i++)); do echo $i; done",
    "for i in a b; { echo $i; }",
    "select x in a b; do break; done",
    "case $x in a|b) echo ab;; c) echo c;& *) echo other;;& esac",
    "case $x in (a) echo;; esac",
    "case x in esac",
    "case $f in *.@(c|h)) echo src;; esac",
    "f() { echo f; }",
    "f () ( echo sub )",
    "function g { echo g; }",
    "function h() { echo h; }",
    "(( i++ ))",
    "(( x = $(f) + 1 ))",
    "[[ -f $f && ( $a < $b || ! -z $c ) ]]",
    "[[ $x == *.txt ]]",
    "[[ $x =~ ^(a|b)[0-9]+$ ]]",
    "coproc cat",
    "coproc NAME { cat; }",
    "cmd > out 2>&1",
    "cmd >> log 2>> err < in",
    "cmd &> all &>> all2",
    "cmd 2>&- 3<&0 {fd}>file >| clobber <> rw",
    "cmd >& 1<in",
    "cat <<< \"here string $x\"",
    "cat <<EOF\nbody $x\nEOF",
    "cat <<'EOF'\nliteral $x\nEOF",
    "cat <<-EOF\n\tindented\n\tEOF",
    "cat <<A <<B\na\nA\nb\nB",
    "x=$(cat <<EOF\ninside\nEOF\n)",
    "echo a\\\nb",
    "ec\\\nho joined",
    "time",
    "! ! true",
    "a[i + 1]=x",
    "echo $'\\'' \"'\"",
    "[[ ! ( $a == b ) && -n $c ]]",
    "[[ $a -eq 1 || $b -ne 2 ]]",
    "[[ a &&\n b ]]",
    "[[ a =~ (a b) ]]",
    "echo ${x:-{a}b}",
    "cat <<EOF\nabc\\\nEOF\nEOF",
};

// Lines bash -n rejects; so must we.
const std::vector<std::string> kRejected = {
    "echo \"unterminated",
    "echo 'unterminated",
    "echo $(unterminated",
    "echo `unterminated",
    "echo $'unterminated",
    "fi",
    "then",
    "echo )",
    "a |",
    "a &&",
    "a ||",
    "| a",
    "if a; then b",
    "if a; b; fi",
    "while a; do b",
    "for x in a; echo; done",
    "case x in a) b",
    "{ a",
    "{ a }",
    "( )",
    "if ; then a; fi",
    "f() echo",
    "echo a;; b",
    "a=(unterminated",
    "echo ${x",
    "[[ a",
    "a & & b",
    "echo a (b)",
    "a >> 2>&1 x",
    "a 2> {fd}>f",
    "(b[)",
    "! &",
    "[[ a b ]]",
    "[[ -f ]]",
    "[[ a ==  ]]",
    "[[ ( a ]]",
    "[[ && a ]]",
    "[[ a\n&& b ]]",
    "a | ! b",
    "in a",
    "x | in",
};

TEST(ShellParserBash, AcceptsExactlyWhatBashAccepts) {
  ASSERT_GE(kAccepted.size(), 80u);
  ASSERT_GE(kRejected.size(), 20u);
  for (const std::string& line : kAccepted) {
    SCOPED_TRACE(line);
    EXPECT_TRUE(bash_accepts(line)) << "bash -n rejects this line; the list is wrong";
    const ShellParse parse = parse_shell(line);
    if (const auto* error = std::get_if<ShellSyntaxError>(&parse)) ADD_FAILURE() << error->describe();
  }
  for (const std::string& line : kRejected) {
    SCOPED_TRACE(line);
    EXPECT_FALSE(bash_accepts(line)) << "bash -n accepts this line; the list is wrong";
    EXPECT_FALSE(we_accept(line));
  }
}

// Deliberately stricter than `bash -n`, which leaves some text unparsed until the line runs (and
// then fails, or only warns): ${...} operators, backquoted bodies, substitutions in here-document
// bodies, a $(( that turns out to be $( (, a here-document without its delimiter line. And an
// empty [[ ]] or [[ a || ]], which bash -n passes but which stop bash silently when the line runs.
TEST(ShellParserBash, StricterThanBashWhereBashOnlyFailsLater) {
  for (const std::string line : {"echo ${}", "echo ${x!}", "echo `)`", "echo `if`", "echo $((a) b)",
                                 "cat <<EOF\n`unterminated\nEOF", "cat <<EOF\nno end", "[[ ]]", "[[ a || ]]"}) {
    SCOPED_TRACE(line);
    EXPECT_EQ(run_bash({"-n", "-c", "--", line}).exit_code, 0);
    EXPECT_FALSE(we_accept(line));
  }
}

// Lines made only of literal words: our split and quote removal against bash's printf.
const std::vector<std::string> kLiteralLines = {
    "a b c",
    "'a b' \"c d\" e\\ f",
    "'' \"\" x",
    "a'b'\"c\"d",
    "'it'\\''s' \"don't\"",
    "\\$HOME \\`x\\` \\\\ \\\" \\'",
    "\"a\\b\\$c\\\"d\\\\e\\`f\"",
    "\"tab\there\" 'new\nline'",
    "a\\\nb \"c\\\nd\" 'e\\\nf'",
    "$'\\n\\t\\\\\\'\\\"\\a\\b\\e\\E\\f\\r\\v'",
    "$'\\x41\\x4g\\x' $'\\u00e9\\U0001F600' $'\\101\\7\\0777'",
    "$'\\cA\\c?\\cz' $'\\z\\q' $'ab\\0cd' $'a\\\nb'",
    "$\"locale\" $'' $\"\"",
    "\"$\" a$ '$x' \"\\$x\"",
    "{} { } {a} \\{a,b} \"{a,b}\" {a..1} {x}",
    "a=b --opt=value -x",
    "'#not a comment' a#b \\#c",
    "\"multi\nline\" 'single\nline'",
    "\\a\\b\\c \"\\a\" '\\a'",
    "\"'\" '\"' \"\\\"'\"",
    "x\\ y\\ z 'a'\\ 'b'",
    "\\~ '~' \"~\" a~b",
    "\\* '*' \"?\" \\[a]",
    "=a == a= +=",
    "\"\\\n\" '\\\n'",
    "a\"\"b ''c",
    "\"!\" '!' \\! x!y",
    "@ % ^ + : , . /",
    "\\{a,b\\} a\\,b",
    "-- - -n -e",
};

std::vector<std::string> bash_words(const std::string& line) {
  const core::SubprocessResult result = run_bash({"-c", "set -f; printf '%s\\0' " + line});
  EXPECT_TRUE(result.succeeded()) << line << ": " << result.err;
  std::vector<std::string> words;
  std::string current;
  for (char c : result.out) {
    if (c == '\0') {
      words.push_back(current);
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  return words;
}

TEST(ShellParserBash, LiteralWordsMatchBashQuoteRemoval) {
  for (const std::string& line : kLiteralLines) {
    SCOPED_TRACE(line);
    const ShellParse parse = parse_shell("printf '%s\\0' " + line);
    const auto* script = std::get_if<Script>(&parse);
    ASSERT_NE(script, nullptr) << std::get<ShellSyntaxError>(parse).describe();
    ASSERT_EQ(script->items.size(), 1u);
    const Command& command = script->items[0].and_or.pipelines.at(0).commands.at(0);
    std::vector<std::string> ours;
    for (std::size_t i = 2; i < command.words.size(); ++i) {
      EXPECT_TRUE(word_is_literal(command.words[i])) << "word " << i << " is not literal";
      ours.push_back(literal_text(command.words[i]));
    }
    EXPECT_EQ(ours, bash_words(line));
  }
}

}  // namespace
}  // namespace trainctl::safety
