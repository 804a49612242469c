/**
 * Shares one live connection with the whole app: its status, the latest stats, a subscription to
 * store events, and an `epoch` that increases on every reconnect so views refetch (catch-up).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import type { ReactNode } from "react";
import type { Stats, StoreEvent } from "@mailpen/shared";
import { getStats } from "../api/get-stats.ts";
import { openLiveSocket, toLiveSocketUrl } from "../api/live-socket.ts";
import type { LiveStatus } from "../api/live-socket.ts";

type Listener = (event: StoreEvent) => void;

interface LiveContextValue {
  status: LiveStatus;
  stats: Stats | null;
  version: string | null;
  /** Increases after each reconnect; data loaded before it may be stale. */
  epoch: number;
  subscribe: (listener: Listener) => () => void;
}

const LiveContext = createContext<LiveContextValue>({
  status: "connecting",
  stats: null,
  version: null,
  epoch: 0,
  subscribe: () => () => undefined,
});

/** Opens the websocket unless `connect` is false (component tests drive events themselves). */
export function LiveProvider({ children, connect = true }: { children: ReactNode; connect?: boolean }) {
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const [stats, setStats] = useState<Stats | null>(null);
  const [version, setVersion] = useState<string | null>(null);
  const [epoch, setEpoch] = useState(0);
  const listeners = useRef(new Set<Listener>());

  useEffect(() => {
    if (!connect) return;
    // Counters follow changes: a stats event sets them; other changes refetch them, at most every 500 ms.
    let statsTimer: ReturnType<typeof setTimeout> | undefined;
    const refreshStats = () => {
      if (statsTimer) return;
      statsTimer = setTimeout(() => {
        statsTimer = undefined;
        getStats().then(setStats, () => undefined);
      }, 500);
    };
    const socket = openLiveSocket(toLiveSocketUrl(), {
      onStatus: setStatus,
      onMessage: (message, resumed) => {
        if (message.type === "hello") {
          setStats(message.stats);
          setVersion(message.version);
          if (resumed) setEpoch((n) => n + 1);
          return;
        }
        if (message.type === "stats") setStats(message.stats);
        else if (message.type !== "session.updated") refreshStats();
        for (const listener of listeners.current) listener(message);
      },
    });
    return () => {
      clearTimeout(statsTimer);
      socket.close();
    };
  }, [connect]);

  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const value = useMemo<LiveContextValue>(
    () => ({ status, stats, version, epoch, subscribe }),
    [status, stats, version, epoch, subscribe],
  );
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

/** The live connection's state. */
export function useLive(): LiveContextValue {
  return useContext(LiveContext);
}

/** Calls `handler` for every store event while mounted; the latest handler is always used. */
export function useLiveEvents(handler: Listener) {
  const { subscribe } = useLive();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => subscribe((event) => ref.current(event)), [subscribe]);
}
