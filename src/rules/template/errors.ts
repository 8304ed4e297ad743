/** Errors with Go's wording. */

/** A parse or execution error of a template; the message is exactly Go's err.Error(). */
export class TemplateError extends Error {
  override name = "TemplateError";
}

/** The error result of a template function (its second return value in Go). */
export class FuncError extends Error {}
