import { describe, expect, it } from "vitest";
import { ParseError, position } from "../../../src/promql/parser/errors.js";
import { parseExpr } from "../../../src/promql/parser/parser.js";
import { parseFailure } from "./helpers.js";

/** Error messages and positions, worded as Prometheus 3.x words them. Each row is
 * [query, 0-based offset, message]. */
const CASES: [string, number, string][] = [
    ["",0,"no expression found in input"],
    ["   ",0,"no expression found in input"],
    ["# only a comment",0,"no expression found in input"],
    ["1 +",3,"unexpected end of input"],
    ["1 /",3,"unexpected end of input"],
    ["* 1",0,"unexpected <op:*>"],
    ["-=",1,"unexpected \"=\""],
    ["@@",0,"unexpected <op:@>"],
    ["1 2",2,"unexpected number \"2\""],
    ["foo bar",4,"unexpected identifier \"bar\""],
    ["foo,",3,"unexpected \",\""],
    ["foo }",4,"unexpected character: '}'"],
    ["sum some_metric by (test)",4,"unexpected identifier \"some_metric\""],
    ["MIN keep_common (some_metric)",4,"unexpected identifier \"keep_common\""],
    ["MIN (some_metric) keep_common",18,"unexpected identifier \"keep_common\""],
    ["sum(foo bar)",8,"unexpected identifier \"bar\" in aggregation"],
    ["sum(rate(foo bar))",13,"unexpected identifier \"bar\" in aggregation"],
    ["count(a + (b c))",13,"unexpected identifier \"c\" in aggregation"],
    ["rate(foo bar)",9,"unexpected identifier \"bar\""],
    ["foo + (bar baz)",11,"unexpected identifier \"baz\""],
    ["sum by (job) by (instance) (foo)",13,"unexpected <by> in aggregation"],
    ["sum by (job) foo",13,"unexpected identifier \"foo\" in aggregation"],
    ["sum by (job)",12,"unexpected end of input in aggregation"],
    ["sum without () (foo) by (x)",21,"unexpected <by>"],
    ["sum (some_metric) without (test) by (test)",33,"unexpected <by>"],
    ["sum(foo) by",11,"unexpected end of input in grouping opts, expected \"(\""],
    ["sum by job (foo)",7,"unexpected identifier \"job\" in grouping opts, expected \"(\""],
    ["sum by (job instance) (foo)",12,"unexpected identifier \"instance\" in grouping opts, expected \",\" or \")\""],
    ["sum by (job,,) (foo)",12,"unexpected \",\" in grouping opts, expected label"],
    ["sum by (,) (foo)",8,"unexpected \",\" in grouping opts, expected label"],
    ["sum by (==) (foo)",8,"unexpected <op:==> in grouping opts, expected label"],
    ["sum by (1) (foo)",8,"unexpected number \"1\" in grouping opts, expected label"],
    ["sum by (without) (foo)",8,"unexpected <without> in grouping opts, expected label"],
    ["sum by (\"\") (foo)",8,"invalid label name for grouping: \"\""],
    ["sum by (\"job) (foo)",8,"unterminated quoted string"],
    ["sum()",0,"no arguments for aggregate expression provided"],
    ["sum () by (job)",0,"no arguments for aggregate expression provided"],
    ["topk(foo)",0,"wrong number of arguments for aggregate expression provided, expected 2, got 1"],
    ["topk(1, foo, bar)",0,"wrong number of arguments for aggregate expression provided, expected 2, got 3"],
    ["sum(1, foo)",0,"wrong number of arguments for aggregate expression provided, expected 1, got 2"],
    ["topk(foo,)",8,"trailing commas not allowed in function call args"],
    ["rate(foo[5m],)",12,"trailing commas not allowed in function call args"],
    ["rate(,foo)",5,"unexpected \",\""],
    ["count_values(5, foo)",13,"expected type string in aggregation parameter, got scalar"],
    ["topk(foo, bar)",5,"expected type scalar in aggregation parameter, got instant vector"],
    ["quantile(\"0.5\", foo)",9,"expected type scalar in aggregation parameter, got string"],
    ["sum(\"a\")",4,"expected type instant vector in aggregation expression, got string"],
    ["sum(foo[5m])",4,"expected type instant vector in aggregation expression, got range vector"],
    ["foo{a=b}",6,"unexpected identifier \"b\" in label matching, expected string"],
    ["foo{a:b=\"c\"}",5,"unexpected character inside braces: ':'"],
    ["foo{a*\"b\"}",5,"unexpected character inside braces: '*'"],
    ["foo{a>=\"b\"}",5,"unexpected character inside braces: '>'"],
    ["foo{gibberish}",13,"unexpected \"}\" in label matching, expected label matching operator"],
    ["foo{1}",4,"unexpected character inside braces: '1'"],
    ["foo{,}",4,"unexpected \",\" in label matching, expected identifier or \"}\""],
    ["foo{a=\"b\",,}",10,"unexpected \",\" in label matching, expected identifier or \"}\""],
    ["foo{a=\"b\" c=\"d\"}",10,"unexpected identifier \"c\" in label matching, expected \",\" or \"}\""],
    ["foo{\"a\" b}",8,"unexpected identifier \"b\" in label matching, expected \",\" or \"}\""],
    ["foo{\"a\"=}",8,"unexpected \"}\" in label matching, expected string"],
    ["{}",0,"vector selector must contain at least one non-empty matcher"],
    ["{x=\"\"}",0,"vector selector must contain at least one non-empty matcher"],
    ["{x=~\".*\"}",0,"vector selector must contain at least one non-empty matcher"],
    ["{x!~\".+\"}",0,"vector selector must contain at least one non-empty matcher"],
    ["{x!=\"a\"}",0,"vector selector must contain at least one non-empty matcher"],
    ["{\"\"}",0,"vector selector must contain at least one non-empty matcher"],
    ["foo{__name__=\"bar\"}",0,"metric name must not be set twice: \"foo\" or \"bar\""],
    ["foo{__name__=~\"bar\"}",0,"metric name must not be set twice: \"foo\" or \"bar\""],
    ["foo{\"bar\"}",0,"metric name must not be set twice: \"foo\" or \"bar\""],
    ["foo[]",4,"unexpected \"]\" in subquery or range selector, expected number, duration, step(), or range()"],
    ["foo[5mm]",4,"bad number or duration syntax: \"5mm\""],
    ["foo[5m1]",4,"bad number or duration syntax: \"5m1\""],
    ["foo[5y1hs]",4,"unknown unit \"hs\" in duration \"5y1hs\""],
    ["foo[5m1h]",4,"not a valid duration string: \"5m1h\""],
    ["foo[0m]",4,"duration must be greater than 0"],
    ["foo[0]",4,"duration must be greater than 0"],
    ["foo[-1]",4,"duration must be greater than 0"],
    ["foo[-5m]",4,"duration must be greater than 0"],
    ["foo[5m:0s]",7,"duration must be greater than 0"],
    ["foo[9.5e10]",4,"duration out of range"],
    ["foo[\"5m\"]",4,"unexpected character in duration expression: '\"'"],
    ["foo[step]",8,"unexpected \"]\" in subquery or range selector, expected number, duration, step(), or range()"],
    ["foo[step()]",4,"experimental duration expression is not enabled"],
    ["foo[5m + 1m]",4,"experimental duration expression is not enabled"],
    ["foo[(5m)]",4,"experimental duration expression is not enabled"],
    ["foo[5m 1m]",7,"unexpected duration \"1m\" in subquery or range, expected \":\" or \"]\""],
    ["foo[5m:1m 2m]",10,"unexpected duration \"2m\" in subquery selector, expected \"]\""],
    ["foo[5m:foo]",7,"unexpected character: 'f', expected ':'"],
    ["(foo[5m)",7,"unexpected \")\" in subquery or range, expected \":\" or \"]\""],
    ["foo[5m:-]",8,"unexpected \"]\" in subquery selector, expected number, duration, step(), range(), or \"]\""],
    ["(foo + bar)[5m]",11,"ranges only allowed for vector selectors"],
    ["rate(foo[1m])[1h]",13,"ranges only allowed for vector selectors"],
    ["1[5m]",1,"ranges only allowed for vector selectors"],
    ["\"foo\"[5m]",5,"ranges only allowed for vector selectors"],
    ["foo offset 5m [5m]",14,"no offset modifiers allowed before range"],
    ["foo @ 100 [5m]",10,"no @ modifiers allowed before range"],
    ["foo @ start() [5m]",14,"no @ modifiers allowed before range"],
    ["foo[5m][5m]",7,"ranges only allowed for vector selectors"],
    ["foo[5m][10m:1m]",0,"subquery is only allowed on instant vector, got matrix instead"],
    ["1[5m:]",0,"subquery is only allowed on instant vector, got scalar instead"],
    ["\"a\"[5m:1m]",0,"subquery is only allowed on instant vector, got string instead"],
    ["foo offset",10,"unexpected end of input in offset, expected number, duration, step(), or range()"],
    ["foo offset bar",11,"unexpected identifier \"bar\" in offset, expected number, duration, step(), or range()"],
    ["foo offset 5mm",11,"bad number or duration syntax: \"5mm\""],
    ["foo offset 5m offset 5m",0,"offset may not be set multiple times"],
    ["foo[5m] offset 1m offset 1m",0,"offset may not be set multiple times"],
    ["foo offset 9.5e10",11,"duration out of range"],
    ["foo offset -9.5e10",11,"duration out of range"],
    ["foo offset (5m)",11,"experimental duration expression is not enabled"],
    ["foo offset step()",11,"experimental duration expression is not enabled"],
    ["1 offset 1d",0,"offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"],
    ["sum(foo) offset 5m",0,"offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"],
    ["(foo) offset 5m",0,"offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"],
    ["rate(foo[5m]) offset 5m",0,"offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"],
    ["foo @",5,"unexpected end of input in @, expected timestamp"],
    ["foo @ bar",6,"unexpected identifier \"bar\" in @, expected timestamp"],
    ["foo @ start",11,"unexpected end of input in @, expected timestamp"],
    ["foo @ start(1)",12,"unexpected number \"1\" in @, expected timestamp"],
    ["foo @ --1",7,"unexpected <op:-> in @, expected timestamp"],
    ["foo @ 1 @ 2",0,"@ <timestamp> may not be set multiple times"],
    ["foo @ start() @ end()",0,"@ <timestamp> may not be set multiple times"],
    ["foo @ +Inf",0,"timestamp out of bounds for @ modifier: +Inf"],
    ["foo @ -Inf",0,"timestamp out of bounds for @ modifier: -Inf"],
    ["foo @ NaN",0,"timestamp out of bounds for @ modifier: NaN"],
    ["foo @ 1e19",0,"timestamp out of bounds for @ modifier: 10000000000000000000.000000"],
    ["rate(foo[5m]) @ 1234",0,"@ modifier must be preceded by an instant vector selector or range vector selector or a subquery"],
    ["1 @ 5",0,"@ modifier must be preceded by an instant vector selector or range vector selector or a subquery"],
    ["foo[5m] anchored",0,"anchored modifier is experimental and not enabled"],
    ["foo smoothed",0,"smoothed modifier is experimental and not enabled"],
    ["foo + fill(0) bar",0,"binop fill modifiers are experimental and not enabled"],
    ["1 == 1",2,"comparisons between scalars must use BOOL modifier"],
    ["1 != bool 1 + (2 > 1)",17,"comparisons between scalars must use BOOL modifier"],
    ["foo + bool bar",4,"bool modifier can only be used on comparison operators"],
    ["foo and bool bar",4,"bool modifier can only be used on comparison operators"],
    ["1 and 1",0,"set operator \"and\" not allowed in binary scalar expression"],
    ["1 or foo",0,"set operator \"or\" not allowed in binary scalar expression"],
    ["foo unless 1",0,"set operator \"unless\" not allowed in binary scalar expression"],
    ["1 or on(bar) foo",0,"vector matching only allowed between instant vectors"],
    ["foo == on(bar) 10",0,"vector matching only allowed between instant vectors"],
    ["foo + group_left(baz) bar",6,"unexpected <group_left>"],
    ["a - on(b) ignoring(c) d",10,"unexpected <ignoring>"],
    ["foo == on(a) bool bar",13,"unexpected <bool>"],
    ["foo and on(bar) group_left(baz) bar",0,"no grouping allowed for \"and\" operation"],
    ["foo or on(bar) group_right(baz) bar",0,"no grouping allowed for \"or\" operation"],
    ["foo + on(a) group_left(b, a) bar",4,"label \"a\" must not occur in ON and GROUP clause at once"],
    ["foo[5m] + 1",0,"binary expression must contain only scalar and instant vector types"],
    ["1 - foo[5m:]",4,"binary expression must contain only scalar and instant vector types"],
    ["\"a\" + 1",0,"binary expression must contain only scalar and instant vector types"],
    ["-\"a\"",0,"unary expression only allowed on expressions of type scalar or instant vector, got \"string\""],
    ["-foo[5m]",0,"unary expression only allowed on expressions of type scalar or instant vector, got \"range vector\""],
    ["+\"a\"",0,"unary expression only allowed on expressions of type scalar or instant vector, got \"string\""],
    ["floor()",0,"expected 1 argument(s) in call to \"floor\", got 0"],
    ["floor(foo, bar)",0,"expected 1 argument(s) in call to \"floor\", got 2"],
    ["floor(1)",6,"expected type instant vector in call to function \"floor\", got scalar"],
    ["hour(a, b, c)",0,"expected at most 1 argument(s) in call to \"hour\", got 3"],
    ["time(foo)",0,"expected 0 argument(s) in call to \"time\", got 1"],
    ["label_join(foo)",0,"expected at least 3 argument(s) in call to \"label_join\", got 1"],
    ["round(foo, 1, 2)",0,"expected at most 2 argument(s) in call to \"round\", got 3"],
    ["histogram_quantiles(foo, \"q\")",0,"expected at least 3 argument(s) in call to \"histogram_quantiles\", got 2"],
    ["rate(foo)",5,"expected type range vector in call to function \"rate\", got instant vector"],
    ["rate(avg)",5,"expected type range vector in call to function \"rate\", got instant vector"],
    ["rate(1)",5,"expected type range vector in call to function \"rate\", got scalar"],
    ["abs(foo[5m])",4,"expected type instant vector in call to function \"abs\", got range vector"],
    ["vector(\"a\")",7,"expected type scalar in call to function \"vector\", got string"],
    ["label_replace(foo, \"a\", \"b\", \"c\", 1)",34,"expected type string in call to function \"label_replace\", got scalar"],
    ["non_existent_function_far_bar()",0,"unknown function with name \"non_existent_function_far_bar\""],
    ["a>b()",2,"unknown function with name \"b\""],
    ["foo:bar(x)",7,"unexpected \"(\""],
    ["ABS(foo)",0,"unknown function with name \"ABS\""],
    ["sort_by_label(foo, 1)",19,"expected type string in call to function \"sort_by_label\", got scalar"],
    ["info(foo, bar)",10,"expected label selectors only, got vector selector instead"],
    ["info(foo, bar{a=\"b\"})",10,"expected label selectors only, got vector selector instead"],
    ["info(foo, 1)",0,"expected type instant vector in call to function \"info\", got scalar"],
    ["info(foo, {a=\"b\"} == 1)",10,"expected label selectors only"],
    ["info(foo, foo[5m])",0,"expected type instant vector in call to function \"info\", got range vector"],
    ["foo </ 5",4,"histogram trim operator \"</\" is not supported"],
    ["0x1e",0,"bad number or duration syntax: \"0x1e\""],
    ["1.5h",0,"unknown unit \".\" in duration \"1.5h\""],
    ["5m1h",0,"not a valid duration string: \"5m1h\""],
    ["  + bar baz",8,"unexpected identifier \"baz\""],
];

describe("parse errors", () => {
  it.each(CASES)("%j", (q, offset, detail) => {
    expect(parseFailure(q)).toEqual([offset, detail]);
  });

  it("formats messages as line:column: parse error: detail", () => {
    expect(() => parseExpr("sum by (job) by (x) (foo)")).toThrow(new ParseError("sum by (job) by (x) (foo)", 13, "unexpected <by> in aggregation"));
    expect(() => parseExpr("sum by (job) by (x) (foo)")).toThrow("1:14: parse error: unexpected <by> in aggregation");
    expect(() => parseExpr("foo +\n  bar baz")).toThrow('2:7: parse error: unexpected identifier "baz"');
    expect(() => parseExpr('{"é"="x"} + ]')).toThrow("1:14: parse error: unexpected right bracket ']'");
  });

  it("reports regular expression errors at the matcher", () => {
    const [offset, detail] = parseFailure('foo{a=~"("}');
    expect(offset).toBe(4);
    expect(detail).toMatch(/^error parsing regexp: /);
  });

  it("reports numbers out of range", () => {
    const big = "9".repeat(400);
    expect(parseFailure(big)).toEqual([0, `error parsing number: strconv.ParseFloat: parsing "${big}": value out of range`]);
  });

  it("reports absurd nesting as a parse error instead of overflowing the stack", () => {
    const deep = "(".repeat(100_000) + "1" + ")".repeat(100_000);
    expect(parseFailure(deep)).toEqual([0, "expression is nested too deeply"]);
  });
});

describe("position", () => {
  it("counts lines and UTF-8 bytes like Prometheus", () => {
    expect(position("abc", 0)).toBe("1:1");
    expect(position("abc", 2)).toBe("1:3");
    expect(position("a\nbc", 3)).toBe("2:2");
    expect(position("é€😀x", 4)).toBe("1:10");
  });
});
