// The linkage review queue (haven link): the runs with how far their review has got, then one
// run's uncertain pairs, the likeliest first. A pair shows the two records side by side with each
// field's comparison level and weight; a supervisor or investigator says "same person" or "not the
// same person" (with an optional note) and the next pending pair opens; the last decision can be
// undone. Analysts and auditors get the pairs without their comparisons (the server withholds
// them: they hold the values), so they see the probability and total weight, and decide nothing.
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../lib/api';
import { useAsync } from '../lib/hooks';
import { formatDateTime, formatPercent, formatSigned, t } from '../lib/i18n';
import { decide, getPair, listPairs, listRuns, reopen, reviewStatuses, reviewed, type LinkReview as Pair, type ReviewStatus, type RunSummary } from '../lib/linkReview';
import { has, pseudonymised, useMe } from '../lib/session';
import { PairExplanation } from '../components/PairExplanation';
import { Badge, Empty, ErrorNotice, Loading, Notice, PageHeader, Section } from '../components/ui';

type Verdict = 'match' | 'non_match';
const statusTone = { pending: 'warn', match: 'good', non_match: 'neutral' } as const;

function StatusBadge({ status }: { status: ReviewStatus }) {
  return <Badge tone={statusTone[status] ?? 'neutral'}>{t(`link.status.${status}`)}</Badge>;
}

/** How far a run's review has got: a progress bar of reviewed / total, and the counts. */
function RunProgress({ summary }: { summary: RunSummary }) {
  const done = reviewed(summary);
  const label = t('link.progress', { done, total: summary.total });
  return (
    <div class="run-progress" data-counts={`${summary.pending}/${summary.match}/${summary.non_match}/${summary.total}`}>
      <progress max={Math.max(summary.total, 1)} value={done} aria-label={label} />
      <p class="run-counts">
        <span>{label}</span>
        <span>{t('link.countPending', { n: summary.pending })}</span>
        <span>{t('link.countMatch', { n: summary.match })}</span>
        <span>{t('link.countNonMatch', { n: summary.non_match })}</span>
      </p>
    </div>
  );
}

function Runs({ onOpen }: { onOpen: (run: string) => void }) {
  const runs = useAsync((signal) => listRuns(signal), []);
  return (
    <>
      <PageHeader title={t('link.title')} sub={t('link.intro')} />
      <Section title={t('link.runs')} id="link-runs">
        {runs.error ? (
          <ErrorNotice error={runs.error} onRetry={runs.reload} />
        ) : !runs.data ? (
          <Loading />
        ) : runs.data.length === 0 ? (
          <Empty>{t('link.noRuns')}</Empty>
        ) : (
          <ul class="run-list">
            {runs.data.map((r) => (
              <li key={r.run} data-run={r.run}>
                <h3>
                  <bdi>{r.run}</bdi>
                </h3>
                <RunProgress summary={r} />
                <button type="button" class={r.pending ? '' : 'secondary'} onClick={() => onOpen(r.run)} aria-label={t(r.pending ? 'link.reviewRun' : 'link.viewRun', { run: r.run })}>
                  {r.pending ? t('link.review') : t('link.view')}
                </button>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </>
  );
}

/** The pair's heading, verdict buttons, note and outcome: everything a decision needs. */
function PairView({
  pair,
  mayDecide,
  showValues,
  note,
  onNote,
  busy,
  error,
  onDecide,
  onReopen,
  heading,
}: {
  pair: Pair;
  mayDecide: boolean;
  showValues: boolean;
  note: string;
  onNote: (text: string) => void;
  busy: boolean;
  error: unknown;
  onDecide: (verdict: Verdict) => void;
  onReopen: () => void;
  heading: RefObject<HTMLHeadingElement | null>;
}) {
  const pending = pair.status === 'pending';
  return (
    <section class="card pair-view" aria-labelledby="pair-h" data-pair={pair.id}>
      <div class="card-head">
        <h2 id="pair-h" tabIndex={-1} ref={heading}>
          {t('link.pairTitle', { code: pair.display_code })}
        </h2>
        <StatusBadge status={pair.status} />
      </div>
      <p class="pair-summary">
        <span>{t('link.probabilityIs', { p: formatPercent(pair.match_probability) })}</span>
        <span>{t('link.totalWeightIs', { w: formatSigned(pair.match_weight) })}</span>
      </p>
      {!Array.isArray(pair.comparisons) ? <Notice>{t('link.noComparisons')}</Notice> : !showValues && <Notice>{t('link.valuesHidden')}</Notice>}
      <PairExplanation pair={pair} showValues={showValues} />
      {!pending && (
        <p class="decided">
          {t('link.decided', { status: t(`link.status.${pair.status}`) })}
          {pair.decided_at ? ` · ${formatDateTime(pair.decided_at)}` : ''}
          {pair.note ? (
            <>
              {' '}
              <span class="decided-note">
                {t('link.noteWas')} <bdi dir="auto">{pair.note}</bdi>
              </span>
            </>
          ) : null}
        </p>
      )}
      {error !== null && <ErrorNotice error={error} />}
      {!pending && note.trim() !== '' && (
        // Decided by someone else while this note was being typed: it was not sent; keep it to copy.
        <div class="field">
          <label for="review-note-unsent">{t('link.unsentNote')}</label>
          <textarea id="review-note-unsent" rows={2} dir="auto" readOnly value={note} />
        </div>
      )}
      {mayDecide && pending && (
        <form
          class="verdict-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
          }}
        >
          <div class="field">
            <label for="review-note">{t('link.note')}</label>
            <textarea id="review-note" rows={2} maxLength={2000} dir="auto" value={note} aria-describedby="review-keys" onInput={(e) => onNote((e.target as HTMLTextAreaElement).value)} />
          </div>
          <div class="buttons">
            <button type="button" disabled={busy} aria-busy={busy} aria-keyshortcuts="s" onClick={() => onDecide('match')}>
              {t('link.same')}
            </button>
            <button type="button" class="secondary" disabled={busy} aria-keyshortcuts="n" onClick={() => onDecide('non_match')}>
              {t('link.notSame')}
            </button>
          </div>
        </form>
      )}
      {mayDecide && !pending && (
        <div class="buttons">
          <button type="button" class="secondary" disabled={busy} onClick={onReopen}>
            {t('link.reopen')}
          </button>
        </div>
      )}
      <p class="hint" id="review-keys">
        {mayDecide ? t('link.keys') : t('link.keysView')}
      </p>
    </section>
  );
}

function RunReview({ run, onBack }: { run: string; onBack: () => void }) {
  const me = useMe();
  const mayDecide = has(me, 'supervisor', 'investigator');
  const showValues = !pseudonymised(me);
  const [status, setStatus] = useState<ReviewStatus>('pending');
  const [cursors, setCursors] = useState<string[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  // Notes as typed, per pair: choosing another pair and coming back keeps them; a decision that
  // fails keeps them; only a recorded decision clears its note.
  const [notes, setNotes] = useState<Record<number, string>>({});
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [last, setLast] = useState<{ id: number; code: string; verdict: Verdict } | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const focusPair = useRef(false);
  const cursor = cursors[cursors.length - 1];

  const runs = useAsync((signal) => listRuns(signal), []);
  const queue = useAsync((signal) => listPairs(run, status, cursor, signal), [run, status, cursor]);
  // Pairs decided here leave the pending queue at once, before the queue is loaded again.
  const [decidedHere, setDecidedHere] = useState<ReadonlySet<number>>(new Set());
  const items = (queue.data?.items ?? []).filter((p) => status !== 'pending' || !decidedHere.has(p.id));
  const current = selected ?? items[0]?.id ?? null;
  const pair = useAsync((signal) => (current === null ? Promise.resolve(null) : getPair(current, signal)), [current]);
  const shown = pair.data && pair.data.id === current ? pair.data : null;
  const summary = runs.data?.find((r) => r.run === run);

  // After a decision, an undo or a choice in the queue, focus goes to the pair now shown (or to
  // "all reviewed"), so the keyboard carries on from there and a phone scrolls to it.
  useEffect(() => {
    if (!focusPair.current) return;
    if ((current !== null && shown && !pair.loading) || (current === null && queue.data)) {
      focusPair.current = false;
      heading.current?.focus();
    }
  });

  const select = (id: number | null) => {
    setActionError(null);
    focusPair.current = true;
    setSelected(id);
  };
  const refresh = () => {
    queue.reload();
    runs.reload();
  };

  const onDecide = async (verdict: Verdict) => {
    const p = shown;
    if (!p || p.status !== 'pending' || busy) return;
    setBusy(true);
    setActionError(null);
    try {
      await decide(p.id, verdict, (notes[p.id] ?? '').trim());
      setNotes((n) => {
        const rest = { ...n };
        delete rest[p.id];
        return rest;
      });
      setLast({ id: p.id, code: p.display_code, verdict });
      setDecidedHere((d) => new Set(d).add(p.id));
      // The next pending pair: the one after this in the queue, else the one before it.
      const ids = items.map((i) => i.id);
      const at = ids.indexOf(p.id);
      const next = status === 'pending' ? (ids[at + 1] ?? ids[at - 1] ?? null) : p.id;
      focusPair.current = true;
      if (next === null) setCursors([]);
      setSelected(next);
      if (next === p.id) pair.reload();
      refresh();
    } catch (err) {
      setActionError(err);
      // Decided by someone else meanwhile: stay on the pair, shown as it is now (the note stays).
      if (err instanceof ApiError && err.status === 409) {
        setSelected(p.id);
        pair.reload();
        refresh();
      }
    } finally {
      setBusy(false);
    }
  };

  const onReopen = async (id: number) => {
    if (busy) return;
    setBusy(true);
    setActionError(null);
    try {
      await reopen(id);
      setLast((l) => (l?.id === id ? null : l));
      setDecidedHere((d) => {
        const rest = new Set(d);
        rest.delete(id);
        return rest;
      });
      focusPair.current = true;
      if (status !== 'pending') {
        setStatus('pending');
        setCursors([]);
      }
      setSelected(id);
      if (current === id) pair.reload();
      refresh();
    } catch (err) {
      setActionError(err);
      if (err instanceof ApiError && err.status === 409) {
        pair.reload();
        refresh();
      }
    } finally {
      setBusy(false);
    }
  };

  const move = (step: number) => {
    const ids = items.map((i) => i.id);
    const at = current === null ? -1 : ids.indexOf(current);
    const next = ids[at + step];
    if (next !== undefined) select(next);
  };

  // Single-key shortcuts, active only while focus is in this screen and not in a text field (so
  // typing a note never decides anything, and a screen reader's own keys elsewhere are untouched).
  const onKey = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if ((e.target as HTMLElement).closest('input, textarea, select, [contenteditable]')) return;
    const key = e.key.toLowerCase();
    if (key === 'j') move(1);
    else if (key === 'k') move(-1);
    else if (mayDecide && key === 's') void onDecide('match');
    else if (mayDecide && key === 'n') void onDecide('non_match');
    else if (mayDecide && key === 'u' && last) void onReopen(last.id);
    else return;
    e.preventDefault();
  };

  return (
    <div class="link-review" onKeyDown={onKey}>
      <PageHeader
        title={t('link.runTitle', { run })}
        sub={mayDecide ? t('link.runIntro') : t('link.runIntroView')}
        actions={
          <button type="button" class="secondary" onClick={onBack}>
            {t('link.allRuns')}
          </button>
        }
      />
      {runs.error ? <ErrorNotice error={runs.error} onRetry={runs.reload} /> : summary ? <RunProgress summary={summary} /> : null}
      {last && (
        <Notice kind="success">
          <p>
            {t('link.recorded', { code: last.code, status: t(`link.status.${last.verdict}`) })}{' '}
            <button type="button" class="link" aria-keyshortcuts="u" disabled={busy} onClick={() => onReopen(last.id)}>
              {t('link.undo')}
            </button>
          </p>
        </Notice>
      )}
      <div class="review-layout">
        <div class="review-main">
          {pair.error ? (
            <ErrorNotice error={pair.error} onRetry={pair.reload} />
          ) : shown ? (
            <PairView
              pair={shown}
              mayDecide={mayDecide}
              showValues={showValues}
              note={notes[shown.id] ?? ''}
              onNote={(text) => setNotes((n) => ({ ...n, [shown.id]: text }))}
              busy={busy}
              error={actionError}
              onDecide={onDecide}
              onReopen={() => onReopen(shown.id)}
              heading={heading}
            />
          ) : current === null && queue.data ? (
            <section class="card pair-view" aria-labelledby="pair-h">
              <h2 id="pair-h" tabIndex={-1} ref={heading}>
                {status === 'pending' ? t('link.allDone') : t('link.noneWithStatus')}
              </h2>
              {actionError !== null && <ErrorNotice error={actionError} />}
            </section>
          ) : (
            <Loading />
          )}
        </div>
        <Section title={t('link.queue')} id="link-queue">
          <div class="filters">
            <label>
              {t('link.show')}
              <select
                value={status}
                onChange={(e) => {
                  setCursors([]);
                  setSelected(null);
                  setActionError(null);
                  setStatus((e.target as HTMLSelectElement).value as ReviewStatus);
                }}
              >
                {reviewStatuses.map((s) => (
                  <option value={s} key={s}>
                    {t(`link.status.${s}`)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {queue.error ? (
            <ErrorNotice error={queue.error} onRetry={queue.reload} />
          ) : !queue.data ? (
            <Loading />
          ) : items.length === 0 ? (
            <Empty>{status === 'pending' ? t('link.allDone') : t('link.noneWithStatus')}</Empty>
          ) : (
            <ol class="pair-queue" aria-busy={queue.loading}>
              {items.map((p) => (
                <li key={p.id}>
                  <button type="button" class="pair-pick" data-pair={p.id} aria-current={p.id === current ? 'true' : undefined} onClick={() => select(p.id)}>
                    <span class="pick-head">
                      <span>{p.display_code}</span>
                      <span>{formatPercent(p.match_probability)}</span>
                    </span>
                    <span class="pick-records">
                      <bdi>{t('link.recordOf', { list: p.list_l, id: p.record_l })}</bdi> ↔ <bdi>{t('link.recordOf', { list: p.list_r, id: p.record_r })}</bdi>
                    </span>
                  </button>
                </li>
              ))}
            </ol>
          )}
          {(cursors.length > 0 || queue.data?.next_cursor) && (
            <nav class="pager" aria-label={t('list.pages', { what: t('link.queue') })}>
              <button type="button" class="secondary" disabled={!cursors.length} onClick={() => (setSelected(null), setCursors((c) => c.slice(0, -1)))}>
                {t('list.previous')}
              </button>
              <span>{t('list.page', { n: cursors.length + 1 })}</span>
              <button type="button" class="secondary" disabled={!queue.data?.next_cursor} onClick={() => queue.data?.next_cursor && (setSelected(null), setCursors((c) => [...c, queue.data!.next_cursor!]))}>
                {t('list.next')}
              </button>
            </nav>
          )}
        </Section>
      </div>
    </div>
  );
}

export function LinkReview() {
  const [run, setRun] = useState<string | null>(null);
  return run === null ? <Runs onOpen={setRun} /> : <RunReview run={run} onBack={() => setRun(null)} />;
}
