// A step's (or trigger's) form, generated from the catalog entry's input JSON Schema: the same
// declaration the CLI and the validator read. Every field can also take a mapping expression (the ƒ
// toggle); dropdowns with an option source are filled live through the connection.
import { Component, type FocusEvent, type ReactNode, useEffect, useId, useRef, useState } from "react";
import { api, messageOf } from "../api/client.ts";
import type { SchemaNode } from "../api/types.ts";
import {
  type FieldKind,
  fieldKind,
  fieldLabel,
  isExpression,
  orderedFields,
  unwrap,
} from "../components/schema.ts";
import { useBuilder } from "./builder-context.ts";
import { ExpressionInput } from "./expression-input.tsx";

interface FormProps {
  schema: SchemaNode;
  value: Record<string, unknown>;
  onChange: (v: Record<string, unknown>) => void;
  /** Validation messages by field name. */
  errors?: Map<string, string[]>;
  idPrefix: string;
  /** The catalog entry whose input this is: dropdowns ask the server for that field's options. */
  entryKey?: string | undefined;
  /** Focus left a field (to show its "required" problem only from then on). */
  onFieldBlur?: ((name: string) => void) | undefined;
}

export function SchemaForm({ schema, value, onChange, errors, idPrefix, entryKey, onFieldBlur }: FormProps) {
  const fields = orderedFields(unwrap(schema));
  if (fields.length === 0) return <p className="muted">This one takes no input.</p>;
  const required = fields.filter((f) => f.required);
  const optional = fields.filter((f) => !f.required);
  const set = (name: string, v: unknown) => {
    const next = { ...value };
    if (v === undefined || v === "") delete next[name];
    else next[name] = v;
    onChange(next);
  };
  const render = (f: (typeof fields)[number]) => (
    <FieldBoundary key={f.name} name={f.name}>
      <Field
        id={`${idPrefix}-${f.name}`}
        name={f.name}
        node={f.node}
        required={f.required}
        value={value[f.name]}
        onChange={(v) => set(f.name, v)}
        errors={errors?.get(f.name)}
        entryKey={entryKey}
        siblings={value}
        onLeave={onFieldBlur ? () => onFieldBlur(f.name) : undefined}
      />
    </FieldBoundary>
  );
  // Optional fields already filled stay in view; the rest wait behind "More fields".
  const shown = optional.filter((f) => value[f.name] !== undefined);
  const hidden = optional.filter((f) => value[f.name] === undefined);
  return (
    <div>
      {required.map(render)}
      {shown.map(render)}
      {hidden.length ? (
        <details>
          <summary>
            More fields ({hidden.length}):{" "}
            {hidden
              .map((f) => fieldLabel(f.name, f.node))
              .join(", ")
              .slice(0, 80)}
          </summary>
          {hidden.map(render)}
        </details>
      ) : null}
    </div>
  );
}

interface FieldProps {
  id: string;
  name: string;
  node: SchemaNode;
  required: boolean;
  value: unknown;
  onChange: (v: unknown) => void;
  errors?: string[] | undefined;
  entryKey?: string | undefined;
  /** The other values of the same form (what a dropdown's list depends on). */
  siblings: Record<string, unknown>;
  /** Focus moved out of the field (not between its own controls). */
  onLeave?: (() => void) | undefined;
}

/** Kinds whose literal control is not a text box: they get the ƒ toggle to switch to a mapping. */
const TOGGLED: FieldKind[] = ["boolean", "enum", "array", "tags", "object", "datetime", "date"];

function Field({
  id,
  name,
  node,
  required,
  value,
  onChange,
  errors,
  entryKey,
  siblings,
  onLeave,
}: FieldProps) {
  const n = unwrap(node);
  const kind = fieldKind(node);
  const label = fieldLabel(name, node);
  const helpId = `${id}-help`;
  const errId = `${id}-err`;
  // Options are read per field of a catalog entry (nested fields have no such address).
  const hasOptions = Boolean(n.options && entryKey);
  const [mapped, setMapped] = useState(isExpression(value));
  const toggled = hasOptions || TOGGLED.includes(kind);
  const describedBy = [n.help || n.description ? helpId : "", errors?.length ? errId : ""]
    .filter(Boolean)
    .join(" ");

  const onBlur = (e: FocusEvent<HTMLElement>) => {
    if (onLeave && !e.currentTarget.contains(e.relatedTarget as Node | null)) onLeave();
  };

  let control: ReactNode;
  if (toggled && mapped) {
    control = (
      <ExpressionInput
        id={id}
        value={typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value)}
        onChange={onChange}
        placeholder="{{ trigger.… }}"
        describedBy={describedBy}
        invalid={Boolean(errors?.length)}
      />
    );
  } else if (hasOptions) {
    control = (
      <OptionsSelect
        id={id}
        node={n}
        value={value}
        onChange={onChange}
        describedBy={describedBy}
        entryKey={entryKey!}
        field={name}
        siblings={siblings}
      />
    );
  } else {
    control = (
      <LiteralControl
        id={id}
        kind={kind}
        node={n}
        value={value}
        onChange={onChange}
        describedBy={describedBy}
        invalid={Boolean(errors?.length)}
      />
    );
  }

  if (kind === "object" && !mapped) {
    return (
      <fieldset onBlur={onBlur}>
        <legend>
          {label}
          {required ? (
            <span className="req" aria-hidden="true">
              *
            </span>
          ) : null}
        </legend>
        {control}
        {errors?.length ? <FieldErrors id={errId} errors={errors} /> : null}
      </fieldset>
    );
  }
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: blur bubbling up from the field's own controls marks it touched; the controls are the interactive elements
    <div className="field" onBlur={onBlur}>
      <label htmlFor={id}>
        {label}
        {required ? (
          <>
            <span className="req" aria-hidden="true">
              *
            </span>
            <span className="sr-only"> (required)</span>
          </>
        ) : null}
      </label>
      <div className="expr-row">
        <div>{control}</div>
        {toggled ? (
          <button
            type="button"
            className="fx"
            aria-pressed={mapped}
            aria-label={mapped ? `Enter ${label} directly` : `Map ${label} from earlier data`}
            title={mapped ? "Enter a value" : "Map a value (expression)"}
            onClick={() => {
              setMapped(!mapped);
              onChange(undefined);
            }}
          >
            ƒ
          </button>
        ) : null}
      </div>
      {n.help || n.description ? (
        <div className="hint" id={helpId}>
          {n.help ?? n.description}
        </div>
      ) : null}
      {errors?.length ? <FieldErrors id={errId} errors={errors} /> : null}
    </div>
  );
}

function FieldErrors({ id, errors }: { id: string; errors: string[] }) {
  return (
    <div className="error" id={id} role="alert">
      {errors.join("; ")}
    </div>
  );
}

function LiteralControl({
  id,
  kind,
  node,
  value,
  onChange,
  describedBy,
  invalid,
}: {
  id: string;
  kind: FieldKind;
  node: SchemaNode;
  value: unknown;
  onChange: (v: unknown) => void;
  describedBy: string;
  invalid: boolean;
}) {
  const aria = { "aria-describedby": describedBy || undefined, "aria-invalid": invalid || undefined };
  switch (kind) {
    case "boolean":
      return (
        <label className="toggle">
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            onChange={(e) => onChange(e.target.checked)}
            {...aria}
          />
          {value === true ? "Yes" : "No"}
        </label>
      );
    case "enum":
      return (
        <select
          id={id}
          value={value === undefined ? "" : String(value)}
          onChange={(e) => onChange(e.target.value || undefined)}
          {...aria}
        >
          <option value="">—</option>
          {(node.enum ?? []).map((o) => (
            <option key={String(o)} value={String(o)}>
              {String(o)}
            </option>
          ))}
        </select>
      );
    case "date":
    case "datetime":
      return <DateControl id={id} kind={kind} value={value} onChange={onChange} aria={aria} />;
    case "tags":
    case "array":
      return <ArrayControl id={id} node={node} value={value} onChange={onChange} />;
    case "object":
      return (
        <SchemaForm
          schema={node}
          value={(value as Record<string, unknown>) ?? {}}
          onChange={(v) => onChange(Object.keys(v).length ? v : undefined)}
          idPrefix={id}
        />
      );
    default:
      // Text, numbers and free values: one box that also takes templates.
      return (
        <ExpressionInput
          id={id}
          value={value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value)}
          onChange={(v) =>
            onChange((kind === "number" || kind === "integer") && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v)
          }
          multiline={node.format === "multiline"}
          describedBy={describedBy}
          invalid={invalid}
        />
      );
  }
}

function DateControl({
  id,
  kind,
  value,
  onChange,
  aria,
}: {
  id: string;
  kind: "date" | "datetime";
  value: unknown;
  onChange: (v: unknown) => void;
  aria: Record<string, unknown>;
}) {
  // Shown in the browser's local time; stored as ISO 8601 with the offset so HighLevel reads it exactly.
  const text = typeof value === "string" ? value : "";
  const local =
    kind === "date"
      ? text.slice(0, 10)
      : text && !Number.isNaN(Date.parse(text))
        ? toLocalInput(new Date(text))
        : "";
  return (
    <input
      id={id}
      type={kind === "date" ? "date" : "datetime-local"}
      value={local}
      onChange={(e) =>
        onChange(
          e.target.value
            ? kind === "date"
              ? e.target.value
              : new Date(e.target.value).toISOString()
            : undefined,
        )
      }
      {...aria}
    />
  );
}

function toLocalInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function ArrayControl({
  id,
  node,
  value,
  onChange,
}: {
  id: string;
  node: SchemaNode;
  value: unknown;
  onChange: (v: unknown) => void;
}) {
  const items = Array.isArray(value) ? value : [];
  const itemSchema = node.items ? unwrap(node.items) : { type: "string" };
  const itemKind = fieldKind(itemSchema);
  const set = (next: unknown[]) => onChange(next.length ? next : undefined);
  return (
    <div className="stack" style={{ gap: 6 }}>
      {items.map((item, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: items have no identity but their place
        <div key={i} className="row" style={{ alignItems: "flex-start" }}>
          <span className="muted small" style={{ minWidth: 24 }}>
            #{i + 1}
          </span>
          <div style={{ flex: 1 }}>
            {itemKind === "object" ? (
              <SchemaForm
                schema={itemSchema}
                value={(item as Record<string, unknown>) ?? {}}
                onChange={(v) => set(items.map((x, j) => (j === i ? v : x)))}
                idPrefix={`${id}-${i}`}
              />
            ) : (
              <ExpressionInput
                id={`${id}-${i}`}
                value={typeof item === "string" ? item : JSON.stringify(item)}
                onChange={(v) => set(items.map((x, j) => (j === i ? v : x)))}
              />
            )}
          </div>
          <button
            type="button"
            className="small"
            aria-label={`Remove item ${i + 1}`}
            onClick={() => set(items.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </div>
      ))}
      <div>
        <button
          type="button"
          className="small"
          id={id}
          onClick={() => set([...items, itemKind === "object" ? {} : ""])}
        >
          Add item
        </button>
      </div>
    </div>
  );
}

/** A dropdown filled from the field's option source through the connection, with refresh. A failed
 *  or empty load keeps the current value (it is shown as an option), and a late answer for an older
 *  request is dropped. */
function OptionsSelect({
  id,
  node,
  value,
  onChange,
  describedBy,
  entryKey,
  field,
  siblings,
}: {
  id: string;
  node: SchemaNode;
  value: unknown;
  onChange: (v: unknown) => void;
  describedBy: string;
  entryKey: string;
  field: string;
  siblings: Record<string, unknown>;
}) {
  const b = useBuilder();
  const [options, setOptions] = useState<Array<{ value: string; label: string }>>([]);
  const [state, setState] = useState<"idle" | "loading" | "error">("idle");
  const [error, setError] = useState<string>();
  const request = useRef(0);
  // What the list depends on (e.g. a pipeline's stages): the current values of those fields, by both names.
  const depends: Record<string, string> = {};
  for (const [param, from] of Object.entries((node.options?.dependsOn as Record<string, string>) ?? {})) {
    const v = siblings[from];
    if (typeof v === "string" && v && !v.includes("{{")) {
      depends[param] = v;
      depends[from] = v;
    }
  }
  const dependsKey = JSON.stringify(depends);
  const statusId = useId();
  const load = async () => {
    if (!b.connectionId) {
      setState("error");
      setError("pick a connection in the flow settings to load choices");
      return;
    }
    const mine = ++request.current;
    setState("loading");
    try {
      const r = await api<{ options: Array<{ value: string; label: string }> }>(
        `/connections/${encodeURIComponent(b.connectionId)}/options/field`,
        { query: { entry: entryKey, field, locationId: b.locationId, ...JSON.parse(dependsKey) } },
      );
      if (mine !== request.current) return;
      if (r.options.length) setOptions(r.options);
      setState("idle");
    } catch (err) {
      if (mine !== request.current) return;
      setState("error");
      setError(messageOf(err));
    }
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the connection or source changes
  useEffect(() => {
    void load();
  }, [b.connectionId, entryKey, field, dependsKey]);
  const current = value === undefined ? "" : String(value);
  const list =
    current && !options.some((o) => o.value === current)
      ? [{ value: current, label: current }, ...options]
      : options;
  return (
    <div>
      <div className="row" style={{ flexWrap: "nowrap" }}>
        <select
          id={id}
          value={current}
          onChange={(e) => onChange(e.target.value || undefined)}
          aria-describedby={[describedBy, statusId].filter(Boolean).join(" ")}
          aria-busy={state === "loading"}
        >
          <option value="">{state === "loading" ? "Loading…" : "— choose —"}</option>
          {list.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        <button type="button" className="small" onClick={() => void load()} aria-label="Refresh choices">
          ↻
        </button>
      </div>
      <div id={statusId} className="hint" aria-live="polite">
        {state === "error" ? `Choices not loaded: ${error}. Use ƒ to map a value instead.` : ""}
      </div>
    </div>
  );
}

/** One field that throws while rendering must not take the whole form down. */
class FieldBoundary extends Component<{ name: string; children: ReactNode }, { error?: string }> {
  override state: { error?: string } = {};
  static getDerivedStateFromError(err: Error) {
    return { error: err.message };
  }
  override render() {
    if (this.state.error)
      return (
        <p className="error-text">
          The field “{this.props.name}” cannot be shown ({this.state.error}); edit it in the YAML.
        </p>
      );
    return this.props.children;
  }
}
