#include "checkpoint/pickle_names.h"

namespace trainctl::checkpoint {
namespace {

struct ModuleMapping {
  std::string_view python2;
  std::string_view python3;
};

// CPython's Lib/_compat_pickle.py IMPORT_MAPPING.
constexpr ModuleMapping kModules[] = {
    {"__builtin__", "builtins"}, {"copy_reg", "copyreg"}, {"Queue", "queue"},
    {"SocketServer", "socketserver"}, {"ConfigParser", "configparser"}, {"repr", "reprlib"},
    {"tkFileDialog", "tkinter.filedialog"}, {"tkSimpleDialog", "tkinter.simpledialog"},
    {"tkColorChooser", "tkinter.colorchooser"}, {"tkCommonDialog", "tkinter.commondialog"},
    {"Dialog", "tkinter.dialog"}, {"Tkdnd", "tkinter.dnd"}, {"tkFont", "tkinter.font"},
    {"tkMessageBox", "tkinter.messagebox"}, {"ScrolledText", "tkinter.scrolledtext"},
    {"Tkconstants", "tkinter.constants"}, {"Tix", "tkinter.tix"}, {"ttk", "tkinter.ttk"},
    {"Tkinter", "tkinter"}, {"markupbase", "_markupbase"}, {"_winreg", "winreg"}, {"thread", "_thread"},
    {"dummy_thread", "_dummy_thread"}, {"dbhash", "dbm.bsd"}, {"dumbdbm", "dbm.dumb"}, {"dbm", "dbm.ndbm"},
    {"gdbm", "dbm.gnu"}, {"xmlrpclib", "xmlrpc.client"}, {"SimpleXMLRPCServer", "xmlrpc.server"},
    {"httplib", "http.client"}, {"htmlentitydefs", "html.entities"}, {"HTMLParser", "html.parser"},
    {"Cookie", "http.cookies"}, {"cookielib", "http.cookiejar"}, {"BaseHTTPServer", "http.server"},
    {"test.test_support", "test.support"}, {"commands", "subprocess"}, {"urlparse", "urllib.parse"},
    {"robotparser", "urllib.robotparser"}, {"urllib2", "urllib.request"}, {"anydbm", "dbm"},
    {"_abcoll", "collections.abc"}, {"cPickle", "pickle"}, {"_elementtree", "xml.etree.ElementTree"},
    {"FileDialog", "tkinter.filedialog"}, {"SimpleDialog", "tkinter.simpledialog"},
    {"DocXMLRPCServer", "xmlrpc.server"}, {"SimpleHTTPServer", "http.server"},
    {"CGIHTTPServer", "http.server"}, {"UserDict", "collections"}, {"UserList", "collections"},
    {"UserString", "collections"}, {"whichdb", "dbm"}, {"StringIO", "io"}, {"cStringIO", "io"},
};

struct NameMapping {
  std::string_view module2, name2, module3, name3;
};

// The entries of CPython's NAME_MAPPING that change what a name can do (exceptions.* is handled
// as a rule below).
constexpr NameMapping kNames[] = {
    {"__builtin__", "xrange", "builtins", "range"},
    {"__builtin__", "reduce", "functools", "reduce"},
    {"__builtin__", "intern", "sys", "intern"},
    {"__builtin__", "unichr", "builtins", "chr"},
    {"__builtin__", "unicode", "builtins", "str"},
    {"__builtin__", "long", "builtins", "int"},
    {"__builtin__", "basestring", "builtins", "str"},
    {"itertools", "izip", "builtins", "zip"},
    {"itertools", "imap", "builtins", "map"},
    {"itertools", "ifilter", "builtins", "filter"},
    {"_socket", "fromfd", "socket", "fromfd"},
    {"_multiprocessing", "Connection", "multiprocessing.connection", "Connection"},
    {"multiprocessing.forking", "Popen", "multiprocessing.popen_fork", "Popen"},
    {"urllib", "urlopen", "urllib.request", "urlopen"},
    {"urllib", "urlretrieve", "urllib.request", "urlretrieve"},
    {"UserDict", "IterableUserDict", "collections", "UserDict"},
};

bool is_identifier_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_identifier_char(char c) { return is_identifier_start(c) || (c >= '0' && c <= '9'); }

}  // namespace

std::pair<std::string, std::string> python3_global(std::string_view module, std::string_view name) {
  for (const NameMapping& m : kNames) {
    if (m.module2 == module && m.name2 == name) return {std::string(m.module3), std::string(m.name3)};
  }
  if (module == "exceptions") return {"builtins", std::string(name == "StandardError" ? "Exception" : name)};
  for (const ModuleMapping& m : kModules) {
    if (m.python2 == module) return {std::string(m.python3), std::string(name)};
  }
  return {std::string(module), std::string(name)};
}

bool is_dotted_identifier(std::string_view text) {
  bool at_start = true;
  for (char c : text) {
    if (at_start) {
      if (!is_identifier_start(c)) return false;
      at_start = false;
    } else if (c == '.') {
      at_start = true;
    } else if (!is_identifier_char(c)) {
      return false;
    }
  }
  return !at_start;
}

}  // namespace trainctl::checkpoint
