/** The findings of one report: sortable columns and a text filter (TanStack Table v9, headless). */
import { Fragment, useState } from 'react';
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
import type { Finding } from '../core/report';
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
  const table = useTable({
    features,
    columns,
    data: findings,
    state: { sorting, globalFilter },
    onSortingChange: setSorting,
    onGlobalFilterChange: setGlobalFilter,
    globalFilterFn: 'includesString',
    getColumnCanGlobalFilter: () => true,
    getRowId: (row) => row.id,
  });
  const rows = table.getRowModel().rows;

  return (
    <section className="findings" aria-label="Findings">
      <div className="section-head">
        <h2>
          Findings <span className="muted">({findings.length})</span>
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
      {findings.length === 0 ? (
        <p className="muted empty">No findings.</p>
      ) : (
        <div className="table-wrap">
          <table className="grid">
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
            <tbody>
              {rows.map((row) => (
                <tr
                  key={row.id}
                  data-testid="finding-row"
                  data-severity={row.original.severity}
                  data-layer={row.original.layer ?? ''}
                  className={row.original.id === selectedId ? 'selected' : undefined}
                  onClick={() => onSelect(row.original)}
                  tabIndex={0}
                  onKeyDown={(event) => {
                    if (event.key === 'Enter' || event.key === ' ') {
                      event.preventDefault();
                      onSelect(row.original);
                    }
                  }}
                >
                  {row.getAllCells().map((cell) => (
                    <td key={cell.id}>
                      <table.FlexRender cell={cell} />
                    </td>
                  ))}
                </tr>
              ))}
              {rows.length === 0 && (
                <tr>
                  <td colSpan={columns.length} className="muted">
                    No finding matches the filter.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
