// One case: its details and status (moved only as the workflow allows), the people in it and
// their roles, its timeline, documents (evidence items with their files), operations, legal
// cases and referrals to other organisations.
import { useState } from 'preact/hooks';
import { get, post, putBytes, query, type Page, type RecordBase } from '../lib/api';
import { useAsync, useOnSaved } from '../lib/hooks';
import { fieldLabel, formatDate, formatDateTime, t, valueLabel } from '../lib/i18n';
import { useMe, worksCases } from '../lib/session';
import { nextCaseStatuses } from '../lib/workflow';
import { AddForm } from '../components/AddForm';
import { RecordForm } from '../components/RecordForm';
import { RecordList } from '../components/RecordList';
import { PersonName, personLabel } from '../components/PersonName';
import { Badge, Empty, ErrorNotice, Facts, Loading, PageHeader, Section, errorText } from '../components/ui';

const statusTone = (s: string) => (s === 'closed' ? 'neutral' : s === 'aftercare' ? 'good' : 'warn');

export function CasePage({ id }: { id: string }) {
  const me = useMe();
  const theCase = useAsync((signal) => get<RecordBase>(`/cases/${id}`, { signal }), [id]);
  const [editing, setEditing] = useState(false);
  if (theCase.error) return <ErrorNotice error={theCase.error} onRetry={theCase.reload} />;
  if (!theCase.data) return <Loading />;
  const c = theCase.data;
  const canEdit = worksCases(me);
  const status = String(c.status ?? 'open');
  return (
    <>
      <PageHeader
        title={`${c.display_code}${c.title ? ` · ${String(c.title)}` : ''}`}
        sub={
          <>
            <Badge tone={statusTone(status)}>{valueLabel(status)}</Badge> {valueLabel(String(c.exploitation_form ?? ''))}
          </>
        }
        actions={
          canEdit && !editing ? (
            <button type="button" class="secondary" onClick={() => setEditing(true)}>
              {t('case.edit')}
            </button>
          ) : undefined
        }
      />
      <div class="case-grid">
        <Section title={t('case.details')} id="case-details">
          {editing ? (
            <RecordForm
              kind="case"
              record={c}
              fields={['title', 'status', 'exploitation_form', 'country', 'region', 'location', 'sensitivity', 'opened_on', 'incident_date', 'closed_on', 'summary', 'custom']}
              rules={{ status: nextCaseStatuses(status) }}
              onCancel={() => setEditing(false)}
              onSaved={() => {
                setEditing(false);
                theCase.reload();
              }}
            />
          ) : (
            <Facts
              items={[
                [fieldLabel('country'), String(c.country ?? '')],
                [fieldLabel('region'), String(c.region ?? '')],
                [fieldLabel('location'), c.location ? <bdi>{String(c.location)}</bdi> : ''],
                [fieldLabel('sensitivity'), c.sensitivity ? valueLabel(String(c.sensitivity)) : ''],
                [fieldLabel('opened_on'), formatDate(String(c.opened_on ?? ''))],
                [fieldLabel('incident_date'), formatDate(c.incident_date as string)],
                [fieldLabel('closed_on'), formatDate(c.closed_on as string)],
                [fieldLabel('summary'), c.summary ? <p class="prose" dir="auto">{String(c.summary)}</p> : ''],
              ]}
            />
          )}
        </Section>
        <People caseId={c.id} canEdit={canEdit} />
        <Timeline caseId={c.id} canEdit={canEdit} />
        <Documents caseId={c.id} canEdit={canEdit} />
        <Section title={t('case.operations')} id="case-operations">
          <RecordList kind="operation" caption={t('case.operations')} fixed={{ case_id: c.id }} columns={['date', 'type', 'place', 'victims_identified', 'suspects_arrested']} sort="date" order="desc" limit={10} />
          {canEdit && (
            <AddForm label={t('case.addOperation')}>
              {(done) => <RecordForm kind="operation" fixed={{ case_id: c.id }} idPrefix="op" onSaved={done} />}
            </AddForm>
          )}
        </Section>
        <Section title={t('case.legal')} id="case-legal">
          <RecordList kind="legal_case" caption={t('case.legal')} fixed={{ case_id: c.id }} columns={['display_code', 'court', 'docket_number', 'current_stage', 'verdict']} limit={10} href={(r) => `/legal-cases/${r.id}`} />
          {canEdit && (
            <AddForm label={t('case.addLegal')}>
              {() => <RecordForm kind="legal_case" fixed={{ case_id: c.id }} fields={['court', 'docket_number']} idPrefix="lc" onSaved={(r) => location.assign(`/legal-cases/${r.id}`)} />}
            </AddForm>
          )}
        </Section>
        <Referrals caseId={c.id} canEdit={canEdit} />
      </div>
    </>
  );
}

function People({ caseId, canEdit }: { caseId: number; canEdit: boolean }) {
  const roles = useAsync((signal) => get<Page<RecordBase>>(`/case-persons${query({ case_id: caseId, limit: 200 })}`, { signal }), [caseId]);
  useOnSaved(roles.reload);
  return (
    <Section title={t('case.people')} id="case-people">
      {roles.error && <ErrorNotice error={roles.error} />}
      {roles.data && roles.data.items.length === 0 && <Empty />}
      <ul class="people">
        {roles.data?.items.map((r) => (
          <li key={r.id}>
            <PersonName id={Number(r.person_id)} /> <Badge>{valueLabel(String(r.role))}</Badge>
            {r.is_minor === true && <Badge tone="warn">{t('case.minor')}</Badge>}
            {r.role === 'victim' && (
              <a class="small" href={`/persons/${r.person_id}/aftercare`}>
                {t('case.aftercare')}
              </a>
            )}
          </li>
        ))}
      </ul>
      {canEdit && <a href="/intake" class="small">{t('case.addPersonIntake')}</a>}
    </Section>
  );
}

interface TimelineEntry {
  at: string;
  kind: string;
  id: number;
  summary?: string;
  type?: string;
  stage?: string;
  verdict?: string;
  held?: boolean;
  postponed?: boolean;
  legal_case_id?: number;
}

const kTimelineFirst = 50;
const kTimelineMore = 200;

function Timeline({ caseId, canEdit }: { caseId: number; canEdit: boolean }) {
  const timeline = useAsync((signal) => get<{ entries: TimelineEntry[] }>(`/cases/${caseId}/timeline`, { signal }), [caseId]);
  useOnSaved(timeline.reload);
  // A long-running case gathers a thousand entries or more: the newest show at once, the rest on
  // request, so the page stays quick on a modest laptop.
  const [shown, setShown] = useState(kTimelineFirst);
  const entries = [...(timeline.data?.entries ?? [])].reverse();
  const earlier = Math.min(entries.length - shown, kTimelineMore);
  const describe = (e: TimelineEntry) => {
    switch (e.kind) {
      case 'case_opened':
        return t('timeline.opened');
      case 'event':
        return `${valueLabel(e.type ?? '')}${e.summary ? `: ${e.summary}` : ''}`;
      case 'operation':
        return `${t('timeline.operation')}: ${valueLabel(e.type ?? '')}`;
      case 'legal_stage':
        return `${t('timeline.stage')}: ${valueLabel(e.stage ?? '')}${e.verdict ? ` (${valueLabel(e.verdict)})` : ''}`;
      case 'hearing':
        return `${t('timeline.hearing')}${e.held ? ` · ${fieldLabel('held')}` : ''}${e.postponed ? ` · ${fieldLabel('postponed')}` : ''}`;
      default:
        return e.kind;
    }
  };
  return (
    <Section title={t('case.timeline')} id="case-timeline">
      {timeline.error && <ErrorNotice error={timeline.error} />}
      <ol class="timeline">
        {entries.slice(0, shown).map((e) => (
          <li key={`${e.kind}-${e.id}-${e.at}`}>
            <time dateTime={e.at}>{e.at.length > 10 ? formatDateTime(e.at) : formatDate(e.at)}</time>
            <span dir="auto">{describe(e)}</span>
          </li>
        ))}
      </ol>
      {earlier > 0 && (
        <button type="button" class="secondary" onClick={() => setShown((n) => n + kTimelineMore)}>
          {t('timeline.earlier', { n: earlier })}
        </button>
      )}
      {canEdit && (
        <AddForm label={t('case.addEvent')}>
          {(done) => <RecordForm kind="case_event" fixed={{ case_id: caseId }} defaults={{ occurred_at: new Date().toISOString(), type: 'note' }} idPrefix="ev" onSaved={done} />}
        </AddForm>
      )}
    </Section>
  );
}

async function sha256Hex(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function Documents({ caseId, canEdit }: { caseId: number; canEdit: boolean }) {
  const items = useAsync((signal) => get<Page<RecordBase>>(`/evidence-items${query({ case_id: caseId, limit: 100 })}`, { signal }), [caseId]);
  const me = useMe();
  const [file, setFile] = useState<File | null>(null);
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The file's SHA-256 is computed here and recorded with the item; the server stores the file
  // only when its own digest matches, so what was seized is what is kept.
  const upload = async (e: Event) => {
    e.preventDefault();
    if (!file || !description.trim()) return setError(t('case.docNeeds'));
    setBusy(true);
    setError(null);
    try {
      const sha256 = await sha256Hex(file);
      const item = await post<RecordBase>('/evidence-items', {
        case_id: caseId,
        description,
        sha256,
        ...(file.type ? { media_type: file.type } : {}),
        custody: [{ at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), handler: me.display_name || me.username, action: 'uploaded' }],
      });
      await putBytes(`/evidence-items/${item.id}/file`, file);
      setFile(null);
      setDescription('');
      items.reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title={t('case.documents')} id="case-documents">
      {items.error && <ErrorNotice error={items.error} />}
      {items.data && items.data.items.length === 0 && <Empty />}
      <ul class="documents">
        {items.data?.items.map((d) => (
          <li key={d.id}>
            <a href={`/api/v1/evidence-items/${d.id}/file`} download>
              {d.display_code}
            </a>{' '}
            <span dir="auto">{String(d.description)}</span>
            <span class="mono" title={String(d.sha256)}>
              SHA-256 {String(d.sha256).slice(0, 12)}…
            </span>
            <span class="small">{t('case.custody', { n: (d.custody as unknown[] | undefined)?.length ?? 0 })}</span>
          </li>
        ))}
      </ul>
      {canEdit && (
        <form class="upload" onSubmit={upload}>
          <div class="field">
            <label for="doc-description">{fieldLabel('description')}</label>
            <input id="doc-description" value={description} maxLength={500} dir="auto" onInput={(e) => setDescription((e.target as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label for="doc-file">{t('case.file')}</label>
            <input id="doc-file" type="file" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} />
          </div>
          {error && <p class="field-error" role="alert">{error}</p>}
          <div class="buttons">
            <button type="submit" disabled={busy}>
              {busy ? t('status.working') : t('case.upload')}
            </button>
          </div>
        </form>
      )}
    </Section>
  );
}

function Referrals({ caseId, canEdit }: { caseId: number; canEdit: boolean }) {
  // What the form needs to offer: the consents of the case's people and the organisations.
  const choices = useAsync(
    async (signal) => {
      const roles = await get<Page<RecordBase>>(`/case-persons${query({ case_id: caseId, limit: 200 })}`, { signal });
      const consents: { value: string; label: string }[] = [];
      for (const r of roles.items) {
        const page = await get<Page<RecordBase>>(`/consents${query({ person_id: Number(r.person_id), limit: 20 })}`, { signal });
        const person = await get<RecordBase>(`/persons/${r.person_id}`, { signal });
        for (const c of page.items) consents.push({ value: String(c.id), label: `${c.display_code} · ${personLabel(person)} · ${formatDate(String(c.given_on))}` });
      }
      const orgs = await get<Page<RecordBase>>(`/organisations${query({ limit: 200 })}`, { signal });
      return { consents, orgs: orgs.items.map((o) => ({ value: String(o.id), label: String(o.name) })) };
    },
    [caseId],
  );
  return (
    <Section title={t('case.referrals')} id="case-referrals">
      <RecordList kind="referral" caption={t('case.referrals')} fixed={{ case_id: caseId }} columns={['display_code', 'purpose', 'status', 'shared']} limit={10} />
      {canEdit && choices.data && (
        <AddForm label={t('case.addReferral')}>
          {(done) => (
            <RecordForm
              kind="referral"
              fixed={{ case_id: caseId }}
              idPrefix="rf"
              options={{ consent_id: choices.data!.consents, to_org_id: choices.data!.orgs }}
              onSaved={done}
            />
          )}
        </AddForm>
      )}
    </Section>
  );
}
