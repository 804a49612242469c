/**
 * A tiny data-loading hook: loads when `key` changes, aborts the previous load, and lets callers
 * patch the data locally (live events) or reload it (catch-up after a reconnect).
 */
import { useCallback, useEffect, useRef, useState } from "react";

export interface Resource<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
  /** Replaces the data without a request, for live updates. */
  setData: (update: (previous: T | undefined) => T | undefined) => void;
}

/** Loads `load(signal)` whenever `key` changes; a null key loads nothing. */
export function useResource<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): Resource<T> {
  const [state, setState] = useState<{ key: string | null; data?: T; error?: Error; loading: boolean }>({
    key,
    loading: key !== null,
  });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    if (key === null) {
      setState({ key, loading: false });
      return;
    }
    const controller = new AbortController();
    setState((previous) => (previous.key === key ? { ...previous, loading: true } : { key, loading: true }));
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ key, data, loading: false });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState({ key, loading: false, error: error instanceof Error ? error : new Error(String(error)) });
      },
    );
    return () => controller.abort();
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  const setData = useCallback(
    (update: (previous: T | undefined) => T | undefined) =>
      setState((previous) => ({ ...previous, data: update(previous.data) })),
    [],
  );
  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: current ? state.loading : key !== null,
    reload,
    setData,
  };
}
