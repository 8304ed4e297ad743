import { autocompletion, closeBrackets, closeBracketsKeymap, closeCompletion, completionKeymap, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, insertNewlineAndIndent } from "@codemirror/commands";
import { bracketMatching, HighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { lintKeymap } from "@codemirror/lint";
import { EditorSelection, EditorState, Prec, StateEffect, StateField } from "@codemirror/state";
import { Decoration, drawSelection, EditorView, highlightSpecialChars, keymap, placeholder, type DecorationSet } from "@codemirror/view";
import { tags } from "@lezer/highlight";
import { PromQLExtension } from "@prometheus-io/codemirror-promql";

/** Token colours; each keeps 4.5:1 contrast on the editor's light and dark backgrounds
 * (the dark values come from CSS variables in styles.css). */
const highlight = HighlightStyle.define([
  { tag: tags.comment, color: "var(--hl-comment)", fontStyle: "italic" },
  { tag: tags.labelName, color: "var(--hl-label)" },
  { tag: tags.string, color: "var(--hl-string)" },
  { tag: tags.number, color: "var(--hl-number)" },
  { tag: tags.function(tags.variableName), color: "var(--hl-function)" },
  { tag: tags.operatorKeyword, color: "var(--hl-keyword)", fontWeight: "bold" },
  { tag: tags.modifier, color: "var(--hl-keyword)", fontWeight: "bold" },
  { tag: tags.logicOperator, color: "var(--hl-keyword)" },
  { tag: [tags.operator, tags.arithmeticOperator], color: "var(--hl-operator)" },
  { tag: tags.variableName, color: "var(--hl-metric)" },
]);

/** The span an API parse error points at, marked until the expression changes. */
const setApiError = StateEffect.define<{ from: number; to: number; message: string } | null>();
const apiErrorField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    for (const e of tr.effects) {
      if (!e.is(setApiError)) continue;
      if (e.value === null) return Decoration.none;
      const { from, to, message } = e.value;
      return Decoration.set([Decoration.mark({ class: "cm-api-error", attributes: { title: message, "data-testid": "parse-error-mark" } }).range(from, to)]);
    }
    return tr.docChanged ? Decoration.none : deco.map(tr.changes);
  },
  provide: (f) => EditorView.decorations.from(f),
});

/** Whole past expressions that start with what is typed so far. */
function historySource(history: () => string[]) {
  return (ctx: CompletionContext): CompletionResult | null => {
    const typed = ctx.state.doc.toString();
    if (ctx.pos !== typed.length || (typed.trim() === "" && !ctx.explicit)) return null;
    const options = history()
      .filter((e) => e !== typed && e.startsWith(typed))
      .slice(0, 10)
      .map((e) => ({ label: e, type: "text", detail: "history", boost: -10 }));
    return options.length === 0 ? null : { from: 0, options, filter: false };
  };
}

export interface EditorOptions {
  parent: HTMLElement;
  doc: string;
  /** Accessible name of the input. */
  label: string;
  onExecute(): void;
  onChange(doc: string): void;
  /** Past expressions, offered first by the completion. */
  history(): string[];
}

export class ExpressionEditor {
  readonly view: EditorView;
  private readonly promql: PromQLExtension;

  constructor(opts: EditorOptions) {
    this.promql = new PromQLExtension().setComplete({
      remote: { url: location.origin, apiPrefix: "/api/v1", cache: { maxAge: 5 * 60_000 } },
      maxMetricsMetadata: 10_000,
    });
    // Running the query closes an open completion list, which would cover the results.
    const execute = (v: EditorView) => {
      closeCompletion(v);
      opts.onExecute();
      return true;
    };
    this.view = new EditorView({
      parent: opts.parent,
      state: EditorState.create({
        doc: opts.doc,
        extensions: [
          highlightSpecialChars(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          closeBrackets(),
          autocompletion({ activateOnTyping: true }),
          EditorState.languageData.of(() => [{ autocomplete: historySource(opts.history) }]),
          syntaxHighlighting(highlight),
          placeholder("Expression (press Shift+Enter for newlines)"),
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ "aria-label": opts.label, "aria-multiline": "true", role: "textbox" }),
          apiErrorField,
          this.promql.asExtension(),
          // Enter runs the query, as in Prometheus; the completion's own Enter (accept)
          // comes first while its list is open. Tab is left alone so focus can leave.
          Prec.high(
            keymap.of([
              { key: "Enter", run: execute },
              { key: "Mod-Enter", run: execute },
              { key: "Shift-Enter", run: insertNewlineAndIndent },
              { key: "Escape", run: (v) => (v.contentDOM.blur(), true) },
            ]),
          ),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap]),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) opts.onChange(u.state.doc.toString());
          }),
        ],
      }),
    });
  }

  get value(): string {
    return this.view.state.doc.toString();
  }

  set value(doc: string) {
    if (doc === this.value) return;
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: doc } });
  }

  focus(): void {
    this.view.focus();
  }

  /** Marks [from, to) as the place of a parse error the API reported. */
  showError(from: number, to: number, message: string): void {
    const len = this.view.state.doc.length;
    if (len === 0) return;
    const f = Math.min(from, len - 1);
    this.view.dispatch({ effects: setApiError.of({ from: f, to: Math.min(Math.max(to, f + 1), len), message }) });
  }

  clearError(): void {
    this.view.dispatch({ effects: setApiError.of(null) });
  }

  /** Puts the cursor at an offset and focuses the editor ("go to error"). */
  moveTo(offset: number): void {
    const pos = Math.min(offset, this.view.state.doc.length);
    this.view.dispatch({ selection: EditorSelection.cursor(pos), scrollIntoView: true });
    this.view.focus();
  }

  destroy(): void {
    this.promql.destroy();
    this.view.destroy();
  }
}
