// Administration at a glance: links to what an administrator manages, each with what it is for.
import { t } from '../../lib/i18n';
import { has, isAdmin, useMe } from '../../lib/session';
import { PageHeader } from '../../components/ui';

export function Admin() {
  const me = useMe();
  const items: { href: string; title: string; text: string }[] = [
    { href: '/admin/users', title: t('users.title'), text: t('admin.usersText') },
    { href: '/admin/organisations', title: t('orgs.title'), text: t('admin.orgsText') },
    ...(isAdmin(me) ? [{ href: '/admin/forms', title: t('forms.title'), text: t('admin.formsText') }] : []),
    { href: '/referrals', title: t('refs.title'), text: t('admin.refsText') },
    ...(has(me, 'auditor') ? [{ href: '/audit', title: t('audit.title'), text: t('admin.auditText') }] : []),
  ];
  return (
    <>
      <PageHeader title={t('admin.title')} sub={t('admin.intro')} />
      <ul class="hub">
        {items.map((i) => (
          <li key={i.href} class="card">
            <h2>
              <a href={i.href}>{i.title}</a>
            </h2>
            <p>{i.text}</p>
          </li>
        ))}
      </ul>
    </>
  );
}
