import { describe, expect, it } from "vitest";
import { ParseError } from "../../../src/promql/parser/errors.js";
import { describeToken, Lexer, type Token } from "../../../src/promql/parser/lexer.js";

function tokens(input: string): string[] {
  const lx = new Lexer(input);
  const out: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const t = lx.next();
    if (t.type === "EOF") return out;
    out.push(`${t.type}:${t.val}@${t.pos}`);
  }
  throw new Error("no EOF");
}

function lexError(input: string): [number, string] {
  const lx = new Lexer(input);
  try {
    for (let i = 0; i < 1000; i++) if (lx.next().type === "EOF") break;
  } catch (e) {
    if (e instanceof ParseError) return [e.offset, e.detail];
    throw e;
  }
  throw new Error(`expected a lexer error for ${JSON.stringify(input)}`);
}

describe("lexer: tokens", () => {
  it.each<[string, string[]]>([
    ["foo", ["IDENTIFIER:foo@0"]],
    ["foo:bar_total", ["METRIC_IDENTIFIER:foo:bar_total@0"]],
    [":foo", ["METRIC_IDENTIFIER::foo@0"]],
    ["_1_2", ["IDENTIFIER:_1_2@0"]],
    ["sum SUM Sum", ["SUM:sum@0", "SUM:SUM@4", "SUM:Sum@8"]],
    ["and or unless atan2", ["LAND:and@0", "LOR:or@4", "LUNLESS:unless@7", "ATAN2:atan2@14"]],
    ["by without on ignoring group_left group_right bool offset", [
      "BY:by@0", "WITHOUT:without@3", "ON:on@11", "IGNORING:ignoring@14", "GROUP_LEFT:group_left@23",
      "GROUP_RIGHT:group_right@34", "BOOL:bool@46", "OFFSET:offset@51",
    ]],
    ["count_values topk bottomk quantile limitk limit_ratio group stddev stdvar", [
      "COUNT_VALUES:count_values@0", "TOPK:topk@13", "BOTTOMK:bottomk@18", "QUANTILE:quantile@26",
      "LIMITK:limitk@35", "LIMIT_RATIO:limit_ratio@42", "GROUP:group@54", "STDDEV:stddev@60", "STDVAR:stdvar@67",
    ]],
    ["start end step range", ["START:start@0", "END:end@6", "STEP:step@10", "RANGE:range@15"]],
    ["fill fill_left()", ["IDENTIFIER:fill@0", "FILL_LEFT:fill_left@5", "LEFT_PAREN:(@14", "RIGHT_PAREN:)@15"]],
    ["1 1.5 .5 5. 1e3 1E-3 0x1f 0X1F 010 1_000", [
      "NUMBER:1@0", "NUMBER:1.5@2", "NUMBER:.5@6", "NUMBER:5.@9", "NUMBER:1e3@12", "NUMBER:1E-3@16",
      "NUMBER:0x1f@21", "NUMBER:0X1F@26", "NUMBER:010@31", "NUMBER:1_000@35",
    ]],
    ["Inf inf NaN nAN -Inf", ["NUMBER:Inf@0", "NUMBER:inf@4", "NUMBER:NaN@8", "NUMBER:nAN@12", "SUB:-@16", "NUMBER:Inf@17"]],
    ["Infoo NaN123", ["IDENTIFIER:Infoo@0", "IDENTIFIER:NaN123@6"]],
    ["5m 1h30m 10ms 1y 2w 3d 4s 1y2w3d4h5m6s7ms", [
      "DURATION:5m@0", "DURATION:1h30m@3", "DURATION:10ms@9", "DURATION:1y@14", "DURATION:2w@17",
      "DURATION:3d@20", "DURATION:4s@23", "DURATION:1y2w3d4h5m6s7ms@26",
    ]],
    [`"a" 'b' \`c\``, ['STRING:"a"@0', "STRING:'b'@4", "STRING:`c`@8"]],
    [`"a\\"b" 'a\\'b' "\\x41\\u00e9\\U0001F600\\101"`, [`STRING:"a\\"b"@0`, `STRING:'a\\'b'@7`, `STRING:"\\x41\\u00e9\\U0001F600\\101"@14`]],
    ["+ - * / % ^ == != <= < >= > =", [
      "ADD:+@0", "SUB:-@2", "MUL:*@4", "DIV:/@6", "MOD:%@8", "POW:^@10", "EQLC:==@12", "NEQ:!=@15",
      "LTE:<=@18", "LSS:<@21", "GTE:>=@23", "GTR:>@26", "EQL:=@28",
    ]],
    ["( ) , @", ["LEFT_PAREN:(@0", "RIGHT_PAREN:)@2", "COMMA:,@4", "AT:@@6"]],
    ['foo{a="b",c!="d",e=~"f",g!~"h"}', [
      "IDENTIFIER:foo@0", "LEFT_BRACE:{@3", "IDENTIFIER:a@4", "EQL:=@5", 'STRING:"b"@6', "COMMA:,@9",
      "IDENTIFIER:c@10", "NEQ:!=@11", 'STRING:"d"@13', "COMMA:,@16", "IDENTIFIER:e@17", "EQL_REGEX:=~@18",
      'STRING:"f"@20', "COMMA:,@23", "IDENTIFIER:g@24", "NEQ_REGEX:!~@25", 'STRING:"h"@27', "RIGHT_BRACE:}@30",
    ]],
    ["{sum=\"x\", by=\"y\"}", ["LEFT_BRACE:{@0", "IDENTIFIER:sum@1", "EQL:=@4", 'STRING:"x"@5', "COMMA:,@8", "IDENTIFIER:by@10", "EQL:=@12", 'STRING:"y"@13', "RIGHT_BRACE:}@16"]],
    ["x[5m]", ["IDENTIFIER:x@0", "LEFT_BRACKET:[@1", "DURATION:5m@2", "RIGHT_BRACKET:]@4"]],
    ["x[ 1h : 5m ]", ["IDENTIFIER:x@0", "LEFT_BRACKET:[@1", "DURATION:1h@3", "COLON::@6", "DURATION:5m@8", "RIGHT_BRACKET:]@11"]],
    ["x[1h:]", ["IDENTIFIER:x@0", "LEFT_BRACKET:[@1", "DURATION:1h@2", "COLON::@4", "RIGHT_BRACKET:]@5"]],
    ["x[5]", ["IDENTIFIER:x@0", "LEFT_BRACKET:[@1", "NUMBER:5@2", "RIGHT_BRACKET:]@3"]],
    ["foo # comment\n+ bar # another", ["IDENTIFIER:foo@0", "ADD:+@14", "IDENTIFIER:bar@16"]],
    ["{a=\"b\" # c\n}", ["LEFT_BRACE:{@0", "IDENTIFIER:a@1", "EQL:=@2", 'STRING:"b"@3', "RIGHT_BRACE:}@11"]],
    ["a\t\r\n b", ["IDENTIFIER:a@0", "IDENTIFIER:b@5"]],
    ["x @ start()", ["IDENTIFIER:x@0", "AT:@@2", "START:start@4", "LEFT_PAREN:(@9", "RIGHT_PAREN:)@10"]],
  ])("%j", (input, want) => {
    expect(tokens(input)).toEqual(want);
  });

  it("keeps non-ASCII text inside strings", () => {
    expect(tokens('"héllo 😀"')).toEqual(['STRING:"héllo 😀"@0']);
  });
});

describe("lexer: errors", () => {
  it.each<[string, number, string]>([
    [".", 0, "unexpected character: '.'"],
    ["$", 0, "unexpected character: '$'"],
    ["foo é", 4, "unexpected character: 'é'"],
    ["}", 0, "unexpected character: '}'"],
    ["a ; b", 2, "unexpected character: ';'"],
    ["1 =~ 1", 2, "unexpected character after '=': '~'"],
    ["1 !~ 1", 2, "unexpected character after '!': '~'"],
    ["(1))", 4, "unexpected right parenthesis ')'"],
    ["(", 1, "unclosed left parenthesis"],
    ["sum(rate(", 9, "unclosed left parenthesis"],
    ["((1)", 4, "unclosed left parenthesis"],
    ["1 ]", 2, "unexpected right bracket ']'"],
    ["x[5m", 4, "unclosed left bracket"],
    ["x[5m:", 5, "unclosed left bracket"],
    ["x[5m[", 4, "unexpected left bracket '['"],
    ["x[", 2, "unexpected end of input in duration expression"],
    ["x[ ", 3, "unexpected end of input in duration expression"],
    ["x[:5m]", 3, "unexpected colon before duration in duration expression"],
    ["x[5m::]", 5, "unexpected colon ':'"],
    ['x["5m"]', 2, "unexpected character in duration expression: '\"'"],
    ["x[#]", 2, "unexpected character in duration expression: '#'"],
    ["x[5m x]", 5, "unexpected character: 'x', expected ':'"],
    ["{", 1, "unexpected end of input inside braces"],
    ["{a", 2, "unexpected end of input inside braces"],
    ["{a:b}", 2, "unexpected character inside braces: ':'"],
    ["{1}", 1, "unexpected character inside braces: '1'"],
    ["{a{", 2, "unexpected left brace '{'"],
    ["{a!b}", 2, "unexpected character after '!' inside braces: 'b'"],
    ["2.5.", 0, 'bad number or duration syntax: "2.5."'],
    ["100..4", 0, 'bad number or duration syntax: "100.."'],
    ["0deadbeef", 0, 'bad number or duration syntax: "0de"'],
    ["5mm", 0, 'bad number or duration syntax: "5mm"'],
    ["5m1", 0, 'bad number or duration syntax: "5m1"'],
    ["1e", 0, 'bad number or duration syntax: "1e"'],
    ["1ee2", 0, 'bad number or duration syntax: "1ee"'],
    ["1__0", 0, 'bad number or duration syntax: "1__"'],
    ["12_", 0, 'bad number or duration syntax: "12_"'],
    ["1_e2", 0, 'bad number or duration syntax: "1_e"'],
    ["0x1.5", 0, 'bad number or duration syntax: "0x1."'],
    ["1a", 0, 'bad number or duration syntax: "1"'],
    ['"abc', 0, "unterminated quoted string"],
    ['"ab\nc"', 0, "unterminated quoted string"],
    ["x + `abc", 4, "unterminated raw string"],
    ['"\\', 0, "escape sequence not terminated"],
    ['"\\c"', 0, "unknown escape sequence U+0063 'c'"],
    ['"\\\n"', 0, "unknown escape sequence U+000A"],
    ["'\\\"'", 0, "unknown escape sequence U+0022 '\"'"],
    ['"\\x4"', 0, "illegal character U+0022 '\"' in escape sequence"],
    ['"\\x.1"', 0, "illegal character U+002E '.' in escape sequence"],
    ['"\\u12"', 0, "illegal character U+0022 '\"' in escape sequence"],
    ['"\\uD800"', 0, "escape sequence is an invalid Unicode code point"],
    ['"\\U00110000"', 0, "escape sequence is an invalid Unicode code point"],
    ['"\\400"', 0, "escape sequence is an invalid Unicode code point"],
    ['"\ufffd"', 0, "invalid UTF-8 rune"],
  ])("%j", (input, offset, detail) => {
    expect(lexError(input)).toEqual([offset, detail]);
  });
});

describe("describeToken", () => {
  const t = (type: Token["type"], val: string): string => describeToken({ type, pos: 0, val });
  it("names tokens as Prometheus does", () => {
    expect(t("EOF", "")).toBe("end of input");
    expect(t("IDENTIFIER", "foo")).toBe('identifier "foo"');
    expect(t("METRIC_IDENTIFIER", "a:b")).toBe('metric identifier "a:b"');
    expect(t("NUMBER", "1")).toBe('number "1"');
    expect(t("DURATION", "5m")).toBe('duration "5m"');
    expect(t("STRING", '"foo"')).toBe('string "\\"foo\\""');
    expect(t("STRING", '"long string value"')).toBe('string "\\"long stri"...');
    expect(t("BY", "BY")).toBe("<BY>");
    expect(t("OFFSET", "offset")).toBe("<offset>");
    expect(t("MUL", "*")).toBe("<op:*>");
    expect(t("LAND", "and")).toBe("<op:and>");
    expect(t("AT", "@")).toBe("<op:@>");
    expect(t("EQL_REGEX", "=~")).toBe("<op:=~>");
    expect(t("SUM", "sum")).toBe("<aggr:sum>");
    expect(t("LEFT_PAREN", "(")).toBe('"("');
    expect(t("EQL", "=")).toBe('"="');
    expect(t("START", "start")).toBe('"start"');
  });
});
