// The review queue of `haven link`: pairs of records from two agencies' lists whose match
// probability fell in the uncertain band, each with the per-field explanation of its weight,
// waiting for a person to say whether they are one person. The server (src/api) owns the rules:
// who may decide (supervisors, investigators), who sees the compared values (not analysts or
// auditors), and that only a pending pair is decided.
import { get, post, query, type Page, type RecordBase } from './api';

export type ReviewStatus = 'pending' | 'match' | 'non_match';
export const reviewStatuses: readonly ReviewStatus[] = ['pending', 'match', 'non_match'];

/** One field's comparison: its level and that level's weight (log2 Bayes factor). */
export interface Comparison {
  field: string;
  level: string;
  /** Positive: evidence the two records are one person; negative: evidence they are not. */
  weight: number;
  /** The compared values; absent (or pseudonymised) for those who may not see them. */
  left?: string | null;
  right?: string | null;
}

export interface LinkReview extends RecordBase {
  run: string;
  list_l: string;
  record_l: string;
  list_r: string;
  record_r: string;
  match_probability: number;
  match_weight: number;
  /** Absent for analysts and auditors: the server withholds the whole list (it holds the values). */
  comparisons?: Comparison[];
  status: ReviewStatus;
  note?: string;
  decided_by?: number | string;
  decided_at?: string;
}

export interface RunSummary {
  run: string;
  pending: number;
  match: number;
  non_match: number;
  total: number;
}

export const reviewed = (r: RunSummary) => r.match + r.non_match;

export const listRuns = (signal?: AbortSignal) => get<{ items: RunSummary[] }>('/link-reviews/runs', signal ? { signal } : {}).then((r) => r.items);

/** One page of a run's pairs with a status, the likeliest first (match_probability is indexed). */
export const listPairs = (run: string, status: ReviewStatus, cursor: string | undefined, signal?: AbortSignal) =>
  get<Page<LinkReview>>(`/link-reviews${query({ run, status, sort: 'match_probability', order: 'desc', limit: 100, cursor })}`, signal ? { signal } : {});

export const getPair = (id: number, signal?: AbortSignal) => get<LinkReview>(`/link-reviews/${id}`, signal ? { signal } : {});

/** Records the verdict on a pending pair (409 when it was decided meanwhile). */
export const decide = (id: number, verdict: 'match' | 'non_match', note: string) =>
  post<LinkReview>(`/link-reviews/${id}/${verdict === 'match' ? 'match' : 'non-match'}`, note ? { note } : {});

/** Puts a decided pair back in the queue (undo). */
export const reopen = (id: number) => post<LinkReview>(`/link-reviews/${id}/reopen`);
