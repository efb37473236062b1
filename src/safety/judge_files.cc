// File operations: deleting, moving, copying, linking, creating, changing permissions, raw
// device writes, archives, in-place editors. Every path is placed against the project.
#include <set>

#include <fmt/format.h>

#include "safety/policy_judge.h"

namespace trainctl::safety {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool in(std::string_view v, std::initializer_list<std::string_view> set) {
  for (auto s : set) {
    if (v == s) return true;
  }
  return false;
}

ArgValue appended_unknown(const EvaluatedCommand& c) {
  ArgValue a;
  a.unknown = true;
  a.may_split = true;
  a.display = "(arguments added at run time by " + c.via + ")";
  a.span = c.span;
  return a;
}

void judge_rm(Judge& j) {
  ParsedArgs p = j.parse(1, {"--interactive"});
  bool recursive = p.has("--recursive", 'r') || p.has("", 'R') || p.unknown_options || j.command.appended_unknown_args;
  if (p.has("--no-preserve-root")) {
    j.add("recursive-delete-unnamed", "rm --no-preserve-root exists only to delete /");
  }
  for (const ArgValue* a : p.operands) j.judge_delete_target(*a, recursive ? "rm -r deletes" : "rm deletes", recursive);
  if (j.command.appended_unknown_args) {
    j.unknown_argument(appended_unknown(j.command), "the path to delete");
  }
  if (p.operands.empty() && !j.command.appended_unknown_args) j.add("read-only", "rm with nothing to delete");
}

void judge_mv(Judge& j) {
  ParsedArgs p = j.parse(1, {"-t", "--target-directory", "-S", "--suffix", "--backup"});
  const ArgValue* target = p.value({"-t", "--target-directory"});
  std::vector<const ArgValue*> sources = p.operands;
  if (!target && !sources.empty() && !j.command.appended_unknown_args) {
    target = sources.back();
    sources.pop_back();
  }
  for (const ArgValue* s : sources) j.judge_delete_target(*s, "mv moves away", /*recursive=*/false);
  if (target) j.judge_write_target(*target, "mv moves onto", "write-outside-project", /*follow_last=*/true, /*sink_ok=*/false);
  if (j.command.appended_unknown_args) j.unknown_argument(appended_unknown(j.command), "the path to move");
}

void judge_copy_like(Judge& j, std::string_view verb) {
  ParsedArgs p = j.parse(1, {"-t", "--target-directory", "-S", "--suffix", "-m", "--mode", "-o", "--owner", "-g",
                             "--group", "--backup", "--sparse", "--reflink"});
  const ArgValue* target = p.value({"-t", "--target-directory"});
  if (!target && !p.operands.empty()) target = p.operands.back();
  if (target) j.judge_write_target(*target, verb, "write-outside-project", true, /*sink_ok=*/false);
  if (j.command.appended_unknown_args && !target) j.unknown_argument(appended_unknown(j.command), "the destination");
  if (!target) j.add("read-only", fmt::format("{} with no destination", j.program));
}

void judge_ln(Judge& j) {
  ParsedArgs p = j.parse(1, {"-t", "--target-directory", "-S", "--suffix"});
  const ArgValue* dir = p.value({"-t", "--target-directory"});
  if (dir) {
    j.judge_write_target(*dir, "ln creates links in");
    return;
  }
  if (p.operands.size() == 1) {
    // ln -s TARGET: a link named after the target, in the current folder.
    ArgValue here;
    here.values = {"."};
    here.display = ".";
    here.span = p.operands[0]->span;
    j.judge_write_target(here, "ln creates a link in");
    return;
  }
  if (p.operands.size() >= 2) {
    const ArgValue& link = *p.operands.back();
    j.judge_write_target(link, p.has("--force", 'f') ? "ln -f replaces" : "ln creates the link", "write-outside-project",
                         /*follow_last=*/false);
    if (link.known() && p.operands[0]->known()) {
      j.line.links[lexically_absolute(j.command.cwd, link.text())] = p.operands[0]->text();
    }
  }
}

void judge_create(Judge& j, std::string_view verb) {
  ParsedArgs p = j.parse(1, {"-m", "--mode", "-d", "-r", "--reference", "-t", "-s", "--size", "-Z", "--context"});
  for (const ArgValue* a : p.operands) j.judge_write_target(*a, verb);
  if (j.command.appended_unknown_args) j.unknown_argument(appended_unknown(j.command), "the path");
}

void judge_permissions(Judge& j) {
  ParsedArgs p = j.parse(1, {"--reference", "--from", "-m", "-x", "-M", "-X", "--modify", "--remove", "--set",
                             "--set-file"});
  bool recursive = p.has("--recursive", 'R') || (j.program == "chattr" && p.has("", 'R')) ||
                   (j.program == "setfacl" && p.has("", 'R')) || p.unknown_options;
  std::vector<const ArgValue*> targets = p.operands;
  bool mode_given = j.program == "chattr" || j.program == "setfacl" || p.has("--reference");
  if (j.program == "chattr") {
    // chattr's mode (+i, -a) looks like an option.
    for (const auto& o : p.options) {
      if (o.size() > 1 && (o[0] == '+' || o[0] == '-' || o[0] == '=') && o.find_first_of("aAcCdDeFijmPsStTux") != std::string::npos) {
        mode_given = true;
      }
    }
  }
  if (!mode_given && !targets.empty()) {
    const ArgValue* mode = targets.front();
    targets.erase(targets.begin());
    if (j.program == "chmod" && mode->known()) {
      const std::string& m = mode->text();
      bool setuid = m.find('s') != std::string::npos ||
                    (m.size() == 4 && (m[0] == '2' || m[0] == '4' || m[0] == '6' || m[0] == '7') && m.find_first_not_of("01234567") == std::string::npos);
      if (setuid) j.add("permissions-outside-project", fmt::format("chmod {} makes a setuid/setgid program", m), mode->span);
    }
  }
  for (const ArgValue* a : targets) {
    for (const PlacedPath& place : j.place(*a)) {
      if (place.unknown && place.place != PathPlace::kOutside) {
        j.unknown_argument(*a, fmt::format("the path {} changes", j.program));
        continue;
      }
      switch (place.place) {
        case PathPlace::kOutside:
        case PathPlace::kDevice:
        case PathPlace::kNullDevice:
          if (place.credential) {
            j.add("credential-tampering", fmt::format("{} changes {}, which holds credentials", j.program, place.shown), a->span);
          } else {
            j.add("permissions-outside-project",
                  fmt::format("{} {}changes {}, outside the project", j.program, recursive ? "-R " : "", place.shown),
                  a->span);
          }
          break;
        case PathPlace::kProjectRoot:
          if (recursive) {
            j.add("permissions-outside-project",
                  fmt::format("{} -R on the whole project folder; name the folder that needs it", j.program), a->span);
          } else {
            j.add("write-in-project", fmt::format("{} changes the project folder's own permissions", j.program), a->span);
          }
          break;
        case PathPlace::kInsideProject:
        case PathPlace::kTrainctlDir:
          if (recursive && place.glob && place.glob_dir_resolved.size() <= place.resolved.size() && place.glob_everything) {
            j.add("permissions-outside-project",
                  fmt::format("{} -R on '{}', a pattern rather than a named folder", j.program, place.shown), a->span);
          } else {
            j.add("write-in-project", fmt::format("{} changes {}", j.program, place.shown), a->span);
          }
          break;
      }
    }
  }
  if (j.command.appended_unknown_args) j.unknown_argument(appended_unknown(j.command), "the path");
}

void judge_dd(Judge& j) {
  bool wrote = false;
  for (std::size_t i = 1; i < j.command.argv.size(); ++i) {
    const ArgValue& a = j.command.argv[i];
    if (!a.known()) {
      if (starts_with(a.known_prefix, "of=") || a.known_prefix.empty()) j.unknown_argument(a, "a dd operand");
      continue;
    }
    if (!starts_with(a.text(), "of=")) continue;
    ArgValue target = a;
    for (auto& v : target.values) v = v.substr(3);
    target.display = target.text();
    j.judge_write_target(target, "dd writes");
    wrote = true;
  }
  if (!wrote) j.add("read-only", "dd writes to its standard output only");
}

void judge_find(Judge& j) {
  const auto& argv = j.command.argv;
  std::vector<const ArgValue*> starts;
  std::size_t i = 1;
  while (i < argv.size() && (!argv[i].known() || (argv[i].text().empty() || (argv[i].text()[0] != '-' &&
                                                                                 argv[i].text() != "(" &&
                                                                                 argv[i].text() != "!")))) {
    starts.push_back(&argv[i]);
    ++i;
  }
  ArgValue dot;
  dot.values = {"."};
  dot.display = ".";
  dot.span = j.command.span;
  if (starts.empty()) starts.push_back(&dot);
  bool named_filter = false;
  bool acted = false;
  for (std::size_t k = i; k < argv.size(); ++k) {
    const std::string& a = j.arg(k);
    if (in(a, {"-name", "-iname", "-path", "-ipath", "-regex", "-iregex", "-wholename", "-iwholename", "-newer",
               "-mtime", "-mmin", "-size", "-empty"})) {
      named_filter = true;
    }
    if (a == "-delete") {
      acted = true;
      for (const ArgValue* s : starts) {
        j.judge_delete_target(*s, named_filter ? "find -delete deletes matches under" : "find -delete deletes everything under",
                              /*recursive=*/true, named_filter);
      }
    }
    if (in(a, {"-fprint", "-fprint0", "-fprintf", "-fls"}) && k + 1 < argv.size()) {
      acted = true;
      j.judge_write_target(argv[k + 1], "find writes");
    }
    if (in(a, {"-exec", "-execdir", "-ok", "-okdir"})) acted = true;  // the command is judged on its own entry
  }
  if (!acted) j.add("read-only", "find only lists files");
}

// Commands that edit files in place when given -i.
void judge_in_place(Judge& j) {
  ParsedArgs p = j.parse(1, {"-e", "-f", "--expression", "--file", "-l", "-I", "-M", "-m"});
  bool in_place = false;
  for (const auto& o : p.options) {
    if (starts_with(o, "--in-place") || (o.size() > 1 && o[1] != '-' && o.find('i') != std::string::npos)) in_place = true;
  }
  if (!in_place) {
    if (j.command.code.present) return;  // the program itself was judged as code
    j.add("read-only", fmt::format("{} prints its result", j.program));
    return;
  }
  std::vector<const ArgValue*> files = p.operands;
  // sed's script is the first operand unless given with -e/-f; perl's code came with -e.
  bool script_in_options = !p.values.empty() || p.has("--expression") || j.program == "perl";
  if (!script_in_options && !files.empty()) files.erase(files.begin());
  for (const ArgValue* f : files) j.judge_write_target(*f, fmt::format("{} -i edits", j.program));
  if (j.command.appended_unknown_args) j.unknown_argument(appended_unknown(j.command), "the file to edit");
}

void judge_tar(Judge& j) {
  const auto& argv = j.command.argv;
  bool extract = false, create = false, list_only = false;
  const ArgValue* archive = nullptr;
  const ArgValue* directory = nullptr;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = j.arg(i);
    if (starts_with(a, "--checkpoint-action") || starts_with(a, "--to-command") || starts_with(a, "--use-compress-program") ||
        starts_with(a, "--rsh-command") || starts_with(a, "--info-script") || starts_with(a, "--new-volume-script") ||
        a == "-I" || a == "-F") {
      j.add("interpreter-dangerous-code", fmt::format("tar {} runs a command", a), argv[i].span);
    }
    bool bundle = (i == 1 && !a.empty() && a[0] != '-') || (a.size() > 1 && a[0] == '-' && a[1] != '-');
    if (bundle) {
      extract = extract || a.find('x') != std::string::npos;
      create = create || a.find('c') != std::string::npos || a.find('r') != std::string::npos ||
               a.find('u') != std::string::npos;
      list_only = list_only || a.find('t') != std::string::npos;
      if (a.find('f') != std::string::npos && i + 1 < argv.size()) archive = &argv[i + 1];
      if (a.find('C') != std::string::npos && i + 1 < argv.size()) directory = &argv[i + 1];
    }
    if (a == "--extract" || a == "--get") extract = true;
    if (a == "--create" || a == "--append" || a == "--update") create = true;
    if (a == "--file" && i + 1 < argv.size()) archive = &argv[i + 1];
    if (a == "--directory" && i + 1 < argv.size()) directory = &argv[i + 1];
  }
  ArgValue here;
  here.values = {"."};
  here.display = ".";
  here.span = j.command.span;
  if (extract) j.judge_write_target(directory ? *directory : here, "tar extracts into");
  if (create && archive) j.judge_write_target(*archive, "tar writes the archive");
  if (!extract && !create) j.add("read-only", list_only ? "tar lists an archive" : "tar reads an archive");
}

void judge_archive(Judge& j) {
  ParsedArgs p = j.parse(1, {"-d", "-x", "-i", "-P", "-o", "-O", "-S", "-b", "-n", "-t", "-T", "-L"});
  if (j.program == "unzip" || j.program == "7z" || j.program == "7za" || j.program == "unrar") {
    if (p.has("", 'l') || p.has("", 't') || (!p.operands.empty() && p.operands[0]->known() && in(p.operands[0]->text(), {"l", "t"}))) {
      j.add("read-only", fmt::format("{} lists an archive", j.program));
      return;
    }
    if (const ArgValue* d = p.value({"-d"})) {
      j.judge_write_target(*d, fmt::format("{} extracts into", j.program));
    } else {
      ArgValue here;
      here.values = {"."};
      here.display = ".";
      here.span = j.command.span;
      j.judge_write_target(here, fmt::format("{} extracts into", j.program));
    }
    return;
  }
  if (j.program == "zip") {
    if (!p.operands.empty()) j.judge_write_target(*p.operands[0], "zip writes the archive");
    if (p.has("--move", 'm')) {
      for (std::size_t k = 1; k < p.operands.size(); ++k) j.judge_delete_target(*p.operands[k], "zip -m deletes", true);
    }
    return;
  }
  // gzip/xz/bzip2/zstd compress or decompress files in place (or to stdout with -c).
  if (p.has("--stdout", 'c') || p.has("--list", 'l') || p.has("--test", 't') || p.operands.empty()) {
    j.add("read-only", fmt::format("{} writes to its standard output", j.program));
    return;
  }
  for (const ArgValue* a : p.operands) j.judge_write_target(*a, fmt::format("{} replaces", j.program));
}

void judge_device_tools(Judge& j) {
  ParsedArgs p = j.parse(1);
  if ((in(j.program, {"fdisk", "sfdisk", "parted", "gdisk", "sgdisk"})) && (p.has("--list", 'l') || p.has("", 'p'))) {
    j.add("read-only", fmt::format("{} lists partitions", j.program));
    return;
  }
  j.add("device-write", fmt::format("{} formats, wipes or repartitions disks", j.program));
}

}  // namespace

bool judge_file_operation(Judge& j) {
  const std::string& n = j.program;
  if (n == "rm" || n == "rimraf" || n == "trash" || n == "trash-put" || n == "del" || n == "srm") judge_rm(j);
  else if (n == "rmdir" || n == "unlink") {
    ParsedArgs p = j.parse(1);
    for (const ArgValue* a : p.operands) j.judge_delete_target(*a, fmt::format("{} deletes", n), false);
    if (j.command.appended_unknown_args) j.unknown_argument(appended_unknown(j.command), "the path to delete");
  } else if (n == "shred") {
    ParsedArgs p = j.parse(1, {"-n", "--iterations", "-s", "--size", "--random-source"});
    for (const ArgValue* a : p.operands) j.judge_delete_target(*a, "shred destroys", false);
    if (j.command.appended_unknown_args) j.unknown_argument(appended_unknown(j.command), "the file to destroy");
  } else if (n == "truncate") {
    ParsedArgs p = j.parse(1, {"-s", "--size", "-r", "--reference"});
    for (const ArgValue* a : p.operands) j.judge_write_target(*a, "truncate cuts", "delete-outside-project");
  } else if (n == "mv") judge_mv(j);
  else if (n == "cp" || n == "install") judge_copy_like(j, fmt::format("{} writes to", n));
  else if (n == "ln") judge_ln(j);
  else if (n == "mkdir" || n == "touch" || n == "mkfifo" || n == "mknod" || n == "fallocate") judge_create(j, fmt::format("{} creates", n));
  else if (n == "tee") {
    ParsedArgs p = j.parse(1);
    for (const ArgValue* a : p.operands) j.judge_write_target(*a, p.has("--append", 'a') ? "tee appends to" : "tee writes to", "redirect-outside-project");
    if (p.operands.empty()) j.add("read-only", "tee only copies its input to its output");
  } else if (in(n, {"chmod", "chown", "chgrp", "chattr", "setfacl"})) judge_permissions(j);
  else if (n == "dd") judge_dd(j);
  else if (n == "find") judge_find(j);
  else if (n == "sed" || n == "gsed" || n == "perl") judge_in_place(j);
  else if (n == "tar") judge_tar(j);
  else if (in(n, {"zip", "unzip", "7z", "7za", "unrar", "gzip", "gunzip", "xz", "unxz", "bzip2", "bunzip2", "zstd",
                  "unzstd", "pigz", "lz4"})) judge_archive(j);
  else if (starts_with(n, "mkfs") || in(n, {"mke2fs", "mkswap", "wipefs", "fdisk", "sfdisk", "gdisk", "sgdisk", "parted",
                                            "blkdiscard", "hdparm", "cryptsetup", "mdadm", "pvcreate", "pvremove",
                                            "vgremove", "lvremove", "zpool", "badblocks", "sdparm", "nvme", "e2fsck",
                                            "fsck", "tune2fs", "resize2fs", "losetup", "debugfs"})) {
    judge_device_tools(j);
  } else if (n == "split" || n == "csplit") {
    j.add("write-in-project", fmt::format("{} writes pieces into the current folder", n));
  } else if (n == "patch") {
    j.add("write-in-project", "patch changes files in the current folder");
  } else {
    return false;
  }
  return true;
}

}  // namespace trainctl::safety
