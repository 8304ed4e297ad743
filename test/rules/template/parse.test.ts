import { describe, expect, it } from "vitest";
import { ALERT_HEADER, TemplateError, checkTemplate, parseTemplate } from "../../../src/rules/template/index.js";

/** The TemplateError message parsing `text` as template "test" throws, or null. */
function parseError(text: string): string | null {
  try {
    parseTemplate("test", text);
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateError);
    return (e as Error).message;
  }
}

// Go's text/template parse errors, word for word and with Go's line numbers. Each
// message was compared with `promtool check rules` (Prometheus 2.42) on the same text;
// the two messages that changed in later Go releases are tested separately below.
const PARSE_ERRORS: Array<[string, string]> = [
    ["{{", "template: test:1: unclosed action"],
    ["{{ foo }}", "template: test:1: function \"foo\" not defined"],
    ["{{ }}", "template: test:1: missing value for command"],
    ["{{ $x }}", "template: test:1: undefined variable \"$x\""],
    ["{{ 1 | 2 }}", "template: test:1: non executable command in pipeline stage 2"],
    ["{{ if }}", "template: test:1: missing value for if"],
    ["{{ if 1 }}", "template: test:1: unexpected EOF"],
    ["{{ if 1 }}{{ else }}{{ else }}{{ end }}", "template: test:1: expected end; found {{else}}"],
    ["{{ end }}", "template: test:1: unexpected {{end}}"],
    ["{{ else }}", "template: test:1: unexpected {{else}}"],
    ["{{ range $a, $b, $c := . }}{{ end }}", "template: test:1: too many declarations in range"],
    ["{{ range $a, 1 := . }}{{ end }}", "template: test:1: range can only initialize variables"],
    ["{{ $a, $b := 1 }}", "template: test:1: too many declarations in command"],
    ["{{ break }}", "template: test:1: {{break}} outside {{range}}"],
    ["{{ range . }}{{ break 1 }}{{ end }}", "template: test:1: unexpected \"1\" in {{break}}"],
    ["{{ define \"x\" }}a{{ end }}{{ define \"x\" }}b{{ end }}", "template: test:1: template: multiple definition of template \"x\""],
    ["{{ define 1 }}{{ end }}", "template: test:1: unexpected \"1\" in define clause"],
    ["{{ template }}", "template: test:1: unexpected \"}}\" in template clause"],
    ["{{ template x }}", "template: test:1: unexpected \"x\" in template clause"],
    ["{{ \"abc }}", "template: test:1: unterminated quoted string"],
    ["{{ `abc }}", "template: test:1: unterminated raw quoted string"],
    ["{{ 'ab' }}", "template: test:1: malformed character constant: 'ab'"],
    ["{{ '' }}", "template: test:1: invalid syntax"],
    ["{{ 1x }}", "template: test:1: bad number syntax: \"1x\""],
    ["{{ 0x }}", "template: test:1: illegal number syntax: \"0x\""],
    ["{{ 1.2.3 }}", "template: test:1: unexpected \".3\" in operand"],
    ["{{ 99999999999999999999 }}", "template: test:1: integer overflow: \"99999999999999999999\""],
    ["{{ 1e500 }}", "template: test:1: illegal number syntax: \"1e500\""],
    ["{{ .Foo-bar }}", "template: test:1: bad character U+002D '-'"],
    ["{{ $x-1 }}", "template: test:1: bad character U+002D '-'"],
    ["{{ € }}", "template: test:1: unrecognized character in action: U+20AC '€'"],
    ["{{ #  }}", "template: test:1: unexpected \"#\" in command"],
    ["{{ (1 }}", "template: test:1: unclosed left paren"],
    ["{{ .x. }}", "template: test:1: unexpected <.> in operand"],
    ["{{ 3.Foo }}", "template: test:1: bad number syntax: \"3.F\""],
    ["{{ \"a\".b }}", "template: test:1: unexpected . after term \"\\\"a\\\"\""],
    ["{{ nil.x }}", "template: test:1: unexpected . after term \"nil\""],
    ["{{ /* x */ }}", "template: test:1: unexpected \"/\" in command"],
    ["{{/* unclosed }}", "template: test:1: unclosed comment"],
    ["{{/* x */ 1 }}", "template: test:1: comment ends before closing delimiter"],
    ["{{ \"\\q\" }}", "template: test:1: invalid syntax"],
    ["{{ \"\\400\" }}", "template: test:1: invalid syntax"],
    ["{{ \"\\uD800\" }}", "template: test:1: invalid syntax"],
    ["a\nb\n{{ foo }}", "template: test:3: function \"foo\" not defined"],
    ["{{ if true }}\n\n{{ foo }}{{ end }}", "template: test:3: function \"foo\" not defined"],
    ["{{ 1 \n 2 \n }}{{ \n bar }}", "template: test:4: function \"bar\" not defined"],
    ["{{ \"a\n\" }}", "template: test:1: unterminated quoted string"],
    ["x\n{{ 1 \n", "template: test:3: unclosed action started at test:2"],
    ["{{/* a\nb */}}\n{{ nope }}", "template: test:3: function \"nope\" not defined"],
    ["{{ range $i := . }}{{ end }}{{ $i }}", "template: test:1: undefined variable \"$i\""],
    ["{{ define \"a\" }}{{ $labels }}{{ end }}", "template: test:1: undefined variable \"$labels\""],
    ["{{ block \"b\" . }}x{{ end }}{{ block \"b\" . }}y{{ end }}", "template: test:1: template: multiple definition of template \"b\""],
    ["{{ .X | 1 }}", "template: test:1: non executable command in pipeline stage 2"],
    ["{{ . | . }}", "template: test:1: non executable command in pipeline stage 2"],
];

describe("parse errors (Go's messages and line numbers)", () => {
  it.each(PARSE_ERRORS)("%j", (text, message) => {
    expect(parseError(text)).toBe(message);
  });

  it("a right paren without a left one is a lexer error since Go 1.22", () => {
    expect(parseError("{{ 1) }}")).toBe("template: test:1: unexpected right paren");
  });

  it("accepts what Go accepts: trailing pipes, assignments, else with (Go 1.23), comments with trim markers", () => {
    for (const ok of [
      "{{ .a.b | }}",
      "{{ (1 | ) }}",
      "{{ $x := 1 }}{{ $x = 2 }}",
      "{{ with 1 }}{{ else with 2 }}{{ end }}",
      "{{- /* ok */ -}}",
      '{{ template "a" 1 2 }}',
      "{{ len }}",
      "{{ 1 | .X 2 }}",
      "{{ true | not }}",
      "{{range $i, $e := .}}{{break}}{{continue}}{{end}}",
      "{{ if 1 }}a{{ else if 2 }}b{{ else }}c{{ end }}",
      "{{ 1 \n | \n printf \"%d\" }}",
    ]) {
      expect(parseError(ok), ok).toBeNull();
    }
  });

  it("reports an unterminated action with the line it started on", () => {
    expect(parseError("a\n{{ if\n\n")).toBe("template: test:4: unclosed action started at test:2");
  });

  it("limits parenthesis nesting as Go does on constrained targets", () => {
    expect(parseError("{{ " + "(".repeat(1001) + "1" + ")".repeat(1001) + " }}")).toBe("template: test:1: max expression depth exceeded");
    expect(parseError("{{ " + "(".repeat(1000) + "1" + ")".repeat(1000) + " }}")).toBeNull();
  });
});

describe("checkTemplate (promtool check rules)", () => {
  it("parses with the alert header, so $labels, $value, $externalLabels and $externalURL exist", () => {
    expect(checkTemplate("__alert_HighLoad", "{{ $labels.job }} {{ $value }} {{ $externalLabels.x }} {{ $externalURL }}")).toBeNull();
  });
  it("returns Go's message naming the template", () => {
    expect(checkTemplate("__alert_HighLoad", "{{ $labels.foo }")).toBe('template: __alert_HighLoad:1: unexpected "}" in operand');
    expect(checkTemplate("__alert_HighLoad", "{{ humanise $value }}")).toBe('template: __alert_HighLoad:1: function "humanise" not defined');
    expect(checkTemplate("__alert_HighLoad", "{{ $other }}")).toBe('template: __alert_HighLoad:1: undefined variable "$other"');
  });
  it("the header is exactly Prometheus' definitions", () => {
    expect(ALERT_HEADER).toBe("{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}");
  });
});
