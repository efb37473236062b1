// The shell parser's tree for every construct it reads, and its spans. Trees are compared through
// a compact rendering (see render_script) so that each case reads as one line. Errors and limits
// are in shell_parser_errors_test.cc.
#include <string>
#include <variant>

#include <gtest/gtest.h>

#include "safety/shell_parser.h"

namespace trainctl::safety {
namespace {

// --- a compact rendering of the tree ---------------------------------------------------------
// Unquoted literal: its text. Quoted literal: 'text'. $x / "$x" (quoted). ${[!]name[sub] op
// [text] <arg>...}. $(script), $((word)), <(script). T(~user), G(glob), B(alt,alt) / B(1..9).
// A word's parts are joined by '+'. Commands render as (cmd ...), (if {..} {..} else {..}) ...

std::string render_script(const Script& script);
std::string render_word(const Word& word);

std::string render_words(const std::vector<Word>& words, const char* separator = " ") {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += separator;
    out += render_word(words[i]);
  }
  return out;
}

std::string render_part(const WordPart& part) {
  switch (part.kind) {
    case WordPartKind::kLiteral: return part.quoted ? "'" + part.text + "'" : part.text;
    case WordPartKind::kParameter: {
      std::string name = part.name + (part.subscript.empty() ? "" : "[" + part.subscript + "]");
      if (part.op.empty() && !part.indirect) {
        if (!part.subscript.empty()) name = "{" + name + "}";
        return part.quoted ? "\"$" + name + "\"" : "$" + name;
      }
      std::string out = "${" + std::string(part.indirect ? "!" : "") + name + " " + part.op;
      if (!part.text.empty()) out += " " + part.text;
      for (const Word& arg : part.args) out += " <" + render_word(arg) + ">";
      return out + "}";
    }
    case WordPartKind::kCommandSubstitution: return "$(" + render_script(part.script.at(0)) + ")";
    case WordPartKind::kArithmetic: return "$((" + render_word(part.args.at(0)) + "))";
    case WordPartKind::kProcessSubstitution: return part.text + "(" + render_script(part.script.at(0)) + ")";
    case WordPartKind::kTilde: return "T(~" + part.text + ")";
    case WordPartKind::kGlob: return "G(" + part.text + ")";
    case WordPartKind::kBrace: return part.args.empty() ? "B(" + part.text + ")" : "B(" + render_words(part.args, ",") + ")";
  }
  return "?";
}

std::string render_word(const Word& word) {
  std::string out;
  for (std::size_t i = 0; i < word.parts.size(); ++i) {
    if (i > 0) out += "+";
    out += render_part(word.parts[i]);
  }
  return out;
}

std::string render_body(const Script& script) { return "{" + render_script(script) + "}"; }

std::string render_command(const Command& command) {
  std::string out;
  auto add = [&](const std::string& text) {
    if (!out.empty()) out += " ";
    out += text;
  };
  switch (command.kind) {
    case CommandKind::kSimple:
      add("cmd");
      for (const Assignment& a : command.assignments) {
        std::string text = a.name + (a.subscript.empty() ? "" : "[" + a.subscript + "]") + (a.append ? "+=" : "=");
        add(text + (a.is_array ? "(" + render_words(a.array_values) + ")" : render_word(a.value)));
      }
      for (const Word& word : command.words) add(render_word(word));
      break;
    case CommandKind::kSubshell: add("subshell " + render_body(command.bodies.at(0))); break;
    case CommandKind::kBraceGroup: add("group " + render_body(command.bodies.at(0))); break;
    case CommandKind::kIf:
      add("if");
      for (std::size_t i = 0; i < command.bodies.size(); ++i) {
        if (command.has_else && i + 1 == command.bodies.size()) add("else");
        add(render_body(command.bodies[i]));
      }
      break;
    case CommandKind::kWhile:
    case CommandKind::kUntil:
      add(command.kind == CommandKind::kWhile ? "while" : "until");
      add(render_body(command.bodies.at(0)) + " " + render_body(command.bodies.at(1)));
      break;
    case CommandKind::kFor:
    case CommandKind::kSelect:
      add(command.kind == CommandKind::kFor ? "for" : "select");
      if (command.arithmetic_for) {
        add("((" + render_words(command.words, ";") + "))");
      } else {
        add(command.name);
        if (command.in_list) add("in [" + render_words(command.words) + "]");
      }
      add(render_body(command.bodies.at(0)));
      break;
    case CommandKind::kCase:
      add("case " + render_word(command.words.at(0)));
      for (const CaseItem& item : command.case_items) {
        add("[" + render_words(item.patterns, "|") + ") " + render_body(item.body.at(0)) + " " + item.terminator + "]");
      }
      break;
    case CommandKind::kFunction: add("function " + command.name + " " + render_body(command.bodies.at(0))); break;
    case CommandKind::kArithmetic: add("arith " + render_word(command.words.at(0))); break;
    case CommandKind::kConditional: add("cond " + render_words(command.words)); break;
    case CommandKind::kCoproc:
      add("coproc" + (command.name.empty() ? "" : " " + command.name) + " " + render_body(command.bodies.at(0)));
      break;
  }
  for (const Redirect& r : command.redirects) {
    std::string text = (r.fd >= 0 ? std::to_string(r.fd) : "") + (r.fd_var.empty() ? "" : "{" + r.fd_var + "}") +
                       r.op + render_word(r.target);
    if (r.op == "<<" || r.op == "<<-") text += "[" + render_word(r.heredoc_body) + "]";
    add(text);
  }
  return "(" + out + ")";
}

std::string render_script(const Script& script) {
  std::string out;
  for (std::size_t i = 0; i < script.items.size(); ++i) {
    if (i > 0) out += "; ";
    const AndOr& and_or = script.items[i].and_or;
    for (std::size_t j = 0; j < and_or.pipelines.size(); ++j) {
      if (j > 0) out += and_or.ops[j - 1] == AndOrOp::kAnd ? " && " : " || ";
      const Pipeline& pipeline = and_or.pipelines[j];
      if (pipeline.negated) out += "! ";
      if (pipeline.timed) out += "time ";
      for (std::size_t k = 0; k < pipeline.commands.size(); ++k) {
        if (k > 0) out += pipeline.stderr_piped[k - 1] ? " |& " : " | ";
        out += render_command(pipeline.commands[k]);
      }
    }
    if (script.items[i].background) out += " &";
  }
  return out;
}

// --- helpers ---------------------------------------------------------------------------------

Script parse_ok(std::string_view text) {
  ShellParse result = parse_shell(text);
  if (const auto* error = std::get_if<ShellSyntaxError>(&result)) {
    ADD_FAILURE() << "`" << text << "` did not parse: " << error->describe();
    return {};
  }
  return std::get<Script>(std::move(result));
}

std::string tree(std::string_view text) { return render_script(parse_ok(text)); }

const Command& only_command(const Script& script) {
  static const Command kNone;
  if (script.items.size() != 1 || script.items[0].and_or.pipelines.size() != 1 ||
      script.items[0].and_or.pipelines[0].commands.size() != 1) {
    ADD_FAILURE() << "expected exactly one command, got " << render_script(script);
    return kNone;
  }
  return script.items[0].and_or.pipelines[0].commands[0];
}

std::string slice(std::string_view text, Span span) {
  EXPECT_LE(span.begin, span.end);
  EXPECT_LE(span.end, text.size());
  if (span.begin > span.end || span.end > text.size()) return "<bad span>";
  return std::string(text.substr(span.begin, span.end - span.begin));
}

// --- words and quoting -----------------------------------------------------------------------

TEST(ShellParserWords, PlainWordsAndAssignments) {
  EXPECT_EQ(tree("echo a  b\tc"), "(cmd echo a b c)");
  EXPECT_EQ(tree("A=1 B=x cmd arg"), "(cmd A=1 B=x cmd arg)");
  EXPECT_EQ(tree("A=1"), "(cmd A=1)");
  EXPECT_EQ(tree("A= B=''"), "(cmd A= B='')");
  EXPECT_EQ(tree("a+=x"), "(cmd a+=x)");
  EXPECT_EQ(tree("a=(x 'y z' $v)"), "(cmd a=(x 'y z' $v))");
  EXPECT_EQ(tree("a=(\n  one # comment\n  two\n)"), "(cmd a=(one two))");
  EXPECT_EQ(tree("a=([k]=v [2]=w)"), "(cmd a=([k]=v [2]=w))");
  EXPECT_EQ(tree("a[0]=x a[i + 1]+=y cmd"), "(cmd a[0]=x a[i + 1]+=y cmd)");
  // After the command name, NAME=value is an ordinary argument.
  EXPECT_EQ(tree("cmd A=1"), "(cmd cmd A=1)");
  EXPECT_EQ(tree("export A=1 declare"), "(cmd export A=1 declare)");
}

TEST(ShellParserWords, AssignmentFields) {
  const Script script = parse_ok("a[$(i)]+=(x y)");
  const Command& command = only_command(script);
  ASSERT_EQ(command.assignments.size(), 1u);
  const Assignment& a = command.assignments[0];
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.subscript, "$(i)");
  ASSERT_EQ(a.subscript_words.size(), 1u);
  EXPECT_EQ(render_word(a.subscript_words[0]), "$((cmd i))");
  EXPECT_TRUE(a.append);
  EXPECT_TRUE(a.is_array);
  EXPECT_EQ(render_words(a.array_values), "x y");
  EXPECT_TRUE(command.words.empty());
}

TEST(ShellParserWords, DeclarationBuiltinsTakeArrayArguments) {
  EXPECT_EQ(tree("declare -a a=(x \"y z\")"), "(cmd declare -a a=+(+x+ +'y z'+))");
  EXPECT_EQ(tree("local b+=($(ls))"), "(cmd local b+=+(+$((cmd ls))+))");
}

TEST(ShellParserWords, Quoting) {
  EXPECT_EQ(tree("echo 'a b' \"c d\" e\\ f"), "(cmd echo 'a b' 'c d' e+' '+f)");
  EXPECT_EQ(tree("echo '' \"\""), "(cmd echo '' '')");
  EXPECT_EQ(tree("echo a'b'\"c\"d"), "(cmd echo a+'bc'+d)");
  EXPECT_EQ(tree("echo \\*.txt \\$HOME"), "(cmd echo '*'+.txt '$'+HOME)");
  // Inside double quotes a backslash escapes only $ ` \" \\ and newline.
  EXPECT_EQ(tree(R"(echo "a\b \$x \` \" \\")"), R"((cmd echo 'a\b $x ` " \'))");
  EXPECT_EQ(tree("echo \"$x and ${y}\""), "(cmd echo \"$x\"+' and '+\"$y\")");
  EXPECT_EQ(tree("echo $\"translated $x\""), "(cmd echo 'translated '+\"$x\")");
  EXPECT_EQ(tree("echo 'it'\\''s'"), "(cmd echo 'it's')");
}

TEST(ShellParserWords, LineContinuationsDisappear) {
  EXPECT_EQ(tree("ec\\\nho a\\\nb"), "(cmd echo ab)");
  EXPECT_EQ(tree("echo \"a\\\nb\""), "(cmd echo 'ab')");
  EXPECT_EQ(tree("echo 'a\\\nb'"), "(cmd echo 'a\\\nb')");
  EXPECT_EQ(tree("a &\\\n& b"), "(cmd a) && (cmd b)");
  EXPECT_EQ(tree("i\\\nf true; then :; fi"), "(if {(cmd true)} {(cmd :)})");
  EXPECT_EQ(tree("echo a\\"), "(cmd echo a+'\\')");
}

TEST(ShellParserWords, AnsiCQuotes) {
  const auto text_of = [](std::string_view line) {
    const Script script = parse_ok(line);
    const Command& command = only_command(script);
    EXPECT_EQ(command.words.size(), 2u);
    return command.words.size() == 2 ? literal_text(command.words[1]) : std::string();
  };
  EXPECT_EQ(text_of(R"(echo $'a\nb\tc\\d\'e\"f')"), "a\nb\tc\\d'e\"f");
  EXPECT_EQ(text_of(R"(echo $'\x41\x4g\u00e9\U0001F600\101\7')"), "A\x04gé\xF0\x9F\x98\x80" "A\x07");
  EXPECT_EQ(text_of(R"(echo $'\a\b\e\E\f\r\v')"), "\a\b\x1b\x1b\f\r\v");
  EXPECT_EQ(text_of(R"(echo $'\cA\c?\z\x')"), "\x01\x7f\\z\\x");
  EXPECT_EQ(text_of(R"(echo $'ab\0cd')"), "ab");  // bash ends the string at a NUL
  EXPECT_EQ(tree(R"(echo $'it\'s')"), "(cmd echo 'it's')");
  // Inside double quotes $' is not a quote.
  EXPECT_EQ(tree(R"(echo "$'x'")"), "(cmd echo '$'x'')");
}

TEST(ShellParserWords, LiteralHelpers) {
  const Script script = parse_ok("echo 'a'b\"c\" $x");
  const Command& command = only_command(script);
  ASSERT_EQ(command.words.size(), 3u);
  EXPECT_TRUE(word_is_literal(command.words[1]));
  EXPECT_EQ(literal_text(command.words[1]), "abc");
  EXPECT_FALSE(word_is_literal(command.words[2]));
  EXPECT_EQ(literal_text(command.words[2]), "");
}

// --- expansions ------------------------------------------------------------------------------

TEST(ShellParserExpansions, Parameters) {
  EXPECT_EQ(tree("echo $x $1 $@ $* $# $? $$ $! $0 $- $_a1"), "(cmd echo $x $1 $@ $* $# $? $$ $! $0 $- $_a1)");
  EXPECT_EQ(tree("echo $12 ${12} $ a$ $/"), "(cmd echo $1+2 $12 $ a$ $/)");
  EXPECT_EQ(tree("echo ${x} ${a[1]} \"${a[@]}\""), "(cmd echo $x ${a[1]} \"${a[@]}\")");
  EXPECT_EQ(tree("echo ${x:-y} ${x-y} ${x:=y} ${x=y} ${x:?y} ${x?y} ${x:+y} ${x+y}"),
            "(cmd echo ${x :- <y>} ${x - <y>} ${x := <y>} ${x = <y>} ${x :? <y>} ${x ? <y>} ${x :+ <y>} ${x + <y>})");
  EXPECT_EQ(tree("echo ${x#a} ${x##a} ${x%a} ${x%%a} ${x^} ${x^^} ${x,} ${x,,}"),
            "(cmd echo ${x # <a>} ${x ## <a>} ${x % <a>} ${x %% <a>} ${x ^ <>} ${x ^^ <>} ${x , <>} ${x ,, <>})");
  EXPECT_EQ(tree("echo ${x/a/b} ${x//a} ${x/#a/b} ${x/%a/b}"),
            "(cmd echo ${x / <a> <b>} ${x // <a> <>} ${x /# <a> <b>} ${x /% <a> <b>})");
  EXPECT_EQ(tree("echo ${x:1} ${x:1:2} ${x: -1}"), "(cmd echo ${x : <1>} ${x : <1> <2>} ${x : < -1>})");
  EXPECT_EQ(tree("echo ${#x} ${#a[@]} ${#} ${!x} ${!p*} ${!p@} ${!a[@]} ${x@Q} ${!x:-d}"),
            "(cmd echo ${x length} ${a[@] length} $# ${!x indirect} ${!p prefix *} ${!p prefix @} ${!a[@] keys} "
            "${x @ Q} ${!x :- <d>})");
}

TEST(ShellParserExpansions, ParameterArgumentsAreWords) {
  EXPECT_EQ(tree("echo ${x:-\"a b\"$y}"), "(cmd echo ${x :- <'a b'+$y>})");
  EXPECT_EQ(tree("echo ${x:-$(cmd)}"), "(cmd echo ${x :- <$((cmd cmd))>})");
  EXPECT_EQ(tree("echo ${x:-${y:-z}}"), "(cmd echo ${x :- <${y :- <z>}>})");
  // The first unquoted } ends ${...}, as in bash: ${x:-{a}b} is "{a" then "b}".
  EXPECT_EQ(tree("echo ${x:-{a}b} ${x:-'}'} ${x:-\\}}"), "(cmd echo ${x :- <{a>}+b} ${x :- <'}'>} ${x :- <'}'>})");
  EXPECT_EQ(tree("echo ${x:-~/d} ${x#*.}"), "(cmd echo ${x :- <T(~)+/d>} ${x # <G(*)+.>})");
  // In double quotes, ' is literal in ${x:-...} but quotes in pattern operators.
  EXPECT_EQ(tree("echo \"${x:-'a'}\" \"${x#'a'}\""), "(cmd echo ${x :- <''a''>} ${x # <'a'>})");
}

TEST(ShellParserExpansions, ParameterFields) {
  const Script script = parse_ok("echo \"${a[$(i)]:-d}\"");
  const WordPart& part = only_command(script).words.at(1).parts.at(0);
  EXPECT_EQ(part.kind, WordPartKind::kParameter);
  EXPECT_TRUE(part.quoted);
  EXPECT_EQ(part.name, "a");
  EXPECT_EQ(part.subscript, "$(i)");
  ASSERT_EQ(part.subscript_words.size(), 1u);
  EXPECT_EQ(render_word(part.subscript_words[0]), "$((cmd i))");
  EXPECT_EQ(part.op, ":-");
  ASSERT_EQ(part.args.size(), 1u);
  EXPECT_EQ(render_word(part.args[0]), "'d'");
}

TEST(ShellParserExpansions, CommandSubstitution) {
  EXPECT_EQ(tree("echo $(ls -l | wc -l)"), "(cmd echo $((cmd ls -l) | (cmd wc -l)))");
  EXPECT_EQ(tree("echo $( )x$()"), "(cmd echo $()+x+$())");
  EXPECT_EQ(tree("echo $(echo \")\" ')' \\))"), "(cmd echo $((cmd echo ')' ')' ')')))");
  EXPECT_EQ(tree("echo $(case x in a) echo 1;; (b) echo 2;; esac)"),
            "(cmd echo $((case x [a) {(cmd echo 1)} ;;] [b) {(cmd echo 2)} ;;])))");
  EXPECT_EQ(tree("echo $(echo $(echo x) $( (a) | (b) ))"),
            "(cmd echo $((cmd echo $((cmd echo x)) $((subshell {(cmd a)}) | (subshell {(cmd b)})))))");
  EXPECT_EQ(tree("echo \"$(echo \"in $x\")\""), "(cmd echo $((cmd echo 'in '+\"$x\")))");
  EXPECT_EQ(tree("x=$(a; b\nc)"), "(cmd x=$((cmd a); (cmd b); (cmd c)))");
}

TEST(ShellParserExpansions, Backquotes) {
  EXPECT_EQ(tree("echo `date +%s`"), "(cmd echo $((cmd date +%s)))");
  EXPECT_EQ(tree("echo `echo \\`echo hi\\``"), "(cmd echo $((cmd echo $((cmd echo hi)))))");
  // \\ becomes one backslash, which then escapes the space; \a keeps its backslash for the body.
  EXPECT_EQ(tree("echo `echo \\$x \\\\ \\a`"), "(cmd echo $((cmd echo $x ' a')))");
  EXPECT_EQ(tree("echo \"`echo \\\"hi\\\"`\""), "(cmd echo $((cmd echo 'hi')))");
  // Spans inside a backquoted body point into the source, past the removed backslashes.
  const std::string line = "echo `a \\$x`";
  const Script script = parse_ok(line);
  const WordPart& sub = only_command(script).words.at(1).parts.at(0);
  EXPECT_EQ(slice(line, sub.span), "`a \\$x`");
  const WordPart& x = only_command(sub.script.at(0)).words.at(1).parts.at(0);
  EXPECT_EQ(x.name, "x");
  EXPECT_EQ(slice(line, x.span), "$x");
}

TEST(ShellParserExpansions, ProcessSubstitution) {
  EXPECT_EQ(tree("diff <(ls a) >(wc) x<(y)"), "(cmd diff <((cmd ls a)) >((cmd wc)) x+<((cmd y)))");
  EXPECT_EQ(tree("cat < <(ls)"), "(cmd cat <<((cmd ls)))");
}

TEST(ShellParserExpansions, Arithmetic) {
  EXPECT_EQ(tree("echo $((1 + 2)) $[3*4]"), "(cmd echo $((1 + 2)) $((3*4)))");
  EXPECT_EQ(tree("echo $(( $x + $(f) + ${y:-1} ))"), "(cmd echo $(( +$x+ + +$((cmd f))+ + +${y :- <1>}+ )))");
  EXPECT_EQ(tree("echo $(( (1+2) * (3) ))"), "(cmd echo $(( (1+2) * (3) )))");
  // $(( that does not close with )) is a command substitution holding a subshell.
  EXPECT_EQ(tree("echo $( (a) )"), "(cmd echo $((subshell {(cmd a)})))");
  EXPECT_EQ(tree("echo $((a) | b)"), "(cmd echo $((subshell {(cmd a)}) | (cmd b)))");
  const Script script = parse_ok("echo $((x+1))");
  const WordPart& part = only_command(script).words.at(1).parts.at(0);
  EXPECT_EQ(part.kind, WordPartKind::kArithmetic);
  ASSERT_EQ(part.args.size(), 1u);
  EXPECT_EQ(literal_text(part.args[0]), "x+1");
}

// --- tildes, globs, braces -------------------------------------------------------------------

TEST(ShellParserShapes, Tildes) {
  EXPECT_EQ(tree("echo ~ ~/x ~root/x ~+ a~ ~\"x\" \"~\" ~$u"), "(cmd echo T(~) T(~)+/x T(~root)+/x T(~+) a~ ~+'x' '~' ~+$u)");
  EXPECT_EQ(tree("PATH=~/bin:~x/bin:a~ cmd"), "(cmd PATH=T(~)+/bin:+T(~x)+/bin:a~ cmd)");
  EXPECT_EQ(tree("export DIR=~/d --opt=~"), "(cmd export DIR=+T(~)+/d --opt=~)");
}

TEST(ShellParserShapes, Globs) {
  EXPECT_EQ(tree("ls *.txt a?c [ab]x [!a] [] [[:alpha:]]z '*' \\?"),
            "(cmd ls G(*)+.txt a+G(?)+c G([ab])+x G([!a]) [] G([[:alpha:]])+z '*' '?')");
  EXPECT_EQ(tree("ls [\"a\"]"), "(cmd ls G([)+'a'+G(]))");
  EXPECT_EQ(tree("ls @(a|b) !(x) +(y) *(z) ?(w) *.@(c|h)"),
            "(cmd ls G(@(a|b)) G(!(x)) G(+(y)) G(*(z)) G(?(w)) G(*)+.+G(@(c|h)))");
  EXPECT_EQ(tree("ls @(a $x|'q')"), "(cmd ls G(@(a )+$x+G(|)+'q'+G()))");
  // Assignment values are not globbed.
  EXPECT_EQ(tree("a=* b=[x]"), "(cmd a=* b=[x])");
}

TEST(ShellParserShapes, Braces) {
  EXPECT_EQ(tree("echo {a,b} x{1,2}y {1..9} {a..z} {1..10..2} {-1..1}"),
            "(cmd echo B(a,b) x+B(1,2)+y B(1..9) B(a..z) B(1..10..2) B(-1..1))");
  EXPECT_EQ(tree("echo {a,{b,c}} {a{b,c}} {a,b}{c,d}"), "(cmd echo B(a,B(b,c)) {a+B(b,c)+} B(a,b)+B(c,d))");
  EXPECT_EQ(tree("echo {,x} {\"a b\",$y,*.c} {a,{b}"), "(cmd echo B(,x) B('a b',$y,G(*)+.c) {a,{b})");
  EXPECT_EQ(tree("find . -exec rm {} \\; { } {a} {a..1} \"{a,b}\" \\{a,b}"),
            "(cmd find . -exec rm {} ';' { } {a} {a..1} '{a,b}' '{'+a,b})");
  EXPECT_EQ(tree("echo {~,~root}/x"), "(cmd echo B(T(~),T(~root))+/x)");
  const std::string line = "echo a{bb,c}";
  const Script script = parse_ok(line);
  const WordPart& brace = only_command(script).words.at(1).parts.at(1);
  EXPECT_EQ(brace.kind, WordPartKind::kBrace);
  EXPECT_EQ(slice(line, brace.span), "{bb,c}");
  ASSERT_EQ(brace.args.size(), 2u);
  EXPECT_EQ(slice(line, brace.args[0].span), "bb");
  EXPECT_EQ(slice(line, brace.args[1].span), "c");
}

// --- lists and pipelines ---------------------------------------------------------------------

TEST(ShellParserLists, Operators) {
  EXPECT_EQ(tree("a | b |& c"), "(cmd a) | (cmd b) |& (cmd c)");
  EXPECT_EQ(tree("a && b || c; d & e"), "(cmd a) && (cmd b) || (cmd c); (cmd d) &; (cmd e)");
  EXPECT_EQ(tree("a &&\n\n b ||\n c |\n d"), "(cmd a) && (cmd b) || (cmd c) | (cmd d)");
  EXPECT_EQ(tree("! a | b"), "! (cmd a) | (cmd b)");
  EXPECT_EQ(tree("time -p a; time ! b"), "time (cmd a); ! time (cmd b)");
  EXPECT_EQ(tree("time"), "time (cmd)");
  EXPECT_EQ(tree("a\nb\n\nc;"), "(cmd a); (cmd b); (cmd c)");
  EXPECT_EQ(tree("a # comment ; b\n# whole line\nc#d"), "(cmd a); (cmd c#d)");
  EXPECT_EQ(tree(""), "");
  EXPECT_EQ(tree("  \n# only a comment\n"), "");
  const Script script = parse_ok("a & b");
  ASSERT_EQ(script.items.size(), 2u);
  EXPECT_TRUE(script.items[0].background);
  EXPECT_FALSE(script.items[1].background);
}

TEST(ShellParserLists, ReservedWordsOnlyInCommandPosition) {
  EXPECT_EQ(tree("echo if then fi done { } ! time"), "(cmd echo if then fi done { } ! time)");
  EXPECT_EQ(tree("A=1 true"), "(cmd A=1 true)");
  EXPECT_EQ(tree("'if' x"), "(cmd 'if' x)");
  EXPECT_EQ(tree("{a,b}"), "(cmd B(a,b))");
  EXPECT_EQ(tree("ifx; done_; {x}"), "(cmd ifx); (cmd done_); (cmd {x})");
}

// --- compound commands -----------------------------------------------------------------------

TEST(ShellParserCompound, Groups) {
  EXPECT_EQ(tree("(a; b) | { c; d; }"), "(subshell {(cmd a); (cmd b)}) | (group {(cmd c); (cmd d)})");
  EXPECT_EQ(tree("{ a\n}"), "(group {(cmd a)})");
  EXPECT_EQ(tree("( (a) )"), "(subshell {(subshell {(cmd a)})})");
  EXPECT_EQ(tree("{ a; } > out 2>&1 &"), "(group {(cmd a)} >out 2>&1) &");
}

TEST(ShellParserCompound, If) {
  EXPECT_EQ(tree("if a; then b; fi"), "(if {(cmd a)} {(cmd b)})");
  EXPECT_EQ(tree("if a; then b; elif c; then d; elif e; then f; else g; fi"),
            "(if {(cmd a)} {(cmd b)} {(cmd c)} {(cmd d)} {(cmd e)} {(cmd f)} else {(cmd g)})");
  EXPECT_EQ(tree("if\na\nthen\nb\nelse\nc\nfi"), "(if {(cmd a)} {(cmd b)} else {(cmd c)})");
  const Script script = parse_ok("if a; then b; else c; fi");
  EXPECT_TRUE(only_command(script).has_else);
  EXPECT_EQ(only_command(script).bodies.size(), 3u);
}

TEST(ShellParserCompound, Loops) {
  EXPECT_EQ(tree("while a; do b; done; until c\ndo d\ndone"), "(while {(cmd a)} {(cmd b)}); (until {(cmd c)} {(cmd d)})");
  EXPECT_EQ(tree("for i in 1 \"2 3\" *.c {a,b}; do echo $i; done"),
            "(for i in [1 '2 3' G(*)+.c B(a,b)] {(cmd echo $i)})");
  EXPECT_EQ(tree("for i; do a; done"), "(for i {(cmd a)})");
  EXPECT_EQ(tree("for i do a; done"), "(for i {(cmd a)})");
  EXPECT_EQ(tree("for i\nin a\ndo b\ndone"), "(for i in [a] {(cmd b)})");
  EXPECT_EQ(tree("for i in; do a; done"), "(for i in [] {(cmd a)})");
  EXPECT_EQ(tree("for i in a b; { c; }"), "(for i in [a b] {(cmd c)})");
  EXPECT_EQ(tree("for ((i=0; i<3; i++)); do a; done"), "(for ((i=0; i<3; i++)) {(cmd a)})");
  EXPECT_EQ(tree("for (( ; ; ))\ndo a; done"), "(for (( ; ; )) {(cmd a)})");
  EXPECT_EQ(tree("select x in a b; do break; done"), "(select x in [a b] {(cmd break)})");
  const Script script = parse_ok("for i; do a; done");
  EXPECT_FALSE(only_command(script).in_list);
  EXPECT_EQ(only_command(script).name, "i");
  EXPECT_TRUE(only_command(parse_ok("for ((;;)); do a; done")).arithmetic_for);
}

TEST(ShellParserCompound, Case) {
  EXPECT_EQ(tree("case $x in a|b) one;; (c) two;& *) three;;& esac"),
            "(case $x [a|b) {(cmd one)} ;;] [c) {(cmd two)} ;&] [G(*)) {(cmd three)} ;;&])");
  EXPECT_EQ(tree("case x in\n  a)\n    b\n    ;;\n  *.@(c|h)) ;;\nesac"),
            "(case x [a) {(cmd b)} ;;] [G(*)+.+G(@(c|h))) {} ;;])");
  EXPECT_EQ(tree("case x in esac"), "(case x)");
  EXPECT_EQ(tree("case x in a) b\nesac"), "(case x [a) {(cmd b)} ])");
  EXPECT_EQ(tree("case x in (esac) a;; esac"), "(case x [esac) {(cmd a)} ;;])");
}

TEST(ShellParserCompound, Functions) {
  EXPECT_EQ(tree("f() { a; }"), "(function f {(group {(cmd a)})})");
  EXPECT_EQ(tree("f () ( a )"), "(function f {(subshell {(cmd a)})})");
  EXPECT_EQ(tree("function f { a; }"), "(function f {(group {(cmd a)})})");
  EXPECT_EQ(tree("function f() ( a )"), "(function f {(subshell {(cmd a)})})");
  EXPECT_EQ(tree("my-func()\n{\n a\n} > log"), "(function my-func {(group {(cmd a)} >log)})");
  EXPECT_EQ(tree("f() if a; then b; fi"), "(function f {(if {(cmd a)} {(cmd b)})})");
}

TEST(ShellParserCompound, ArithmeticAndConditional) {
  EXPECT_EQ(tree("(( i++ )); ((x = $(f) + 1))"), "(arith  i++ ); (arith x = +$((cmd f))+ + 1)");
  EXPECT_EQ(tree("((a) ; (b))"), "(subshell {(subshell {(cmd a)}); (subshell {(cmd b)})})");
  EXPECT_EQ(tree("[[ -f $f && ( $a < $b || ! x ) ]]"), "(cond -f $f && ( $a < $b || ! x ))");
  EXPECT_EQ(tree("[[ $x == *.txt ]]"), "(cond $x == G(*)+.txt)");
  EXPECT_EQ(tree("[[ $x =~ ^(a|b)[0-9]+$ ]] && y"), "(cond $x =~ ^(a|b)[0-9]+$) && (cmd y)");
  EXPECT_EQ(tree("[[ a &&\n b ]]"), "(cond a && b)");
}

TEST(ShellParserCompound, Coproc) {
  EXPECT_EQ(tree("coproc cat"), "(coproc {(cmd cat)})");
  EXPECT_EQ(tree("coproc NAME { a; }"), "(coproc NAME {(group {(cmd a)})})");
  EXPECT_EQ(tree("coproc { a; }"), "(coproc {(group {(cmd a)})})");
  EXPECT_EQ(tree("coproc name arg"), "(coproc {(cmd name arg)})");
}

// --- redirections and here-documents ---------------------------------------------------------

TEST(ShellParserRedirects, Operators) {
  EXPECT_EQ(tree("a >f >>f >|f <f <>f <&3 >&2 &>f &>>f 2>&1 2>&- 10<x {fd}>f <<<w"),
            "(cmd a >f >>f >|f <f <>f <&3 >&2 &>f &>>f 2>&1 2>&- 10<x {fd}>f <<<w)");
  EXPECT_EQ(tree(">out a 2> err b"), "(cmd a b >out 2>err)");
  EXPECT_EQ(tree("a 1234567890>x"), "(cmd a 1234567890 >x)");
  EXPECT_EQ(tree("a >& 1<x"), "(cmd a >&1 <x)");
  EXPECT_EQ(tree("a <<< \"$x y\""), "(cmd a <<<\"$x\"+' y')");
  const Script script = parse_ok("cmd 2>>log {v}<&0");
  const Command& command = only_command(script);
  ASSERT_EQ(command.redirects.size(), 2u);
  EXPECT_EQ(command.redirects[0].fd, 2);
  EXPECT_EQ(command.redirects[0].op, ">>");
  EXPECT_EQ(literal_text(command.redirects[0].target), "log");
  EXPECT_EQ(command.redirects[1].fd, -1);
  EXPECT_EQ(command.redirects[1].fd_var, "v");
  EXPECT_EQ(command.redirects[1].op, "<&");
}

TEST(ShellParserRedirects, HereDocuments) {
  EXPECT_EQ(tree("cat <<EOF\nhello $x\n`d`\nEOF\necho after"),
            "(cmd cat <<EOF['hello '+\"$x\"+'\n'+$((cmd d))+'\n']); (cmd echo after)");
  EXPECT_EQ(tree("cat <<'EOF'\n$x `y`\nEOF"), "(cmd cat <<'EOF'['$x `y`\n'])");
  EXPECT_EQ(tree("cat <<\"E F\"\n$x\nE F"), "(cmd cat <<'E F'['$x\n'])");
  EXPECT_EQ(tree("cat <<\\EOF\n$x\nEOF"), "(cmd cat <<'EOF'['$x\n'])");
  EXPECT_EQ(tree("cat <<-EOF\n\t\tindented $x\n\tEOF"), "(cmd cat <<-EOF['indented '+\"$x\"+'\n'])");
  EXPECT_EQ(tree("cat <<-'EOF'\n\ta\n\t\tb\n\tEOF"), "(cmd cat <<-'EOF'['a\nb\n'])");
  EXPECT_EQ(tree("cat <<A <<B; echo x\na\nA\nb\nB\necho y"),
            "(cmd cat <<A['a\n'] <<B['b\n']); (cmd echo x); (cmd echo y)");
  EXPECT_EQ(tree("cat <<EOF | grep x && echo ok\nbody\nEOF"), "(cmd cat <<EOF['body\n']) | (cmd grep x) && (cmd echo ok)");
  EXPECT_EQ(tree("x=$(cat <<EOF\ninside\nEOF\n)"), "(cmd x=$((cmd cat <<EOF['inside\n'])))");
  EXPECT_EQ(tree("echo $(cat <<EOF)\nlater\nEOF"), "(cmd echo $((cmd cat <<EOF['later\n'])))");
  EXPECT_EQ(tree("if a; then\ncat <<EOF\n fi\nEOF\nfi"), "(if {(cmd a)} {(cmd cat <<EOF[' fi\n'])})");
  EXPECT_EQ(tree("cat <<EOF\nEOF"), "(cmd cat <<EOF[])");
  // A backslash-newline joins body lines before the delimiter is looked for (unquoted only).
  EXPECT_EQ(tree("cat <<EOF\nabc\\\nEOF\nEOF"), "(cmd cat <<EOF['abcEOF\n'])");
  EXPECT_EQ(tree("cat <<'EOF'\nabc\\\nEOF"), "(cmd cat <<'EOF'['abc\\\n'])");
  EXPECT_EQ(tree("cat <<''\na\n\nb"), "(cmd cat <<''['a\n']); (cmd b)");
  EXPECT_EQ(tree("cat <<EOF\n\\$x \\a \"q\"\nEOF"), "(cmd cat <<EOF['$x \\a \"q\"\n'])");
  const std::string line = "cat <<'EOF'\nbody\nEOF\n";
  const Script script = parse_ok(line);
  const Redirect& redirect = only_command(script).redirects.at(0);
  EXPECT_TRUE(redirect.heredoc_quoted);
  EXPECT_EQ(literal_text(redirect.target), "EOF");
  EXPECT_EQ(slice(line, redirect.heredoc_body.span), "body\n");
  EXPECT_EQ(slice(line, redirect.span), "<<'EOF'");
}

// --- spans -----------------------------------------------------------------------------------

TEST(ShellParserSpans, NodesPointIntoTheSource) {
  const std::string line = "A=1 echo \"a b\" ${x:-y} > out && { f; }";
  const Script script = parse_ok(line);
  EXPECT_EQ(slice(line, script.span), line);
  const AndOr& and_or = script.items.at(0).and_or;
  const Command& echo = and_or.pipelines.at(0).commands.at(0);
  EXPECT_EQ(slice(line, echo.span), "A=1 echo \"a b\" ${x:-y} > out");
  EXPECT_EQ(slice(line, echo.assignments.at(0).span), "A=1");
  EXPECT_EQ(slice(line, echo.assignments.at(0).value.span), "1");
  EXPECT_EQ(slice(line, echo.words.at(0).span), "echo");
  EXPECT_EQ(slice(line, echo.words.at(1).span), "\"a b\"");
  EXPECT_EQ(slice(line, echo.words.at(2).span), "${x:-y}");
  EXPECT_EQ(slice(line, echo.words.at(2).parts.at(0).args.at(0).span), "y");
  EXPECT_EQ(slice(line, echo.redirects.at(0).span), "> out");
  EXPECT_EQ(slice(line, echo.redirects.at(0).target.span), "out");
  const Command& group = and_or.pipelines.at(1).commands.at(0);
  EXPECT_EQ(slice(line, group.span), "{ f; }");
  EXPECT_EQ(slice(line, group.bodies.at(0).items.at(0).and_or.pipelines.at(0).commands.at(0).span), "f");
}

TEST(ShellParserSpans, SubstitutionsAndGlobs) {
  const std::string line = "ls $(pwd)/*.c 'q'";
  const Script script = parse_ok(line);
  const Word& word = only_command(script).words.at(1);
  ASSERT_EQ(word.parts.size(), 4u);
  EXPECT_EQ(slice(line, word.parts[0].span), "$(pwd)");
  EXPECT_EQ(slice(line, word.parts[1].span), "/");
  EXPECT_EQ(slice(line, word.parts[2].span), "*");
  EXPECT_EQ(slice(line, word.parts[3].span), ".c");
  const Script& body = word.parts[0].script.at(0);
  EXPECT_EQ(slice(line, body.span), "pwd");
  EXPECT_EQ(slice(line, only_command(script).words.at(2).span), "'q'");
}

TEST(ShellParserSpans, MultiLineHereDocumentBody) {
  const std::string text = "cat <<EOF\nline $v\nEOF\n";
  const Script script = parse_ok(text);
  const Word& body = only_command(script).redirects.at(0).heredoc_body;
  EXPECT_EQ(slice(text, body.span), "line $v\n");
  EXPECT_EQ(slice(text, body.parts.at(1).span), "$v");
}

}  // namespace
}  // namespace trainctl::safety
