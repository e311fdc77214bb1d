// A list of any kind of record through the API's own filters, sort and cursor paging, so it
// stays fast however many records there are: the server reads one page by an index, never counts.
// Filters on the entity's indexed choice and date fields come from its schema.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { get, query, type Page, type RecordBase } from '../lib/api';
import { useAsync, useOnSaved } from '../lib/hooks';
import { fieldLabel, formatDate, formatDateTime, t, valueLabel } from '../lib/i18n';
import { entitySchema, type FieldSchema } from '../lib/schema';
import { Empty, ErrorNotice, Loading } from './ui';

export interface Column {
  field: string;
  label?: string;
  /** How to show the value; default: by the field's type. */
  render?: (record: RecordBase) => ComponentChildren;
}

export interface RecordListProps {
  kind: string;
  columns: (string | Column)[];
  /** Filters always applied (status=open, case_id=42, scheduled_at.gte=...). */
  fixed?: Record<string, string | number | boolean>;
  /** Offer filters on these indexed fields (choices and dates). */
  filters?: string[];
  sort?: string;
  order?: 'asc' | 'desc';
  limit?: number;
  /** Where a row leads; its first column becomes a link. */
  href?: (record: RecordBase) => string;
  caption: string;
  empty?: string;
  /** Shown beside the filters with the list's current query (filters and sort): export links. */
  toolbar?: (query: Record<string, string | number | boolean>) => ComponentChildren;
}

/** A value as a cell shows it. */
export function show(field: FieldSchema | undefined, value: unknown): ComponentChildren {
  if (value === undefined || value === null || value === '') return '';
  if (field?.format === 'date') return formatDate(String(value));
  if (field?.format === 'date-time') return formatDateTime(String(value));
  if (field?.type === 'boolean') return value ? t('form.yes') : t('form.no');
  if (field?.enum) return valueLabel(String(value));
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' && field?.items?.enum ? valueLabel(v) : String(v))).join(', ');
  if (typeof value === 'object') return '';
  return String(value);
}

export function RecordList(props: RecordListProps) {
  const [sort, setSort] = useState<{ by: string; order: 'asc' | 'desc' }>({ by: props.sort ?? 'id', order: props.order ?? 'desc' });
  const [filters, setFilters] = useState<Record<string, string>>({});
  // Cursors of the pages before this one, to go back.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const schema = useAsync(() => entitySchema(props.kind), [props.kind]);
  const page = useAsync(
    (signal) =>
      entitySchema(props.kind).then((s) =>
        get<Page<RecordBase>>(`/${s.collection}${query({ ...props.fixed, ...filters, sort: sort.by, order: sort.order, limit: props.limit ?? 25, cursor })}`, { signal }),
      ),
    [props.kind, JSON.stringify(props.fixed), JSON.stringify(filters), sort.by, sort.order, cursor],
  );
  useOnSaved(page.reload);
  if (schema.error) return <ErrorNotice error={schema.error} onRetry={schema.reload} />;
  if (!schema.data) return <Loading />;
  const fields = new Map(schema.data.fields.map((f) => [f.name, f]));
  const columns: Column[] = props.columns.map((c) => (typeof c === 'string' ? { field: c } : c));
  const filterFields = (props.filters ?? []).map((n) => fields.get(n)).filter((f): f is FieldSchema => !!f && f.indexed);
  const setFilter = (name: string, value: string) => {
    setCursors([]);
    setFilters((f) => {
      const next = { ...f };
      if (value) next[name] = value;
      else delete next[name];
      return next;
    });
  };
  const toggleSort = (by: string) => {
    setCursors([]);
    setSort((s) => ({ by, order: s.by === by && s.order === 'desc' ? 'asc' : 'desc' }));
  };
  const sortable = (name: string) => name === 'id' || fields.get(name)?.indexed === true;
  const listId = `list-${props.kind}`;
  return (
    <div class="record-list">
      {props.toolbar && <div class="list-toolbar">{props.toolbar({ ...props.fixed, ...filters, sort: sort.by, order: sort.order })}</div>}
      {filterFields.length > 0 && (
        <div class="filters" role="search" aria-label={t('list.filters')}>
          {filterFields.map((f) =>
            f.enum ? (
              <label key={f.name}>
                {fieldLabel(f.name)}
                <select value={filters[f.name] ?? ''} onChange={(e) => setFilter(f.name, (e.target as HTMLSelectElement).value)}>
                  <option value="">{t('list.any')}</option>
                  {f.enum.map((c) => (
                    <option value={c} key={c}>
                      {valueLabel(c)}
                    </option>
                  ))}
                </select>
              </label>
            ) : f.format === 'date' || f.format === 'date-time' ? (
              <span class="range" key={f.name}>
                <label>
                  {t('list.from', { field: fieldLabel(f.name) })}
                  <input type="date" value={filters[`${f.name}.gte`] ?? ''} onChange={(e) => setFilter(`${f.name}.gte`, (e.target as HTMLInputElement).value)} />
                </label>
                <label>
                  {t('list.to', { field: fieldLabel(f.name) })}
                  <input type="date" value={filters[`${f.name}.lte`] ?? ''} onChange={(e) => setFilter(`${f.name}.lte`, (e.target as HTMLInputElement).value)} />
                </label>
              </span>
            ) : null,
          )}
        </div>
      )}
      {page.error ? (
        <ErrorNotice error={page.error} onRetry={page.reload} />
      ) : (
        <div class="table-wrap" aria-busy={page.loading}>
          <table id={listId}>
            <caption class="visually-hidden">{props.caption}</caption>
            <thead>
              <tr>
                {columns.map((c) => {
                  const label = c.label ?? fieldLabel(c.field);
                  if (!sortable(c.field)) return <th scope="col" key={c.field}>{label}</th>;
                  const active = sort.by === c.field;
                  return (
                    <th scope="col" key={c.field} aria-sort={active ? (sort.order === 'asc' ? 'ascending' : 'descending') : 'none'}>
                      <button type="button" class="sort" onClick={() => toggleSort(c.field)}>
                        {label}
                        <span aria-hidden="true">{active ? (sort.order === 'asc' ? ' ▲' : ' ▼') : ' ↕'}</span>
                      </button>
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {page.data?.items.map((r) => (
                <tr key={r.id}>
                  {columns.map((c, i) => {
                    const content = c.render ? c.render(r) : show(fields.get(c.field), r[c.field]);
                    return <td key={c.field}>{i === 0 && props.href ? <a href={props.href(r)}>{content || r.display_code}</a> : content}</td>;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
          {page.loading && !page.data && <Loading />}
          {page.data && page.data.items.length === 0 && <Empty>{props.empty}</Empty>}
        </div>
      )}
      {(cursors.length > 0 || page.data?.next_cursor) && (
        <nav class="pager" aria-label={t('list.pages', { what: props.caption })}>
          <button type="button" class="secondary" disabled={!cursors.length} onClick={() => setCursors((c) => c.slice(0, -1))}>
            {t('list.previous')}
          </button>
          <span>{t('list.page', { n: cursors.length + 1 })}</span>
          <button type="button" class="secondary" disabled={!page.data?.next_cursor} onClick={() => page.data?.next_cursor && setCursors((c) => [...c, page.data!.next_cursor!])}>
            {t('list.next')}
          </button>
        </nav>
      )}
    </div>
  );
}
