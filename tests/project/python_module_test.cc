#include "project/python_module.h"

#include <gtest/gtest.h>

namespace trainctl::project {
namespace {

const char* kSource = R"PY("""Trains things.

More text.
"""
import argparse, os.path as osp
from dataclasses import dataclass, field
from .model import GPT as Model
from ..utils import (seed_all,
                     get_logger)

DEFAULT = "configs/base.yaml"
lr: float = 3e-4
n = -2

@dataclass
class Args:
    """The arguments."""
    name: str = field(default="x", metadata={"help": "a name"})
    steps: int = 10
    tags: list = None

    def method(self):
        return 1


@click.command()
@click.option("--config", "-c",
              type=click.Path(exists=True))
def main(config: str, resume: bool = False, *rest, **kw):
    '''Run it.'''
    parser = argparse.ArgumentParser(description=f"run {config}")
    parser.add_argument("--lr", type=float, default=lr, help="learning "
                        "rate")
    loss.backward()


if __name__ == "__main__":
    main()
)PY";

TEST(PythonModule, ReadsDocstringImportsAndModuleAssignments) {
  PythonModule m = read_python(kSource);
  EXPECT_EQ(m.docstring.substr(0, 14), "Trains things.");
  ASSERT_EQ(m.imports.size(), 7u);
  EXPECT_EQ(m.imports[1].module, "os.path");
  EXPECT_EQ(m.imports[1].alias, "osp");
  EXPECT_EQ(m.imports[4].module, "model");
  EXPECT_EQ(m.imports[4].name, "GPT");
  EXPECT_EQ(m.imports[4].alias, "Model");
  EXPECT_EQ(m.imports[4].level, 1);
  EXPECT_EQ(m.imports[6].name, "get_logger");
  EXPECT_EQ(m.imports[6].level, 2);
  EXPECT_TRUE(m.imports_module("argparse"));
  EXPECT_TRUE(m.imports_name("dataclass"));
  ASSERT_NE(m.assignment("DEFAULT"), nullptr);
  EXPECT_EQ(m.string_literal(m.assignment("DEFAULT")->value), "configs/base.yaml");
  EXPECT_EQ(*m.literal(m.assignment("lr")->value), 3e-4);
  EXPECT_EQ(*m.literal(m.assignment("n")->value), -2);
  EXPECT_TRUE(m.has_main_guard);
}

TEST(PythonModule, ReadsClassesWithAnnotatedFields) {
  PythonModule m = read_python(kSource);
  const PythonClass* args = m.find_class("Args");
  ASSERT_NE(args, nullptr);
  EXPECT_EQ(args->docstring, "The arguments.");
  ASSERT_EQ(args->decorators.size(), 1u);
  EXPECT_EQ(args->decorators[0].name, "dataclass");
  ASSERT_EQ(args->fields.size(), 3u);
  EXPECT_EQ(args->fields[0].name, "name");
  EXPECT_EQ(m.text(args->fields[0].annotation), "str");
  const PythonCall* field_call = m.call_at(args->fields[0].value);
  ASSERT_NE(field_call, nullptr);
  EXPECT_EQ(field_call->callee, "field");
  EXPECT_EQ(*m.literal(*field_call->kwarg("metadata")), (nlohmann::json{{"help", "a name"}}));
  EXPECT_TRUE(args->fields[2].value.empty() == false);
  const PythonFunction* method = nullptr;
  for (const auto& f : m.functions) {
    if (f.name == "method") method = &f;
  }
  ASSERT_NE(method, nullptr);
  EXPECT_EQ(method->class_name, "Args");
}

TEST(PythonModule, ReadsDecoratedFunctionsWithParameters) {
  PythonModule m = read_python(kSource);
  const PythonFunction* main = m.function("main");
  ASSERT_NE(main, nullptr);
  EXPECT_EQ(main->docstring, "Run it.");
  ASSERT_EQ(main->decorators.size(), 2u);
  EXPECT_EQ(main->decorators[0].name, "click.command");
  EXPECT_EQ(main->decorators[1].name, "click.option");
  ASSERT_TRUE(main->decorators[1].call);
  const PythonCall& option = m.calls[*main->decorators[1].call];
  ASSERT_EQ(option.args.size(), 2u);
  EXPECT_EQ(m.string_literal(option.args[1]), "-c");
  EXPECT_EQ(m.text(*option.kwarg("type")), "click.Path(exists=True)");
  ASSERT_EQ(main->params.size(), 4u);
  EXPECT_EQ(main->params[1].name, "resume");
  EXPECT_EQ(m.text(main->params[1].annotation), "bool");
  EXPECT_EQ(*m.literal(main->params[1].default_value), false);
  EXPECT_EQ(main->params[2].star, "*");
  EXPECT_EQ(main->params[3].star, "**");
}

TEST(PythonModule, ReadsCallsWithKeywordsAcrossLines) {
  PythonModule m = read_python(kSource);
  const PythonCall* add = nullptr;
  const PythonCall* parser = nullptr;
  bool backward = false, main_called = false;
  for (const auto& c : m.calls) {
    if (c.method() == "add_argument") add = &c;
    if (c.method() == "ArgumentParser") parser = &c;
    if (c.method() == "backward") backward = c.function == "main";
    if (c.callee == "main") main_called = c.in_main_block;
  }
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->receiver(), "parser");
  EXPECT_EQ(m.string_literal(*add->kwarg("help")), "learning rate");  // implicit concatenation
  EXPECT_EQ(m.dotted(*add->kwarg("type")), "float");
  EXPECT_EQ(m.dotted(*add->kwarg("default")), "lr");
  ASSERT_NE(parser, nullptr);
  EXPECT_EQ(parser->assigned_to, "parser");
  EXPECT_FALSE(m.string_literal(*parser->kwarg("description")).has_value());  // an f-string is no literal
  EXPECT_TRUE(backward);
  EXPECT_TRUE(main_called);
}

TEST(PythonModule, LiteralsNestAndRejectExpressions) {
  PythonModule m = read_python("a = {'x': [1, 2.5, None], 'y': (True,)}\nb = (3)\nc = f(1)\nd = 2 * 3\n");
  EXPECT_EQ(*m.literal(m.assignment("a")->value),
            nlohmann::json::parse(R"({"x": [1, 2.5, null], "y": [true]})"));
  EXPECT_EQ(*m.literal(m.assignment("b")->value), 3);
  EXPECT_FALSE(m.literal(m.assignment("c")->value).has_value());
  EXPECT_FALSE(m.literal(m.assignment("d")->value).has_value());
  EXPECT_EQ(m.text(m.assignment("d")->value), "2 * 3");
}

TEST(PythonModule, DeepNestingHitsTheLimitInsteadOfTheStack) {
  std::string deep = "x = " + std::string(5000, '[') + std::string(5000, ']') + "\n";
  PythonModule m = read_python(deep);
  ASSERT_NE(m.assignment("x"), nullptr);
  EXPECT_FALSE(m.literal(m.assignment("x")->value).has_value());
}

}  // namespace
}  // namespace trainctl::project
