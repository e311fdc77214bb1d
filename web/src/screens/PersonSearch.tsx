// Finding a person by what is known of them, spelled any way and in any script:
// POST /api/v1/persons/search answers the closest records with a score and, field by field, why.
// Nothing typed here goes into the page's address or the server's log (the log names the fields
// searched by, never their values).
import { useState } from 'preact/hooks';
import { ApiError, post, type RecordBase } from '../lib/api';
import { fieldLabel, formatNumber, t, valueLabel } from '../lib/i18n';
import { personLabel } from '../components/PersonName';
import { Empty, ErrorNotice, Notice, PageHeader, Section } from '../components/ui';

interface Match {
  person: RecordBase;
  score: number;
  explanation: string;
  fields: { field: string; verdict: string; weight: number }[];
}

const inputs: { name: string; type: 'text' | 'date' | 'tel' | 'number' }[] = [
  { name: 'given_name', type: 'text' },
  { name: 'family_name', type: 'text' },
  { name: 'aliases', type: 'text' },
  { name: 'birth_date', type: 'date' },
  { name: 'age_estimate', type: 'number' },
  { name: 'phone', type: 'tel' },
];

export function PersonSearch() {
  const [typed, setTyped] = useState<Record<string, string>>({ sex: '' });
  const [minScore, setMinScore] = useState('0.3');
  const [results, setResults] = useState<Match[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [fieldError, setFieldError] = useState<{ field: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(typed)) {
      const value = v.trim();
      if (!value) continue;
      if (k === 'aliases') body[k] = value.split(/[,،、]/).map((s) => s.trim()).filter(Boolean);
      else if (k === 'age_estimate') {
        if (!/^\d{1,3}$/.test(value)) {
          setFieldError({ field: k, message: t('search.ageWhole') });
          return;
        }
        body[k] = Number(value);
      } else body[k] = value;
    }
    setFieldError(null);
    if (!Object.keys(body).length) {
      setFieldError({ field: 'given_name', message: t('search.needSomething') });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const answer = await post<{ items: Match[] }>('/persons/search', { ...body, top_k: 20, min_score: Number(minScore) });
      setResults(answer.items);
    } catch (err) {
      const problem = err instanceof ApiError ? err.problem : null;
      if (problem?.field && problem.field !== '/') setFieldError({ field: problem.field.slice(1).split('/')[0]!, message: problem.detail });
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader title={t('search.title')} sub={t('search.intro')} actions={<a href="/persons">{t('persons.title')}</a>} />
      <Section title={t('search.criteria')} id="search-form">
        <form onSubmit={submit} noValidate role="search" aria-label={t('search.title')}>
          <div class="grid">
            {inputs.map((f) => {
              const id = `search-${f.name}`;
              const err = fieldError?.field === f.name ? fieldError.message : null;
              return (
                <div class={`field${err ? ' invalid' : ''}`} key={f.name}>
                  <label for={id}>{fieldLabel(f.name)}</label>
                  <input
                    id={id}
                    type={(f.type === 'number' ? 'text' : f.type) as 'text'}
                    inputMode={f.type === 'number' ? ('numeric' as const) : undefined}
                    value={typed[f.name] ?? ''}
                    dir="auto"
                    autoComplete="off"
                    aria-invalid={err ? 'true' : undefined}
                    aria-describedby={err ? `${id}-error` : f.name === 'aliases' ? `${id}-hint` : undefined}
                    onInput={(e) => setTyped((v) => ({ ...v, [f.name]: (e.target as HTMLInputElement).value }))}
                  />
                  {f.name === 'aliases' && (
                    <p class="hint" id={`${id}-hint`}>
                      {t('form.commaSeparated')}
                    </p>
                  )}
                  {err && (
                    <p class="field-error" id={`${id}-error`}>
                      {err}
                    </p>
                  )}
                </div>
              );
            })}
            <div class="field">
              <label for="search-sex">{fieldLabel('sex')}</label>
              <select id="search-sex" value={typed.sex} onChange={(e) => setTyped((v) => ({ ...v, sex: (e.target as HTMLSelectElement).value }))}>
                <option value="">{t('list.any')}</option>
                {['female', 'male', 'other', 'unknown'].map((s) => (
                  <option value={s} key={s}>
                    {valueLabel(s)}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="search-min">{t('search.minScore')}</label>
              <select id="search-min" value={minScore} onChange={(e) => setMinScore((e.target as HTMLSelectElement).value)}>
                {['0.1', '0.3', '0.5', '0.7', '0.9'].map((s) => (
                  <option value={s} key={s}>
                    {t('search.atLeast', { n: formatNumber(Number(s) * 100) })}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div class="buttons">
            <button type="submit" disabled={busy} aria-busy={busy}>
              {busy ? t('status.working') : t('search.submit')}
            </button>
          </div>
        </form>
      </Section>
      {error !== null && <ErrorNotice error={error} />}
      {results && (
        <Section title={t('search.results', { n: results.length })} id="search-results">
          <div aria-live="polite">
            {results.length === 0 ? (
              <Empty>{t('search.none')}</Empty>
            ) : (
              <ol class="match-list search-results">
                {results.map((m) => (
                  <li key={m.person.id}>
                    <div class="match-head">
                      <a href={`/persons/${m.person.id}/aftercare`}>
                        <bdi>{personLabel(m.person)}</bdi>
                      </a>
                      <span>{t('intake.score', { score: formatNumber(m.score * 100) })}</span>
                    </div>
                    <p class="match-facts">
                      {[m.person.sex ? valueLabel(String(m.person.sex)) : '', m.person.birth_date ? String(m.person.birth_date) : '', m.person.nationality ? String(m.person.nationality) : '']
                        .filter(Boolean)
                        .join(' · ')}
                    </p>
                    <p class="explanation">{m.explanation}</p>
                    <ul class="verdicts" aria-label={t('search.why')}>
                      {m.fields.map((f) => (
                        <li key={f.field} class={`verdict ${f.verdict}`}>
                          {fieldLabel(f.field)}: {f.verdict.replace(/_/g, ' ')} ({f.weight >= 0 ? '+' : ''}
                          {formatNumber(f.weight, 1)})
                        </li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ol>
            )}
          </div>
          <Notice>{t('search.privacy')}</Notice>
        </Section>
      )}
    </>
  );
}
