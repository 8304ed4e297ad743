import { describe, expect, it } from "vitest";
import { title } from "../../../src/rules/template/title.js";
import { CTX, RESULTS, alert, failure, queried, run } from "./helpers.js";

// Prometheus' template functions. Values marked (Go) were compared with promtool 2.42
// expanding the same templates; functions added later (toDuration, now,
// urlQueryEscape, negative parseDuration) follow template/template.go of Prometheus 3.

describe("humanize (SI prefixes, %.4g)", () => {
  const cases: Array<[string, string]> = [
    ["0", "0"],
    ["1", "1"],
    ["-1", "-1"],
    ["1234567", "1.235M"],
    ["0.12", "120m"],
    ["1e-9", "1n"],
    ["-0.22222", "-222.2m"],
    ["1048576", "1.049M"],
    ["90000", "90k"],
    ["899.99", "900"],
    ["0.0001", "100u"],
    ["1023.9", "1.024k"],
    ["1e27", "1000Y"],
    ["1e300", "1e+276Y"],
    ["2.5e-25", "0.25y"],
    ['"1e3"', "1k"],
    ['"inf"', "+Inf"],
    ['"-Infinity"', "-Inf"],
    ['"NaN"', "NaN"],
    ['"1_000"', "1k"],
  ];
  it.each(cases)("humanize %s = %s (Go)", async (arg, want) => {
    expect(await run(`{{ humanize ${arg} }}`)).toBe(want);
  });
});

describe("humanize1024 (binary prefixes)", () => {
  const cases: Array<[string, string]> = [
    ["0", "0"],
    ["1", "1"],
    ["-1", "-1"],
    ["0.12", "0.12"],
    ["1024", "1ki"],
    ["1023.9", "1024"],
    ["1048576", "1Mi"],
    ["-1048576", "-1Mi"],
    ["1234567", "1.177Mi"],
    ["90000", "87.89ki"],
    ["1e24", "847Zi"],
    ["1e300", "8.272e+275Yi"],
  ];
  it.each(cases)("humanize1024 %s = %s (Go)", async (arg, want) => {
    expect(await run(`{{ humanize1024 ${arg} }}`)).toBe(want);
  });
});

describe("humanizeDuration", () => {
  const cases: Array<[string, string]> = [
    ["0", "0s"],
    ["1", "1s"],
    ["-1", "-1s"],
    ["60", "1m 0s"],
    ["3600", "1h 0m 0s"],
    ["90061", "1d 1h 1m 1s"],
    ["1234567", "14d 6h 56m 7s"],
    ["-1048576", "-12d 3h 16m 16s"],
    ["899.99", "14m 59s"],
    ["60.5", "1m 0s"],
    ["1.2345", "1.234s"],
    ["0.12", "120ms"],
    ["0.0001", "100us"],
    ["1e-9", "1ns"],
    ["1.234e-9", "1.234ns"],
    ["2.5e-25", "0.25ys"],
    // int64(v) of a float beyond int64 is Go's "integer indefinite", the minimum int64.
    ["1e300", "-106751991167300d -15h -30m -8s"],
  ];
  it.each(cases)("humanizeDuration %s = %s (Go)", async (arg, want) => {
    expect(await run(`{{ humanizeDuration ${arg} }}`)).toBe(want);
  });
});

describe("humanizePercentage and humanizeTimestamp", () => {
  it("humanizePercentage multiplies by 100 and keeps 4 significant digits (Go)", async () => {
    expect(await run("{{ -0.22222 | humanizePercentage }}:{{ 0.0 | humanizePercentage }}:{{ 0.1234567 | humanizePercentage }}:{{ 1.23456 | humanizePercentage }}")).toBe(
      "-22.22%:0%:12.35%:123.5%",
    );
    expect(await run("{{ humanizePercentage 1234567 }}:{{ humanizePercentage 1e-9 }}")).toBe("1.235e+08%:1e-07%");
  });
  it("humanizeTimestamp prints time.Time.String() in UTC with millisecond precision (Go)", async () => {
    expect(await run("{{ 1435065584.128 | humanizeTimestamp }}")).toBe("2015-06-23 13:19:44.128 +0000 UTC");
    expect(await run("{{ humanizeTimestamp 0 }}|{{ humanizeTimestamp -1 }}|{{ humanizeTimestamp 0.12 }}|{{ humanizeTimestamp -0.22222 }}")).toBe(
      "1970-01-01 00:00:00 +0000 UTC|1969-12-31 23:59:59 +0000 UTC|1970-01-01 00:00:00.12 +0000 UTC|1969-12-31 23:59:59.778 +0000 UTC",
    );
    expect(await run("{{ humanizeTimestamp 9223372036.854775807 }}")).toBe("1677-09-21 00:12:43.146 +0000 UTC");
  });
  it("NaN and Inf stay numbers (Go)", async () => {
    const out = await run("{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{ humanizeTimestamp . }}:{{ end }}", ["+Inf", "-Inf", "NaN"]);
    expect(out).toBe("+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:");
  });
  it("the alert value goes through every humanizer (Go)", async () => {
    expect(await alert("{{ $value | humanize }}|{{ $value | humanize1024 }}|{{ $value | humanizeDuration }}|{{ $value | humanizePercentage }}|{{ $value | humanizeTimestamp }}")).toBe(
      "1.235M|1.177Mi|14d 6h 56m 7s|1.235e+08%|1970-01-15 06:56:07 +0000 UTC",
    );
  });
});

describe("conversion errors (ConvertToFloat)", () => {
  it("strings go through strconv.ParseFloat and report its error (Go)", async () => {
    expect(await failure('{{ humanize "one" }}')).toBe(
      'template: test:1:3: executing "test" at <humanize "one">: error calling humanize: strconv.ParseFloat: parsing "one": invalid syntax',
    );
    expect(await failure('{{ "one" | humanizePercentage }}')).toBe(
      'template: test:1:11: executing "test" at <humanizePercentage>: error calling humanizePercentage: strconv.ParseFloat: parsing "one": invalid syntax',
    );
    expect(await failure('{{ humanize "1e400" }}')).toBe(
      'template: test:1:3: executing "test" at <humanize "1e400">: error calling humanize: strconv.ParseFloat: parsing "1e400": value out of range',
    );
    expect(await failure('{{ humanize "0x10" }}')).toContain('strconv.ParseFloat: parsing "0x10": invalid syntax');
  });
  it("other types cannot be converted (Go)", async () => {
    expect(await failure("{{ humanize true }}")).toContain("error calling humanize: can't convert bool to float");
    expect(await failure("{{ humanize nil }}")).toContain("error calling humanize: can't convert <nil> to float");
    expect(await failure('{{ humanize (index "a" 0) }}')).toContain("error calling humanize: can't convert uint8 to float");
    expect(await failure("{{ humanizeDuration (toDuration 5) }}")).toContain("can't convert *time.Duration to float");
  });
  it("timestamps beyond int64 nanoseconds are errors (Go)", async () => {
    expect(await failure("{{ humanizeTimestamp 1e10 }}")).toBe(
      'template: test:1:3: executing "test" at <humanizeTimestamp 1e10>: error calling humanizeTimestamp: 1e+10 cannot be represented as a nanoseconds timestamp since it overflows int64',
    );
  });
});

describe("query, first, label, value, strvalue, sortByLabel", () => {
  it("query runs the expression at the evaluation time and keeps the engine's order", async () => {
    queried.length = 0;
    expect(await run('{{ range query "up" }}{{ .Labels.instance }}={{ .Value }} {{ end }}')).toBe("b:9100=0 a:9100=1 ");
    expect(queried).toEqual([{ expr: "up", timeMs: CTX.timeMs }]);
  });
  it("first, label, value and strvalue read one sample", async () => {
    expect(await run('{{ query "up" | first | label "instance" }} {{ query "up" | first | value }} {{ with query "up" }}{{ len . }}{{ end }}')).toBe("b:9100 0 2");
    expect(await run(`{{ query "metric{__value__='a'}" | first | strvalue }}`)).toBe("a");
    expect(await run('{{ query "up" | first | label "nope" }}|{{ $x := query "up" | first }}{{ $x.Labels.nope }}|')).toBe("||");
  });
  it("a sample prints as its struct (the pointer is followed), a list as pointers (Go)", async () => {
    expect(await run('{{ query "up" | first }}')).toBe("{map[__name__:up instance:b:9100 job:node] 0}");
    expect(await run('{{ query "missing" }}')).toBe("[]");
    expect(await run('{{ query "up" }}')).toMatch(/^\[0x[0-9a-f]+ 0x[0-9a-f]+\]$/);
  });
  it("sortByLabel sorts stably by one label, in place", async () => {
    expect(await run('{{ range query "up" | sortByLabel "instance" }}{{ .Labels.instance }} {{ end }}')).toBe("a:9100 b:9100 ");
    expect(await run('{{ $r := query "up" }}{{ $s := sortByLabel "instance" $r }}{{ (index $r 0).Labels.instance }}')).toBe("a:9100");
    expect(await run('{{ range query "up" | sortByLabel "job" }}{{ .Labels.instance }} {{ end }}')).toBe("b:9100 a:9100 ");
  });
  it("errors: empty vector, query failure, field of a list (Go)", async () => {
    expect(await failure('{{ query "missing" | first }}')).toBe(
      'template: test:1:21: executing "test" at <first>: error calling first: first() called on vector with no elements',
    );
    expect(await failure('{{ (query "missing").banana }}')).toBe(
      'template: test:1:10: executing "test" at <"missing">: can\'t evaluate field banana in type template.queryResult',
    );
    expect(await failure('{{ query "1 +" }}')).toBe(
      'template: test:1:3: executing "test" at <query "1 +">: error calling query: 1:1: parse error: unknown expression "1 +"',
    );
    expect(await failure('{{ label "x" nil }}')).toBe(
      'template: test:1:3: executing "test" at <label "x" nil>: error calling label: runtime error: invalid memory address or nil pointer dereference',
    );
  });
});

describe("strings, regular expressions and links", () => {
  it("reReplaceAll expands $1/${name}/$$ and skips an empty match right after a match (Go)", async () => {
    expect(await run('{{ reReplaceAll "(a)b" "x$1" "ab" }}')).toBe("xa");
    expect(await run('{{ reReplaceAll "a*" "-" "baaac" }}|{{ reReplaceAll "(?P<x>a)(b)?" "[${x}$2$$]" "ab a" }}|{{ reReplaceAll "^(.*):.*" "$1" "host:9100" }}')).toBe(
      "-b-c-|[ab$] [a$]|host",
    );
  });
  it("pathological patterns run in linear time (a backtracking engine hangs here)", async () => {
    const long = "a".repeat(10_000);
    expect(await run(`{{ match "(a+)+b" "${long}c" }}|{{ reReplaceAll "(a+)+b" "x" "${long}c" }}`)).toBe(`false|${long}c`);
    expect(await run(`{{ reReplaceAll "(a+)+(b)" "[$2]" "${long}b${long}c" }}`)).toBe(`[b]${long}c`);
    expect(await run(`{{ match "(.*.*)*x" "${"node_bytes_".repeat(1000)}" }}`)).toBe("false");
  });
  it("regexps are unanchored and . does not match a newline (plain regexp.Compile) (Go)", async () => {
    expect(await run('{{ reReplaceAll "." "x" "a\\nb" }}|{{ match "a.b" "a\\nb" }}|{{ match "^b" "a\\nb" }}|{{ match "(?m)^b" "a\\nb" }}|{{ match "a+" "xaax" }}')).toBe(
      "x\nx|false|false|true|true",
    );
  });
  it("a bad pattern is an error for match and a recovered panic for reReplaceAll (Go)", async () => {
    expect(await failure('{{ match "(" "x" }}')).toContain("error calling match: error parsing regexp: missing closing ): `(`");
    expect(await failure('{{ reReplaceAll "[" "" "x" }}')).toContain("error calling reReplaceAll: regexp: Compile(`[`): error parsing regexp: missing closing ]: `[`");
  });
  it("toUpper/toLower map code points one to one, as Go's strings package (Go)", async () => {
    expect(await run('{{ toUpper "aß é" }}|{{ toLower "ÀÉ İ" }}|{{ "aA bB CC" | toLower }}')).toBe("Aß É|àé i|aa bb cc");
  });
  it("graphLink, tableLink, urlQueryEscape and urlquery escape like url.QueryEscape", async () => {
    expect(await run('{{ graphLink "rate(x{a=\\"b c\\"}[5m]) > 0" }}|{{ tableLink "up" }}')).toBe(
      "/graph?g0.expr=rate%28x%7Ba%3D%22b+c%22%7D%5B5m%5D%29+%3E+0&g0.tab=0|/graph?g0.expr=up&g0.tab=1",
    );
    expect(await run('{{ urlQueryEscape "a b/é~" }}|{{ urlquery "a b" 1 }}')).toBe("a+b%2F%C3%A9~|a+b1");
  });
  it("safeHtml returns template.HTML, which text templates print as is (Go)", async () => {
    expect(await run('{{ safeHtml "<b>" }}|{{ printf "%T" (safeHtml "x") }}|{{ "<b>" }}')).toBe("<b>|template.HTML|<b>");
  });
  it("stripPort and stripDomain follow net.SplitHostPort and net.ParseIP (Go)", async () => {
    expect(await run('{{ stripPort "foo.example.com:12345" }}|{{ stripPort "[::1]:80" }}|{{ stripPort "::1" }}|{{ "[2001:0DB8::1]::12345" | stripPort }}')).toBe(
      "foo.example.com|::1|::1|[2001:0DB8::1]::12345",
    );
    expect(
      await run(
        '{{ stripDomain "foo.example.com:12345" }}|{{ stripDomain "192.0.2.1:80" }}|{{ stripDomain "01.2.3.4" }}|{{ stripDomain "[foo.bar]:80" }}|{{ stripDomain "::ffff:1.2.3.4" }}|{{ "[2001:0DB8::1]:12345" | stripDomain }}',
      ),
    ).toBe("foo:12345|192.0.2.1:80|01|foo:80|::ffff:1.2.3.4|[2001:0DB8::1]:12345");
  });
  it("args builds map[string]interface {} with arg0, arg1... (Go)", async () => {
    expect(await run('{{ args 1 "a" }}|{{ (args 1).arg1 }}|{{ index (args 5) "arg0" }}')).toBe("map[arg0:1 arg1:a]|<no value>|5");
  });
});

describe("title (cases.Title with NoLower, Prometheus 3.10)", () => {
  const cases: Array<[string, string]> = [
    ["aa bb CC", "Aa Bb CC"],
    ["abc aBc ABC abC İsıI o'Brien", "Abc ABc ABC AbC İsıI O'Brien"],
    ["with-hyphens", "With-Hyphens"],
    ["49ers 49ers", "49Ers 49Ers"],
    ['"capitalize a^a -hyphen 0X _u a_u:a', '"Capitalize A^A -Hyphen 0X _U A_u:a'],
    ["a'.a a.a a4,a", "A'.A A.a A4,A"],
    ["x\u3031x x\u05d0x \u05d0x", "X\u3031X X\u05d0x \u05d0X"],
    ["\u0345 ǆa ßa ﬁx", "\u0399 ǅa Ssa Fix"],
  ];
  it.each(cases)("title(%j) = %j (x/text's word breaking)", (s, want) => {
    expect(title(s)).toBe(want);
  });
});

describe("time and durations", () => {
  it("now is the evaluation time in float seconds (Prometheus' own test)", async () => {
    expect(await run("{{ now }}")).toBe("1.353755652e+09");
    expect(await run('{{ (now | toTime).Format "Mon Jan 2 15:04:05 2006" }}')).toBe("Sat Nov 24 11:14:12 2012");
  });
  it("toTime returns *time.Time with Go's methods and layouts (Go)", async () => {
    expect(await run('{{ (toTime 1435065584.128).Format "2006-01-02T15:04:05.000Z07:00 Mon Jan _2 3:4:5 PM .999 ,000000 002 __2 -0700 MST" }}')).toBe(
      "2015-06-23T13:19:44.128Z Tue Jun 23 1:19:44 PM .128 ,128000 174 174 +0000 UTC",
    );
    expect(await run("{{ toTime 0 }}|{{ toTime -1.5 }}|{{ (toTime 1.5).Unix }}|{{ (toTime -1.5).Unix }}|{{ (toTime -1.5).UnixMilli }}")).toBe(
      "1970-01-01 00:00:00 +0000 UTC|1969-12-31 23:59:58.5 +0000 UTC|1|-2|-1500",
    );
    expect(await run("{{ with toTime 1435065584 }}{{ .Year }} {{ .Month }} {{ .Day }} {{ .Weekday }} {{ .YearDay }} {{ .Hour }}{{ end }}")).toBe("2015 June 23 Tuesday 174 13");
  });
  it("toDuration returns *time.Duration printed by Duration.String (Prometheus' own test)", async () => {
    expect(await run("{{ (1800 | toDuration).String }}|{{ toDuration 90061 }}|{{ toDuration 0.0015 }}|{{ toDuration 1.5e-7 }}|{{ toDuration -3.5 }}|{{ toDuration 0 }}")).toBe(
      "30m0s|25h1m1s|1.5ms|150ns|-3.5s|0s",
    );
    expect(await run("{{ (toDuration 5400).Hours }} {{ (toDuration 5400).Minutes }} {{ (toDuration 0.0000015).String }}")).toBe("1.5 90 1.5µs");
  });
  it("parseDuration takes Prometheus durations, negative ones too, and returns seconds", async () => {
    expect(await run('{{ parseDuration "1h30m" }}|{{ parseDuration "1y2w3d" }}|{{ parseDuration "-5m" }}|{{ parseDuration "0" }}')).toBe("5400|3.30048e+07|-300|0");
    expect(await run('{{ printf "%0.2f" (parseDuration "1h2m10ms") }}|{{ printf "%0.2f" (parseDuration "-1h2m10ms") }}')).toBe("3720.01|-3720.01");
    expect(await run('{{ ("-30m" | parseDuration | toDuration | (now | toTime).Add).UnixMilli }}')).toBe("1353753852000");
    expect(await failure('{{ parseDuration "5x" }}')).toContain('error calling parseDuration: unknown unit "x" in duration "5x"');
    expect(await failure('{{ parseDuration "1s1m" }}')).toContain('error calling parseDuration: not a valid duration string: "1s1m"');
    expect(await failure('{{ parseDuration "" }}')).toContain("error calling parseDuration: empty duration string");
  });
});

describe("URLs", () => {
  it("externalURL and pathPrefix come from the configured external URL", async () => {
    expect(await run("{{ externalURL }}|{{ pathPrefix }}")).toBe("http://testhost:9090/path/prefix|/path/prefix");
    expect(await run("{{ pathPrefix }}", undefined, { ...CTX, externalURL: "https://example.com/a%20b/" })).toBe("/a b/");
  });
});

describe("the query callback", () => {
  it("is only called by query", async () => {
    queried.length = 0;
    await run("{{ humanize 1 }}{{ now }}");
    expect(queried).toEqual([]);
    expect(Object.keys(RESULTS)).toContain("up");
  });
});
