#!/usr/bin/env python3
"""Golden renders of Skein's built-in chat templates, from an independent Jinja implementation.

How it was run (2026-12-05, branch templates15):
    python3 scripts/capture-template-goldens.py
with Debian's python3-jinja2 3.1.6 (apt package python3-jinja2), no other packages, from the
repository root. It writes tests/fixtures/templates/<family>.json; render.golden.test.ts checks
that Skein's renderChat (@huggingface/jinja) produces exactly the same text.

Inputs: every src/lib/core/templates/data/*.json (chat_template, bos_token, eos_token) and
tests/fixtures/templates/conversations.json (conversations already in the shape templates read).

The environment is transformers' `_compile_jinja_template`
(src/transformers/utils/chat_template_utils.py in huggingface/transformers):
    ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                  extensions=[AssistantTracker, jinja2.ext.loopcontrols])
    filters["tojson"] = json.dumps(x, ensure_ascii=False, indent=indent, separators=separators,
                                   sort_keys=sort_keys)
    globals["raise_exception"] raises jinja2.exceptions.TemplateError(message)
    globals["strftime_now"] = datetime.now().strftime(format)
and `apply_chat_template`'s variables: messages, tools (None when there are none), documents=None,
add_generation_prompt=False, and the tokenizer's special tokens that are set (bos_token,
eos_token). Two deliberate fixed points, so the goldens do not change with the day they are
captured: strftime_now reads FIXED_NOW, and the test passes the same date to renderChat.
AssistantTracker's {% generation %} tag is kept as a plain block (no built-in template uses it).
"""
import glob
import json
import os
import sys
from datetime import datetime

import jinja2
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "src", "lib", "core", "templates", "data")
OUT = os.path.join(ROOT, "tests", "fixtures", "templates")
FIXED_NOW = datetime(2025, 7, 10, 12, 0, 0)


class GenerationTag(Extension):
    """transformers' AssistantTracker parses {% generation %}…{% endgeneration %}; rendering is unchanged."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    return FIXED_NOW.strftime(format)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[GenerationTag, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render(template, data, conversation):
    variables = {
        "messages": conversation["messages"],
        "tools": conversation.get("tools") or None,
        "documents": None,
        "add_generation_prompt": False,
    }
    if data.get("bos_token") is not None:
        variables["bos_token"] = data["bos_token"]
    if data.get("eos_token") is not None:
        variables["eos_token"] = data["eos_token"]
    try:
        return {"text": template.render(**variables)}
    except jinja2.exceptions.TemplateError as error:
        # raise_exception(...) and Jinja's own template errors both land here, as in transformers.
        return {"raised": str(error)}
    except Exception as error:  # noqa: BLE001 - a Python error inside the template (None + str …)
        return {"failed": f"{type(error).__name__}: {error}"}


def main():
    if jinja2.__version__ < "3.1.0":
        sys.exit("transformers needs jinja2>=3.1.0; found " + jinja2.__version__)
    with open(os.path.join(OUT, "conversations.json"), encoding="utf-8") as f:
        conversations = json.load(f)
    env = environment()
    for path in sorted(glob.glob(os.path.join(DATA, "*.json"))):
        family = os.path.splitext(os.path.basename(path))[0]
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        template = env.from_string(data["chat_template"])
        goldens = {name: render(template, data, conversation) for name, conversation in conversations.items()}
        out = {
            "family": family,
            "jinja2": jinja2.__version__,
            "python": sys.version.split()[0],
            "now": FIXED_NOW.isoformat(),
            "renders": goldens,
        }
        with open(os.path.join(OUT, family + ".json"), "w", encoding="utf-8") as f:
            json.dump(out, f, ensure_ascii=False, indent="\t")
            f.write("\n")
        print(family, {name: next(iter(result)) for name, result in goldens.items()})


if __name__ == "__main__":
    main()
