#include "checkpoint/pickle_security_rules.h"

#include <fmt/format.h>

#include "checkpoint/pickle_callables.h"
#include "checkpoint/pickle_names.h"

namespace trainctl::checkpoint {
namespace {

constexpr Safety kSafe = Safety::kSafe;
constexpr Safety kDangerous = Safety::kDangerous;
constexpr bool kTree = true;
constexpr bool kExact = false;

// clang-format off
constexpr GlobalRule kRules[] = {
    // --- Dangerous: running code, processes, files, network, or the pickle machinery itself.
    {"os", kTree, "*", kDangerous, "runs commands and changes files (os.system, os.remove)"},
    {"posix", kTree, "*", kDangerous, "the os module's POSIX implementation (posix.system)"},
    {"nt", kTree, "*", kDangerous, "the os module's Windows implementation (nt.system)"},
    {"subprocess", kTree, "*", kDangerous, "runs programs"},
    {"_posixsubprocess", kTree, "*", kDangerous, "runs programs"},
    {"pty", kTree, "*", kDangerous, "spawns processes on a terminal"},
    {"sys", kTree, "*", kDangerous, "interpreter internals: sys.modules reaches every loaded module"},
    {"runpy", kTree, "*", kDangerous, "runs modules and code objects (runpy._run_code)"},
    {"importlib", kTree, "*", kDangerous, "imports any module by name"},
    {"imp", kTree, "*", kDangerous, "imports any module by name"},
    {"zipimport", kTree, "*", kDangerous, "imports code from archives"},
    {"pkgutil", kTree, "*", kDangerous, "resolves and imports any name (pkgutil.resolve_name)"},
    {"site", kTree, "*", kDangerous, "processes .pth files, which run code"},
    {"code", kTree, "*", kDangerous, "compiles and runs Python source"},
    {"codeop", kTree, "*", kDangerous, "compiles Python source"},
    {"timeit", kTree, "*", kDangerous, "runs Python source given as a string"},
    {"pdb", kTree, "*", kDangerous, "runs Python source (pdb.run)"},
    {"bdb", kTree, "*", kDangerous, "runs Python source"},
    {"profile", kTree, "*", kDangerous, "runs Python source (profile.run)"},
    {"cProfile", kTree, "*", kDangerous, "runs Python source (cProfile.run)"},
    {"trace", kTree, "*", kDangerous, "runs Python source"},
    {"doctest", kTree, "*", kDangerous, "runs Python source found in strings"},
    {"pydoc", kTree, "*", kDangerous, "imports modules and starts pagers"},
    {"marshal", kTree, "*", kDangerous, "loads code objects (marshal.loads)"},
    {"types", kTree, "*", kDangerous, "builds functions from code objects (types.FunctionType)"},
    {"pickle", kTree, "*", kDangerous, "nested unpickling: a pickle inside the pickle escapes this scan"},
    {"_pickle", kTree, "*", kDangerous, "nested unpickling"},
    {"cPickle", kTree, "*", kDangerous, "nested unpickling"},
    {"shelve", kTree, "*", kDangerous, "opens files and unpickles their contents"},
    {"dill", kTree, "*", kDangerous, "unpickles functions and code"},
    {"cloudpickle", kTree, "*", kDangerous, "unpickles functions and code"},
    {"joblib", kTree, "*", kDangerous, "joblib.load unpickles files; Parallel runs callables"},
    {"copyreg", kExact, "add_extension", kDangerous, "changes the extension registry later opcodes read"},
    {"copyreg", kExact, "pickle", kDangerous, "changes how objects pickle"},
    {"copyreg", kExact, "constructor", kDangerous, "registers constructors"},
    {"socket", kTree, "*", kDangerous, "opens network connections (socket.create_connection)"},
    {"_socket", kTree, "*", kDangerous, "opens network connections"},
    {"ssl", kTree, "*", kDangerous, "opens network connections"},
    {"socketserver", kTree, "*", kDangerous, "serves network connections"},
    {"http", kTree, "*", kDangerous, "network access"},
    {"urllib", kTree, "*", kDangerous, "network and file access (urllib.request.urlopen)"},
    {"urllib2", kTree, "*", kDangerous, "network access"},
    {"httplib", kTree, "*", kDangerous, "network access"},
    {"requests", kTree, "*", kDangerous, "network access"},
    {"httpx", kTree, "*", kDangerous, "network access"},
    {"aiohttp", kTree, "*", kDangerous, "network access"},
    {"ftplib", kTree, "*", kDangerous, "network access"},
    {"smtplib", kTree, "*", kDangerous, "sends mail"},
    {"telnetlib", kTree, "*", kDangerous, "network access"},
    {"poplib", kTree, "*", kDangerous, "network access"},
    {"imaplib", kTree, "*", kDangerous, "network access"},
    {"nntplib", kTree, "*", kDangerous, "network access"},
    {"xmlrpc", kTree, "*", kDangerous, "remote procedure calls"},
    {"webbrowser", kTree, "*", kDangerous, "launches a browser on a URL (webbrowser.open)"},
    {"asyncio", kTree, "*", kDangerous, "runs subprocesses and network I/O (asyncio.create_subprocess_shell)"},
    {"multiprocessing", kTree, "*", kDangerous, "starts processes"},
    {"_multiprocessing", kTree, "*", kDangerous, "starts processes"},
    {"concurrent", kTree, "*", kDangerous, "runs callables in other processes or threads"},
    {"_thread", kTree, "*", kDangerous, "starts threads running any callable"},
    {"threading", kTree, "*", kDangerous, "starts threads running any callable"},
    {"signal", kTree, "*", kDangerous, "sends and handles signals"},
    {"shutil", kTree, "*", kDangerous, "copies and deletes file trees (shutil.rmtree)"},
    {"tempfile", kTree, "*", kDangerous, "creates files"},
    {"io", kExact, "open", kDangerous, "opens files"},
    {"io", kExact, "open_code", kDangerous, "opens files"},
    {"io", kExact, "FileIO", kDangerous, "opens files"},
    {"_io", kTree, "*", kDangerous, "opens files (_io.open, _io.FileIO)"},
    {"codecs", kExact, "open", kDangerous, "opens files"},
    {"ctypes", kTree, "*", kDangerous, "calls native code and reads memory"},
    {"_ctypes", kTree, "*", kDangerous, "calls native code and reads memory"},
    {"cffi", kTree, "*", kDangerous, "calls native code"},
    {"gc", kTree, "*", kDangerous, "reaches every live object (gc.get_objects)"},
    {"pip", kTree, "*", kDangerous, "installs packages (pip.main)"},
    {"ensurepip", kTree, "*", kDangerous, "installs packages"},
    {"setuptools", kTree, "*", kDangerous, "runs setup scripts"},
    {"distutils", kTree, "*", kDangerous, "runs setup scripts and compilers"},
    {"functools", kTree, "*", kDangerous, "wraps or applies any callable (functools.partial, reduce)"},
    {"operator", kTree, "*", kDangerous, "reaches or invokes arbitrary attributes (attrgetter, methodcaller, call)"},
    {"_operator", kTree, "*", kDangerous, "reaches or invokes arbitrary attributes"},
    {"builtins", kExact, "eval", kDangerous, "runs Python source"},
    {"builtins", kExact, "exec", kDangerous, "runs Python source"},
    {"builtins", kExact, "execfile", kDangerous, "runs a Python file (Python 2)"},
    {"builtins", kExact, "compile", kDangerous, "compiles Python source into code"},
    {"builtins", kExact, "getattr", kDangerous, "reaches any attribute, e.g. a module's os.system"},
    {"builtins", kExact, "setattr", kDangerous, "changes any attribute (monkey-patching)"},
    {"builtins", kExact, "delattr", kDangerous, "removes attributes"},
    {"builtins", kExact, "__import__", kDangerous, "imports any module"},
    {"builtins", kExact, "reload", kDangerous, "re-runs a module (Python 2)"},
    {"builtins", kExact, "apply", kDangerous, "calls any callable (Python 2)"},
    {"builtins", kExact, "open", kDangerous, "opens files"},
    {"builtins", kExact, "file", kDangerous, "opens files (Python 2)"},
    {"builtins", kExact, "input", kDangerous, "reads the terminal"},
    {"builtins", kExact, "raw_input", kDangerous, "reads the terminal (Python 2)"},
    {"builtins", kExact, "breakpoint", kDangerous, "starts a debugger"},
    {"builtins", kExact, "help", kDangerous, "imports modules and starts a pager"},
    {"builtins", kExact, "exit", kDangerous, "ends the process"},
    {"builtins", kExact, "quit", kDangerous, "ends the process"},
    {"builtins", kExact, "globals", kDangerous, "reaches module globals"},
    {"builtins", kExact, "locals", kDangerous, "reaches local variables"},
    {"builtins", kExact, "vars", kDangerous, "reaches any object's attributes"},
    {"builtins", kExact, "__build_class__", kDangerous, "builds classes at load time"},
    // builtins.type stays unknown, not dangerous: Python pickles type(None) as type(None), so
    // benign data can name it, and type(name, bases, dict) only combines values judged on their own.
    {"torch", kExact, "load", kDangerous, "nested torch.load: a pickle inside the pickle escapes this scan"},
    {"torch.serialization", kTree, "*", kDangerous, "home of torch.load and its nested loaders"},
    {"torch.storage", kExact, "_load_from_bytes", kDangerous, "calls torch.load on embedded bytes"},
    {"torch.hub", kTree, "*", kDangerous, "downloads and runs hubconf.py"},
    {"torch.jit", kTree, "*", kDangerous, "loads and runs TorchScript (torch.jit.load)"},
    {"torch._C", kTree, "*", kDangerous, "native bindings, including TorchScript and file I/O"},
    {"torch.ops", kTree, "*", kDangerous, "calls any registered operator"},
    {"torch._ops", kTree, "*", kDangerous, "calls any registered operator"},
    {"torch.package", kTree, "*", kDangerous, "imports code stored in packages"},
    {"torch.fx", kTree, "*", kDangerous, "GraphModules are rebuilt by exec'ing generated Python"},
    {"torch._dynamo", kTree, "*", kDangerous, "compiles and runs generated code"},
    {"torch._inductor", kTree, "*", kDangerous, "compiles and runs generated code"},
    {"torch.utils.cpp_extension", kTree, "*", kDangerous, "compiles and loads native code"},
    {"torch.distributed", kTree, "*", kDangerous, "remote calls and network access"},
    {"torch.multiprocessing", kTree, "*", kDangerous, "starts processes"},
    {"numpy", kExact, "load", kDangerous, "numpy.load unpickles object arrays"},
    {"numpy", kExact, "loads", kDangerous, "pickle.loads under another name (old numpy)"},
    {"numpy", kExact, "fromfile", kDangerous, "reads files"},
    {"numpy", kExact, "memmap", kDangerous, "maps files"},
    {"numpy", kExact, "loadtxt", kDangerous, "reads files"},
    {"numpy", kExact, "genfromtxt", kDangerous, "reads files and URLs"},
    {"numpy", kExact, "save", kDangerous, "writes files"},
    {"numpy", kExact, "savez", kDangerous, "writes files"},
    {"numpy", kExact, "savez_compressed", kDangerous, "writes files"},
    {"numpy", kExact, "savetxt", kDangerous, "writes files"},
    {"numpy.lib.npyio", kTree, "*", kDangerous, "numpy's file readers, which unpickle"},
    {"numpy.lib.format", kTree, "*", kDangerous, "reads .npy data, which may unpickle"},
    {"numpy.testing", kTree, "*", kDangerous, "runs code strings (numpy.testing runstring)"},
    {"numpy.distutils", kTree, "*", kDangerous, "runs compilers"},
    {"numpy.f2py", kTree, "*", kDangerous, "compiles and imports extensions"},
    {"numpy.ctypeslib", kTree, "*", kDangerous, "loads native libraries"},
    {"pandas", kExact, "read_*", kDangerous, "pandas readers open files and URLs; read_pickle unpickles"},
    {"pandas.io", kTree, "*", kDangerous, "pandas readers open files and URLs; read_pickle unpickles"},
    {"yaml", kExact, "load", kDangerous, "YAML tags can build any Python object"},
    {"yaml", kExact, "load_all", kDangerous, "YAML tags can build any Python object"},
    {"yaml", kExact, "unsafe_load", kDangerous, "YAML tags can build any Python object"},
    {"yaml", kExact, "unsafe_load_all", kDangerous, "YAML tags can build any Python object"},
    {"yaml", kExact, "full_load", kDangerous, "YAML tags can build many Python objects"},
    {"yaml", kExact, "full_load_all", kDangerous, "YAML tags can build many Python objects"},

    // --- Safe: modelled by the reader, or inert containers and values.
    {"builtins", kExact, "dict", kSafe, "container"},
    {"builtins", kExact, "list", kSafe, "container"},
    {"builtins", kExact, "tuple", kSafe, "container"},
    {"builtins", kExact, "set", kSafe, "container"},
    {"builtins", kExact, "frozenset", kSafe, "container"},
    {"builtins", kExact, "bytes", kSafe, "value"},
    {"builtins", kExact, "bytearray", kSafe, "value"},
    {"builtins", kExact, "str", kSafe, "value"},
    {"builtins", kExact, "int", kSafe, "value"},
    {"builtins", kExact, "float", kSafe, "value"},
    {"builtins", kExact, "complex", kSafe, "value"},
    {"builtins", kExact, "bool", kSafe, "value"},
    {"builtins", kExact, "slice", kSafe, "value"},
    {"builtins", kExact, "range", kSafe, "value"},
    {"builtins", kExact, "object", kSafe, "the base class copyreg._reconstructor names"},
    {"builtins", kExact, "Ellipsis", kSafe, "value"},
    {"builtins", kExact, "NotImplemented", kSafe, "value"},
    {"collections", kExact, "OrderedDict", kSafe, "container (state_dict)"},
    {"collections", kExact, "defaultdict", kSafe, "container; its factory is judged as its own global"},
    {"collections", kExact, "Counter", kSafe, "container"},
    {"collections", kExact, "deque", kSafe, "container"},
    {"copyreg", kExact, "_reconstructor", kSafe, "makes an instance of a class judged as its own global"},
    {"copyreg", kExact, "__newobj__", kSafe, "makes an instance of a class judged as its own global"},
    {"copyreg", kExact, "__newobj_ex__", kSafe, "makes an instance of a class judged as its own global"},
    {"_codecs", kExact, "encode", kSafe, "how protocols 0-2 write bytes"},
    {"codecs", kExact, "encode", kSafe, "text encoding"},
    {"argparse", kExact, "Namespace", kSafe, "attribute bag for command-line arguments"},
    {"pathlib", kExact, "Path", kSafe, "path value; touches no file"},
    {"pathlib", kExact, "PosixPath", kSafe, "path value; touches no file"},
    {"pathlib", kExact, "WindowsPath", kSafe, "path value; touches no file"},
    {"pathlib", kExact, "PurePath", kSafe, "path value"},
    {"pathlib", kExact, "PurePosixPath", kSafe, "path value"},
    {"pathlib", kExact, "PureWindowsPath", kSafe, "path value"},
    {"datetime", kExact, "datetime", kSafe, "value"},
    {"datetime", kExact, "date", kSafe, "value"},
    {"datetime", kExact, "time", kSafe, "value"},
    {"datetime", kExact, "timedelta", kSafe, "value"},
    {"datetime", kExact, "timezone", kSafe, "value"},
    {"decimal", kExact, "Decimal", kSafe, "value"},
    {"fractions", kExact, "Fraction", kSafe, "value"},
    {"uuid", kExact, "UUID", kSafe, "value"},
    {"typing", kExact, "Any", kSafe, "type annotation omegaconf stores"},
    {"torch._utils", kExact, "_rebuild_tensor", kSafe, "tensor from a storage (modelled)"},
    {"torch._utils", kExact, "_rebuild_tensor_v2", kSafe, "tensor from a storage (modelled)"},
    {"torch._utils", kExact, "_rebuild_tensor_v3", kSafe, "tensor from an untyped storage (modelled)"},
    {"torch._utils", kExact, "_rebuild_parameter", kSafe, "nn.Parameter (modelled)"},
    {"torch._utils", kExact, "_rebuild_parameter_with_state", kSafe, "nn.Parameter with attributes (modelled)"},
    {"torch._utils", kExact, "_rebuild_qtensor", kSafe, "quantized tensor (modelled)"},
    {"torch._utils", kExact, "_rebuild_sparse_tensor", kSafe, "sparse tensor from tensors"},
    {"torch._utils", kExact, "_rebuild_sparse_csr_tensor", kSafe, "sparse tensor from tensors"},
    {"torch._utils", kExact, "_rebuild_device_tensor_from_numpy", kSafe, "tensor from a numpy array"},
    {"torch._utils", kExact, "_rebuild_xla_tensor", kSafe, "tensor from a numpy array"},
    {"torch._utils", kExact, "_rebuild_meta_tensor_no_storage", kSafe, "meta tensor without data (modelled)"},
    {"torch._utils", kExact, "_rebuild_wrapper_subclass", kSafe, "tensor subclass shell (modelled)"},
    {"torch._utils", kExact, "_rebuild_nested_tensor", kSafe, "nested tensor from tensors"},
    {"torch._tensor", kExact, "_rebuild_from_type_v2", kSafe, "tensor subclass; the subclass is judged as its own global"},
    {"torch._tensor", kExact, "_rebuild_from_type", kSafe, "tensor subclass; the subclass is judged as its own global"},
    {"torch._tensor", kExact, "Tensor", kSafe, "the tensor class"},
    {"torch", kExact, "Tensor", kSafe, "the tensor class"},
    {"torch.nn.parameter", kExact, "Parameter", kSafe, "nn.Parameter (modelled)"},
    {"torch", kExact, "Size", kSafe, "shape tuple (modelled)"},
    {"torch.torch_version", kExact, "TorchVersion", kSafe, "a str subclass: torch.__version__ as saved by training scripts"},
    {"torch", kExact, "device", kSafe, "device name (modelled)"},
    {"torch", kExact, "*Storage", kSafe, "storage type named by a persistent id"},
    {"torch.cuda", kExact, "*Storage", kSafe, "storage type named by a persistent id"},
    {"torch.storage", kExact, "UntypedStorage", kSafe, "storage type named by a persistent id"},
    {"torch.storage", kExact, "TypedStorage", kSafe, "storage type named by a persistent id"},
    {"torch.storage", kExact, "_UntypedStorage", kSafe, "storage type named by a persistent id"},
    {"torch.serialization", kExact, "_get_layout", kSafe, "how torch.layout values pickle (modelled)"},
    {"torch.nn.modules", kTree, "<Class>", kSafe, "nn.Module classes: unpickling only restores attributes"},
    {"torch.optim", kTree, "<Class>", kSafe, "optimizer and scheduler classes: unpickling only restores attributes"},
    {"numpy", kExact, "ndarray", kSafe, "array class"},
    {"numpy", kExact, "dtype", kSafe, "array element type"},
    {"numpy.dtypes", kExact, "<Class>", kSafe, "array element type classes (numpy 1.25+)"},
    {"numpy.core.multiarray", kExact, "_reconstruct", kSafe, "empty array that BUILD fills"},
    {"numpy.core.multiarray", kExact, "scalar", kSafe, "numpy scalar (modelled)"},
    {"numpy._core.multiarray", kExact, "_reconstruct", kSafe, "empty array that BUILD fills"},
    {"numpy._core.multiarray", kExact, "scalar", kSafe, "numpy scalar (modelled)"},
    {"numpy.core.numeric", kExact, "_frombuffer", kSafe, "array from bytes (protocol 5)"},
    {"numpy._core.numeric", kExact, "_frombuffer", kSafe, "array from bytes (protocol 5)"},
    {"numpy.random._pickle", kExact, "__randomstate_ctor", kSafe, "random generator state"},
    {"numpy.random._pickle", kExact, "__bit_generator_ctor", kSafe, "random generator state"},
    {"numpy.random._pickle", kExact, "__generator_ctor", kSafe, "random generator state"},
    {"omegaconf.dictconfig", kExact, "DictConfig", kSafe, "config container; unpickling restores attributes"},
    {"omegaconf.listconfig", kExact, "ListConfig", kSafe, "config container; unpickling restores attributes"},
    {"omegaconf.base", kExact, "ContainerMetadata", kSafe, "config metadata"},
    {"omegaconf.base", kExact, "Metadata", kSafe, "config metadata"},
    {"omegaconf.nodes", kExact, "<Class>", kSafe, "config value nodes"},
    {"pytorch_lightning.utilities.parsing", kExact, "AttributeDict", kSafe, "dict of hyperparameters"},
    {"lightning.pytorch.utilities.parsing", kExact, "AttributeDict", kSafe, "dict of hyperparameters"},
    {"lightning_fabric.utilities.data", kExact, "AttributeDict", kSafe, "dict of hyperparameters"},
    {"lightning.fabric.utilities.data", kExact, "AttributeDict", kSafe, "dict of hyperparameters"},
};
// clang-format on

bool module_matches(const GlobalRule& rule, std::string_view module) {
  if (module == rule.module) return true;
  return rule.module_tree && module.size() > rule.module.size() && module.substr(0, rule.module.size()) == rule.module &&
         module[rule.module.size()] == '.';
}

// 0: no match; higher: more specific.
int name_match(const GlobalRule& rule, std::string_view name) {
  if (rule.name == "*") return 1;
  if (rule.name == "<Class>") return !name.empty() && name[0] >= 'A' && name[0] <= 'Z' && name.find('.') == name.npos ? 2 : 0;
  if (rule.name.size() > 1 && rule.name.front() == '*') {
    std::string_view suffix = rule.name.substr(1);
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix ? 2 : 0;
  }
  if (rule.name.size() > 1 && rule.name.back() == '*') {
    std::string_view prefix = rule.name.substr(0, rule.name.size() - 1);
    return name.substr(0, prefix.size()) == prefix ? 2 : 0;
  }
  return rule.name == name ? 3 : 0;
}

const GlobalRule* best_rule(std::string_view module, std::string_view name) {
  const GlobalRule* best = nullptr;
  int best_score = 0;
  for (const GlobalRule& rule : kRules) {
    if (!module_matches(rule, module)) continue;
    int by_name = name_match(rule, name);
    if (by_name == 0) continue;
    int score = (module == rule.module ? 10 : 0) + by_name;
    if (score > best_score || (score == best_score && rule.safety == Safety::kDangerous)) {
      best = &rule;
      best_score = score;
    }
  }
  return best;
}

bool is_dunder(std::string_view part) {
  return part.size() > 4 && part.substr(0, 2) == "__" && part.substr(part.size() - 2) == "__";
}

GlobalClassification classify_python3(std::string_view module, std::string_view name) {
  const std::string qualified = fmt::format("{}.{}", module, name);
  if (name.find('.') != std::string_view::npos) {
    // Protocol 4 resolves a dotted name by getattr from the module: only nested classes are
    // ordinary; through a dunder or a lowercase part it reaches functions, modules or internals.
    std::size_t start = 0;
    while (start <= name.size()) {
      std::size_t end = name.find('.', start);
      std::string_view part = name.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
      if (is_dunder(part)) {
        return {Safety::kDangerous, fmt::format("{} walks through the special attribute {} at load time", qualified, part)};
      }
      if (part.empty() || part[0] < 'A' || part[0] > 'Z') {
        return {Safety::kDangerous,
                fmt::format("{} walks attributes through '{}' at load time, which can reach any function or module",
                            qualified, part)};
      }
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
  }
  // torch.float16, torch.strided, torch.per_tensor_affine: constants the reader models as strings.
  if (model_global_constant(module, name)) {
    return {Safety::kSafe, fmt::format("{}: torch dtype/layout/quantization constant", qualified)};
  }
  if (const GlobalRule* rule = best_rule(module, name)) {
    return {rule->safety, fmt::format("{}: {}", qualified, rule->rationale)};
  }
  return {Safety::kUnknown, fmt::format("{} is not on trainctl's allowlist; loading it imports and runs its module", qualified)};
}

}  // namespace

std::string_view safety_name(Safety safety) {
  switch (safety) {
    case Safety::kSafe: return "safe";
    case Safety::kUnknown: return "unknown";
    case Safety::kDangerous: return "dangerous";
  }
  return "unknown";
}

std::span<const GlobalRule> global_rules() { return kRules; }

GlobalClassification classify_global(std::string_view module, std::string_view name) {
  if (!is_dotted_identifier(module) || !is_dotted_identifier(name)) {
    return {Safety::kDangerous,
            fmt::format("'{}' '{}' is not a plain dotted Python name: a hand-made pickle", module, name)};
  }
  GlobalClassification given = classify_python3(module, name);
  auto [module3, name3] = python3_global(module, name);
  if (module3 == module && name3 == name) return given;
  GlobalClassification mapped = classify_python3(module3, name3);
  if (given.safety == Safety::kDangerous) return given;
  if (mapped.safety != Safety::kUnknown || given.safety == Safety::kUnknown) {
    mapped.reason = fmt::format("{} (Python 3 loads {}.{} as {}.{})", mapped.reason, module, name, module3, name3);
  }
  return mapped;
}

}  // namespace trainctl::checkpoint
