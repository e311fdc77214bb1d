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
import { isAdmin, has } from './lib/session';
import { PersonsList } from './screens/PersonsList';
import { PersonSearch } from './screens/PersonSearch';
import { Duplicates } from './screens/Duplicates';
import { CaseAuditPage, CaseAudits, TrainingPage, Trainings } from './screens/Quality';
import { Reports } from './screens/Reports';
import { Estimation } from './screens/Estimation';
import { Admin } from './screens/admin/Admin';
import { Users } from './screens/admin/Users';
import { OrganisationPage, Organisations } from './screens/admin/Organisations';
import { FormDefinitions } from './screens/admin/FormDefinitions';
import { Referrals, SharedCase } from './screens/admin/Referrals';
import { AuditLog } from './screens/admin/AuditLog';

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
  { path: '/persons', component: PersonsList, nav: 'nav.persons' },
  { path: '/persons/search', component: PersonSearch, show: worksCases },
  { path: '/duplicates', component: Duplicates, nav: 'nav.duplicates', show: worksCases },
  { path: '/referrals', component: Referrals, nav: 'nav.referrals', show: worksCases },
  { path: '/shared/cases/:id', component: SharedCase, show: worksCases },
  { path: '/trainings', component: Trainings, nav: 'nav.trainings' },
  { path: '/trainings/:id', component: TrainingPage },
  { path: '/case-audits', component: CaseAudits },
  { path: '/case-audits/:id', component: CaseAuditPage },
  { path: '/reports', component: Reports, nav: 'nav.reports', show: seesReports },
  { path: '/reports/:name', component: Reports, show: seesReports },
  { path: '/estimates', component: Estimation, show: seesReports },
  { path: '/audit', component: AuditLog, nav: 'nav.audit', show: (me) => has(me, 'auditor') },
  { path: '/admin', component: Admin, nav: 'nav.admin', show: (me) => isAdmin(me) || has(me, 'supervisor') },
  { path: '/admin/users', component: Users, show: (me) => isAdmin(me) || has(me, 'supervisor') },
  { path: '/admin/organisations', component: Organisations },
  { path: '/admin/organisations/:id', component: OrganisationPage, show: (me) => has(me, 'system_admin') },
  { path: '/admin/forms', component: FormDefinitions, show: isAdmin },
];
