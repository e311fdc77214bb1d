// Custom form fields an organisation adds to its forms (person, case, report, service, outcome
// assessment, operation). Definitions are immutable and versioned: saving makes the next version,
// records are checked against the latest, and the forms show its fields (RecordForm reads them).
// A preview shows the fields as caseworkers will see them.
import { useState } from 'preact/hooks';
import { get, query, type Page, type RecordBase } from '../../lib/api';
import { useAsync, useOnSaved } from '../../lib/hooks';
import { formatDateTime, t, valueLabel } from '../../lib/i18n';
import { isAdmin, useMe } from '../../lib/session';
import type { CustomField } from '../../lib/schema';
import { Field } from '../../components/Field';
import { customAsField, draftOf, type Draft } from '../../components/fields';
import { RecordForm } from '../../components/RecordForm';
import { Empty, ErrorNotice, Loading, Notice, PageHeader, Section } from '../../components/ui';

const targets = ['person', 'case', 'report', 'service', 'outcome_assessment', 'operation'] as const;

function Preview({ fields }: { fields: CustomField[] }) {
  const [values, setValues] = useState<Record<string, Draft>>({});
  if (!fields.length) return <Empty>{t('forms.noFields')}</Empty>;
  return (
    <div class="grid form-preview">
      {fields.map((c) => {
        const f = customAsField(c);
        return <Field key={c.key} field={f} idPrefix="preview" value={values[c.key] ?? draftOf(f, undefined)} onChange={(v) => setValues((x) => ({ ...x, [c.key]: v }))} />;
      })}
    </div>
  );
}

export function FormDefinitions() {
  const me = useMe();
  const [target, setTarget] = useState<string>(new URLSearchParams(location.search).get('target_kind') ?? 'case');
  const [editing, setEditing] = useState(false);
  const versions = useAsync((signal) => get<Page<RecordBase>>(`/form-definitions${query({ target_kind: target, sort: 'form_version', order: 'desc', limit: 20 })}`, { signal }), [target]);
  useOnSaved(versions.reload);
  const latest = versions.data?.items[0];
  const latestFields = (latest?.fields as CustomField[] | undefined) ?? [];
  return (
    <>
      <PageHeader title={t('forms.title')} sub={t('forms.intro')} actions={<a href="/admin">{t('admin.title')}</a>} />
      <div class="filters">
        <label>
          {t('forms.target')}
          <select
            value={target}
            onChange={(e) => {
              setEditing(false);
              setTarget((e.target as HTMLSelectElement).value);
            }}
          >
            {targets.map((k) => (
              <option value={k} key={k}>
                {valueLabel(k)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {versions.error ? (
        <ErrorNotice error={versions.error} onRetry={versions.reload} />
      ) : !versions.data ? (
        <Loading />
      ) : (
        <>
          <Section
            title={latest ? t('forms.current', { n: String(latest.form_version) }) : t('forms.none')}
            id="forms-current"
            actions={
              isAdmin(me) && !editing ? (
                <button type="button" onClick={() => setEditing(true)}>
                  {latest ? t('forms.newVersion') : t('forms.define')}
                </button>
              ) : undefined
            }
          >
            {editing ? (
              <>
                <Notice>{t('forms.editHelp')}</Notice>
                <RecordForm
                  kind="form_definition"
                  idPrefix="formdef"
                  fields={['fields']}
                  fixed={{ target_kind: target }}
                  defaults={{ fields: latestFields }}
                  submitLabel={t('forms.save')}
                  onSaved={() => {
                    setEditing(false);
                    versions.reload();
                  }}
                  onCancel={() => setEditing(false)}
                />
              </>
            ) : (
              <>
                <p class="hint">{t('forms.previewHelp')}</p>
                <Preview key={latest?.id ?? 0} fields={latestFields} />
              </>
            )}
          </Section>
          <Section title={t('forms.history')} id="forms-history">
            {versions.data.items.length === 0 ? (
              <Empty>{t('forms.none')}</Empty>
            ) : (
              <div class="table-wrap">
                <table>
                  <caption class="visually-hidden">{t('forms.history')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('forms.version')}</th>
                      <th scope="col">{t('forms.saved')}</th>
                      <th scope="col">{t('forms.fields')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {versions.data.items.map((v) => (
                      <tr key={v.id}>
                        <th scope="row">{String(v.form_version)}</th>
                        <td>{formatDateTime(v.created_at)}</td>
                        <td dir="auto">{((v.fields as CustomField[] | undefined) ?? []).map((f) => `${f.label} (${valueLabel(f.type)}${f.required ? ', ' + t('form.required').toLowerCase() : ''})`).join('; ')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Section>
        </>
      )}
    </>
  );
}
