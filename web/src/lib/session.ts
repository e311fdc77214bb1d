// Who is logged in, and what their roles let the page offer. The server decides access
// (src/auth/auth.cpp authorize); these only keep the page from offering what it would refuse.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Me } from './api';

export const SessionContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error('useMe outside a session');
  return me;
}

export const has = (me: Me, ...roles: string[]) => roles.some((r) => me.roles.includes(r));
/** Analysts and auditors see pseudonymised records only and change nothing. */
export const pseudonymised = (me: Me) => me.roles.every((r) => r === 'analyst' || r === 'auditor');
export const seesReports = (me: Me) => has(me, 'supervisor', 'analyst', 'org_admin', 'system_admin');
export const worksCases = (me: Me) => !pseudonymised(me);
export const isAdmin = (me: Me) => has(me, 'org_admin', 'system_admin');
