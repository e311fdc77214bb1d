// One input for one field of a record, chosen by the field's schema: its label, a hint, and the
// server's message about it when it was refused. Lists of objects (charges, stages, checklist
// items) get rows the user adds and removes.
import type { JSX } from 'preact';
import { fieldLabel, t, valueLabel } from '../lib/i18n';
import type { FieldSchema } from '../lib/schema';
import type { Draft, DraftObject } from './fields';
import { draftOf } from './fields';

export interface FieldProps {
  field: FieldSchema;
  value: Draft;
  onChange: (value: Draft) => void;
  /** Messages by JSON pointer relative to this field ("" for the field itself, "/2/date" for a row's). */
  errors?: Record<string, string>;
  idPrefix: string;
  label?: string;
  /** Choices the workflow allows now; others are shown disabled with the reason in `disabledWhy`. */
  allowed?: string[];
  disabledWhy?: string;
  disabled?: boolean;
  /** Choices for a reference (the case's people, the organisations): value is the id. */
  options?: { value: string; label: string }[];
}

const wide = (f: FieldSchema) => (f.maxLength ?? 0) > 500 || (f.type === 'array' && !!f.items?.properties) || (f.type === 'object' && !!f.properties);

export function Field(props: FieldProps) {
  const { field, errors = {}, idPrefix } = props;
  const id = `${idPrefix}-${field.name}`;
  const own = errors[''];
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [field.description ? hintId : '', own ? errorId : ''].filter(Boolean).join(' ') || undefined;
  const label = props.label ?? field.label ?? fieldLabel(field.name);
  const group = field.type === 'array' && (field.items?.properties || field.items?.enum) || (field.type === 'object' && field.properties) || field.type === 'boolean';
  const body = control(props, id, describedBy);
  const nested = Object.entries(errors).filter(([k]) => k !== '');
  return (
    <div class={`field${wide(field) ? ' wide' : ''}${own || nested.length ? ' invalid' : ''}`} data-field={field.name}>
      {group ? (
        <fieldset aria-describedby={describedBy}>
          <legend>
            {label}
            {field.required && <span class="req" aria-hidden="true"> *</span>}
          </legend>
          {body}
        </fieldset>
      ) : (
        <>
          <label for={id}>
            {label}
            {field.required && <span class="req" aria-hidden="true"> *</span>}
          </label>
          {body}
        </>
      )}
      {field.description && (
        <p class="hint" id={hintId}>
          {field.description}
        </p>
      )}
      {own && (
        <p class="field-error" id={errorId}>
          {own}
        </p>
      )}
      {nested.map(([k, msg]) => (
        <p class="field-error" key={k}>
          {nestedWhere(field, k)}: {msg}
        </p>
      ))}
    </div>
  );
}

function nestedWhere(field: FieldSchema, pointer: string): string {
  const parts = pointer.split('/').filter(Boolean);
  const row = Number(parts[0]);
  if (field.type === 'array' && Number.isInteger(row)) {
    const sub = parts[1] ? ` · ${fieldLabel(parts[1])}` : '';
    return `${t('form.row', { n: row + 1 })}${sub}`;
  }
  return parts.map(fieldLabel).join(' · ');
}

function control(props: FieldProps, id: string, describedBy: string | undefined): JSX.Element {
  const { field, value, onChange, allowed, disabled } = props;
  const common = {
    id,
    name: field.name,
    disabled,
    'aria-describedby': describedBy,
    'aria-invalid': props.errors?.[''] ? ('true' as const) : undefined,
    'aria-required': field.required ? ('true' as const) : undefined,
  };
  if (field.type === 'boolean')
    return (
      <label class="check">
        <input {...common} type="checkbox" checked={value === true} onChange={(e) => onChange((e.target as HTMLInputElement).checked)} />
        {t('form.yes')}
      </label>
    );
  if (props.options || (field.type === 'integer' && field.minimum !== undefined && field.maximum !== undefined && field.maximum - field.minimum <= 10)) {
    const options = props.options ?? Array.from({ length: field.maximum! - field.minimum! + 1 }, (_, i) => ({ value: String(field.minimum! + i), label: String(field.minimum! + i) }));
    return (
      <select {...common} value={String(value ?? '')} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        <option value="">{field.required ? t('form.choose') : t('form.none')}</option>
        {options.map((o) => (
          <option value={o.value} key={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  }
  if (field.enum) {
    return (
      <>
        <select {...common} value={String(value ?? '')} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
          <option value="">{field.required ? t('form.choose') : t('form.none')}</option>
          {field.enum.map((c) => (
            <option value={c} key={c} disabled={allowed ? !allowed.includes(c) && c !== value : false}>
              {valueLabel(c)}
            </option>
          ))}
        </select>
        {allowed && props.disabledWhy && <p class="hint">{props.disabledWhy}</p>}
      </>
    );
  }
  if (field.type === 'array' && field.items?.enum) {
    const chosen = (value as string[] | undefined) ?? [];
    return (
      <div class="checks">
        {field.items.enum.map((c) => (
          <label class="check" key={c}>
            <input
              type="checkbox"
              name={field.name}
              value={c}
              disabled={disabled}
              checked={chosen.includes(c)}
              onChange={(e) => onChange((e.target as HTMLInputElement).checked ? [...chosen, c] : chosen.filter((x) => x !== c))}
            />
            {valueLabel(c)}
          </label>
        ))}
      </div>
    );
  }
  if (field.type === 'array' && field.items?.properties) return <Rows {...props} />;
  if (field.type === 'object' && field.properties) {
    const obj = (value as DraftObject | undefined) ?? {};
    return (
      <div class="subgrid">
        {field.properties.map((sub) => (
          <Field
            key={sub.name}
            field={sub}
            idPrefix={id}
            value={obj[sub.name]}
            onChange={(v) => onChange({ ...obj, [sub.name]: v })}
            errors={pick(props.errors, `/${sub.name}`)}
            disabled={disabled}
          />
        ))}
      </div>
    );
  }
  const text = String(value ?? '');
  const set = (e: Event) => onChange((e.target as HTMLInputElement).value);
  if (field.type === 'string' && (field.maxLength ?? 0) > 500) return <textarea {...common} rows={4} value={text} onInput={set} maxLength={field.maxLength} dir="auto" />;
  if (field.type === 'integer' || field.type === 'number')
    return <input {...common} type="text" inputMode={field.type === 'integer' ? 'numeric' : 'decimal'} value={text} onInput={set} />;
  if (field.format === 'date') return <input {...common} type="date" value={text} onInput={set} />;
  if (field.format === 'date-time') return <input {...common} type="datetime-local" value={text} onInput={set} />;
  const list = field.type === 'array';
  return (
    <input
      {...common}
      type={(field.name === 'phone' ? 'tel' : 'text') as 'text'}
      value={text}
      onInput={set}
      dir="auto"
      autoComplete="off"
      maxLength={list ? undefined : field.maxLength}
      placeholder={list ? t('form.commaSeparated') : undefined}
    />
  );
}

/** Errors under `prefix`, re-keyed relative to it. */
export function pick(errors: Record<string, string> | undefined, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(errors ?? {})) if (k === prefix || k.startsWith(`${prefix}/`)) out[k.slice(prefix.length)] = v;
  return out;
}

function Rows(props: FieldProps) {
  const { field, onChange, disabled } = props;
  const subs = field.items!.properties!;
  const rows = (props.value as DraftObject[] | undefined) ?? [];
  const id = `${props.idPrefix}-${field.name}`;
  return (
    <div class="rows">
      {rows.map((row, i) => (
        <div class="row" key={i} role="group" aria-label={t('form.row', { n: i + 1 })}>
          {subs.map((sub) => (
            <Field
              key={sub.name}
              field={sub}
              idPrefix={`${id}-${i}`}
              value={row[sub.name]}
              onChange={(v) => onChange(rows.map((r, j) => (j === i ? { ...r, [sub.name]: v } : r)))}
              disabled={disabled}
            />
          ))}
          <button type="button" class="link" disabled={disabled} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            {t('form.removeRow', { n: i + 1 })}
          </button>
        </div>
      ))}
      <button
        type="button"
        class="secondary"
        disabled={disabled}
        onClick={() => onChange([...rows, Object.fromEntries(subs.map((s) => [s.name, draftOf(s, undefined)])) as DraftObject])}
      >
        {t('form.addRow', { what: fieldLabel(field.name) })}
      </button>
    </div>
  );
}
