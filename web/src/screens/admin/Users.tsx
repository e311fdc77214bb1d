// The organisation's accounts: create one with its roles, change roles, disable or enable, and
// set a new password for someone locked out. Changes to roles or a disabled account end the
// person's sessions at once (the server does it). Supervisors see the list; administrators change it.
import { useState } from 'preact/hooks';
import { ApiError, get, patch, post } from '../../lib/api';
import { useAsync } from '../../lib/hooks';
import { t } from '../../lib/i18n';
import { isAdmin, useMe } from '../../lib/session';
import { Dialog } from '../../components/Dialog';
import { Badge, ErrorNotice, Loading, Notice, PageHeader, Section, errorText } from '../../components/ui';

export interface User {
  id: number;
  org_id: number;
  username: string;
  display_name: string;
  roles: string[];
  disabled: boolean;
  totp_enabled: boolean;
  version: number;
}

export const allRoles = ['caseworker', 'social_worker', 'investigator', 'lawyer', 'supervisor', 'analyst', 'org_admin', 'system_admin', 'auditor'] as const;

const roleLabel = (r: string) => t(`role.${r}` as 'role.caseworker');

function RoleChecks({ roles, onChange, canSystem, idPrefix, error }: { roles: string[]; onChange: (r: string[]) => void; canSystem: boolean; idPrefix: string; error?: string | undefined }) {
  return (
    <fieldset class={`choice${error ? ' invalid' : ''}`} aria-describedby={error ? `${idPrefix}-roles-error` : `${idPrefix}-roles-hint`}>
      <legend>
        {t('users.roles')}
        <span class="req" aria-hidden="true"> *</span>
      </legend>
      <div class="checks">
        {allRoles.map((r) => (
          <label class="check" key={r}>
            <input type="checkbox" checked={roles.includes(r)} disabled={r === 'system_admin' && !canSystem} onChange={(e) => onChange((e.target as HTMLInputElement).checked ? [...roles, r] : roles.filter((x) => x !== r))} />
            {roleLabel(r)}
          </label>
        ))}
      </div>
      <p class="hint" id={`${idPrefix}-roles-hint`}>
        {t('users.rolesHelp')}
      </p>
      {error && (
        <p class="field-error" id={`${idPrefix}-roles-error`}>
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** Messages by field from an API refusal ("/username" → "username"). */
function fieldErrors(err: unknown): Record<string, string> {
  if (err instanceof ApiError && err.problem.field) return { [err.problem.field.replace(/^\//, '')]: err.problem.detail };
  return { general: errorText(err) };
}

function TextField({ id, label, value, onInput, error, type = 'text', hint, autoComplete = 'off' }: { id: string; label: string; value: string; onInput: (v: string) => void; error?: string | undefined; type?: 'text' | 'password'; hint?: string; autoComplete?: string }) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      <input id={id} type={type as 'text'} value={value} dir="auto" autoComplete={autoComplete} aria-invalid={error ? 'true' : undefined} aria-describedby={described} onInput={(e) => onInput((e.target as HTMLInputElement).value)} />
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

function CreateUser({ onDone, canSystem }: { onDone: () => void; canSystem: boolean }) {
  const [form, setForm] = useState({ username: '', display_name: '', password: '', repeat: '' });
  const [roles, setRoles] = useState<string[]>(['caseworker']);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const submit = async (e: Event) => {
    e.preventDefault();
    const missing: Record<string, string> = {};
    if (!form.username.trim()) missing.username = t('form.required');
    if (form.password.length < 12) missing.password = t('users.passwordRule');
    else if (form.password !== form.repeat) missing.repeat = t('account.mismatch');
    if (!roles.length) missing.roles = t('users.needRole');
    setErrors(missing);
    if (Object.keys(missing).length) return;
    setBusy(true);
    try {
      await post('/users', { username: form.username.trim(), display_name: form.display_name.trim() || form.username.trim(), password: form.password, roles });
      onDone();
    } catch (err) {
      setErrors(fieldErrors(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate class="user-form">
      {errors.general && <ErrorNotice error={new Error(errors.general)} />}
      <div class="grid">
        <TextField id="new-user-username" label={t('users.username')} value={form.username} onInput={set('username')} error={errors.username} hint={t('users.usernameHelp')} />
        <TextField id="new-user-display" label={t('users.displayName')} value={form.display_name} onInput={set('display_name')} error={errors.display_name} />
        <TextField id="new-user-password" type="password" autoComplete="new-password" label={t('users.password')} value={form.password} onInput={set('password')} error={errors.password} hint={t('users.passwordRule')} />
        <TextField id="new-user-repeat" type="password" autoComplete="new-password" label={t('account.repeatPassword')} value={form.repeat} onInput={set('repeat')} error={errors.repeat} />
      </div>
      <RoleChecks roles={roles} onChange={setRoles} canSystem={canSystem} idPrefix="new-user" error={errors.roles} />
      <div class="buttons">
        <button type="submit" disabled={busy} aria-busy={busy}>
          {busy ? t('status.saving') : t('users.create')}
        </button>
      </div>
    </form>
  );
}

function RolesDialog({ user, canSystem, onClose, onSaved }: { user: User; canSystem: boolean; onClose: () => void; onSaved: () => void }) {
  const [roles, setRoles] = useState(user.roles);
  const [name, setName] = useState(user.display_name);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const save = async (e: Event) => {
    e.preventDefault();
    if (!roles.length) {
      setErrors({ roles: t('users.needRole') });
      return;
    }
    setBusy(true);
    try {
      const body: Record<string, unknown> = { version: user.version };
      if (JSON.stringify([...roles].sort()) !== JSON.stringify([...user.roles].sort())) body.roles = roles;
      if (name.trim() !== user.display_name) body.display_name = name.trim();
      await patch(`/users/${user.id}`, body);
      onSaved();
    } catch (err) {
      setErrors(err instanceof ApiError && err.status === 409 ? { general: `${errorText(err)} — ${t('form.conflict')}` } : fieldErrors(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('users.editTitle', { who: user.username })} onClose={onClose}>
      <form onSubmit={save} noValidate>
        {errors.general && <ErrorNotice error={new Error(errors.general)} />}
        <TextField id="edit-user-display" label={t('users.displayName')} value={name} onInput={setName} error={errors.display_name} />
        <RoleChecks roles={roles} onChange={setRoles} canSystem={canSystem} idPrefix="edit-user" error={errors.roles} />
        <p class="hint">{t('users.sessionsEnd')}</p>
        <div class="buttons">
          <button type="submit" disabled={busy}>
            {busy ? t('status.saving') : t('action.save')}
          </button>
          <button type="button" class="secondary" onClick={onClose}>
            {t('action.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function PasswordDialog({ user, onClose, onSaved }: { user: User; onClose: () => void; onSaved: () => void }) {
  const [pw, setPw] = useState({ password: '', repeat: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const save = async (e: Event) => {
    e.preventDefault();
    if (pw.password.length < 12) return setErrors({ new_password: t('users.passwordRule') });
    if (pw.password !== pw.repeat) return setErrors({ repeat: t('account.mismatch') });
    setBusy(true);
    try {
      await post(`/users/${user.id}/password`, { new_password: pw.password });
      onSaved();
    } catch (err) {
      setErrors(fieldErrors(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('users.resetTitle', { who: user.username })} onClose={onClose}>
      <form onSubmit={save} noValidate>
        {errors.general && <ErrorNotice error={new Error(errors.general)} />}
        <TextField id="reset-password" type="password" autoComplete="new-password" label={t('account.newPassword')} value={pw.password} onInput={(v) => setPw((p) => ({ ...p, password: v }))} error={errors.new_password} hint={t('users.passwordRule')} />
        <TextField id="reset-repeat" type="password" autoComplete="new-password" label={t('account.repeatPassword')} value={pw.repeat} onInput={(v) => setPw((p) => ({ ...p, repeat: v }))} error={errors.repeat} />
        <p class="hint">{t('users.resetHelp')}</p>
        <div class="buttons">
          <button type="submit" disabled={busy}>
            {busy ? t('status.saving') : t('users.reset')}
          </button>
          <button type="button" class="secondary" onClick={onClose}>
            {t('action.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function Users() {
  const me = useMe();
  const admin = isAdmin(me);
  const canSystem = me.roles.includes('system_admin');
  const users = useAsync((signal) => get<{ items: User[] }>('/users', { signal }), []);
  const [dialog, setDialog] = useState<{ kind: 'roles' | 'password'; user: User } | null>(null);
  const [adding, setAdding] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [filter, setFilter] = useState('');
  const toggle = async (u: User) => {
    setError(null);
    try {
      await patch(`/users/${u.id}`, { disabled: !u.disabled, version: u.version });
      setDone(t(u.disabled ? 'users.enabled' : 'users.disabledDone', { who: u.username }));
      users.reload();
    } catch (err) {
      setError(err);
    }
  };
  const shown = (users.data?.items ?? []).filter((u) => !filter || u.roles.includes(filter));
  return (
    <>
      <PageHeader
        title={t('users.title')}
        sub={t('users.intro')}
        actions={
          <>
            {admin && !adding && (
              <button type="button" onClick={() => setAdding(true)}>
                {t('users.add')}
              </button>
            )}
            <a href="/admin">{t('admin.title')}</a>
          </>
        }
      />
      {done && <Notice kind="success">{done}</Notice>}
      {error !== null && <ErrorNotice error={error} />}
      {admin && adding && (
        <Section title={t('users.add')} id="users-add" actions={<button type="button" class="link" onClick={() => setAdding(false)}>{t('action.cancel')}</button>}>
          <CreateUser
            canSystem={canSystem}
            onDone={() => {
              setAdding(false);
              setDone(t('users.created'));
              users.reload();
            }}
          />
        </Section>
      )}
      <Section title={t('users.list')} id="users-list">
        <div class="filters">
          <label>
            {t('users.roleFilter')}
            <select value={filter} onChange={(e) => setFilter((e.target as HTMLSelectElement).value)}>
              <option value="">{t('list.any')}</option>
              {allRoles.map((r) => (
                <option value={r} key={r}>
                  {roleLabel(r)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {users.error ? (
          <ErrorNotice error={users.error} onRetry={users.reload} />
        ) : !users.data ? (
          <Loading />
        ) : (
          <div class="table-wrap">
            <table id="users-table">
              <caption class="visually-hidden">{t('users.list')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('users.username')}</th>
                  <th scope="col">{t('users.displayName')}</th>
                  <th scope="col">{t('users.roles')}</th>
                  <th scope="col">{t('account.totp')}</th>
                  <th scope="col">{t('users.state')}</th>
                  {admin && <th scope="col">{t('dups.actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {shown.map((u) => (
                  <tr key={u.id} data-user={u.username}>
                    <th scope="row">{u.username}</th>
                    <td dir="auto">{u.display_name}</td>
                    <td>{u.roles.map(roleLabel).join(', ')}</td>
                    <td>{u.totp_enabled ? t('account.totpOn') : t('account.totpOff')}</td>
                    <td>{u.disabled ? <Badge tone="bad">{t('users.disabled')}</Badge> : <Badge tone="good">{t('users.active')}</Badge>}</td>
                    {admin && (
                      <td class="row-actions">
                        <button type="button" class="link" onClick={() => setDialog({ kind: 'roles', user: u })} aria-label={t('users.editOf', { who: u.username })}>
                          {t('users.edit')}
                        </button>
                        <button type="button" class="link" onClick={() => setDialog({ kind: 'password', user: u })} aria-label={t('users.resetOf', { who: u.username })}>
                          {t('users.reset')}
                        </button>
                        {u.id !== me.id && (
                          <button type="button" class="link" onClick={() => toggle(u)} aria-label={t(u.disabled ? 'users.enableOf' : 'users.disableOf', { who: u.username })}>
                            {u.disabled ? t('users.enable') : t('users.disable')}
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      {dialog?.kind === 'roles' && (
        <RolesDialog
          user={dialog.user}
          canSystem={canSystem}
          onClose={() => setDialog(null)}
          onSaved={() => {
            setDialog(null);
            setDone(t('users.saved', { who: dialog.user.username }));
            users.reload();
          }}
        />
      )}
      {dialog?.kind === 'password' && (
        <PasswordDialog
          user={dialog.user}
          onClose={() => setDialog(null)}
          onSaved={() => {
            setDialog(null);
            setDone(t('users.passwordSet', { who: dialog.user.username }));
          }}
        />
      )}
    </>
  );
}
