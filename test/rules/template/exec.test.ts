import { describe, expect, it } from "vitest";
import { MAX_EXEC_DEPTH, MAX_EXEC_OPS } from "../../../src/rules/template/exec.js";
import { TemplateError } from "../../../src/rules/template/index.js";
import { alert, failure, run } from "./helpers.js";

// Alert templates (with Prometheus' header, over an alert with labels
// {__name__="up", instance="host:9100", job="node"} and value 1234567) and what Go's
// text/template makes of them. Outputs and error texts were compared with promtool
// 2.42 expanding the same annotations; comparison errors name the types since Go 1.2x.
const ALERT_CASES: Array<[string, string]> = [
    ["{{ range $i, $e := (args 1 \"a\" 2.5 nil) }}{{$i}}={{$e}};{{end}}", "arg0=1;arg1=a;arg2=2.5;arg3=<no value>;"],
    ["{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", "2"],
    ["{{- \" a \" -}}  {{- /* c */ -}}  x  {{- 1 }}", " a x1"],
    ["{{ if eq $labels.job \"node\" \"x\" }}yes{{ else if false }}no{{ else }}other{{ end }}", "yes"],
    ["{{ with $labels.missing }}A{{ else }}B{{ end }}{{ with $labels.job }}{{ . }}{{ end }}", "Bnode"],
    ["{{ range $labels }}{{ . }},{{ end }}", "up,host:9100,node,"],
    ["{{ range $k, $v := $labels }}{{ if eq $k \"job\" }}{{ break }}{{ end }}{{ $k }}{{ end }}", "__name__instance"],
    ["{{ range $k, $v := $labels }}{{ if eq $k \"instance\" }}{{ continue }}{{ end }}{{ $k }}{{ end }}", "__name__job"],
    ["{{ define \"t\" }}[{{ . }}]{{ end }}{{ template \"t\" 42 }}{{ template \"t\" }}", "[42][<no value>]"],
    ["{{ block \"b\" $labels.job }}<{{ . }}>{{ end }}", "<node>"],
    ["{{ and 1 0 2 }}|{{ or 0 \"\" \"x\" }}|{{ not 0 }}|{{ and }}", "template: test:1:161: executing \"test\" at <and>: wrong number of args for and: want at least 1 got 0"],
    ["{{ len $labels }} {{ index $labels \"job\" }} {{ index $labels \"nope\" }}|{{ slice \"abcdef\" 1 3 }}", "3 node |bc"],
    ["{{ html \"<a href=\\\"x\\\">&</a>\" }}|{{ js \"a\\u0027b<c>=&\" }}|{{ urlquery \"a b&c=d/é\" }}", "&lt;a href=&#34;x&#34;&gt;&amp;&lt;/a&gt;|a\\'b\\u003Cc\\u003E\\u003D\\u0026|a+b%26c%3Dd%2F%C3%A9"],
    ["{{ lt 1 2 }} {{ le 2 2 }} {{ gt \"b\" \"a\" }} {{ ge 1.5 2.5 }} {{ ne 1 2 }} {{ eq 1 1 }}", "true true true false true true"],
    ["{{ lt 1 2.5 }}", "template: test:1:115: executing \"test\" at <lt 1 2.5>: error calling lt: incompatible types for comparison: int and float64"],
    ["{{ eq 1 \"a\" }}", "template: test:1:115: executing \"test\" at <eq 1 \"a\">: error calling eq: incompatible types for comparison: int and string"],
    ["{{ lt true false }}", "template: test:1:115: executing \"test\" at <lt true false>: error calling lt: invalid type for comparison"],
    ["{{ eq $labels $labels }}", "template: test:1:115: executing \"test\" at <eq $labels $labels>: error calling eq: non-comparable type map[__name__:up instance:host:9100 job:node]: map[string]string"],
    ["{{ .Labels.foo.bar }}", "template: test:1:122: executing \"test\" at <.Labels.foo.bar>: can't evaluate field bar in type string"],
    ["{{ $labels.job.x }}", "template: test:1:122: executing \"test\" at <$labels.job.x>: can't evaluate field x in type string"],
    ["{{ index $labels 1 }}", "template: test:1:115: executing \"test\" at <index $labels 1>: error calling index: value has type int; should be string"],
    ["{{ index \"abc\" 5 }}", "template: test:1:115: executing \"test\" at <index \"abc\" 5>: error calling index: index out of range: 5"],
    ["{{ index \"abc\" 3 }}", "template: test:1:115: executing \"test\" at <index \"abc\" 3>: error calling index: reflect: string index out of range"],
    ["{{ slice \"abc\" 2 1 }}", "template: test:1:115: executing \"test\" at <slice \"abc\" 2 1>: error calling slice: invalid slice index: 2 > 1"],
    ["{{ len 3 }}", "template: test:1:115: executing \"test\" at <len 3>: error calling len: len of type int"],
    ["{{ template \"nope\" }}", "template: test:1:124: executing \"test\" at <{{template \"nope\"}}>: template \"nope\" not defined"],
    ["{{ nil }}", "template: test:1:115: executing \"test\" at <nil>: nil is not a command"],
    ["{{ 1 2 }}", "template: test:1:115: executing \"test\" at <1>: can't give argument to non-function 1"],
    ["{{ $value.Foo }}", "template: test:1:121: executing \"test\" at <$value.Foo>: can't evaluate field Foo in type float64"],
    ["{{ .Value | printf \"%.1f\" }}", "1234567.0"],
    ["{{ humanize $labels }}", "template: test:1:115: executing \"test\" at <humanize $labels>: error calling humanize: can't convert map[string]string to float"],
    ["{{ title 3 }}", "template: test:1:121: executing \"test\" at <3>: expected string; found 3"],
    ["{{ index nil 1 }}", "template: test:1:115: executing \"test\" at <index nil 1>: error calling index: index of untyped nil"],
    ["{{ len nil }}", "template: test:1:115: executing \"test\" at <len nil>: error calling len: reflect: call of reflect.Value.Type on zero Value"],
    ["{{ (1) }} {{ (\"a\") }} {{ 0x10 }} {{ 1_000 }} {{ 0o17 }} {{ 0b101 }} {{ 017 }} {{ 1e3 }} {{ .5 }} {{ -1 }} {{ +2 }} {{ 0x1p4 }} {{ 'a' }} {{ '\\n' }}", "1 a 16 1000 15 5 15 1000 0.5 -1 2 16 97 10"],
    ["{{ \"\\x41\\u00e9\\101\\t\" }} {{ `raw\\n` }}", "AéA\t raw\\n"],
    ["{{ 9223372036854775807 }}", "9223372036854775807"],
    ["{{ 18446744073709551615 }}", "template: test:1:115: executing \"test\" at <18446744073709551615>: 18446744073709551615 overflows int"],
    ["{{ $labels | len }}", "3"],
    ["{{ \"abc\" | printf \"%s-%s\" \"x\" }}", "x-abc"],
    ["{{ 3 | printf \"%d %d\" 1 2 }}", "1 2%!(EXTRA int=3)"],
    ["{{ if and $labels.job (eq $value 1234567.0) }}ok{{ end }}", "ok"],
];

describe("Go text/template semantics through alert templates", () => {
  it.each(ALERT_CASES)("%j", async (text, want) => {
    let got: string;
    try {
      got = await alert(text);
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateError);
      got = (e as Error).message;
    }
    expect(got).toBe(want);
  });
});

describe("text and actions", () => {
  it("copies text verbatim and prints action values", async () => {
    expect(await run("plain text")).toBe("plain text");
    expect(await run("a{{ 1 }}b{{ `x` }}c")).toBe("a1bxc");
  });

  it("trim markers remove all ASCII space (incl. newlines) on their side only", async () => {
    expect(await run("a \n\t {{- 1 -}} \n b")).toBe("a1b");
    expect(await run("a  {{- 1 }}  b")).toBe("a1  b");
    expect(await run("a  {{ 1 -}}  b")).toBe("a  1b");
    expect(await run("{{-3}}")).toBe("-3");
    expect(await run("x {{- /* comment */ -}} y")).toBe("xy");
  });

  it("comments print nothing, even across lines", async () => {
    expect(await run("a{{/* one\ntwo */}}b")).toBe("ab");
  });

  it("actions may span lines (spaces include newlines inside actions)", async () => {
    expect(await run('{{ printf\n"%d-%s"\n1\n"x" }}')).toBe("1-x");
  });
});

describe("fields, maps and missing keys (missingkey=zero, as Prometheus sets it)", () => {
  it("a missing key of map[string]string is \"\"", async () => {
    expect(await alert("[{{ $labels.nope }}][{{ .Labels.nope }}][{{ index $labels `nope` }}]")).toBe("[][][]");
  });
  it("a missing key of map[string]interface {} is a nil interface, printed <no value>", async () => {
    expect(await run("{{ (args 1).arg5 }}|{{ index (args 1) `x` }}")).toBe("<no value>|<no value>");
  });
  it("fields of nil data are <no value>", async () => {
    expect(await run("{{ .Foo }}|{{ .Foo.Bar }}")).toBe("<no value>|<no value>");
  });
  it(".Value is interface {} in Prometheus 3 (native histograms): errors name that type", async () => {
    expect(await alertFailure(".Value.Foo", "{{ .Value.Foo }}")).toBe(
      'template: test:1:121: executing "test" at <.Value.Foo>: can\'t evaluate field Foo in type interface {}',
    );
  });
  it("plain JavaScript data is typed as encoding/json decodes it: map[string]interface {}, []interface {}, float64", async () => {
    expect(await run("{{ .a }} {{ .b.c }} {{ index .d 1 }} {{ len .d }} {{ printf `%T %T %T` .a .b .d }}", { a: 1.5, b: { c: "x" }, d: [1, "two"] })).toBe(
      "1.5 x two 2 float64 map[string]interface {} []interface {}",
    );
  });
});

describe("variables", () => {
  it("declarations are scoped to the enclosing control structure; assignment reaches outer ones", async () => {
    expect(await run("{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}")).toBe("21");
    expect(await run("{{ $x := 1 }}{{ range $i, $e := args 7 8 }}{{ $x = $e }}{{ end }}{{ $x }}")).toBe("8");
  });
  it("$ is the data root, also inside range", async () => {
    expect(await run("{{ range .items }}{{ $.name }}:{{ . }} {{ end }}", { name: "n", items: ["a", "b"] })).toBe("n:a n:b ");
  });
  it("templates do not see the caller's variables: $ is the template's dot", async () => {
    expect(await run('{{ define "t" }}{{ $ }}{{ end }}{{ $x := 5 }}{{ template "t" "dot" }}')).toBe("dot");
  });
  it("an undefined variable assigned at run time is an execution error, located at the last evaluated operand", async () => {
    expect(await failure("{{ $y = 2 }}")).toBe('template: test:1:8: executing "test" at <2>: undefined variable: $y');
  });
});

describe("if / with / range", () => {
  it("truth follows Go's zero values: empty strings, maps and slices, 0, false and nil are false", async () => {
    const out = await run(
      "{{ if `` }}1{{ end }}{{ if 0 }}2{{ end }}{{ if 0.0 }}3{{ end }}{{ if false }}4{{ end }}{{ if .none }}5{{ end }}{{ if .empty }}6{{ end }}{{ if .list }}7{{ end }}{{ if `x` }}8{{ end }}",
      { empty: {}, list: [] },
    );
    expect(out).toBe("8");
  });
  it("else if chains and with sets dot; else with (Go 1.23) tries the next value", async () => {
    expect(await run("{{ if 0 }}a{{ else if 0 }}b{{ else if 1 }}c{{ else }}d{{ end }}")).toBe("c");
    expect(await run("{{ with `` }}a{{ else with `x` }}{{ . }}{{ else }}c{{ end }}")).toBe("x");
  });
  it("range over a slice binds index and element; an empty one runs else", async () => {
    expect(await run("{{ range $i, $e := . }}{{ $i }}{{ $e }} {{ end }}", ["a", "b"])).toBe("0a 1b ");
    expect(await run("{{ range . }}x{{ else }}empty{{ end }}", [])).toBe("empty");
    expect(await run("{{ range .nothing }}x{{ else }}none{{ end }}", {})).toBe("none");
  });
  it("range over a map visits keys in sorted order (Go sorts map keys)", async () => {
    expect(await run("{{ range $k, $v := . }}{{ $k }}={{ $v }} {{ end }}", { zeta: "1", alpha: "2", Beta: "3", _x: "4" })).toBe("Beta=3 _x=4 alpha=2 zeta=1 ");
  });
  it("range over an integer counts from 0 (Go 1.24)", async () => {
    expect(await run("{{ range 3 }}{{ . }}{{ end }}|{{ range $i := 2 }}{{ $i }}{{ end }}|{{ range 0 }}x{{ else }}none{{ end }}")).toBe("012|01|none");
    expect(await failure("{{ range $i, $e := 3 }}{{ end }}")).toBe(
      'template: test:1:19: executing "test" at <3>: can\'t use 3 to iterate over more than one variable',
    );
  });
  it("break and continue leave or skip an iteration of the innermost range", async () => {
    expect(await run("{{ range $i := 5 }}{{ if eq $i 3 }}{{ break }}{{ end }}{{ if eq $i 1 }}{{ continue }}{{ end }}{{ $i }}{{ end }}")).toBe("02");
    expect(await run("{{ range 2 }}{{ range 3 }}{{ if eq . 1 }}{{ break }}{{ end }}{{ . }}{{ end }};{{ end }}")).toBe("0;0;");
  });
  it("range over a string or a number that is not an integer is an error", async () => {
    expect(await failure("{{ range `abc` }}{{ end }}")).toBe('template: test:1:9: executing "test" at <`abc`>: range can\'t iterate over abc');
    expect(await failure("{{ range 1.5 }}{{ end }}")).toBe('template: test:1:9: executing "test" at <1.5>: range can\'t iterate over 1.5');
  });
});

describe("define, template and block", () => {
  it("template passes a pipeline as dot; block defines and runs", async () => {
    expect(await run('{{ define "x" }}{{ .arg0 }} {{ .arg1 }}{{ end }}{{ template "x" (args 1 "2") }}')).toBe("1 2");
    expect(await run('{{ block "b" 5 }}<{{ . }}>{{ end }}{{ template "b" 6 }}')).toBe("<5><6>");
  });
  it("a defined template may replace an empty top-level one", async () => {
    expect(await run('{{ define "test" }}body{{ end }}')).toBe("body");
  });
  it("errors inside a called template name it; a field chain is located at its second field, as in Go", async () => {
    expect(await failure('{{ define "t" }}{{ .x.y }}{{ end }}{{ template "t" 1 }}')).toBe(
      'template: test:1:21: executing "t" at <.x.y>: can\'t evaluate field x in type int',
    );
  });
  it("stops runaway recursion at a maximum template depth", async () => {
    expect(await failure('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" }}')).toBe(
      `template: test:1:28: executing "r" at <{{template "r" .}}>: exceeded maximum template depth (${MAX_EXEC_DEPTH})`,
    );
  });
});

describe("platform limits", () => {
  it("stops a runaway loop after a bounded number of operations (Go has no bound; an isolate's CPU does)", async () => {
    // time.Duration is an integer: ranging over it counts nanoseconds (Go 1.24).
    expect(await failure("{{ range toDuration 60 }}{{ end }}")).toBe(
      `template: test:1:9: executing "test" at <{{range toDuration 60}}{{end}}>: exceeded maximum template operations (${MAX_EXEC_OPS})`,
    );
    expect(await run("{{ range $i := 10000 }}{{ end }}done")).toBe("done");
  });
});

describe("functions and pipelines", () => {
  it("the pipeline value is the last argument", async () => {
    expect(await run('{{ "b" | printf "%s%s" "a" }}')).toBe("ab");
  });
  it("and/or short-circuit: later arguments are not evaluated", async () => {
    expect(await run("{{ and 0 (index nil 1) }}|{{ or 1 (index nil 1) }}")).toBe("0|1");
  });
  it("and/or return the deciding operand, not a bool", async () => {
    expect(await run("{{ and 1 `x` }}|{{ or 0 `` }}|{{ or `` 0.0 `y` }}")).toBe("x||y");
  });
  it("arguments are converted to the parameter's type or rejected", async () => {
    expect(await failure("{{ printf 1 }}")).toBe('template: test:1:10: executing "test" at <1>: expected string; found 1');
    expect(await failure("{{ toUpper (safeHtml `x`) }}")).toBe(
      'template: test:1:21: executing "test" at <`x`>: wrong type for value; expected string; got template.HTML',
    );
    expect(await failure("{{ label `x` 1 }}")).toBe('template: test:1:13: executing "test" at <1>: can\'t handle 1 for arg of type *template.sample');
    expect(await failure("{{ toUpper nil }}")).toBe('template: test:1:11: executing "test" at <nil>: cannot assign nil to string');
  });
  it("arity is checked as in Go", async () => {
    expect(await failure("{{ toUpper }}")).toBe('template: test:1:3: executing "test" at <toUpper>: wrong number of args for toUpper: want 1 got 0');
    expect(await failure("{{ eq 1 }}")).toBe('template: test:1:3: executing "test" at <eq 1>: error calling eq: missing argument for comparison');
  });
  it("eq compares against each further argument; ints of either sign compare", async () => {
    expect(await run("{{ eq 2 1 2 3 }} {{ eq `a` `b` `c` }} {{ ne 1 1 }} {{ eq (index `a` 0) 97 }}")).toBe("true false false true");
  });
  it("index and slice work on strings byte-wise", async () => {
    expect(await run("{{ index `héllo` 1 }} {{ slice `héllo` 3 }} {{ len `é` }}")).toBe("195 llo 2");
  });
  it("slices share their backing array and keep capacity", async () => {
    expect(await run("{{ $s := slice . 1 2 }}{{ $s }} {{ slice $s 0 2 }}", ["a", "b", "c"])).toBe("[b] [b c]");
  });
  it("call is a builtin but templates have no function values", async () => {
    expect(await failure("{{ call .f }}", { f: "x" })).toBe('template: test:1:3: executing "test" at <call .f>: error calling call: non-function .f of type string');
  });
});

async function alertFailure(_name: string, text: string): Promise<string> {
  try {
    await alert(text);
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateError);
    return (e as Error).message;
  }
  throw new Error(`${text} did not fail`);
}
