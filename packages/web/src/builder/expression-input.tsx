// A text field that takes literal text or mapping templates (`{{ trigger.firstName | upper }}`):
// typing `{{` (or Ctrl+Space) opens suggestions of fields and transforms; below it, the value the
// server computes from the samples, shown as you type (debounced, evaluated server-side, capped).
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { api, messageOf } from "../api/client.ts";
import { mappingContext, useBuilder } from "./builder-context.ts";
import { accept, type CursorContext, cursorContext, type Suggestion, suggestions } from "./suggest.ts";

interface Props {
  id: string;
  value: string;
  onChange: (v: string) => void;
  multiline?: boolean;
  placeholder?: string;
  describedBy?: string;
  invalid?: boolean;
  /** A condition (filter/when) rather than a template: previewed as true/false. */
  condition?: boolean;
  label?: string;
}

export function ExpressionInput({
  id,
  value,
  onChange,
  multiline,
  placeholder,
  describedBy,
  invalid,
  condition,
}: Props) {
  const b = useBuilder();
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const listId = useId();
  const [ctx, setCtx] = useState<CursorContext>();
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState(false);

  const items: Suggestion[] = useMemo(
    () => (ctx && !dismissed ? suggestions(ctx, b, b.transforms) : []),
    [ctx, dismissed, b],
  );
  const open = items.length > 0;

  const refresh = (el: HTMLInputElement | HTMLTextAreaElement) => {
    const text = el.value;
    const c = condition
      ? { mode: "field" as const, ...conditionPrefix(text, el.selectionStart ?? text.length) }
      : cursorContext(text, el.selectionStart ?? text.length);
    setCtx(c);
    setActive(0);
  };

  const choose = (s: Suggestion) => {
    const el = ref.current;
    if (!el || !ctx) return;
    const result = accept(value, el.selectionStart ?? value.length, ctx, s);
    onChange(result.text);
    setCtx(undefined);
    // Closed until the next keystroke: a real record's longer names (firstNameLowerCase after
    // firstName) would otherwise keep the list open over the fields below.
    setDismissed(true);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(result.cursor, result.cursor);
      refresh(el);
    });
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === " " && e.ctrlKey) {
      e.preventDefault();
      setDismissed(false);
      const el = ref.current!;
      const text = el.value;
      const cursor = el.selectionStart ?? text.length;
      setCtx(
        cursorContext(text, cursor) ??
          (condition
            ? { mode: "field", ...conditionPrefix(text, cursor) }
            : { mode: "field", prefix: "", start: cursor, open: true }),
      );
      return;
    }
    if (!open) return;
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setActive((a) => (a + 1) % items.length);
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => (a - 1 + items.length) % items.length);
    } else if (e.key === "Enter" || e.key === "Tab") {
      e.preventDefault();
      choose(items[active]!);
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      setDismissed(true);
    }
  };

  const common = {
    id,
    ref,
    value,
    placeholder,
    role: "combobox",
    "aria-autocomplete": "list" as const,
    "aria-expanded": open,
    "aria-controls": listId,
    "aria-activedescendant": open ? `${listId}-${active}` : undefined,
    "aria-describedby": describedBy,
    "aria-invalid": invalid || undefined,
    spellCheck: false,
    autoComplete: "off",
    onKeyDown,
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      onChange(e.target.value);
      setDismissed(false);
      refresh(e.target);
    },
    onClick: (e: React.MouseEvent<HTMLInputElement | HTMLTextAreaElement>) => refresh(e.currentTarget),
    onBlur: () => setTimeout(() => setCtx(undefined), 150),
  };

  return (
    <div className="expr">
      {multiline ? <textarea {...common} rows={3} /> : <input {...common} type="text" />}
      {open ? (
        <div id={listId} role="listbox" className="suggestions" aria-label="Suggestions">
          {items.map((s, i) => (
            <div
              key={s.label}
              tabIndex={-1}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(s);
              }}
            >
              <span className="mono">{s.label}</span>
              <span className="sample">{s.detail}</span>
            </div>
          ))}
        </div>
      ) : null}
      <Preview text={value} condition={condition} context={mappingContext(b)} />
    </div>
  );
}

/** In a condition (no braces), the name being typed is the word at the cursor. */
function conditionPrefix(text: string, cursor: number): { prefix: string; start: number; open: boolean } {
  const m = /[A-Za-z0-9_.[\]]*$/.exec(text.slice(0, cursor));
  const prefix = m?.[0] ?? "";
  return { prefix, start: cursor - prefix.length, open: false };
}

function Preview({
  text,
  condition,
  context,
}: {
  text: string;
  condition?: boolean | undefined;
  context: unknown;
}) {
  const [state, setState] = useState<{ value?: unknown; error?: string }>();
  const key = JSON.stringify(context);
  const wanted = condition ? text.trim().length > 0 : text.includes("{{");
  useEffect(() => {
    if (!wanted) {
      setState(undefined);
      return;
    }
    const ctrl = new AbortController();
    const timer = setTimeout(async () => {
      try {
        const r = await api<{ value?: unknown; error?: { message: string } }>("/mapping/preview", {
          body: { expression: text, ...(condition ? { condition: true } : {}), context: JSON.parse(key) },
          signal: ctrl.signal,
        });
        setState(r.error ? { error: r.error.message } : { value: r.value });
      } catch (err) {
        if ((err as Error).name !== "AbortError") setState({ error: messageOf(err) });
      }
    }, 300);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [text, key, wanted, condition]);
  if (!wanted || !state) return null;
  if (state.error)
    return (
      <div className="preview bad" aria-live="polite" data-testid="preview">
        {state.error}
      </div>
    );
  const v = state.value;
  if (condition && typeof v === "boolean")
    return (
      <div className="preview" aria-live="polite" data-testid="preview">
        <span className="muted">On the sample: </span>
        <strong>{v ? "true" : "false"}</strong> ({v ? "it would run" : "it would be skipped"})
      </div>
    );
  const empty = v === undefined || v === null || v === "";
  return (
    <div className="preview" aria-live="polite" data-testid="preview">
      <span className="muted">{condition ? "On the sample: " : "Result: "}</span>
      {empty ? (
        <em>empty on the sample — add | default('…') to be safe</em>
      ) : typeof v === "string" ? (
        v
      ) : (
        JSON.stringify(v)
      )}
    </div>
  );
}
