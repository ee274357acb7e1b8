/**
 * The findings of one report (TanStack Table v9, headless): sortable columns, a text filter, filters by
 * severity (chips), kind and rule (selects), optional grouping by layer. A row click (or Enter) selects the
 * finding; n/p or ↓/↑ on a row move to the next/previous row and select it.
 */
import { Fragment, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import {
  columnFilteringFeature,
  createColumnHelper,
  createFilteredRowModel,
  createSortedRowModel,
  filterFn_includesString,
  globalFilteringFeature,
  rowSortingFeature,
  sortFn_alphanumeric,
  tableFeatures,
  useTable,
  type SortingState,
} from '@tanstack/react-table';
import { SEVERITIES, type Finding, type Severity } from '../core/report';
import { SEVERITY_RANK } from './summary';
import { visible } from './visible-text';

const features = tableFeatures({
  rowSortingFeature,
  columnFilteringFeature,
  globalFilteringFeature,
  sortedRowModel: createSortedRowModel(),
  filteredRowModel: createFilteredRowModel(),
  sortFns: { alphanumeric: sortFn_alphanumeric },
  filterFns: { includesString: filterFn_includesString },
});

const helper = createColumnHelper<typeof features, Finding>();

const columns = helper.columns([
  helper.accessor('severity', {
    header: 'Severity',
    sortFn: (a, b) => SEVERITY_RANK[a.original.severity] - SEVERITY_RANK[b.original.severity],
    sortDescFirst: true,
    cell: (info) => <span className={`sev sev-${info.getValue()}`}>{info.getValue()}</span>,
  }),
  helper.accessor('rule', { header: 'Rule', sortFn: 'alphanumeric', cell: (info) => visible(info.getValue()) }),
  helper.accessor('title', { header: 'Finding', sortFn: 'alphanumeric', cell: (info) => visible(info.getValue()) }),
  helper.accessor((f) => f.layer ?? '', {
    id: 'layer',
    header: 'Layer',
    sortFn: 'alphanumeric',
    cell: (info) => (
      <span className="mono path">
        <BreakablePath text={visible(info.getValue())} />
      </span>
    ),
  }),
  helper.accessor((f) => `${f.document}${f.location}${f.slot ? ` (${f.slot})` : ''}`, {
    id: 'location',
    header: 'Location',
    sortFn: 'alphanumeric',
    cell: (info) => (
      <span className="mono small path">
        <BreakablePath text={visible(info.getValue())} />
      </span>
    ),
  }),
]);

/** Long name paths and JSON pointers may wrap after each '/' rather than widen the table. */
function BreakablePath({ text }: { text: string }) {
  const parts = text.split('/');
  return (
    <>
      {parts.map((part, index) => (
        <Fragment key={index}>
          {index > 0 && '/'}
          {index > 0 && <wbr />}
          {part}
        </Fragment>
      ))}
    </>
  );
}

const INITIAL_SORT: SortingState = [{ id: 'severity', desc: true }];

/** Data for the filter controls: the values present in the findings, with counts, most frequent first. */
export function filterOptions(findings: Finding[], key: 'kind' | 'rule'): { value: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f[key], (counts.get(f[key]) ?? 0) + 1);
  return [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}

export function FindingsTable({
  findings,
  selectedId,
  onSelect,
}: {
  findings: Finding[];
  selectedId: string | null;
  onSelect: (finding: Finding) => void;
}) {
  const [sorting, setSorting] = useState<SortingState>(INITIAL_SORT);
  const [globalFilter, setGlobalFilter] = useState('');
  const [severities, setSeverities] = useState<ReadonlySet<Severity>>(new Set());
  const [kind, setKind] = useState('');
  const [rule, setRule] = useState('');
  const [grouped, setGrouped] = useState(false);
  const bodyRef = useRef<HTMLTableSectionElement>(null);

  const present = useMemo(() => SEVERITIES.filter((s) => findings.some((f) => f.severity === s)), [findings]);
  const kinds = useMemo(() => filterOptions(findings, 'kind'), [findings]);
  const rules = useMemo(() => filterOptions(findings, 'rule'), [findings]);
  // Chip/select filters narrow the data; the table's own global filter does the text.
  const data = useMemo(
    () =>
      findings.filter(
        (f) => (severities.size === 0 || severities.has(f.severity)) && (!kind || f.kind === kind) && (!rule || f.rule === rule),
      ),
    [findings, severities, kind, rule],
  );
  const table = useTable({
    features,
    columns,
    data,
    state: { sorting, globalFilter },
    onSortingChange: setSorting,
    onGlobalFilterChange: setGlobalFilter,
    globalFilterFn: 'includesString',
    getColumnCanGlobalFilter: () => true,
    getRowId: (row) => row.id,
  });
  const sortedRows = table.getRowModel().rows;
  // Grouping by layer keeps the sort inside each group; groups come in the order of their first row.
  const rows = useMemo(() => {
    if (!grouped) return sortedRows;
    const groups = new Map<string, typeof sortedRows>();
    for (const row of sortedRows) {
      const key = row.original.layer ?? '';
      const list = groups.get(key);
      if (list) list.push(row);
      else groups.set(key, [row]);
    }
    return [...groups.values()].flat();
  }, [grouped, sortedRows]);
  // One row in the tab order (the selected one, else the first); n/p and arrows move within the table.
  const focusIndex = Math.max(0, rows.findIndex((r) => r.original.id === selectedId));
  const filtersOn = severities.size > 0 || kind !== '' || rule !== '' || globalFilter !== '';

  const toggleSeverity = (severity: Severity) =>
    setSeverities((current) => {
      const next = new Set(current);
      if (next.has(severity)) next.delete(severity);
      else next.add(severity);
      return next;
    });

  const move = (from: number, step: 1 | -1) => {
    const next = from + step;
    if (next < 0 || next >= rows.length) return;
    onSelect(rows[next].original);
    bodyRef.current?.querySelectorAll<HTMLTableRowElement>('tr[data-testid="table-row"]')[next]?.focus();
  };
  const onRowKey = (event: KeyboardEvent<HTMLTableRowElement>, index: number) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const actions: Record<string, () => void> = {
      Enter: () => onSelect(rows[index].original),
      ' ': () => onSelect(rows[index].original),
      n: () => move(index, 1),
      j: () => move(index, 1),
      ArrowDown: () => move(index, 1),
      p: () => move(index, -1),
      k: () => move(index, -1),
      ArrowUp: () => move(index, -1),
    };
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      event.stopPropagation();
      action();
    }
  };

  let lastGroup: string | undefined;
  return (
    <section className="findings" aria-label="Findings">
      <div className="section-head">
        <h2>
          Findings{' '}
          <span className="muted" data-testid="findings-count">
            ({filtersOn ? `${rows.length} of ${findings.length}` : findings.length})
          </span>
        </h2>
        <input
          type="search"
          className="filter"
          placeholder="Filter findings…"
          aria-label="Filter findings"
          data-testid="findings-filter"
          value={globalFilter}
          onChange={(event) => setGlobalFilter(event.target.value)}
        />
      </div>
      {findings.length > 0 && (
        <div className="finding-filters" data-testid="finding-filters">
          <fieldset>
            <legend>Severity</legend>
            {present.map((severity) => (
              <button
                key={severity}
                type="button"
                className={`fchip sev-${severity}`}
                aria-pressed={severities.has(severity)}
                data-testid={`filter-severity-${severity}`}
                onClick={() => toggleSeverity(severity)}
              >
                {severity} ({findings.filter((f) => f.severity === severity).length})
              </button>
            ))}
          </fieldset>
          <label>
            Kind{' '}
            <select value={kind} onChange={(event) => setKind(event.target.value)} data-testid="filter-kind">
              <option value="">all</option>
              {kinds.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.value} ({option.count})
                </option>
              ))}
            </select>
          </label>
          <label>
            Rule{' '}
            <select value={rule} onChange={(event) => setRule(event.target.value)} data-testid="filter-rule">
              <option value="">all</option>
              {rules.map((option) => (
                <option key={option.value} value={option.value}>
                  {visible(option.value)} ({option.count})
                </option>
              ))}
            </select>
          </label>
          <label>
            <input type="checkbox" checked={grouped} onChange={(event) => setGrouped(event.target.checked)} data-testid="table-group-by-layer" />{' '}
            Group by layer
          </label>
          {filtersOn && (
            <button
              type="button"
              className="link"
              data-testid="filters-clear"
              onClick={() => {
                setSeverities(new Set());
                setKind('');
                setRule('');
                setGlobalFilter('');
              }}
            >
              Clear filters
            </button>
          )}
        </div>
      )}
      {findings.length === 0 ? (
        <p className="muted empty">No findings.</p>
      ) : (
        <div className="table-wrap">
          <table className="grid" aria-describedby="findings-keys">
            <thead>
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>
                  {group.headers.map((header) => {
                    const sorted = header.column.getIsSorted();
                    return (
                      <th
                        key={header.id}
                        aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
                      >
                        <button
                          type="button"
                          className="sort"
                          onClick={header.column.getToggleSortingHandler()}
                          data-testid={`sort-${header.column.id}`}
                        >
                          <table.FlexRender header={header} />
                          <span className="sort-mark" aria-hidden="true">
                            {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
                          </span>
                        </button>
                      </th>
                    );
                  })}
                </tr>
              ))}
            </thead>
            <tbody ref={bodyRef}>
              {rows.map((row, index) => {
                const group = row.original.layer ?? '';
                const header = grouped && group !== lastGroup;
                lastGroup = group;
                const selected = row.original.id === selectedId;
                return (
                  <Fragment key={row.id}>
                    {header && (
                      <tr className="group-row" data-testid="table-group">
                        <td colSpan={columns.length}>
                          <span className="mono">{group ? visible(group) : 'not in a layer'}</span>{' '}
                          <span className="muted">({rows.filter((r) => (r.original.layer ?? '') === group).length})</span>
                        </td>
                      </tr>
                    )}
                    <tr
                      data-testid="table-row"
                      data-finding-id={row.original.id}
                      data-severity={row.original.severity}
                      data-kind={row.original.kind}
                      data-rule={row.original.rule}
                      data-layer={row.original.layer ?? ''}
                      className={selected ? 'selected' : undefined}
                      aria-current={selected ? 'true' : undefined}
                      onClick={() => onSelect(row.original)}
                      tabIndex={index === focusIndex ? 0 : -1}
                      onKeyDown={(event) => onRowKey(event, index)}
                    >
                      {row.getAllCells().map((cell) => (
                        <td key={cell.id}>
                          <table.FlexRender cell={cell} />
                        </td>
                      ))}
                    </tr>
                  </Fragment>
                );
              })}
              {rows.length === 0 && (
                <tr>
                  <td colSpan={columns.length} className="muted">
                    No finding matches the filters.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          <p id="findings-keys" className="muted small">
            Click a row or press Enter to show it in the graph; <kbd>n</kbd>/<kbd>p</kbd> (or ↓/↑) move between findings.
          </p>
        </div>
      )}
    </section>
  );
}
