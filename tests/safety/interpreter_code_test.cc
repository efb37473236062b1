// Inline interpreter code: what only reads is allowed, what deletes, writes, spawns or hides
// itself is denied, and the rest needs a yes.
#include <gtest/gtest.h>

#include "environment/torch_probe.h"
#include "safety/interpreter_code.h"

namespace trainctl::safety {
namespace {

Verdict python(const std::string& code) { return judge_interpreter_code("python", code).verdict; }

TEST(InterpreterCode, PythonThatOnlyImportsAndPrintsIsAllowed) {
  EXPECT_EQ(python("import torch; print(torch.__version__, torch.cuda.is_available())"), Verdict::kAllow);
  EXPECT_EQ(python("import torch;print(torch.cuda.device_count())"), Verdict::kAllow);
  EXPECT_EQ(python("import sys; sys.stdout.write(sys.version)"), Verdict::kAllow);
  EXPECT_EQ(python("import re; print(re.compile('a+').match('aa'))"), Verdict::kAllow);  // a method, not compile()
  EXPECT_EQ(python("import torch; m = torch.nn.Linear(2, 2); m.eval(); print(m)"), Verdict::kAllow);
}

TEST(InterpreterCode, TrainctlsOwnTorchProbeIsAllowed) {
  EXPECT_EQ(python(environment::torch_probe_script()), Verdict::kAllow);
}

TEST(InterpreterCode, PythonThatDeletesWritesOrSpawnsIsDenied) {
  for (const char* code : {"import shutil; shutil.rmtree('/data')", "import os; os.system('reboot')",
                           "import subprocess; subprocess.run(['ls'])", "__import__('os').system('id')",
                           "import os as o; o.remove('/home/user/.bashrc')", "from os import remove as r; r('x')",
                           "open('/etc/hosts', 'w').write('x')", "open('out.txt', mode='a')",
                           "import pathlib; pathlib.Path('x').unlink()",
                           "exec(__import__('base64').b64decode('cHJpbnQoMSk='))",
                           "import os; getattr(os, 'sys' + 'tem')('id')", "import pty; pty.spawn('/bin/sh')",
                           "import torch; torch.save({}, 'x.pt')", "import os; os.kill(1, 9)"}) {
    EXPECT_EQ(python(code), Verdict::kDeny) << code;
  }
}

TEST(InterpreterCode, PythonThatLoadsPicklesOrReachesTheNetworkAsksFirst) {
  EXPECT_EQ(python("import torch; print(torch.load('x.pt').keys())"), Verdict::kConfirm);
  EXPECT_EQ(python("from transformers import AutoModel; AutoModel.from_pretrained('gpt2')"), Verdict::kConfirm);
  EXPECT_EQ(python("import mysterious_module; mysterious_module.go()"), Verdict::kConfirm);
  CodeJudgement j = judge_interpreter_code("python", "import requests; print(requests.get('http://x').text)");
  EXPECT_EQ(j.rule, "interpreter-code");
  EXPECT_NE(j.message.find("network"), std::string::npos);
}

TEST(InterpreterCode, OtherLanguages) {
  EXPECT_EQ(judge_interpreter_code("perl", "print \"hi\\n\"").verdict, Verdict::kAllow);
  EXPECT_EQ(judge_interpreter_code("perl", "unlink glob \"~/*\"").verdict, Verdict::kDeny);
  EXPECT_EQ(judge_interpreter_code("perl", "system(\"rm -rf /\")").verdict, Verdict::kDeny);
  EXPECT_EQ(judge_interpreter_code("javascript", "require('child_process').execSync('id')").verdict, Verdict::kDeny);
  EXPECT_EQ(judge_interpreter_code("javascript", "console.log(1+1)").verdict, Verdict::kAllow);
  EXPECT_EQ(judge_interpreter_code("ruby", "FileUtils.rm_rf('/')").verdict, Verdict::kDeny);
  EXPECT_EQ(judge_interpreter_code("awk", "{ sum += $2 } END { print sum }").verdict, Verdict::kAllow);
  EXPECT_EQ(judge_interpreter_code("awk", "BEGIN { system(\"rm -rf /\") }").verdict, Verdict::kDeny);
  EXPECT_EQ(judge_interpreter_code("awk", "{ print > \"/etc/x\" }").verdict, Verdict::kDeny);
  EXPECT_EQ(judge_interpreter_code("sed", "s/a/b/g").verdict, Verdict::kAllow);
  EXPECT_EQ(judge_interpreter_code("sed", "1e rm -rf ~").verdict, Verdict::kDeny);
  EXPECT_EQ(judge_interpreter_code("sed", "s/x/rm -rf ~/e").verdict, Verdict::kDeny);
  EXPECT_EQ(judge_interpreter_code("sed", "w /etc/passwd").verdict, Verdict::kDeny);
}

}  // namespace
}  // namespace trainctl::safety
