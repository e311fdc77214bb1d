// Entity descriptions from the API's OpenAPI document (/api/v1/openapi.json), which Haven
// generates from src/core/schema.cpp: forms and lists are built from them, so a field added
// on the server appears in the page without a change here.
import { get, request } from './api';

export interface FieldSchema {
  name: string;
  /** A label of its own (custom fields); others are labelled from the catalogue. */
  label?: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  format?: string;
  enum?: string[];
  items?: FieldSchema;
  properties?: FieldSchema[];
  required: boolean;
  readOnly: boolean;
  description?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  ref?: string;
  indexed: boolean;
  sensitivity?: 'identifying' | 'sensitive';
}

export interface EntitySchema {
  kind: string;
  collection: string;
  description: string;
  /** Fields as read (includes computed ones), in the order the server describes them. */
  fields: FieldSchema[];
  /** Names of fields a create must carry. */
  required: Set<string>;
}

interface RawSchema {
  type?: string;
  format?: string;
  enum?: string[];
  items?: RawSchema;
  properties?: Record<string, RawSchema>;
  required?: string[];
  readOnly?: boolean;
  description?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  'x-haven-ref'?: string;
  'x-haven-indexed'?: boolean;
  'x-haven-sensitivity'?: 'identifying' | 'sensitive';
}

interface OpenApi {
  components: { schemas: Record<string, RawSchema> };
}

function toField(name: string, raw: RawSchema, required: boolean): FieldSchema {
  const field: FieldSchema = {
    name,
    type: (raw.type ?? 'object') as FieldSchema['type'],
    required,
    readOnly: raw.readOnly ?? false,
    indexed: raw['x-haven-indexed'] ?? false,
  };
  if (raw.format) field.format = raw.format;
  if (raw.enum) field.enum = raw.enum;
  if (raw.description) field.description = raw.description;
  if (raw.maxLength !== undefined) field.maxLength = raw.maxLength;
  if (raw.minimum !== undefined) field.minimum = raw.minimum;
  if (raw.maximum !== undefined) field.maximum = raw.maximum;
  if (raw.pattern) field.pattern = raw.pattern;
  if (raw['x-haven-ref']) field.ref = raw['x-haven-ref'];
  if (raw['x-haven-sensitivity']) field.sensitivity = raw['x-haven-sensitivity'];
  if (raw.items) field.items = toField('item', raw.items, false);
  if (raw.properties) {
    const req = new Set(raw.required ?? []);
    field.properties = Object.entries(raw.properties).map(([n, r]) => toField(n, r, req.has(n)));
  }
  return field;
}

let loaded: Promise<Map<string, EntitySchema>> | null = null;

async function load(): Promise<Map<string, EntitySchema>> {
  const doc = await get<OpenApi>('/openapi.json');
  const out = new Map<string, EntitySchema>();
  const schemas = doc.components.schemas;
  for (const [kind, raw] of Object.entries(schemas)) {
    const input = schemas[`${kind}_input`];
    if (!input || !raw.properties) continue;
    const required = new Set(input.required ?? []);
    const fields = Object.entries(raw.properties).map(([n, r]) => toField(n, r, required.has(n)));
    // Every collection is its kind in kebab case plus s (case_event: /api/v1/case-events).
    const collection = `${kind.replace(/_/g, '-')}s`;
    out.set(kind, { kind, collection, description: raw.description ?? '', fields, required });
  }
  return out;
}

/** The description of entity `kind` ("case", "legal_case"), loaded once per page. */
export async function entitySchema(kind: string): Promise<EntitySchema> {
  loaded ??= load().catch((e) => {
    loaded = null;
    throw e;
  });
  const schema = (await loaded).get(kind);
  if (!schema) throw new Error(`unknown record kind ${kind}`);
  return schema;
}

/** The list of choices of an enumerated field, or an empty list. */
export function choicesOf(schema: EntitySchema, name: string): string[] {
  return schema.fields.find((f) => f.name === name)?.enum ?? [];
}

/** Custom form fields an organisation defined for a form, latest version. */
export interface CustomField {
  key: string;
  label: string;
  type: 'text' | 'number' | 'date' | 'boolean' | 'choice';
  required?: boolean;
  choices?: string[];
}

export async function customFields(kind: string): Promise<CustomField[]> {
  const page = await request<{ items: { fields: CustomField[] }[] }>(
    'GET',
    `/form-definitions?target_kind=${encodeURIComponent(kind)}&sort=form_version&order=desc&limit=1`,
  );
  return page.items[0]?.fields ?? [];
}
