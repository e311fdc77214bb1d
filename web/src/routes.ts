// Every screen: its path, the file it lives in, and whether (and for whom) it is in the menu.
// A new screen is a file under screens/ and one line here; lazy() loads it on its first visit.
import type { FunctionComponent } from 'preact';
import type { Me } from './lib/api';
import type { MessageKey } from './i18n/en';
import { seesReports, worksCases } from './lib/session';
import { lazy } from './lib/lazy';
import { isAdmin, has } from './lib/session';

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
  { path: '/', component: lazy(() => import('./screens/Dashboard').then((m) => m.Dashboard)), nav: 'nav.dashboard' },
  { path: '/intake', component: lazy(() => import('./screens/Intake').then((m) => m.Intake)), nav: 'nav.intake', show: worksCases },
  { path: '/cases', component: lazy(() => import('./screens/CasesList').then((m) => m.CasesList)), nav: 'nav.cases', show: (me) => worksCases(me) || seesReports(me) },
  { path: '/cases/:id', component: lazy(() => import('./screens/CasePage').then((m) => m.CasePage)) },
  { path: '/legal-cases/:id', component: lazy(() => import('./screens/LegalCasePage').then((m) => m.LegalCasePage)) },
  { path: '/persons/:id/aftercare', component: lazy(() => import('./screens/Aftercare').then((m) => m.Aftercare)) },
  { path: '/account', component: lazy(() => import('./screens/Account').then((m) => m.Account)) },
  { path: '/persons', component: lazy(() => import('./screens/PersonsList').then((m) => m.PersonsList)), nav: 'nav.persons' },
  { path: '/persons/search', component: lazy(() => import('./screens/PersonSearch').then((m) => m.PersonSearch)), show: worksCases },
  { path: '/duplicates', component: lazy(() => import('./screens/Duplicates').then((m) => m.Duplicates)), nav: 'nav.duplicates', show: worksCases },
  { path: '/link-review', component: lazy(() => import('./screens/LinkReview').then((m) => m.LinkReview)), nav: 'nav.linkReview', show: (me) => has(me, 'supervisor', 'investigator', 'analyst', 'auditor') },
  { path: '/referrals', component: lazy(() => import('./screens/admin/Referrals').then((m) => m.Referrals)), nav: 'nav.referrals', show: worksCases },
  { path: '/shared/cases/:id', component: lazy(() => import('./screens/admin/Referrals').then((m) => m.SharedCase)), show: worksCases },
  { path: '/trainings', component: lazy(() => import('./screens/Quality').then((m) => m.Trainings)), nav: 'nav.trainings' },
  { path: '/trainings/:id', component: lazy(() => import('./screens/Quality').then((m) => m.TrainingPage)) },
  { path: '/case-audits', component: lazy(() => import('./screens/Quality').then((m) => m.CaseAudits)) },
  { path: '/case-audits/:id', component: lazy(() => import('./screens/Quality').then((m) => m.CaseAuditPage)) },
  { path: '/reports', component: lazy(() => import('./screens/Reports').then((m) => m.Reports)), nav: 'nav.reports', show: seesReports },
  { path: '/reports/:name', component: lazy(() => import('./screens/Reports').then((m) => m.Reports)), show: seesReports },
  { path: '/estimates', component: lazy(() => import('./screens/Estimation').then((m) => m.Estimation)), show: seesReports },
  { path: '/audit', component: lazy(() => import('./screens/admin/AuditLog').then((m) => m.AuditLog)), nav: 'nav.audit', show: (me) => has(me, 'auditor') },
  { path: '/admin', component: lazy(() => import('./screens/admin/Admin').then((m) => m.Admin)), nav: 'nav.admin', show: (me) => isAdmin(me) || has(me, 'supervisor') },
  { path: '/admin/users', component: lazy(() => import('./screens/admin/Users').then((m) => m.Users)), show: (me) => isAdmin(me) || has(me, 'supervisor') },
  { path: '/admin/organisations', component: lazy(() => import('./screens/admin/Organisations').then((m) => m.Organisations)) },
  { path: '/admin/organisations/:id', component: lazy(() => import('./screens/admin/Organisations').then((m) => m.OrganisationPage)), show: (me) => has(me, 'system_admin') },
  { path: '/admin/forms', component: lazy(() => import('./screens/admin/FormDefinitions').then((m) => m.FormDefinitions)), show: isAdmin },
];
