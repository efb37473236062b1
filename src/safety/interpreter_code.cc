#include "safety/interpreter_code.h"

#include <algorithm>
#include <set>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace trainctl::safety {
namespace {

bool ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// `name` appears with identifier boundaries on both sides (dots inside `name` are literal).
bool has_word(std::string_view code, std::string_view name) {
  for (std::size_t at = code.find(name); at != std::string_view::npos; at = code.find(name, at + 1)) {
    bool left = at == 0 || !ident_char(code[at - 1]);
    std::size_t end = at + name.size();
    bool right = end >= code.size() || !ident_char(code[end]);
    if (left && right) return true;
  }
  return false;
}

// `name(` with an identifier boundary before the name; spaces allowed before the parenthesis.
std::size_t find_call(std::string_view code, std::string_view name, std::size_t from = 0) {
  for (std::size_t at = code.find(name, from); at != std::string_view::npos; at = code.find(name, at + 1)) {
    if (at > 0 && ident_char(code[at - 1])) continue;
    std::size_t end = at + name.size();
    while (end < code.size() && (code[end] == ' ' || code[end] == '\t')) ++end;
    if (end < code.size() && code[end] == '(') return at;
  }
  return std::string_view::npos;
}

bool has_call(std::string_view code, std::string_view name) { return find_call(code, name) != std::string_view::npos; }

// A call of a free function, not a method: model.eval() and re.compile() are not eval/compile.
bool has_bare_call(std::string_view code, std::string_view name) {
  for (std::size_t at = find_call(code, name); at != std::string_view::npos; at = find_call(code, name, at + 1)) {
    std::size_t before = at;
    while (before > 0 && (code[before - 1] == ' ' || code[before - 1] == '\t')) --before;
    if (before == 0 || code[before - 1] != '.') return true;
  }
  return false;
}

// The argument text of a call starting at `at` (up to the matching parenthesis, bounded).
std::string_view call_args(std::string_view code, std::size_t at) {
  std::size_t open = code.find('(', at);
  if (open == std::string_view::npos) return {};
  int depth = 0;
  for (std::size_t i = open; i < code.size() && i < open + 4096; ++i) {
    if (code[i] == '(') ++depth;
    if (code[i] == ')' && --depth == 0) return code.substr(open + 1, i - open - 1);
  }
  return code.substr(open + 1);
}

// Whether some open(...) call is given a mode that writes ('w', 'a', 'x', '+').
bool opens_for_writing(std::string_view code, std::initializer_list<std::string_view> openers) {
  for (auto opener : openers) {
    for (std::size_t at = find_call(code, opener); at != std::string_view::npos; at = find_call(code, opener, at + 1)) {
      std::string_view args = call_args(code, at);
      // Any short string literal made only of mode letters, with a writing letter in it.
      for (std::size_t q = 0; q < args.size(); ++q) {
        char quote = args[q];
        if (quote != '\'' && quote != '"') continue;
        std::size_t close = args.find(quote, q + 1);
        if (close == std::string_view::npos) break;
        std::string_view literal = args.substr(q + 1, close - q - 1);
        bool mode = !literal.empty() && literal.size() <= 4 &&
                    std::all_of(literal.begin(), literal.end(), [](char c) { return std::string_view("rwxabt+U").find(c) != std::string_view::npos; });
        if (mode && literal.find_first_of("wxa+") != std::string_view::npos) return true;
        q = close;
      }
      if (args.find("O_WRONLY") != std::string_view::npos || args.find("O_RDWR") != std::string_view::npos ||
          args.find("O_CREAT") != std::string_view::npos || args.find("O_TRUNC") != std::string_view::npos) {
        return true;
      }
    }
  }
  return false;
}

struct Finding {
  Verdict verdict;
  std::string what;
};

void deny_if_call(std::string_view code, std::initializer_list<std::string_view> calls, std::string_view what,
                  std::vector<Finding>& out) {
  for (auto c : calls) {
    if (has_call(code, c)) out.push_back({Verdict::kDeny, fmt::format("{} ({})", what, c)});
  }
}

void deny_if_word(std::string_view code, std::initializer_list<std::string_view> words, std::string_view what,
                  std::vector<Finding>& out) {
  for (auto w : words) {
    if (has_word(code, w)) out.push_back({Verdict::kDeny, fmt::format("{} ({})", what, w)});
  }
}

void confirm_if(std::string_view code, std::initializer_list<std::string_view> words, std::string_view what,
                std::vector<Finding>& out) {
  for (auto w : words) {
    if (has_word(code, w) || has_call(code, w)) out.push_back({Verdict::kConfirm, fmt::format("{} ({})", what, w)});
  }
}

// Python modules whose import alone is harmless and whose common use in one-liners only reads.
const std::set<std::string, std::less<>>& python_read_only_modules() {
  static const std::set<std::string, std::less<>> kModules = {
      "torch", "numpy", "sys", "platform", "json", "math", "os", "transformers", "accelerate", "datasets",
      "tokenizers", "deepspeed", "flash_attn", "triton", "bitsandbytes", "peft", "safetensors", "tensorflow",
      "jax", "jaxlib", "sklearn", "scipy", "pandas", "yaml", "pprint", "collections", "itertools", "functools",
      "re", "time", "datetime", "random", "statistics", "pathlib", "glob", "typing", "dataclasses", "sysconfig",
      "multiprocessing", "psutil", "GPUtil", "pynvml", "torchvision", "torchaudio", "timm", "lightning",
      "pytorch_lightning", "tqdm", "einops", "xformers", "apex", "site", "warnings", "logging", "textwrap",
      "string", "struct", "hashlib", "csv", "io", "gc", "resource", "locale", "shutil", "cv2", "PIL", "onnx",
      "onnxruntime", "sentencepiece", "tiktoken", "evaluate", "trl", "vllm", "nltk", "spacy", "matplotlib",
      "seaborn", "h5py", "zarr", "pyarrow", "socket", "getpass", "ctypes", "importlib", "pkg_resources", "wandb",
      "mlflow", "tensorboard", "omegaconf", "hydra", "fire", "absl", "keras", "cupy", "numba", "mpi4py",
      "nvidia", "packaging", "importlib_metadata", "distutils", "setuptools", "pip", "sentence_transformers",
      "huggingface_hub", "torchmetrics", "torchtext", "fairscale", "megatron", "colossalai", "opacus",
  };
  return kModules;
}

// The top-level modules imported by `import a, b.c as d` and `from a.b import c`.
std::vector<std::string> python_imports(std::string_view code) {
  std::vector<std::string> modules;
  std::size_t i = 0;
  while (i < code.size()) {
    std::size_t end = code.find_first_of(";\n", i);
    if (end == std::string_view::npos) end = code.size();
    std::string_view statement = code.substr(i, end - i);
    std::size_t s = statement.find_first_not_of(" \t");
    if (s != std::string_view::npos) statement = statement.substr(s);
    auto first_module = [](std::string_view text) {
      std::size_t n = 0;
      while (n < text.size() && (ident_char(text[n]) || text[n] == '.')) ++n;
      std::string_view dotted = text.substr(0, n);
      return std::string(dotted.substr(0, dotted.find('.')));
    };
    if (statement.rfind("import ", 0) == 0) {
      std::string_view rest = statement.substr(7);
      std::size_t p = 0;
      while (p < rest.size()) {
        std::size_t comma = rest.find(',', p);
        std::string_view piece = rest.substr(p, comma == std::string_view::npos ? std::string_view::npos : comma - p);
        std::size_t ws = piece.find_first_not_of(" \t(");
        if (ws != std::string_view::npos) modules.push_back(first_module(piece.substr(ws)));
        if (comma == std::string_view::npos) break;
        p = comma + 1;
      }
    } else if (statement.rfind("from ", 0) == 0) {
      std::string_view rest = statement.substr(5);
      std::size_t ws = rest.find_first_not_of(" \t");
      if (ws != std::string_view::npos) modules.push_back(first_module(rest.substr(ws)));
    }
    i = end + 1;
  }
  return modules;
}

// `import os as o` / `from os import remove as r`: the code with aliases written out, so that
// o.remove(...) reads as os.remove(...) and r(...) as remove(...).
std::string without_import_aliases(std::string_view code) {
  std::string text(code);
  std::vector<std::pair<std::string, std::string>> aliases;  // alias -> real name
  std::size_t at = 0;
  while ((at = text.find(" as ", at)) != std::string::npos) {
    std::size_t name_end = at;
    std::size_t name_begin = name_end;
    while (name_begin > 0 && (ident_char(text[name_begin - 1]) || text[name_begin - 1] == '.')) --name_begin;
    std::size_t alias_begin = at + 4;
    while (alias_begin < text.size() && text[alias_begin] == ' ') ++alias_begin;
    std::size_t alias_end = alias_begin;
    while (alias_end < text.size() && ident_char(text[alias_end])) ++alias_end;
    if (name_begin < name_end && alias_begin < alias_end) {
      aliases.emplace_back(text.substr(alias_begin, alias_end - alias_begin), text.substr(name_begin, name_end - name_begin));
    }
    at = alias_end;
  }
  for (const auto& [alias, real] : aliases) {
    if (alias == real) continue;
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
      bool boundary_before = i == 0 || (!ident_char(text[i - 1]) && text[i - 1] != '.');
      std::size_t end = i + alias.size();
      if (boundary_before && text.compare(i, alias.size(), alias) == 0 && (end >= text.size() || !ident_char(text[end]))) {
        out += real;
        i = end;
      } else {
        out += text[i++];
      }
    }
    text = std::move(out);
  }
  return text;
}

std::vector<Finding> judge_python(std::string_view original) {
  std::vector<Finding> f;
  const std::string expanded = without_import_aliases(original);
  std::string_view code = expanded;
  for (std::string_view bare : {"exec", "eval", "compile", "remove", "breakpoint"}) {
    if (has_bare_call(code, bare)) f.push_back({Verdict::kDeny, fmt::format("runs hidden code or deletes ({})", bare)});
  }
  deny_if_call(code, {"system", "popen", "Popen", "__import__", "execv", "execve", "execl",
                      "execlp", "execvp", "execvpe", "spawnl", "spawnlp", "spawnv", "spawnvp", "posix_spawn", "fork",
                      "forkpty", "startfile", "getoutput", "getstatusoutput", "check_output", "check_call"},
               "runs other programs or code", f);
  deny_if_word(code, {"subprocess", "pty", "ctypes", "cffi", "marshal", "__builtins__", "builtins", "__subclasses__",
                      "__globals__", "__code__", "sys.modules", "os.exec", "os.spawn", "os.kill", "os.killpg",
                      "signal.pthread_kill", "socket.socket", "asyncio.create_subprocess_shell",
                      "asyncio.create_subprocess_exec", "multiprocessing.Process"},
               "runs, kills or hides code", f);
  deny_if_call(code, {"rmtree", "os.remove", "unlink", "rmdir", "removedirs", "truncate", "os.rename", "os.replace",
                      "shutil.move", "shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree",
                      "shutil.chown", "chmod", "chown", "lchown", "symlink", "os.link", "makedirs", "mkdir",
                      "write_text", "write_bytes", "touch", "send2trash", "torch.save", "np.save", "numpy.save",
                      "np.savez", "savetxt", "to_csv", "to_parquet", "to_pickle", "to_json", "save_pretrained",
                      "save_file", "json.dump", "pickle.dump", "joblib.dump", "dump", "writelines", "write",
                      "os.write", "mkfifo", "utime"},
               "deletes or writes files", f);
  // sys.stdout.write / sys.stderr.write only print.
  if (!f.empty()) {
    f.erase(std::remove_if(f.begin(), f.end(),
                           [&](const Finding& x) {
                             if (x.what.find("(write)") == std::string::npos) return false;
                             std::string stripped(code);
                             for (auto s : {"sys.stdout.write", "sys.stderr.write"}) {
                               for (std::size_t at = stripped.find(s); at != std::string::npos; at = stripped.find(s)) {
                                 stripped.replace(at, std::string_view(s).size(), "print");
                               }
                             }
                             return !has_call(stripped, "write");
                           }),
            f.end());
  }
  if (opens_for_writing(code, {"open", "os.open", "io.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open"})) {
    f.push_back({Verdict::kDeny, "opens a file for writing"});
  }
  deny_if_word(code, {"b64decode", "b32decode", "a85decode", "b85decode", "decodebytes", "fromhex", "unhexlify",
                      "zlib.decompress", "rot13", "rot_13", "codecs.decode", "bz2.decompress", "lzma.decompress"},
               "decodes a hidden payload", f);
  for (std::string_view module : {"os", "sys", "shutil", "subprocess", "builtins", "posix", "pathlib", "importlib"}) {
    std::size_t at = find_call(code, "getattr");
    while (at != std::string_view::npos) {
      std::string_view args = call_args(code, at);
      std::size_t ws = args.find_first_not_of(" \t");
      if (ws != std::string_view::npos && args.substr(ws, module.size()) == module) {
        f.push_back({Verdict::kDeny, fmt::format("looks up an attribute of {} by name (getattr)", module)});
        break;
      }
      at = find_call(code, "getattr", at + 1);
    }
  }
  std::size_t chr_calls = 0;
  for (std::size_t at = find_call(code, "chr"); at != std::string_view::npos; at = find_call(code, "chr", at + 1)) ++chr_calls;
  if (chr_calls >= 3) f.push_back({Verdict::kDeny, "builds strings from character codes (chr)"});

  if (has_word(code, "importlib") && !has_word(code, "importlib.metadata") && !has_word(code, "importlib.util")) {
    f.push_back({Verdict::kDeny, "imports modules by name (importlib)"});
  }
  confirm_if(code, {"torch.load", "pickle.load", "pickle.loads", "joblib.load", "np.load", "numpy.load", "dill.load",
                    "cloudpickle.load", "torch.jit.load"},
             "unpickles data, which can run code", f);
  confirm_if(code, {"from_pretrained", "load_dataset", "hf_hub_download", "snapshot_download", "urlopen", "urllib",
                    "requests", "http.client", "socket", "wandb.init", "wandb.login", "login", "httpx", "aiohttp"},
             "reaches the network", f);
  confirm_if(code, {"getattr", "setattr", "delattr", "input", "time.sleep", "os.environ.update", "os.putenv",
                    "os.chdir", "signal.signal", "atexit"},
             "is not plainly read-only", f);
  if (code.find("while True") != std::string_view::npos || code.find("while 1") != std::string_view::npos) {
    f.push_back({Verdict::kConfirm, "loops forever (while True)"});
  }
  for (const auto& module : python_imports(code)) {
    if (!python_read_only_modules().count(module)) {
      f.push_back({Verdict::kConfirm, fmt::format("imports '{}', which trainctl does not know to be read-only", module)});
    }
  }
  return f;
}

std::vector<Finding> judge_generic(std::string_view language, std::string_view code) {
  std::vector<Finding> f;
  if (language == "perl") {
    deny_if_call(code, {"system", "exec", "fork", "unlink", "rmdir", "rmtree", "remove_tree", "rename", "chmod",
                        "chown", "truncate", "mkdir", "make_path", "symlink", "link", "kill", "eval", "syscall",
                        "utime", "decode_base64", "pack"},
                 "deletes, writes, spawns or hides code", f);
    deny_if_word(code, {"unlink", "rmdir", "system", "exec", "fork", "kill", "eval", "qx", "File::Path", "IO::Socket",
                        "Socket", "MIME::Base64", "File::Copy", "do", "require"},
                 "deletes, writes, spawns or hides code", f);
    if (code.find('`') != std::string_view::npos) f.push_back({Verdict::kDeny, "runs a command (backticks)"});
    // open(F, ">file"), open F, "|cmd": a writing or piping mode.
    for (std::size_t at = code.find("open"); at != std::string_view::npos; at = code.find("open", at + 1)) {
      std::string_view rest = code.substr(at, 200);
      if (rest.find('>') != std::string_view::npos || rest.find('|') != std::string_view::npos ||
          rest.find("+<") != std::string_view::npos) {
        f.push_back({Verdict::kDeny, "opens a file for writing or a pipe to a command"});
        break;
      }
    }
  } else if (language == "ruby") {
    deny_if_word(code, {"FileUtils", "system", "exec", "spawn", "fork", "IO.popen", "Open3", "Process.kill",
                        "File.delete", "File.unlink", "File.write", "File.rename", "Dir.rmdir", "Dir.delete",
                        "Dir.mkdir", "rm_rf", "rm_r", "eval", "instance_eval", "class_eval", "send", "Socket",
                        "TCPSocket", "Base64", "unpack1", "syscall"},
                 "deletes, writes, spawns or hides code", f);
    if (code.find('`') != std::string_view::npos || code.find("%x") != std::string_view::npos) {
      f.push_back({Verdict::kDeny, "runs a command (backticks)"});
    }
    if (opens_for_writing(code, {"File.open", "open", "File.new", "IO.open"})) f.push_back({Verdict::kDeny, "opens a file for writing"});
  } else if (language == "javascript") {
    deny_if_word(code, {"child_process", "execSync", "exec", "execFile", "execFileSync", "spawn", "spawnSync", "fork",
                        "rmSync", "rm", "rmdir", "rmdirSync", "unlink", "unlinkSync", "writeFile", "writeFileSync",
                        "appendFile", "appendFileSync", "createWriteStream", "rename", "renameSync", "chmod",
                        "chmodSync", "chown", "mkdir", "mkdirSync", "copyFile", "copyFileSync", "cp", "cpSync",
                        "truncate", "truncateSync", "symlink", "eval", "Function", "process.kill", "net", "dgram",
                        "vm", "atob", "Deno.run", "Deno.Command", "Deno.remove", "Deno.writeFile", "Bun.spawn",
                        "Bun.write"},
                 "deletes, writes, spawns or hides code", f);
    if (code.find("base64") != std::string_view::npos) f.push_back({Verdict::kDeny, "decodes a hidden payload (base64)"});
    confirm_if(code, {"fetch", "http", "https", "require"}, "is not plainly read-only", f);
  } else if (language == "php") {
    deny_if_call(code, {"system", "exec", "shell_exec", "passthru", "popen", "proc_open", "pcntl_exec", "unlink",
                        "rmdir", "file_put_contents", "rename", "copy", "chmod", "chown", "mkdir", "eval", "assert",
                        "base64_decode", "create_function", "fsockopen", "symlink"},
                 "deletes, writes, spawns or hides code", f);
    if (code.find('`') != std::string_view::npos) f.push_back({Verdict::kDeny, "runs a command (backticks)"});
    if (opens_for_writing(code, {"fopen"})) f.push_back({Verdict::kDeny, "opens a file for writing"});
  } else if (language == "lua") {
    deny_if_word(code, {"os.execute", "io.popen", "os.remove", "os.rename", "load", "loadstring", "dofile",
                        "loadfile", "os.exit"},
                 "deletes, writes, spawns or hides code", f);
    if (opens_for_writing(code, {"io.open"})) f.push_back({Verdict::kDeny, "opens a file for writing"});
  } else if (language == "r") {
    deny_if_call(code, {"system", "system2", "shell", "unlink", "file.remove", "file.rename", "file.copy",
                        "writeLines", "write.csv", "write.table", "saveRDS", "save", "sink", "dir.create", "eval",
                        "parse", "Sys.chmod", "download.file", "source"},
                 "deletes, writes, spawns or hides code", f);
  } else if (language == "awk") {
    deny_if_call(code, {"system"}, "runs a command", f);
    if (code.find("getline") != std::string_view::npos && code.find('|') != std::string_view::npos) {
      f.push_back({Verdict::kDeny, "reads the output of a command (| getline)"});
    }
    // print | "cmd", print > "file", print >> "file": outside a comparison inside a condition,
    // a '>' or '|' after print/printf sends output somewhere.
    for (std::string_view kw : {"print", "printf"}) {
      for (std::size_t at = code.find(kw); at != std::string_view::npos; at = code.find(kw, at + 1)) {
        std::size_t end = code.find_first_of(";}\n", at);
        std::string_view statement = code.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
        if (statement.find('|') != std::string_view::npos) f.push_back({Verdict::kDeny, "pipes output into a command"});
        if (statement.find('>') != std::string_view::npos) f.push_back({Verdict::kDeny, "writes output to a file"});
      }
    }
  } else if (language == "sed") {
    // Commands: e (run), w/W (write a file), s///e and s///w. Addresses and regexes are skipped
    // roughly: what follows a ';', '{', '}' or newline (and an address) is a command letter.
    std::size_t i = 0;
    auto skip_address = [&](std::size_t p) {
      while (p < code.size()) {
        char c = code[p];
        if (c == ' ' || c == '\t' || c == ',' || c == '!' || c == '$' || (c >= '0' && c <= '9') || c == '~') {
          ++p;
        } else if (c == '/' || c == '\\') {
          char delim = c == '\\' && p + 1 < code.size() ? code[++p] : '/';
          std::size_t close = code.find(delim, p + 1);
          p = close == std::string_view::npos ? code.size() : close + 1;
        } else {
          break;
        }
      }
      return p;
    };
    while (i < code.size()) {
      std::size_t p = skip_address(i);
      if (p >= code.size()) break;
      char cmd = code[p];
      if (cmd == 'e') f.push_back({Verdict::kDeny, "runs a command (sed e)"});
      if (cmd == 'w' || cmd == 'W') f.push_back({Verdict::kDeny, "writes a file (sed w)"});
      if (cmd == 's' && p + 1 < code.size()) {
        char delim = code[p + 1];
        std::size_t q = p + 2;
        int parts = 0;
        while (q < code.size() && parts < 2) {
          if (code[q] == '\\') {
            q += 2;
            continue;
          }
          if (code[q] == delim) ++parts;
          ++q;
        }
        std::size_t flags_end = q;
        while (flags_end < code.size() && code[flags_end] != ';' && code[flags_end] != '\n' && code[flags_end] != '}') ++flags_end;
        std::string_view flags = code.substr(q, flags_end - q);
        if (flags.find('e') != std::string_view::npos) f.push_back({Verdict::kDeny, "runs the replacement as a command (s///e)"});
        if (flags.find('w') != std::string_view::npos) f.push_back({Verdict::kDeny, "writes a file (s///w)"});
        p = flags_end;
      }
      std::size_t next = code.find_first_of(";\n{}", p);
      if (next == std::string_view::npos) break;
      i = next + 1;
    }
  } else {
    deny_if_word(code, {"rm", "system", "exec", "run", "spawn", "eval", "shell", "remove", "delete", "unlink"},
                 "may delete or run commands", f);
    if (f.empty()) f.push_back({Verdict::kConfirm, fmt::format("{} code that trainctl does not read", language)});
  }
  return f;
}

}  // namespace

CodeJudgement judge_interpreter_code(const std::string& language, const std::string& code) {
  std::vector<Finding> findings = language == "python" ? judge_python(code) : judge_generic(language, code);
  CodeJudgement judgement;
  judgement.verdict = Verdict::kAllow;
  for (const auto& f : findings) judgement.verdict = stricter(judgement.verdict, f.verdict);
  if (findings.empty()) {
    judgement.rule = "read-only";
    judgement.message = fmt::format("inline {} code that only reads and prints", language);
    return judgement;
  }
  std::vector<std::string> said;
  for (const auto& f : findings) {
    if (f.verdict == judgement.verdict && std::find(said.begin(), said.end(), f.what) == said.end()) said.push_back(f.what);
  }
  std::string list;
  for (std::size_t i = 0; i < said.size() && i < 4; ++i) list += (i ? "; " : "") + said[i];
  judgement.rule = judgement.verdict == Verdict::kDeny ? "interpreter-dangerous-code" : "interpreter-code";
  judgement.message = fmt::format("inline {} code that {}", language, list);
  return judgement;
}

}  // namespace trainctl::safety
