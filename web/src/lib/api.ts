// The one way the page talks to Haven's API: the session cookie plus the CSRF token on changes,
// problem details (RFC 9457) turned into ApiError, and an expired session answered by asking the
// user to log in again (the page, and what was typed in it, stays) and then repeating the request.

export interface Problem {
  status: number;
  title: string;
  detail: string;
  /** A JSON pointer to the input at fault, e.g. "/birth_date" or "/stages/2/date". */
  field?: string;
}

export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail);
    this.problem = problem;
  }
  get status(): number {
    return this.problem.status;
  }
}

let csrfToken = '';
let reauthenticate: (() => Promise<void>) | null = null;
let pendingReauth: Promise<void> | null = null;

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Registers what to do when a request finds the session gone: resolve once logged in again. */
export function onSessionExpired(handler: (() => Promise<void>) | null): void {
  reauthenticate = handler;
}

export interface RequestOptions {
  /** Do not offer to log in again on 401 (logging in itself, and the retried request). */
  noReauth?: boolean;
  signal?: AbortSignal;
}

async function problemOf(res: Response): Promise<Problem> {
  try {
    const body = (await res.json()) as Partial<Problem>;
    if (typeof body.detail === 'string')
      return { status: res.status, title: body.title ?? res.statusText, detail: body.detail, ...(body.field ? { field: body.field } : {}) };
  } catch {
    // Not JSON: a proxy's error page; fall through to a generic message.
  }
  return { status: res.status, title: res.statusText, detail: `${res.status} ${res.statusText}` };
}

export async function request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError({ status: 0, title: 'offline', detail: 'network' });
  }
  if (res.status === 401 && !options.noReauth && reauthenticate) {
    pendingReauth ??= reauthenticate().finally(() => {
      pendingReauth = null;
    });
    await pendingReauth;
    return request<T>(method, path, body, { ...options, noReauth: true });
  }
  if (!res.ok) throw new ApiError(await problemOf(res));
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** Sends a file's bytes as they are (an evidence item's original). */
export async function putBytes(path: string, bytes: Blob): Promise<void> {
  const send = () =>
    fetch(`/api/v1${path}`, { method: 'PUT', credentials: 'same-origin', headers: { 'Content-Type': 'application/octet-stream', 'X-CSRF-Token': csrfToken }, body: bytes });
  let res = await send();
  if (res.status === 401 && reauthenticate) {
    pendingReauth ??= reauthenticate().finally(() => {
      pendingReauth = null;
    });
    await pendingReauth;
    res = await send();
  }
  if (!res.ok) throw new ApiError(await problemOf(res));
}

export const get = <T>(path: string, options?: RequestOptions) => request<T>('GET', path, undefined, options);
export const post = <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, body ?? {}, options);
export const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, body);

/** A query string from defined, non-empty values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** A page of a list: GET /api/v1/{collection}. */
export interface Page<T> {
  items: T[];
  next_cursor?: string;
}

/** Every record the API returns has these. */
export interface RecordBase {
  id: number;
  display_code: string;
  version: number;
  created_at: string;
  updated_at: string;
  [field: string]: unknown;
}

export interface Me {
  id: number;
  org_id: number;
  username: string;
  display_name: string;
  roles: string[];
  totp_enabled: boolean;
  csrf_token?: string;
}
