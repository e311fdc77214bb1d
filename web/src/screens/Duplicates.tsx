// The duplicate review queue: pairs of person records the scan (haven dedupe scan), intake or
// staff found alike, with the score and the reason. A reviewer rejects a pair, or confirms it and
// merges the two (choosing which record is kept, and saying why); a merge can be undone.
import { useState } from 'preact/hooks';
import { ApiError, get, post, query, type Page, type RecordBase } from '../lib/api';
import { announceSaved, useAsync, useOnSaved } from '../lib/hooks';
import { formatDateTime, formatNumber, t, valueLabel } from '../lib/i18n';
import { Dialog } from '../components/Dialog';
import { PersonName } from '../components/PersonName';
import { Badge, Empty, ErrorNotice, Loading, PageHeader, Section, errorText } from '../components/ui';

const statuses = ['open', 'confirmed', 'rejected', 'merged'] as const;

function MergeDialog({ pair, onClose }: { pair: RecordBase; onClose: () => void }) {
  const a = Number(pair.person_id);
  const b = Number(pair.other_person_id);
  const [kept, setKept] = useState(a);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const merge = async (e: Event) => {
    e.preventDefault();
    if (!reason.trim()) {
      setError(t('dups.reasonNeeded'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (pair.status === 'open') await post(`/duplicate-candidates/${pair.id}/confirm`);
      await post(`/persons/${kept}/merge`, { duplicate_id: kept === a ? b : a, reason: reason.trim() });
      announceSaved();
      onClose();
    } catch (err) {
      setError(errorText(err));
      if (err instanceof ApiError && err.status === 409) announceSaved();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('dups.mergeTitle')} onClose={onClose}>
      <form onSubmit={merge} noValidate>
        <fieldset class="choice">
          <legend>{t('dups.keep')}</legend>
          {[a, b].map((id) => (
            <label class="check" key={id}>
              <input type="radio" name="kept" checked={kept === id} onChange={() => setKept(id)} />
              <PersonName id={id} />
            </label>
          ))}
        </fieldset>
        <p class="hint">{t('dups.keepHelp')}</p>
        <div class={`field${error && !reason.trim() ? ' invalid' : ''}`}>
          <label for="merge-reason">
            {t('dups.reason')}
            <span class="req" aria-hidden="true"> *</span>
          </label>
          <textarea id="merge-reason" rows={3} maxLength={2000} dir="auto" value={reason} aria-required="true" aria-describedby={error ? 'merge-error' : undefined} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
        </div>
        {error && (
          <p class="field-error" id="merge-error" role="alert">
            {error}
          </p>
        )}
        <div class="buttons">
          <button type="submit" disabled={busy} aria-busy={busy}>
            {busy ? t('status.working') : t('dups.merge')}
          </button>
          <button type="button" class="secondary" onClick={onClose}>
            {t('action.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function Queue() {
  const [status, setStatus] = useState<string>('open');
  const [cursors, setCursors] = useState<string[]>([]);
  const [merging, setMerging] = useState<RecordBase | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const cursor = cursors[cursors.length - 1];
  // Newest first by the index (score is not indexed); within a page, the likeliest pairs first.
  const page = useAsync(
    (signal) =>
      get<Page<RecordBase>>(`/duplicate-candidates${query({ status, sort: 'id', order: 'desc', limit: 20, cursor })}`, { signal }).then((p) => ({
        ...p,
        items: [...p.items].sort((a, b) => Number(b.score ?? 0) - Number(a.score ?? 0)),
      })),
    [status, cursor],
  );
  useOnSaved(page.reload);
  const review = async (pair: RecordBase, verdict: 'confirm' | 'reject') => {
    setBusy(pair.id);
    setActionError(null);
    try {
      await post(`/duplicate-candidates/${pair.id}/${verdict}`);
      page.reload();
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(null);
    }
  };
  return (
    <Section title={t('dups.queue')} id="dup-queue">
      <div class="filters">
        <label>
          {t('dups.status')}
          <select
            value={status}
            onChange={(e) => {
              setCursors([]);
              setStatus((e.target as HTMLSelectElement).value);
            }}
          >
            {statuses.map((s) => (
              <option value={s} key={s}>
                {t(`dups.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {actionError !== null && <ErrorNotice error={actionError} />}
      {page.error ? (
        <ErrorNotice error={page.error} onRetry={page.reload} />
      ) : !page.data ? (
        <Loading />
      ) : page.data.items.length === 0 ? (
        <Empty>{t('dups.none')}</Empty>
      ) : (
        <ul class="match-list dup-list" aria-busy={page.loading}>
          {page.data.items.map((pair) => (
            <li key={pair.id} data-pair={pair.id}>
              <div class="match-head">
                <span>
                  <PersonName id={Number(pair.person_id)} /> ↔ <PersonName id={Number(pair.other_person_id)} />
                </span>
                <span>
                  {typeof pair.score === 'number' ? t('intake.score', { score: formatNumber(pair.score * 100) }) : ''} <Badge>{t(`dups.status.${String(pair.status ?? 'open')}` as 'dups.status.open')}</Badge>
                </span>
              </div>
              {pair.explanation ? <p class="explanation">{String(pair.explanation)}</p> : null}
              <p class="match-facts">
                {pair.source ? `${t('dups.source')}: ${valueLabel(String(pair.source))} · ` : ''}
                {formatDateTime(pair.created_at)} · {pair.display_code}
              </p>
              <div class="buttons">
                <a class="button secondary" href={`/persons/${pair.person_id}/aftercare`}>{t('dups.openFirst')}</a>
                <a class="button secondary" href={`/persons/${pair.other_person_id}/aftercare`}>{t('dups.openSecond')}</a>
                {(pair.status === 'open' || pair.status === 'confirmed') && (
                  <button type="button" onClick={() => setMerging(pair)}>
                    {pair.status === 'open' ? t('dups.confirmMerge') : t('dups.merge')}
                  </button>
                )}
                {pair.status === 'open' && (
                  <button type="button" class="secondary" disabled={busy === pair.id} onClick={() => review(pair, 'confirm')}>
                    {t('dups.confirm')}
                  </button>
                )}
                {(pair.status === 'open' || pair.status === 'confirmed') && (
                  <button type="button" class="secondary" disabled={busy === pair.id} onClick={() => review(pair, 'reject')}>
                    {t('dups.reject')}
                  </button>
                )}
                {pair.status === 'rejected' && (
                  <button type="button" class="secondary" disabled={busy === pair.id} onClick={() => review(pair, 'confirm')}>
                    {t('dups.reopen')}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {(cursors.length > 0 || page.data?.next_cursor) && (
        <nav class="pager" aria-label={t('list.pages', { what: t('dups.queue') })}>
          <button type="button" class="secondary" disabled={!cursors.length} onClick={() => setCursors((c) => c.slice(0, -1))}>
            {t('list.previous')}
          </button>
          <span>{t('list.page', { n: cursors.length + 1 })}</span>
          <button type="button" class="secondary" disabled={!page.data?.next_cursor} onClick={() => page.data?.next_cursor && setCursors((c) => [...c, page.data!.next_cursor!])}>
            {t('list.next')}
          </button>
        </nav>
      )}
      {merging && <MergeDialog pair={merging} onClose={() => setMerging(null)} />}
    </Section>
  );
}

function Merges() {
  const merges = useAsync((signal) => get<Page<RecordBase>>(`/person-merges${query({ sort: 'id', order: 'desc', limit: 20 })}`, { signal }), []);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<number | null>(null);
  useOnSaved(merges.reload);
  const undo = async (m: RecordBase) => {
    setBusy(m.id);
    setError(null);
    try {
      await post(`/person-merges/${m.id}/undo`);
      announceSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  return (
    <Section title={t('dups.merges')} id="dup-merges">
      {error !== null && <ErrorNotice error={error} />}
      {merges.error ? (
        <ErrorNotice error={merges.error} onRetry={merges.reload} />
      ) : !merges.data ? (
        <Loading />
      ) : merges.data.items.length === 0 ? (
        <Empty>{t('dups.noMerges')}</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{t('dups.merges')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('dups.when')}</th>
                <th scope="col">{t('dups.kept')}</th>
                <th scope="col">{t('dups.mergedIn')}</th>
                <th scope="col">{t('dups.reason')}</th>
                <th scope="col">{t('dups.status')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('dups.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {merges.data.items.map((m) => (
                <tr key={m.id}>
                  <td>{formatDateTime(m.created_at)}</td>
                  <td>
                    <PersonName id={Number(m.person_id)} />
                  </td>
                  <td>
                    <PersonName id={Number(m.merged_person_id)} />
                  </td>
                  <td dir="auto">{String(m.reason ?? '')}</td>
                  <td>{m.status === 'undone' ? <Badge>{t('dups.undone')}</Badge> : <Badge tone="good">{t('dups.status.merged')}</Badge>}</td>
                  <td>
                    {m.status !== 'undone' && (
                      <button type="button" class="secondary" disabled={busy === m.id} onClick={() => undo(m)} aria-label={t('dups.undoOf', { code: m.display_code })}>
                        {t('dups.undo')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

export function Duplicates() {
  return (
    <>
      <PageHeader title={t('dups.title')} sub={t('dups.intro')} actions={<a href="/persons/search">{t('search.title')}</a>} />
      <Queue />
      <Merges />
    </>
  );
}
