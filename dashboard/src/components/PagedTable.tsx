import { useState, type ReactNode } from 'react';
import { useResource, type Resource } from '../hooks';
import type { Route } from '../router';
import type { Page } from '../types';
import { AsyncView, Pager } from './ui';

/** A list page's data plus its cursor paging: the current cursor is in the URL, earlier ones in memory. */
export interface PagedList<T> extends Resource<Page<T>> {
  cursor: string | undefined;
  hasPrevious: boolean;
  previous: () => void;
  next: (cursor: string) => void;
  /** Forget the way back, when filters change and earlier cursors no longer apply. */
  resetPaging: () => void;
}

/**
 * Loads the page named by `?cursor=` and remembers the cursors that led to it, so "Previous" walks back
 * without the API having to page backwards. `go` navigates to another cursor with the page's own filters.
 */
export function usePagedList<T>(
  route: Route,
  load: (cursor: string | undefined, signal: AbortSignal) => Promise<Page<T>>,
  deps: readonly unknown[],
  options: { go: (cursor: string | undefined) => void; pollMs?: number | false },
): PagedList<T> {
  const cursor = route.query.get('cursor') ?? undefined;
  const [earlier, setEarlier] = useState<(string | undefined)[]>([]);
  const resource = useResource((signal) => load(cursor, signal), [...deps, cursor], { pollMs: options.pollMs });
  return {
    ...resource,
    cursor,
    hasPrevious: Boolean(cursor),
    previous: () => {
      const stack = [...earlier];
      const back = stack.pop();
      setEarlier(stack);
      options.go(back);
    },
    next: (nextCursor) => {
      setEarlier([...earlier, cursor]);
      options.go(nextCursor);
    },
    resetPaging: () => setEarlier([]),
  };
}

export interface Column {
  label: ReactNode;
  /** Right-aligned numbers. */
  num?: boolean;
}

/**
 * Loading → error → empty → table → pager, the same on every list page. Pages keep their columns, rows and
 * whatever sits around the table (`before`, `after`, `footer` beside the pager).
 */
export function PagedTable<T>({
  list,
  label,
  pagerLabel,
  columns,
  row,
  empty,
  rows = (page) => page.items,
  before,
  after,
  footer,
}: {
  list: PagedList<T>;
  /** The table's accessible name. */
  label: string;
  /** Names the pager's navigation landmark: "<pagerLabel> pages". */
  pagerLabel: string;
  columns: Column[];
  row: (item: T, index: number) => ReactNode;
  empty: ReactNode;
  /** The rows shown, when the page filters its items client-side. */
  rows?: (page: Page<T>) => T[];
  before?: (page: Page<T>) => ReactNode;
  after?: (shown: T[]) => ReactNode;
  /** Controls shown next to the pager in a table footer. */
  footer?: ReactNode;
}) {
  return (
    <AsyncView resource={list} isEmpty={(page) => page.items.length === 0} empty={empty}>
      {(page) => {
        const shown = rows(page);
        const pager = <Pager label={pagerLabel} hasPrevious={list.hasPrevious} nextCursor={page.nextCursor} onPrevious={list.previous} onNext={list.next} />;
        return (
          <>
            {before?.(page)}
            <div className="table-wrap">
              <table className="table" aria-label={label}>
                <thead>
                  <tr>
                    {columns.map((column, index) => (
                      <th key={index} scope="col" className={column.num ? 'num' : undefined}>
                        {column.label}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>{shown.map(row)}</tbody>
              </table>
            </div>
            {after?.(shown)}
            {footer ? (
              <div className="table-footer">
                {footer}
                {pager}
              </div>
            ) : (
              pager
            )}
          </>
        );
      }}
    </AsyncView>
  );
}
