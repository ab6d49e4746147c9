import { useCallback, useEffect, useRef, useState } from 'react';
import { SessionExpiredError } from './api';

export interface Resource<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Reload now; `quiet` keeps the current data on screen (polling, refresh after an action). */
  reload: (quiet?: boolean) => void;
}

/**
 * Loads data for a page and keeps it fresh. `pollMs` re-fetches quietly on an interval, but only while the
 * tab is visible, so a dashboard left open in a background tab costs the API nothing.
 */
export function useResource<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
  options: { pollMs?: number | false } = {},
): Resource<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const quietRef = useRef(false);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const controller = new AbortController();
    const quiet = quietRef.current;
    quietRef.current = false;
    if (!quiet) {
      // New filters or page: show loading rather than the previous result under the new controls.
      setData(undefined);
      setLoading(true);
      setError(undefined);
    }
    loadRef
      .current(controller.signal)
      .then((value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted || err instanceof SessionExpiredError) return;
        if ((err as Error)?.name === 'AbortError') return;
        if (!quiet) setData(undefined);
        setError(err instanceof Error ? err : new Error(String(err)));
        setLoading(false);
      });
    return () => controller.abort();
    // `load` is read through a ref: callers pass a new closure each render, `deps` say when it matters.
  }, [...deps, tick]);

  const reload = useCallback((quiet = false) => {
    quietRef.current = quiet;
    setTick((t) => t + 1);
  }, []);

  const pollMs = options.pollMs;
  useEffect(() => {
    if (!pollMs) return;
    let timer: number | undefined;
    const schedule = () => {
      window.clearInterval(timer);
      if (document.visibilityState === 'visible') timer = window.setInterval(() => reload(true), pollMs);
    };
    const onVisibility = () => {
      if (document.visibilityState === 'visible') reload(true);
      schedule();
    };
    schedule();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [pollMs, reload]);

  return { data, error, loading, reload };
}

/** Sets the document title per page, so browser history and tabs say where you are. */
export function useTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · Order Service Admin`;
  }, [title]);
}
