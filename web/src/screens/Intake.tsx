// Intake: record the report received, register the person it is about (warned live of people
// already registered who may be the same), then open a case for them or add them to one.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, patch, post, query, type Page, type RecordBase } from '../lib/api';
import { useAsync, useDebounced } from '../lib/hooks';
import { fieldLabel, formatDate, formatNumber, t, today, valueLabel } from '../lib/i18n';
import { navigate } from '../lib/router';
import { RecordForm } from '../components/RecordForm';
import { personLabel } from '../components/PersonName';
import { ErrorNotice, Notice, PageHeader, Section, errorText } from '../components/ui';

interface Match {
  person: RecordBase;
  score: number;
  explanation: string;
  fields: { field: string; verdict: string; weight: number }[];
}

const searchable = ['given_name', 'family_name', 'aliases', 'birth_date', 'age_estimate', 'sex', 'phone'];

export function Intake() {
  const [report, setReport] = useState<RecordBase | null>(null);
  const [person, setPerson] = useState<RecordBase | null>(null);
  return (
    <>
      <PageHeader title={t('intake.title')} sub={t('intake.intro')} />
      <ol class="steps" aria-label={t('intake.steps')}>
        <li aria-current={!report ? 'step' : undefined} class={report ? 'done' : ''}>{t('intake.stepReport')}</li>
        <li aria-current={report && !person ? 'step' : undefined} class={person ? 'done' : ''}>{t('intake.stepPerson')}</li>
        <li aria-current={person ? 'step' : undefined}>{t('intake.stepCase')}</li>
      </ol>
      {!report ? (
        <Section title={t('intake.stepReport')} id="intake-report">
          <RecordForm
            kind="report"
            fields={['channel', 'received_at', 'priority', 'exploitation_form', 'country', 'region', 'narrative', 'reporter_contact', 'custom']}
            defaults={{ received_at: new Date().toISOString(), priority: 'medium' }}
            submitLabel={t('intake.saveReport')}
            onSaved={setReport}
          />
        </Section>
      ) : (
        <Notice kind="success">{t('intake.reportSaved', { code: report.display_code })}</Notice>
      )}
      {report && !person && <RegisterPerson report={report} onPerson={setPerson} />}
      {report && person && <OpenOrJoin report={report} person={person} />}
    </>
  );
}

function RegisterPerson({ report, onPerson }: { report: RecordBase; onPerson: (p: RecordBase) => void }) {
  const [values, setValues] = useState<Record<string, unknown>>({});
  const typed = useDebounced(values, 300);
  const criteria = Object.fromEntries(Object.entries(typed).filter(([k]) => searchable.includes(k)));
  const enough = Boolean(criteria.given_name || criteria.family_name || criteria.phone);
  const matches = useAsync(
    (signal) =>
      enough ? post<{ items: Match[] }>('/persons/search', { ...criteria, top_k: 5, min_score: 0.5 }, { signal }).then((r) => r.items) : Promise.resolve([] as Match[]),
    [JSON.stringify(criteria)],
  );
  return (
    <Section title={t('intake.stepPerson')} id="intake-person">
      <RecordForm
        kind="person"
        fields={['given_name', 'family_name', 'aliases', 'sex', 'birth_date', 'age_estimate', 'phone', 'address', 'nationality', 'country', 'region', 'custom']}
        defaults={{ country: report.country }}
        submitLabel={t('intake.registerPerson')}
        onValues={setValues}
        onSaved={onPerson}
      >
        <div class="matches" aria-live="polite" data-testid="duplicate-warning">
          {matches.error && !(matches.error instanceof ApiError && matches.error.status === 503) ? <ErrorNotice error={matches.error} /> : null}
          {matches.data && matches.data.length > 0 && (
            <div class="notice warning" role="status">
              <h3>{t('intake.maybeSame', { n: matches.data.length })}</h3>
              <p>{t('intake.maybeSameHelp')}</p>
              <ul class="match-list">
                {matches.data.map((m) => (
                  <li key={m.person.id}>
                    <div class="match-head">
                      <bdi class="match-name">{personLabel(m.person)}</bdi>
                      <span class="score">{t('intake.score', { score: formatNumber(m.score * 100) })}</span>
                    </div>
                    <p class="match-facts">
                      {[m.person.birth_date ? `${fieldLabel('birth_date')}: ${formatDate(String(m.person.birth_date))}` : '', m.person.sex ? valueLabel(String(m.person.sex)) : '', m.person.phone ? String(m.person.phone) : '']
                        .filter(Boolean)
                        .join(' · ')}
                    </p>
                    <p class="explanation">{m.explanation}</p>
                    <ul class="verdicts">
                      {m.fields.map((f) => (
                        <li key={f.field} class={`verdict ${f.verdict}`}>
                          {fieldLabel(f.field)}: {f.verdict.replace(/_/g, ' ')}
                        </li>
                      ))}
                    </ul>
                    <button type="button" class="secondary" onClick={() => onPerson(m.person)}>
                      {t('intake.useThis')}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
      </RecordForm>
    </Section>
  );
}

function OpenOrJoin({ report, person }: { report: RecordBase; person: RecordBase }) {
  const [mode, setMode] = useState<'open' | 'join'>('open');
  const [role, setRole] = useState('victim');
  const [caseId, setCaseId] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const recent = useAsync((signal) => get<Page<RecordBase>>(`/cases${query({ sort: 'opened_on', order: 'desc', limit: 50 })}`, { signal }), []);
  useEffect(() => {
    if (!caseId && recent.data?.items[0]) setCaseId(String(recent.data.items[0].id));
  }, [recent.data]);

  // The person takes their role in the case, and the report points to the case.
  const link = async (theCase: RecordBase | number) => {
    const id = typeof theCase === 'number' ? theCase : theCase.id;
    setBusy(true);
    setError(null);
    try {
      await post('/case-persons', { case_id: id, person_id: person.id, role });
      await patch(`/reports/${report.id}`, { case_id: id, version: report.version });
      navigate(`/cases/${id}`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  const roles = ['victim', 'suspect', 'witness', 'guardian', 'reporter'];
  return (
    <Section title={t('intake.stepCase')} id="intake-case">
      <Notice kind="success">{t('intake.personChosen', { who: personLabel(person) })}</Notice>
      <div class="field">
        <label for="intake-role">{t('intake.role')}</label>
        <select id="intake-role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value)}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {valueLabel(r)}
            </option>
          ))}
        </select>
      </div>
      <fieldset class="choice">
        <legend>{t('intake.caseChoice')}</legend>
        <label class="check">
          <input type="radio" name="case-mode" checked={mode === 'open'} onChange={() => setMode('open')} /> {t('intake.openCase')}
        </label>
        <label class="check">
          <input type="radio" name="case-mode" checked={mode === 'join'} onChange={() => setMode('join')} /> {t('intake.joinCase')}
        </label>
      </fieldset>
      {error !== null && <ErrorNotice error={new Error(errorText(error))} />}
      {mode === 'open' ? (
        <RecordForm
          kind="case"
          fields={['title', 'exploitation_form', 'country', 'region', 'location', 'sensitivity', 'opened_on', 'incident_date', 'summary', 'custom']}
          defaults={{ exploitation_form: report.exploitation_form, country: report.country ?? person.country, region: report.region, opened_on: today() }}
          submitLabel={t('intake.openCase')}
          onSaved={(c) => link(c)}
        />
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (caseId) link(Number(caseId));
          }}
        >
          <div class="field">
            <label for="intake-case-id">{t('intake.whichCase')}</label>
            <select id="intake-case-id" value={caseId} onChange={(e) => setCaseId((e.target as HTMLSelectElement).value)}>
              {recent.data?.items.map((c) => (
                <option key={c.id} value={String(c.id)}>
                  {c.display_code} {c.title ? `— ${String(c.title)}` : ''}
                </option>
              ))}
            </select>
          </div>
          <div class="buttons">
            <button type="submit" disabled={busy || !caseId}>
              {t('intake.joinCase')}
            </button>
          </div>
        </form>
      )}
    </Section>
  );
}
