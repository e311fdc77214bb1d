// Every screen: its path, the file it lives in, and whether (and for whom) it is in the menu.
// A new screen is a file under screens/ and one line here.
import type { FunctionComponent } from 'preact';
import type { Me } from './lib/api';
import type { MessageKey } from './i18n/en';
import { seesReports, worksCases } from './lib/session';
import { Dashboard } from './screens/Dashboard';
import { Intake } from './screens/Intake';
import { CasesList } from './screens/CasesList';
import { CasePage } from './screens/CasePage';
import { LegalCasePage } from './screens/LegalCasePage';
import { Aftercare } from './screens/Aftercare';
import { Account } from './screens/Account';

export interface Route {
  path: string;
  // Screens receive the path's parameters (":id") as props; each declares the ones it takes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  component: FunctionComponent<any>;
  /** In the menu, under this label, for users `show` accepts. */
  nav?: MessageKey;
  show?: (me: Me) => boolean;
}

export const routes: Route[] = [
  { path: '/', component: Dashboard, nav: 'nav.dashboard' },
  { path: '/intake', component: Intake, nav: 'nav.intake', show: worksCases },
  { path: '/cases', component: CasesList, nav: 'nav.cases', show: (me) => worksCases(me) || seesReports(me) },
  { path: '/cases/:id', component: CasePage },
  { path: '/legal-cases/:id', component: LegalCasePage },
  { path: '/persons/:id/aftercare', component: Aftercare },
  { path: '/account', component: Account },
];
