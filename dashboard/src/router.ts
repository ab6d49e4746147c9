/**
 * A hash router (`#/orders/ORD-1?status=PAID`): static hosting needs no rewrite rules, and the whole
 * location, filters included, survives a reload and a trip through the sign-in screen.
 */
import { useSyncExternalStore } from 'react';

export interface Route {
  path: string;
  segments: string[];
  query: URLSearchParams;
}

function parse(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/overview';
  const [pathPart = '/overview', queryPart = ''] = raw.split('?', 2);
  const path = pathPart.startsWith('/') ? pathPart : `/${pathPart}`;
  const segments = path.split('/').filter(Boolean).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return { path, segments, query: new URLSearchParams(queryPart) };
}

let current = parse(window.location.hash);
const listeners = new Set<() => void>();
window.addEventListener('hashchange', () => {
  current = parse(window.location.hash);
  for (const listener of listeners) listener();
});

export function useRoute(): Route {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => current,
  );
}

export type QueryValues = Record<string, string | undefined | null>;

export function href(path: string, query?: QueryValues): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value) params.set(key, value);
  const search = params.toString();
  return `#${path}${search ? `?${search}` : ''}`;
}

export function navigate(path: string, query?: QueryValues, options: { replace?: boolean } = {}) {
  const target = href(path, query);
  if (options.replace) {
    history.replaceState(null, '', target);
    current = parse(target);
    for (const listener of listeners) listener();
  } else {
    window.location.hash = target;
  }
}
