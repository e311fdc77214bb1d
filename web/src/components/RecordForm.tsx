// A form for creating or changing any record, built from the entity's schema (and the
// organisation's custom fields). What the user typed stays in memory until it is saved: a refusal
// shows the server's message next to the field it names, and an expired session asks for the
// password and then sends the same form again (lib/api.ts).
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, patch, post, type RecordBase } from '../lib/api';
import { useAsync } from '../lib/hooks';
import { t } from '../lib/i18n';
import { customFields, entitySchema, type FieldSchema } from '../lib/schema';
import { Field, pick } from './Field';
import { customAsField, draftOf, valueOf, type DraftObject } from './fields';
import { errorText, Loading, ErrorNotice } from './ui';

export interface FieldRule {
  /** Choices the workflow allows now. */
  choices: string[];
  /** Why the others are not allowed, in the user's words. */
  why: string;
}

export interface RecordFormProps {
  kind: string;
  /** Fields shown, in order; default: every field the user may write. */
  fields?: string[];
  /** The record being changed; without it, a new one is created. */
  record?: RecordBase;
  /** Values sent with the form but not shown (the case a role belongs to). */
  fixed?: Record<string, unknown>;
  /** Starting values of a new record. */
  defaults?: Record<string, unknown>;
  onSaved: (record: RecordBase) => void;
  onCancel?: () => void;
  submitLabel?: string;
  rules?: Record<string, FieldRule>;
  /** Called with the API values as the user types (the duplicate warning at intake). */
  onValues?: (values: Record<string, unknown>) => void;
  /** Shown above the buttons (warnings that depend on what was typed). */
  children?: ComponentChildren;
  idPrefix?: string;
  /** Labels that read better in this form than the field's name. */
  labels?: Record<string, string>;
  /** Choices for reference fields, by field name. */
  options?: Record<string, { value: string; label: string }[]>;
  /** Workflow rules checked before sending: messages by JSON pointer ("/postponed"), saying why. */
  check?: (values: Record<string, unknown>) => Record<string, string>;
}

export function RecordForm(props: RecordFormProps) {
  const { kind } = props;
  const loaded = useAsync(async () => {
    const schema = await entitySchema(kind);
    const hasCustom = schema.fields.some((f) => f.name === 'custom') && (!props.fields || props.fields.includes('custom'));
    const custom = hasCustom ? await customFields(kind).catch(() => []) : [];
    return { schema, custom: custom.map(customAsField) };
  }, [kind]);
  if (loaded.error) return <ErrorNotice error={loaded.error} onRetry={loaded.reload} />;
  if (!loaded.data) return <Loading />;
  return <LoadedForm {...props} fieldsSchema={loaded.data.schema.fields} required={loaded.data.schema.required} collection={loaded.data.schema.collection} custom={loaded.data.custom} />;
}

function LoadedForm(
  props: RecordFormProps & { fieldsSchema: FieldSchema[]; required: Set<string>; collection: string; custom: FieldSchema[] },
) {
  const { record, fixed = {}, rules = {} } = props;
  const shown = useMemo(() => {
    const writable = props.fieldsSchema.filter((f) => !f.readOnly && f.name !== 'custom' && !(f.name in fixed));
    const list = props.fields ? props.fields.map((n) => writable.find((f) => f.name === n)).filter((f): f is FieldSchema => !!f) : writable;
    return list.map((f) => ({ ...f, required: props.required.has(f.name) }));
  }, [props.fieldsSchema, props.fields]);
  const start = (source: Record<string, unknown> | undefined) => {
    const d: DraftObject = {};
    for (const f of shown) d[f.name] = draftOf(f, source?.[f.name]);
    const custom = (source?.custom as Record<string, unknown> | undefined) ?? {};
    const c: DraftObject = {};
    for (const f of props.custom) c[f.name] = draftOf(f, custom[f.name]);
    d.custom = c;
    return d;
  };
  const [draft, setDraft] = useState<DraftObject>(() => start(record ?? props.defaults));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);

  const values = (d: DraftObject) => {
    const out: Record<string, unknown> = {};
    for (const f of shown) {
      const v = valueOf(f, d[f.name]);
      if (v !== undefined) out[f.name] = v;
    }
    const custom: Record<string, unknown> = {};
    for (const f of props.custom) {
      const v = valueOf(f, (d.custom as DraftObject)[f.name]);
      if (v !== undefined) custom[f.name] = v;
    }
    if (Object.keys(custom).length) out.custom = custom;
    return out;
  };
  useEffect(() => props.onValues?.(values(draft)), [draft]);

  const set = (name: string, v: unknown) => {
    setDraft((d) => ({ ...d, [name]: v as DraftObject[string] }));
    // The message about a field goes once the user changes it.
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== `/${name}` && !k.startsWith(`/${name}/`))));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (saving) return;
    const body = values(draft);
    // Required fields left empty are named here, before a round trip.
    const missing: Record<string, string> = {};
    if (!record) for (const f of shown) if (f.required && body[f.name] === undefined) missing[`/${f.name}`] = t('form.required');
    for (const f of props.custom) if (f.required && (body.custom as Record<string, unknown> | undefined)?.[f.name] === undefined) missing[`/custom/${f.name}`] = t('form.required');
    Object.assign(missing, props.check?.(body) ?? {});
    setErrors(missing);
    setGeneral(null);
    if (Object.keys(missing).length) {
      focusFirstError();
      return;
    }
    setSaving(true);
    try {
      let saved: RecordBase;
      if (record) {
        const changed: Record<string, unknown> = {};
        const before = values(start(record));
        for (const f of [...shown.map((s) => s.name), 'custom'])
          if (JSON.stringify(body[f]) !== JSON.stringify(before[f])) changed[f] = body[f] === undefined ? null : body[f];
        saved = await patch<RecordBase>(`/${props.collection}/${record.id}`, { ...changed, version: record.version });
      } else {
        saved = await post<RecordBase>(`/${props.collection}`, { ...body, ...fixed });
      }
      props.onSaved(saved);
    } catch (err) {
      if (err instanceof ApiError && err.problem.field && err.problem.field !== '/version') {
        setErrors({ [err.problem.field]: err.problem.detail });
        focusFirstError();
      } else if (err instanceof ApiError && err.status === 409) {
        setGeneral(new Error(`${errorText(err)} — ${t('form.conflict')}`));
      } else setGeneral(err);
    } finally {
      setSaving(false);
    }
  };

  const prefix = props.idPrefix ?? `form-${props.kind}`;
  return (
    <form class="record-form" onSubmit={submit} noValidate>
      {general !== null && <ErrorNotice error={general} />}
      <div class="grid">
        {shown.map((f) => (
          <Field
            key={f.name}
            field={f}
            idPrefix={prefix}
            value={draft[f.name]}
            onChange={(v) => set(f.name, v)}
            errors={pick(errors, `/${f.name}`)}
            {...(props.labels?.[f.name] ? { label: props.labels[f.name] } : {})}
            {...(props.options?.[f.name] ? { options: props.options[f.name]! } : {})}
            {...(rules[f.name] ? { allowed: rules[f.name]!.choices, disabledWhy: rules[f.name]!.why } : {})}
          />
        ))}
        {props.custom.map((f) => (
          <Field
            key={`custom-${f.name}`}
            field={f}
            idPrefix={`${prefix}-custom`}
            value={(draft.custom as DraftObject)[f.name]}
            onChange={(v) => setDraft((d) => ({ ...d, custom: { ...(d.custom as DraftObject), [f.name]: v } }))}
            errors={pick(errors, `/custom/${f.name}`)}
          />
        ))}
      </div>
      {props.children}
      <div class="buttons">
        <button type="submit" disabled={saving} aria-busy={saving}>
          {saving ? t('status.saving') : props.submitLabel ?? (record ? t('action.save') : t('action.create'))}
        </button>
        {props.onCancel && (
          <button type="button" class="secondary" onClick={props.onCancel}>
            {t('action.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}

function focusFirstError() {
  // After the render that shows the messages.
  setTimeout(() => {
    const el = document.querySelector<HTMLElement>('.field.invalid input, .field.invalid select, .field.invalid textarea');
    el?.focus();
  }, 0);
}
