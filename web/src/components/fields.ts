// Between the API's values and what form inputs hold while the user types: drafts are strings
// (and lists of them), so nothing typed is lost or reformatted until the form is sent.
import type { CustomField, FieldSchema } from '../lib/schema';

export type Draft = string | boolean | string[] | DraftObject | DraftObject[] | undefined;
export interface DraftObject {
  [name: string]: Draft;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A UTC instant as the local "YYYY-MM-DDTHH:mm" a datetime-local input holds. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local input's value as a UTC instant, to the second. */
export function fromLocalInput(local: string): string {
  const d = new Date(local);
  if (Number.isNaN(d.getTime())) return local; // the server names the field and says what it accepts
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function draftOf(field: FieldSchema, value: unknown): Draft {
  if (value === undefined || value === null) {
    if (field.type === 'array') return field.items?.properties ? [] : field.items?.enum ? [] : '';
    if (field.type === 'object' && field.properties) return {};
    return field.type === 'boolean' ? undefined : '';
  }
  switch (field.type) {
    case 'boolean':
      return Boolean(value);
    case 'array':
      if (field.items?.properties) return (value as Record<string, unknown>[]).map((row) => objectDraft(field.items!.properties!, row));
      if (field.items?.enum) return [...(value as string[])];
      return (value as unknown[]).join(', ');
    case 'object':
      if (field.properties) return objectDraft(field.properties, value as Record<string, unknown>);
      return {};
    default:
      if (field.format === 'date-time') return toLocalInput(String(value));
      return String(value);
  }
}

function objectDraft(fields: FieldSchema[], value: Record<string, unknown>): DraftObject {
  const out: DraftObject = {};
  for (const f of fields) out[f.name] = draftOf(f, value[f.name]);
  return out;
}

/** The API value of a draft; undefined when the input was left empty. */
export function valueOf(field: FieldSchema, draft: Draft): unknown {
  if (draft === undefined) return undefined;
  switch (field.type) {
    case 'boolean':
      return draft;
    case 'integer':
    case 'number': {
      const text = String(draft).trim();
      if (!text) return undefined;
      const n = Number(text.replace(',', '.'));
      return Number.isFinite(n) ? n : text; // text: the server says it must be a number, next to the field
    }
    case 'array': {
      if (field.items?.properties) {
        const rows = (draft as DraftObject[]).map((row) => objectValue(field.items!.properties!, row)).filter((row) => Object.keys(row).length);
        return rows.length ? rows : undefined;
      }
      if (field.items?.enum) return (draft as string[]).length ? draft : undefined;
      const parts = String(draft)
        .split(/[,،、\n]/)
        .map((s) => s.trim())
        .filter(Boolean);
      if (!parts.length) return undefined;
      return field.items?.type === 'integer' ? parts.map((p) => (Number.isFinite(Number(p)) ? Number(p) : p)) : parts;
    }
    case 'object':
      if (field.properties) {
        const obj = objectValue(field.properties, draft as DraftObject);
        return Object.keys(obj).length ? obj : undefined;
      }
      return undefined;
    default: {
      const text = String(draft);
      if (!text.trim()) return undefined;
      return field.format === 'date-time' ? fromLocalInput(text) : text;
    }
  }
}

function objectValue(fields: FieldSchema[], draft: DraftObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = valueOf(f, draft[f.name]);
    if (v !== undefined) out[f.name] = v;
  }
  return out;
}

/** A custom form field described as a schema field, so the same inputs serve it. */
export function customAsField(c: CustomField): FieldSchema {
  const base = { name: c.key, label: c.label, required: c.required ?? false, readOnly: false, indexed: false };
  switch (c.type) {
    case 'number':
      return { ...base, type: 'number' };
    case 'date':
      return { ...base, type: 'string', format: 'date' };
    case 'boolean':
      return { ...base, type: 'boolean' };
    case 'choice':
      return { ...base, type: 'string', enum: c.choices ?? [] };
    default:
      return { ...base, type: 'string' };
  }
}
