#include "checkpoint/pickle_security.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "checkpoint/pickle_fixtures.h"
#include "checkpoint/pickle_test_bytes.h"

namespace trainctl::checkpoint {
namespace {

using testing::as_bytes;
using testing::PickleBytes;

// Malicious pickles are built here byte by byte and only ever read by trainctl's reader.

const GlobalFinding* find(const SecurityVerdict& verdict, const std::string& qualified) {
  for (const GlobalFinding& finding : verdict.globals) {
    if (finding.global.qualified_name() == qualified) return &finding;
  }
  return nullptr;
}

void expect_dangerous(const SecurityVerdict& verdict, const std::string& qualified) {
  EXPECT_EQ(verdict.verdict, Safety::kDangerous) << verdict.to_json().dump(2);
  const GlobalFinding* finding = find(verdict, qualified);
  ASSERT_NE(finding, nullptr) << qualified << " not listed in " << verdict.to_json().dump(2);
  EXPECT_EQ(finding->safety, Safety::kDangerous) << finding->reason;
  EXPECT_FALSE(finding->reason.empty());
}

// callable(arg) as REDUCE, the way every malicious pickle ends.
PickleBytes call_with_string(std::string_view module, std::string_view name, std::string_view arg) {
  PickleBytes p;
  p.proto(2).global(module, name).unicode(arg).tuple1().reduce().stop();
  return p;
}

TEST(PickleSecurity, OsSystemInProtocol0) {
  SecurityVerdict verdict = scan_pickle(as_bytes("cos\nsystem\n(S'echo pwned'\ntR."));
  expect_dangerous(verdict, "os.system");
  EXPECT_TRUE(find(verdict, "os.system")->global.called);
  EXPECT_EQ(find(verdict, "os.system")->global.offset, 0u);
  EXPECT_FALSE(verdict.read_error);
}

TEST(PickleSecurity, PosixAndNtSystem) {
  expect_dangerous(scan_pickle(call_with_string("posix", "system", "id").span()), "posix.system");
  expect_dangerous(scan_pickle(call_with_string("nt", "system", "dir").span()), "nt.system");
}

TEST(PickleSecurity, BuiltinsEvalAndExec) {
  expect_dangerous(scan_pickle(call_with_string("builtins", "eval", "1+1").span()), "builtins.eval");
  // exec through STACK_GLOBAL with memoized constant names, as protocol 4 writes globals.
  PickleBytes p;
  p.proto(4).unicode("builtins").memoize().unicode("exec").memoize().stack_global().memoize();
  p.unicode("import os").tuple1().reduce().stop();
  SecurityVerdict verdict = scan_pickle(p.span());
  expect_dangerous(verdict, "builtins.exec");
  EXPECT_EQ(find(verdict, "builtins.exec")->global.opcode, "STACK_GLOBAL");
  EXPECT_FALSE(find(verdict, "builtins.exec")->global.built_at_load_time);
}

TEST(PickleSecurity, Python2BuiltinNamesInProtocol0) {
  SecurityVerdict verdict = scan_pickle(as_bytes("c__builtin__\neval\n(S'1+1'\ntR."));
  expect_dangerous(verdict, "__builtin__.eval");
  expect_dangerous(scan_pickle(as_bytes("ccommands\ngetoutput\n(S'id'\ntR.")), "commands.getoutput");
}

TEST(PickleSecurity, SubprocessPopenThroughNewobj) {
  PickleBytes p;
  p.proto(2).global("subprocess", "Popen").unicode("ls").tuple1().tuple1().newobj().stop();
  SecurityVerdict verdict = scan_pickle(p.span());
  expect_dangerous(verdict, "subprocess.Popen");
  EXPECT_TRUE(find(verdict, "subprocess.Popen")->global.called);
}

TEST(PickleSecurity, InstOpcode) {
  SecurityVerdict verdict = scan_pickle(as_bytes("(S'id'\nios\nsystem\n."));
  expect_dangerous(verdict, "os.system");
  EXPECT_EQ(find(verdict, "os.system")->global.opcode, "INST");
}

TEST(PickleSecurity, GetattrChainReachingOs) {
  // getattr(__import__('os'), 'system')('id')
  PickleBytes p;
  p.proto(2).global("builtins", "getattr").global("builtins", "__import__").unicode("os").tuple1().reduce();
  p.unicode("system").tuple2().reduce().unicode("id").tuple1().reduce().stop();
  SecurityVerdict verdict = scan_pickle(p.span());
  expect_dangerous(verdict, "builtins.getattr");
  expect_dangerous(verdict, "builtins.__import__");

  // getattr alone is enough: from an allowlisted Path it reaches write_text.
  PickleBytes q;
  q.proto(2).global("builtins", "getattr").global("pathlib", "PosixPath").unicode("/etc/x").tuple1().reduce();
  q.unicode("write_text").tuple2().reduce().unicode("pwned").tuple1().reduce().stop();
  SecurityVerdict only_getattr = scan_pickle(q.span());
  expect_dangerous(only_getattr, "builtins.getattr");
  EXPECT_EQ(only_getattr.count(Safety::kDangerous), 1u);
  EXPECT_EQ(find(only_getattr, "pathlib.PosixPath")->safety, Safety::kSafe);
}

TEST(PickleSecurity, StackGlobalWithNamesBuiltAtLoadTime) {
  // The module name comes out of a call (PosixPath('os'), which the reader folds to "os"):
  // only running the pickle would tell what STACK_GLOBAL imports.
  PickleBytes p;
  p.proto(4).global("pathlib", "PosixPath").unicode("os").tuple1().reduce().unicode("system").stack_global();
  p.unicode("id").tuple1().reduce().stop();
  SecurityVerdict verdict = scan_pickle(p.span());
  EXPECT_EQ(verdict.verdict, Safety::kDangerous);
  auto built = std::find_if(verdict.globals.begin(), verdict.globals.end(),
                            [](const GlobalFinding& f) { return f.global.built_at_load_time; });
  ASSERT_NE(built, verdict.globals.end()) << verdict.to_json().dump(2);
  EXPECT_EQ(built->safety, Safety::kDangerous);
  EXPECT_NE(built->reason.find("computed at load time"), std::string::npos);

  // An opaque object as the name: unknown at any time before the pickle runs.
  PickleBytes q;
  q.proto(4).unicode("builtins").global("somewhere", "make").empty_tuple().reduce().stack_global().stop();
  SecurityVerdict opaque = scan_pickle(q.span());
  EXPECT_EQ(opaque.verdict, Safety::kDangerous) << opaque.to_json().dump(2);
}

TEST(PickleSecurity, RunpyAndImportlibAndPip) {
  expect_dangerous(scan_pickle(call_with_string("runpy", "_run_code", "print(1)").span()), "runpy._run_code");
  expect_dangerous(scan_pickle(call_with_string("importlib", "import_module", "os").span()), "importlib.import_module");
  expect_dangerous(scan_pickle(call_with_string("pip", "main", "install").span()), "pip.main");
}

TEST(PickleSecurity, NestedLoaders) {
  // torch.load(io.BytesIO(b'...')): the inner pickle never reaches this scan.
  PickleBytes p;
  p.proto(2).global("torch", "load").global("io", "BytesIO").bytes("\x80\x02N.").tuple1().reduce();
  p.tuple1().reduce().stop();
  SecurityVerdict verdict = scan_pickle(p.span());
  expect_dangerous(verdict, "torch.load");
  EXPECT_EQ(find(verdict, "io.BytesIO")->safety, Safety::kUnknown);

  PickleBytes q;
  q.proto(2).global("torch.storage", "_load_from_bytes").bytes("\x80\x02N.").tuple1().reduce().stop();
  expect_dangerous(scan_pickle(q.span()), "torch.storage._load_from_bytes");
  expect_dangerous(scan_pickle(call_with_string("pickle", "loads", "x").span()), "pickle.loads");
  expect_dangerous(scan_pickle(call_with_string("_pickle", "loads", "x").span()), "_pickle.loads");
}

TEST(PickleSecurity, FunctoolsPartialWrappingOsSystem) {
  PickleBytes p;
  p.proto(2).global("functools", "partial").global("os", "system").unicode("id").tuple2().reduce();
  p.empty_tuple().reduce().stop();
  SecurityVerdict verdict = scan_pickle(p.span());
  expect_dangerous(verdict, "functools.partial");
  expect_dangerous(verdict, "os.system");
}

TEST(PickleSecurity, SystemTouchingModules) {
  expect_dangerous(scan_pickle(call_with_string("webbrowser", "open", "http://x").span()), "webbrowser.open");
  expect_dangerous(scan_pickle(call_with_string("shutil", "rmtree", "/").span()), "shutil.rmtree");
  PickleBytes socket;
  socket.proto(2).global("socket", "create_connection").unicode("evil").integer(80).tuple2().tuple1().reduce().stop();
  expect_dangerous(scan_pickle(socket.span()), "socket.create_connection");
  // sys.modules is dangerous merely named: it reaches every module.
  PickleBytes modules;
  modules.proto(2).global("sys", "modules").stop();
  expect_dangerous(scan_pickle(modules.span()), "sys.modules");
}

TEST(PickleSecurity, MarshalAndTypesFunction) {
  PickleBytes p;
  p.proto(2).global("types", "FunctionType").global("marshal", "loads").bytes("\xe3\x00").tuple1().reduce();
  p.empty_dict().tuple2().reduce().empty_tuple().reduce().stop();
  SecurityVerdict verdict = scan_pickle(p.span());
  expect_dangerous(verdict, "types.FunctionType");
  expect_dangerous(verdict, "marshal.loads");
}

TEST(PickleSecurity, DangerousGlobalHiddenAfterBenignContentInAFrame) {
  PickleBytes body;
  body.empty_dict().memoize().mark();
  for (int i = 0; i < 200; ++i) body.unicode("key" + std::to_string(i)).memoize().integer(i);
  body.setitems();
  body.unicode("payload").memoize().unicode("os").memoize().unicode("system").memoize().stack_global().memoize();
  body.unicode("id").memoize().tuple1().memoize().reduce().memoize().setitem().stop();
  PickleBytes p;
  p.proto(4).frame(body.text().size()).raw(body.text());
  SecurityVerdict verdict = scan_pickle(p.span());
  EXPECT_FALSE(verdict.read_error) << *verdict.read_error;
  expect_dangerous(verdict, "os.system");
  EXPECT_GT(find(verdict, "os.system")->global.offset, 1000u);
}

TEST(PickleSecurity, DangerousGlobalFollowedByGarbageIsStillDangerous) {
  PickleBytes p;
  p.proto(2).global("os", "system").unicode("id").tuple1().raw("\xff\xfe garbage");
  SecurityVerdict verdict = scan_pickle(p.span());
  ASSERT_TRUE(verdict.read_error);
  EXPECT_NE(verdict.read_error->find("unknown pickle opcode 0xff"), std::string::npos);
  expect_dangerous(verdict, "os.system");
}

TEST(PickleSecurity, DangerousGlobalPastAReadErrorIsFound) {
  // The reader stops at a limit Python does not have; the opcode scan goes on past it.
  PickleLimits limits;
  limits.max_nodes = 50;
  PickleBytes p;
  p.proto(4).empty_list();
  for (int i = 0; i < 100; ++i) p.empty_list().append();
  p.op('0').unicode("posix").unicode("system").stack_global().unicode("id").tuple1().reduce().stop();
  SecurityVerdict verdict = scan_pickle(p.span(), limits);
  ASSERT_TRUE(verdict.read_error);
  expect_dangerous(verdict, "posix.system");
  EXPECT_TRUE(find(verdict, "posix.system")->after_read_error);

  PickleBytes q;
  q.proto(2).op(0x82).op(1).global("os", "system").stop();
  SecurityVerdict after_ext = scan_pickle(q.span());
  ASSERT_TRUE(after_ext.read_error);
  expect_dangerous(after_ext, "os.system");
}

TEST(PickleSecurity, NamesFoundPastAnErrorAreValidText) {
  // Found by fuzzing: an unquoted STRING with a non-ASCII byte, then STACK_GLOBAL, made the scan
  // past the error cut a character in half, and the verdict's JSON threw on the invalid UTF-8.
  std::string crasher("S\x94\x00\n\x8c\x00\x93", 7);
  SecurityVerdict verdict = scan_pickle(as_bytes(crasher));
  EXPECT_NE(verdict.verdict, Safety::kSafe);
  EXPECT_NO_THROW((void)verdict.to_json().dump());
  PickleBytes quoted;
  quoted.proto(2).op(0xff).raw("S'\xc3\xa9'\n").unicode("x").stack_global().stop();
  EXPECT_NO_THROW((void)scan_pickle(quoted.span()).to_json().dump());
}

TEST(PickleSecurity, AttributeWalksThroughDottedNames) {
  PickleBytes walk;
  walk.proto(4).unicode("collections").unicode("OrderedDict.__init__.__globals__").stack_global().stop();
  expect_dangerous(scan_pickle(walk.span()), "collections.OrderedDict.__init__.__globals__");
  PickleBytes method;
  method.proto(4).unicode("pathlib").unicode("Path.write_text").stack_global().stop();
  expect_dangerous(scan_pickle(method.span()), "pathlib.Path.write_text");
  PickleBytes nested;
  nested.proto(4).unicode("mymodel").unicode("Outer.Inner").stack_global().empty_tuple().newobj().stop();
  SecurityVerdict verdict = scan_pickle(nested.span());
  EXPECT_EQ(verdict.verdict, Safety::kUnknown) << verdict.to_json().dump(2);
}

TEST(PickleSecurity, ModifyingAGlobalIsDangerous) {
  // BUILD on collections.OrderedDict itself (setattr on the class), not on an instance.
  PickleBytes p;
  p.proto(2).global("collections", "OrderedDict").none().empty_dict().unicode("__init__").none().setitem();
  p.tuple2().build().stop();
  SecurityVerdict verdict = scan_pickle(p.span());
  expect_dangerous(verdict, "collections.OrderedDict");
  EXPECT_TRUE(find(verdict, "collections.OrderedDict")->global.mutated);
}

TEST(PickleSecurity, HandMadeNamesAreDangerous) {
  expect_dangerous(scan_pickle(as_bytes("cos system\nx\n.")), "os system.x");
}

TEST(PickleSecurity, UnreadablePicklesAreUnknownNeverSafe) {
  SecurityVerdict garbage = scan_pickle(as_bytes("this is not a pickle"));
  EXPECT_EQ(garbage.verdict, Safety::kUnknown);
  ASSERT_TRUE(garbage.read_error);
  SecurityVerdict empty = scan_pickle(as_bytes(""));
  EXPECT_EQ(empty.verdict, Safety::kUnknown);
  // Benign globals, then a truncation: still not safe.
  PickleBytes p;
  p.proto(2).global("collections", "OrderedDict").empty_tuple().reduce();
  SecurityVerdict truncated = scan_pickle(p.span());
  EXPECT_EQ(truncated.verdict, Safety::kUnknown);
  EXPECT_EQ(find(truncated, "collections.OrderedDict")->safety, Safety::kSafe);
}

TEST(PickleSecurity, PlainDataWithoutGlobalsIsSafe) {
  PickleBytes p;
  p.proto(2).empty_dict().unicode("a").integer(1).setitem().stop();
  SecurityVerdict verdict = scan_pickle(p.span());
  EXPECT_EQ(verdict.verdict, Safety::kSafe);
  EXPECT_TRUE(verdict.globals.empty());
  EXPECT_EQ(verdict.bytes_consumed, p.text().size());
  nlohmann::json shown = verdict.to_json();
  EXPECT_EQ(shown["verdict"], "safe");
  EXPECT_TRUE(shown["read_error"].is_null());
}

TEST(PickleSecurity, EveryGeneratedCheckpointGetsItsExpectedVerdict) {
  for (const nlohmann::json& entry : testing::pickle_manifest()) {
    std::string name = entry["name"];
    SCOPED_TRACE(name);
    bool legacy = entry["format"] == "legacy";
    std::string file = testing::read_file(testing::pickle_fixtures() / (name + (legacy ? ".pt" : ".pkl")));
    std::span<const std::uint8_t> rest = as_bytes(file);
    // Legacy files: every one of the five pickles is judged; the worst verdict counts.
    Safety worst = Safety::kSafe;
    for (int i = 0; i < (legacy ? 5 : 1); ++i) {
      SecurityVerdict verdict = scan_pickle(rest);
      ASSERT_FALSE(verdict.read_error) << *verdict.read_error;
      for (const GlobalFinding& finding : verdict.globals) {
        EXPECT_NE(finding.safety, Safety::kDangerous) << finding.reason;
      }
      worst = std::max(worst, verdict.verdict);
      rest = rest.subspan(verdict.bytes_consumed);
    }
    EXPECT_EQ(safety_name(worst), entry["verdict"].get<std::string>());
  }

  // The one unknown is the user's class, with a reason saying so.
  std::string file = testing::read_file(testing::pickle_fixtures() / "zip_user_class.pkl");
  SecurityVerdict verdict = scan_pickle(as_bytes(file));
  const GlobalFinding* config = find(verdict, "__main__.Config");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->safety, Safety::kUnknown);
  EXPECT_EQ(verdict.count(Safety::kUnknown), 1u);
  EXPECT_NE(config->reason.find("not on trainctl's allowlist"), std::string::npos);
}

TEST(PickleSecurity, RuleTable) {
  struct Case {
    const char* module;
    const char* name;
    Safety expected;
  };
  const Case cases[] = {
      {"os", "system", Safety::kDangerous},
      {"os.path", "join", Safety::kDangerous},
      {"posix", "system", Safety::kDangerous},
      {"subprocess", "check_output", Safety::kDangerous},
      {"builtins", "getattr", Safety::kDangerous},
      {"builtins", "open", Safety::kDangerous},
      {"builtins", "compile", Safety::kDangerous},
      {"__builtin__", "__import__", Safety::kDangerous},
      {"__builtin__", "reduce", Safety::kDangerous},      // Python 3 loads it as functools.reduce
      {"__builtin__", "intern", Safety::kDangerous},      // ... as sys.intern
      {"operator", "attrgetter", Safety::kDangerous},
      {"operator", "methodcaller", Safety::kDangerous},
      {"operator", "itemgetter", Safety::kDangerous},
      {"numpy", "load", Safety::kDangerous},
      {"numpy.testing._private.utils", "runstring", Safety::kDangerous},
      {"yaml", "unsafe_load", Safety::kDangerous},
      {"joblib", "load", Safety::kDangerous},
      {"pandas", "read_pickle", Safety::kDangerous},
      {"dill._dill", "_create_function", Safety::kDangerous},
      {"torch.jit", "load", Safety::kDangerous},
      {"torch.hub", "load", Safety::kDangerous},
      {"torch.serialization", "load", Safety::kDangerous},
      {"torch._C", "_load_for_lite_interpreter", Safety::kDangerous},
      {"ctypes", "CDLL", Safety::kDangerous},
      {"asyncio.subprocess", "create_subprocess_shell", Safety::kDangerous},
      {"urllib.request", "urlopen", Safety::kDangerous},
      {"copyreg", "add_extension", Safety::kDangerous},
      {"collections", "OrderedDict", Safety::kSafe},
      {"__builtin__", "set", Safety::kSafe},
      {"copy_reg", "_reconstructor", Safety::kSafe},
      {"torch._utils", "_rebuild_tensor_v2", Safety::kSafe},
      {"torch", "BFloat16Storage", Safety::kSafe},
      {"torch.serialization", "_get_layout", Safety::kSafe},
      {"torch.nn.modules.linear", "Linear", Safety::kSafe},
      {"torch.nn.modules.module", "register_module_forward_hook", Safety::kUnknown},
      {"numpy.core.multiarray", "scalar", Safety::kSafe},
      {"argparse", "Namespace", Safety::kSafe},
      {"pathlib", "PosixPath", Safety::kSafe},
      {"io", "BytesIO", Safety::kUnknown},
      {"builtins", "type", Safety::kUnknown},
      {"__main__", "Net", Safety::kUnknown},
      {"transformers.training_args", "TrainingArguments", Safety::kUnknown},
  };
  for (const Case& c : cases) {
    GlobalClassification got = classify_global(c.module, c.name);
    EXPECT_EQ(safety_name(got.safety), safety_name(c.expected)) << c.module << "." << c.name << ": " << got.reason;
  }
  for (const GlobalRule& rule : global_rules()) {
    EXPECT_FALSE(rule.rationale.empty()) << rule.module << "." << rule.name;
  }
}

}  // namespace
}  // namespace trainctl::checkpoint
