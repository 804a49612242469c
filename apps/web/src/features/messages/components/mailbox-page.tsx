/**
 * The inbox: toolbar, the live virtualised list, and the open message beside it (or alone on a narrow
 * screen). The list stays mounted while messages are opened, so its scroll position, selection and
 * search survive. Keyboard: ↑/↓ or j/k move, Enter opens, Delete deletes, / searches.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";
import type { MessageSummary } from "@mailpen/shared";
import { ConfirmDialog } from "../../../app/confirm-dialog.tsx";
import { navigate, paths } from "../../../app/router.tsx";
import { useLive, useLiveEvents } from "../../live/components/live-provider.tsx";
import { deleteMessage } from "../api/delete-message.ts";
import { deleteMessages } from "../api/delete-messages.ts";
import { getMessages } from "../api/get-messages.ts";
import { updateMessage } from "../api/update-message.ts";
import { initialInboxState, matchesLocally, reduceInbox, toInboxQuery } from "../inbox-state.ts";
import type { QuickFilters } from "../inbox-state.ts";
import { InboxToolbar } from "./inbox-toolbar.tsx";
import { MessageList } from "./message-list.tsx";
import { MessageView } from "./message-view.tsx";

/** How long a live arrival stays highlighted. */
const FRESH_MS = 4000;

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

export function MailboxPage({ openId, tab }: { openId: string | null; tab: string | null }) {
  const { epoch } = useLive();
  const [state, dispatch] = useReducer(reduceInbox, initialInboxState);
  const [search, setSearch] = useState("");
  const [debouncedSearch, setDebouncedSearch] = useState("");
  const [filters, setFilters] = useState<QuickFilters>({ unread: false, attachments: false });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [cursor, setCursor] = useState(-1);
  const [confirmClear, setConfirmClear] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const anchorRef = useRef<string | null>(null);

  const query = toInboxQuery(debouncedSearch, filters);
  const queryRef = useRef(query);
  queryRef.current = query;

  useEffect(() => {
    const timer = setTimeout(() => setDebouncedSearch(search), 250);
    return () => clearTimeout(timer);
  }, [search]);

  // The first page, again whenever the query changes or the connection came back (catch-up).
  useEffect(() => {
    const controller = new AbortController();
    getMessages({ query }, controller.signal).then(
      (page) => {
        dispatch({ type: "page", page, append: false });
        setError(null);
      },
      (reason: unknown) => {
        if (!controller.signal.aborted) setError(reason instanceof Error ? reason.message : String(reason));
      },
    );
    return () => controller.abort();
  }, [query, epoch]);

  useEffect(() => {
    setSelected(new Set());
    setCursor(-1);
  }, [query]);

  const loadMore = useCallback(() => {
    if (!state.nextCursor || loadingMore) return;
    const forQuery = query;
    setLoadingMore(true);
    getMessages({ query, cursor: state.nextCursor })
      .then(
        (page) => {
          if (queryRef.current === forQuery) dispatch({ type: "page", page, append: true });
        },
        (reason: unknown) => setError(reason instanceof Error ? reason.message : String(reason)),
      )
      .finally(() => setLoadingMore(false));
  }, [state.nextCursor, loadingMore, query]);

  // Live: arrivals are inserted (or, under a free-text search, fetched through the server's search).
  const headTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(headTimer.current), []);
  const settle = useCallback((ids: string[]) => {
    setTimeout(() => dispatch({ type: "settled", ids }), FRESH_MS);
  }, []);
  useLiveEvents((event) => {
    switch (event.type) {
      case "message.created": {
        const matches = matchesLocally(event.message, debouncedSearch, filters);
        if (matches === true) {
          dispatch({ type: "created", message: event.message });
          settle([event.message.id]);
        } else if (matches === undefined) {
          clearTimeout(headTimer.current);
          const forQuery = query;
          headTimer.current = setTimeout(() => {
            getMessages({ query: forQuery }).then(
              (page) => {
                if (queryRef.current !== forQuery) return;
                dispatch({ type: "head", page });
                settle(page.messages.map((m) => m.id));
              },
              () => undefined,
            );
          }, 200);
        }
        break;
      }
      case "message.updated":
        dispatch({ type: "updated", message: event.message });
        break;
      case "message.deleted":
        // Deleted elsewhere (another tab, the API, retention) while open here: back to the inbox.
        if (openId && event.ids.includes(openId)) navigate(paths.inbox(), { replace: true });
        dispatch({ type: "deleted", ids: event.ids });
        setSelected((previous) => {
          const next = new Set(previous);
          for (const id of event.ids) next.delete(id);
          return next;
        });
        break;
      case "messages.cleared":
        if (openId) navigate(paths.inbox(), { replace: true });
        dispatch({ type: "cleared" });
        setSelected(new Set());
        break;
    }
  });

  const messages = state.messages;
  const messagesRef = useRef<readonly MessageSummary[]>(messages);
  messagesRef.current = messages;

  const open = useCallback((id: string) => navigate(paths.message(id)), []);

  const toggleSelect = useCallback((id: string, range: boolean) => {
    setSelected((previous) => {
      const next = new Set(previous);
      const list = messagesRef.current;
      const anchor = anchorRef.current;
      if (range && anchor) {
        const a = list.findIndex((m) => m.id === anchor);
        const b = list.findIndex((m) => m.id === id);
        if (a !== -1 && b !== -1) {
          for (let i = Math.min(a, b); i <= Math.max(a, b); i++) next.add((list[i] as MessageSummary).id);
          return next;
        }
      }
      if (next.has(id)) next.delete(id);
      else next.add(id);
      anchorRef.current = id;
      return next;
    });
  }, []);

  /** The ids an action applies to: the selection, else the message under the cursor, else the open one. */
  const targetIds = useCallback((): string[] => {
    if (selected.size > 0) return [...selected];
    const atCursor = messagesRef.current[cursor];
    if (atCursor) return [atCursor.id];
    return openId ? [openId] : [];
  }, [selected, cursor, openId]);

  const removeIds = useCallback(
    async (ids: string[]) => {
      if (ids.length === 0) return;
      const list = messagesRef.current;
      const openIndex = openId ? list.findIndex((m) => m.id === openId) : -1;
      try {
        await Promise.all(ids.map((id) => deleteMessage(id)));
      } catch (reason) {
        setError(reason instanceof Error ? reason.message : String(reason));
      }
      dispatch({ type: "deleted", ids });
      setSelected(new Set());
      if (openId && ids.includes(openId)) {
        const gone = new Set(ids);
        const next =
          list.slice(openIndex + 1).find((m) => !gone.has(m.id)) ?? list.find((m) => !gone.has(m.id));
        navigate(next ? paths.message(next.id) : paths.inbox(), { replace: true });
      }
    },
    [openId],
  );

  const markRead = useCallback(async () => {
    const ids = targetIds();
    const list = messagesRef.current;
    for (const id of ids) {
      const message = list.find((m) => m.id === id);
      if (message && !message.read) dispatch({ type: "updated", message: { ...message, read: true } });
    }
    try {
      await Promise.all(ids.map((id) => updateMessage(id, { read: true })));
    } catch (reason) {
      setError(reason instanceof Error ? reason.message : String(reason));
    }
    setSelected(new Set());
  }, [targetIds]);

  const clearAll = useCallback(async () => {
    setConfirmClear(false);
    try {
      await deleteMessages(query || undefined);
    } catch (reason) {
      setError(reason instanceof Error ? reason.message : String(reason));
    }
    if (query) dispatch({ type: "deleted", ids: messagesRef.current.map((m) => m.id) });
    else dispatch({ type: "cleared" });
    setSelected(new Set());
    if (openId) navigate(paths.inbox(), { replace: true });
  }, [query, openId]);

  // Keep the cursor on the open message, so j/k continue from what is shown.
  useEffect(() => {
    if (!openId) return;
    const index = messagesRef.current.findIndex((m) => m.id === openId);
    if (index !== -1) setCursor(index);
  }, [openId, messages.length]);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (confirmClear || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      if (isTyping(event.target)) return;
      const list = messagesRef.current;
      const move = (delta: number) => {
        event.preventDefault();
        if (list.length === 0) return;
        const next = Math.max(
          0,
          Math.min(list.length - 1, (cursor < 0 ? (delta > 0 ? -1 : 0) : cursor) + delta),
        );
        setCursor(next);
        if (openId) open((list[next] as MessageSummary).id);
      };
      switch (event.key) {
        case "ArrowDown":
        case "j":
          move(1);
          break;
        case "ArrowUp":
        case "k":
          move(-1);
          break;
        case "Enter": {
          const message = list[cursor];
          if (
            message &&
            !(event.target instanceof HTMLAnchorElement || event.target instanceof HTMLButtonElement)
          ) {
            event.preventDefault();
            open(message.id);
          }
          break;
        }
        case "Delete":
          event.preventDefault();
          void removeIds(targetIds());
          break;
        case "/":
          event.preventDefault();
          searchRef.current?.focus();
          break;
      }
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [cursor, openId, open, removeIds, targetIds, confirmClear]);

  const empty = useMemo(() => {
    if (!state.loaded) return "Loading…";
    if (query) return "No messages match.";
    return null;
  }, [state.loaded, query]);

  return (
    <div className={`mailbox${openId ? " mailbox--open" : ""}`}>
      <section className="mailbox__list" aria-label="Inbox">
        <InboxToolbar
          searchRef={searchRef}
          search={search}
          onSearch={setSearch}
          filters={filters}
          onFilters={setFilters}
          total={state.total}
          loadedCount={messages.length}
          selectedCount={selected.size}
          onSelectAll={(all) => setSelected(all ? new Set(messages.map((m) => m.id)) : new Set())}
          onDelete={() => void removeIds([...selected])}
          onMarkRead={() => void markRead()}
          onClear={() => setConfirmClear(true)}
        />
        {error && (
          <p className="banner banner--error" role="alert">
            {error}
          </p>
        )}
        {messages.length === 0 ? (
          <div className="empty-state">
            {empty ?? (
              <>
                <p className="empty-state__title">No messages yet</p>
                <p>
                  Point your application at SMTP <code>{window.location.hostname}:1025</code>; messages appear
                  here as they arrive.
                </p>
              </>
            )}
          </div>
        ) : (
          <MessageList
            messages={messages}
            selected={selected}
            fresh={state.fresh}
            cursor={cursor}
            openId={openId}
            hasMore={state.nextCursor !== null}
            loading={loadingMore}
            onToggleSelect={toggleSelect}
            onCursor={setCursor}
            onLoadMore={loadMore}
          />
        )}
      </section>
      <section className="mailbox__view" aria-label="Message">
        {openId ? (
          <MessageView key={openId} id={openId} tab={tab} onDelete={(id) => void removeIds([id])} />
        ) : (
          <div className="empty-state empty-state--view">
            <p className="empty-state__title">Select a message</p>
            <p className="keys">
              <kbd>↑</kbd>
              <kbd>↓</kbd> or <kbd>j</kbd>
              <kbd>k</kbd> move · <kbd>Enter</kbd> open · <kbd>Delete</kbd> delete · <kbd>/</kbd> search
            </p>
          </div>
        )}
      </section>
      {confirmClear && (
        <ConfirmDialog
          title={query ? "Delete matching messages?" : "Delete all messages?"}
          body={
            query
              ? `This deletes the ${state.total.toLocaleString()} messages matching “${query}”.`
              : `This deletes all ${state.total.toLocaleString()} messages. Sessions stay.`
          }
          confirmLabel={query ? "Delete matching" : "Delete all"}
          onConfirm={() => void clearAll()}
          onCancel={() => setConfirmClear(false)}
        />
      )}
    </div>
  );
}
