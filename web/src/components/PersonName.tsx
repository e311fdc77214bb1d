// A person as staff who work cases see them: display code and name. Analysts and auditors get
// the display code only (the server leaves the names out for them).
import { get, type RecordBase } from '../lib/api';
import { useAsync } from '../lib/hooks';

export function personLabel(p: RecordBase): string {
  const name = [p.given_name, p.family_name].filter((x) => typeof x === 'string' && x).join(' ');
  return name ? `${name} (${p.display_code})` : p.display_code;
}

export function PersonName({ id }: { id: number }) {
  const person = useAsync((signal) => get<RecordBase>(`/persons/${id}`, { signal }), [id]);
  if (!person.data) return <span>#{id}</span>;
  return <bdi>{personLabel(person.data)}</bdi>;
}
