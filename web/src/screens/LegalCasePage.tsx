// A legal case: charges, defendants, the stages of the proceedings with their dates, the hearings
// as a calendar, and the verdict and sentence. Only the stages the workflow allows next can be
// added; the others are listed with the reason (lib/workflow.ts mirrors src/core/rules.cpp).
import { useMemo, useState } from 'preact/hooks';
import { ApiError, get, patch, query, type Page, type RecordBase } from '../lib/api';
import { useAsync } from '../lib/hooks';
import { fieldLabel, formatDate, formatNumber, lang, t, today, valueLabel } from '../lib/i18n';
import { useMe, worksCases } from '../lib/session';
import { lastStageDate, nextStages, type Stage } from '../lib/workflow';
import { AddForm } from '../components/AddForm';
import { RecordForm } from '../components/RecordForm';
import { PersonName, personLabel } from '../components/PersonName';
import { Badge, Empty, ErrorNotice, Facts, Loading, PageHeader, Section, errorText } from '../components/ui';

interface Charge {
  statute: string;
  counts: number;
}

export function LegalCasePage({ id }: { id: string }) {
  const me = useMe();
  const legal = useAsync((signal) => get<RecordBase>(`/legal-cases/${id}`, { signal }), [id]);
  const [editing, setEditing] = useState(false);
  if (legal.error) return <ErrorNotice error={legal.error} onRetry={legal.reload} />;
  if (!legal.data) return <Loading />;
  const lc = legal.data;
  const canEdit = worksCases(me);
  const stages = (lc.stages as Stage[] | undefined) ?? [];
  const sentence = stages.find((s) => s.stage === 'sentence');
  return (
    <>
      <PageHeader
        title={`${lc.display_code}${lc.docket_number ? ` · ${String(lc.docket_number)}` : ''}`}
        sub={
          <>
            <a href={`/cases/${lc.case_id}`}>{t('legal.backToCase')}</a>
            {lc.current_stage ? <> · <Badge>{valueLabel(String(lc.current_stage))}</Badge></> : null}
          </>
        }
      />
      <div class="case-grid">
        <Section title={t('legal.summary')} id="legal-summary">
          <Facts
            items={[
              [fieldLabel('court'), String(lc.court ?? '')],
              [fieldLabel('docket_number'), String(lc.docket_number ?? '')],
              [fieldLabel('current_stage'), lc.current_stage ? valueLabel(String(lc.current_stage)) : ''],
              [fieldLabel('verdict'), lc.verdict ? <Badge tone={lc.verdict === 'conviction' || lc.verdict === 'plea' ? 'good' : 'neutral'}>{valueLabel(String(lc.verdict))}</Badge> : t('legal.noVerdict')],
              [fieldLabel('sentence_months'), sentence?.sentence_months !== undefined ? t('legal.months', { n: formatNumber(sentence.sentence_months) }) : ''],
            ]}
          />
        </Section>
        <Section
          title={t('legal.charges')}
          id="legal-charges"
          actions={
            canEdit && !editing ? (
              <button type="button" class="secondary" onClick={() => setEditing(true)}>
                {t('legal.editCharges')}
              </button>
            ) : undefined
          }
        >
          {editing ? (
            <RecordForm
              kind="legal_case"
              record={lc}
              fields={['court', 'docket_number', 'charges']}
              idPrefix="charges"
              onCancel={() => setEditing(false)}
              onSaved={() => {
                setEditing(false);
                legal.reload();
              }}
            />
          ) : (lc.charges as Charge[] | undefined)?.length ? (
            <ul class="charges">
              {(lc.charges as Charge[]).map((c, i) => (
                <li key={i}>
                  <bdi>{c.statute}</bdi> — {t('legal.counts', { n: c.counts })}
                </li>
              ))}
            </ul>
          ) : (
            <Empty>{t('legal.noCharges')}</Empty>
          )}
        </Section>
        <Defendants legal={lc} canEdit={canEdit} onChanged={legal.reload} />
        <Stages legal={lc} canEdit={canEdit} onChanged={legal.reload} />
        <Hearings legalCaseId={lc.id} canEdit={canEdit} />
      </div>
    </>
  );
}

function Defendants({ legal, canEdit, onChanged }: { legal: RecordBase; canEdit: boolean; onChanged: () => void }) {
  const ids = (legal.defendant_person_ids as number[] | undefined) ?? [];
  // Defendants come from the case's people: its suspects first.
  const people = useAsync(
    async (signal) => {
      const roles = await get<Page<RecordBase>>(`/case-persons${query({ case_id: Number(legal.case_id), limit: 200 })}`, { signal });
      const out: { id: number; label: string; suspect: boolean }[] = [];
      for (const r of roles.items) {
        if (out.some((p) => p.id === r.person_id)) continue;
        const person = await get<RecordBase>(`/persons/${r.person_id}`, { signal });
        out.push({ id: person.id, label: personLabel(person), suspect: r.role === 'suspect' });
      }
      return out.sort((a, b) => Number(b.suspect) - Number(a.suspect));
    },
    [legal.case_id],
  );
  const [chosen, setChosen] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = async (e: Event) => {
    e.preventDefault();
    if (!chosen) return;
    try {
      await patch(`/legal-cases/${legal.id}`, { defendant_person_ids: [...ids, Number(chosen)], version: legal.version });
      setChosen('');
      onChanged();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const candidates = (people.data ?? []).filter((p) => !ids.includes(p.id));
  return (
    <Section title={t('legal.defendants')} id="legal-defendants">
      {ids.length === 0 && <Empty>{t('legal.noDefendants')}</Empty>}
      <ul>
        {ids.map((d) => (
          <li key={d}>
            <PersonName id={d} />
          </li>
        ))}
      </ul>
      {canEdit && candidates.length > 0 && (
        <form onSubmit={add} class="inline-form">
          <div class="field">
            <label for="defendant">{t('legal.addDefendant')}</label>
            <select id="defendant" value={chosen} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
              <option value="">{t('form.choose')}</option>
              {candidates.map((p) => (
                <option key={p.id} value={String(p.id)}>
                  {p.label}
                  {p.suspect ? ` (${valueLabel('suspect')})` : ''}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" disabled={!chosen}>
            {t('action.add')}
          </button>
          {error && <p class="field-error" role="alert">{error}</p>}
        </form>
      )}
    </Section>
  );
}

function Stages({ legal, canEdit, onChanged }: { legal: RecordBase; canEdit: boolean; onChanged: () => void }) {
  const stages = (legal.stages as Stage[] | undefined) ?? [];
  const options = useMemo(() => nextStages(stages), [legal.version, lang()]);
  const possible = options.filter((o) => !o.why);
  const [picked, setPicked] = useState('');
  // What was picked while it is still possible; after a stage is added, the first one possible now.
  const stage = possible.some((o) => o.stage === picked) ? picked : possible[0]?.stage ?? '';
  const [date, setDate] = useState(today());
  const [verdict, setVerdict] = useState('');
  const [months, setMonths] = useState('');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const minDate = lastStageDate(stages);
  const why = options.find((o) => o.stage === stage)?.why;
  const add = async (e: Event) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!stage) problems.stage = t('form.required');
    else if (why) problems.stage = why;
    if (!date) problems.date = t('form.required');
    else if (minDate && date < minDate) problems.date = t('rules.dateBack', { date: formatDate(minDate) });
    else if (date > today()) problems.date = t('rules.future');
    if (stage === 'verdict' && !verdict) problems.verdict = t('form.required');
    setErrors(problems);
    if (Object.keys(problems).length) return;
    const next: Stage = { stage, date };
    if (stage === 'verdict') next.verdict = verdict;
    if (stage === 'sentence' && months.trim()) next.sentence_months = Number(months);
    if (note.trim()) next.note = note.trim();
    try {
      await patch(`/legal-cases/${legal.id}`, { stages: [...stages, next], version: legal.version });
      setNote('');
      setVerdict('');
      setMonths('');
      onChanged();
    } catch (err) {
      // "/stages/3/date" → the date input.
      const field = err instanceof ApiError ? err.problem.field?.split('/').pop() : undefined;
      setErrors({ [field && ['stage', 'date', 'verdict', 'sentence_months'].includes(field) ? field : 'general']: errorText(err) });
    }
  };
  const err = (f: string) =>
    errors[f] ? (
      <p class="field-error" id={`stage-${f}-error`}>
        {errors[f]}
      </p>
    ) : null;
  return (
    <Section title={t('legal.stages')} id="legal-stages">
      {stages.length === 0 ? (
        <Empty>{t('legal.noStages')}</Empty>
      ) : (
        <ol class="stages">
          {stages.map((s, i) => (
            <li key={i}>
              <strong>{valueLabel(s.stage)}</strong> <time dateTime={s.date}>{formatDate(s.date)}</time>
              {s.verdict && <> · <Badge tone="good">{valueLabel(s.verdict)}</Badge></>}
              {s.sentence_months !== undefined && <> · {t('legal.months', { n: formatNumber(s.sentence_months) })}</>}
              {s.note && <> · <span dir="auto">{s.note}</span></>}
            </li>
          ))}
        </ol>
      )}
      {canEdit && (
        <AddForm label={t('legal.addStage')}>
          {() => (
            <form onSubmit={add} noValidate class="stage-form">
              {errors.general && <ErrorNotice error={new Error(errors.general)} />}
              <div class="grid">
                <div class={`field${errors.stage ? ' invalid' : ''}`}>
                  <label for="stage-stage">{fieldLabel('stage')}</label>
                  <select id="stage-stage" value={stage} onChange={(e) => setPicked((e.target as HTMLSelectElement).value)} aria-describedby="stage-rules">
                    {options.map((o) => (
                      <option key={o.stage} value={o.stage} disabled={!!o.why}>
                        {valueLabel(o.stage)}
                      </option>
                    ))}
                  </select>
                  {err('stage')}
                </div>
                <div class={`field${errors.date ? ' invalid' : ''}`}>
                  <label for="stage-date">{fieldLabel('date')}</label>
                  <input id="stage-date" type="date" value={date} min={minDate} max={today()} onInput={(e) => setDate((e.target as HTMLInputElement).value)} />
                  {err('date')}
                </div>
                {stage === 'verdict' && (
                  <div class={`field${errors.verdict ? ' invalid' : ''}`}>
                    <label for="stage-verdict">{fieldLabel('verdict')}</label>
                    <select id="stage-verdict" value={verdict} onChange={(e) => setVerdict((e.target as HTMLSelectElement).value)}>
                      <option value="">{t('form.choose')}</option>
                      {['conviction', 'acquittal', 'dismissal', 'plea'].map((v) => (
                        <option key={v} value={v}>
                          {valueLabel(v)}
                        </option>
                      ))}
                    </select>
                    {err('verdict')}
                  </div>
                )}
                {stage === 'sentence' && (
                  <div class={`field${errors.sentence_months ? ' invalid' : ''}`}>
                    <label for="stage-months">{fieldLabel('sentence_months')}</label>
                    <input id="stage-months" inputMode="numeric" value={months} onInput={(e) => setMonths((e.target as HTMLInputElement).value)} />
                    {err('sentence_months')}
                  </div>
                )}
                <div class="field">
                  <label for="stage-note">{fieldLabel('note')}</label>
                  <input id="stage-note" value={note} maxLength={500} dir="auto" onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
                </div>
              </div>
              <div id="stage-rules" class="rules">
                <p>{t('legal.rulesIntro')}</p>
                <ul>
                  {options
                    .filter((o) => o.why)
                    .map((o) => (
                      <li key={o.stage} data-stage={o.stage}>
                        <strong>{valueLabel(o.stage)}</strong>: {o.why}
                      </li>
                    ))}
                </ul>
              </div>
              <div class="buttons">
                <button type="submit" disabled={!possible.length}>
                  {t('legal.addStage')}
                </button>
              </div>
            </form>
          )}
        </AddForm>
      )}
    </Section>
  );
}

function Hearings({ legalCaseId, canEdit }: { legalCaseId: number; canEdit: boolean }) {
  const hearings = useAsync((signal) => get<Page<RecordBase>>(`/hearings${query({ legal_case_id: legalCaseId, sort: 'scheduled_at', order: 'asc', limit: 200 })}`, { signal }), [legalCaseId]);
  const [editing, setEditing] = useState<RecordBase | null>(null);
  // A calendar by month: the hearings of each month, in order.
  const months = new Map<string, RecordBase[]>();
  for (const h of hearings.data?.items ?? []) {
    const key = String(h.scheduled_at).slice(0, 7);
    months.set(key, [...(months.get(key) ?? []), h]);
  }
  const monthName = (key: string) => new Intl.DateTimeFormat(lang(), { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${key}-01T00:00:00Z`));
  const dayTime = (iso: string) => new Intl.DateTimeFormat(lang(), { weekday: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
  const check = (v: Record<string, unknown>): Record<string, string> => (v.held === true && v.postponed === true ? { '/postponed': t('rules.heldAndPostponed') } : {});
  const fields = ['scheduled_at', 'held', 'postponed', 'postponement_reason', 'survivor_testified', 'victim_sensitive', 'notes'];
  return (
    <Section title={t('legal.hearings')} id="legal-hearings">
      {hearings.error && <ErrorNotice error={hearings.error} />}
      {hearings.data && hearings.data.items.length === 0 && <Empty>{t('legal.noHearings')}</Empty>}
      <div class="calendar">
        {[...months.entries()].map(([key, list]) => (
          <div class="month" key={key}>
            <h3>{monthName(key)}</h3>
            <ul>
              {list.map((h) => (
                <li key={h.id} class={new Date(String(h.scheduled_at)) < new Date() ? 'past' : 'upcoming'}>
                  <time dateTime={String(h.scheduled_at)}>{dayTime(String(h.scheduled_at))}</time>
                  {h.held === true && <Badge tone="good">{fieldLabel('held')}</Badge>}
                  {h.postponed === true && <Badge tone="warn">{fieldLabel('postponed')}</Badge>}
                  {h.survivor_testified === true && <Badge>{fieldLabel('survivor_testified')}</Badge>}
                  {canEdit && (
                    <button type="button" class="link" onClick={() => setEditing(h)}>
                      {t('legal.updateHearing')}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </div>
        ))}
      </div>
      {editing && (
        <div class="add-form">
          <h3>{t('legal.updateHearing')}</h3>
          <RecordForm
            kind="hearing"
            record={editing}
            fields={fields}
            idPrefix="hearing-edit"
            check={check}
            onCancel={() => setEditing(null)}
            onSaved={() => {
              setEditing(null);
              hearings.reload();
            }}
          />
        </div>
      )}
      {canEdit && (
        <AddForm label={t('legal.addHearing')}>
          {(done) => (
            <RecordForm
              kind="hearing"
              fixed={{ legal_case_id: legalCaseId }}
              fields={fields}
              idPrefix="hearing"
              check={check}
              onSaved={() => {
                done();
                hearings.reload();
              }}
            />
          )}
        </AddForm>
      )}
    </Section>
  );
}
