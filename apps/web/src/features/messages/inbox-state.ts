/**
 * The inbox list as a pure reducer: pages loaded by cursor, and live store events applied in place.
 * Ids are time-ordered, so "newer" is "greater id" and the list stays newest first without sorting.
 */
import type { MessageListResponse, MessageSummary } from "@mailpen/shared";

export interface InboxState {
  messages: MessageSummary[];
  /** Messages matching the current query on the server. */
  total: number;
  nextCursor: string | null;
  /** Ids that arrived live and are still highlighted. */
  fresh: ReadonlySet<string>;
  loaded: boolean;
}

export type InboxAction =
  | { type: "reset" }
  | { type: "page"; page: MessageListResponse; append: boolean }
  /** Newer messages from a refetch of the first page: prepended when not yet listed. */
  | { type: "head"; page: MessageListResponse }
  | { type: "created"; message: MessageSummary }
  | { type: "updated"; message: MessageSummary }
  | { type: "deleted"; ids: readonly string[] }
  | { type: "cleared" }
  | { type: "settled"; ids: readonly string[] };

export const initialInboxState: InboxState = {
  messages: [],
  total: 0,
  nextCursor: null,
  fresh: new Set(),
  loaded: false,
};

function withFresh(fresh: ReadonlySet<string>, ids: readonly string[]): ReadonlySet<string> {
  const next = new Set(fresh);
  for (const id of ids) next.add(id);
  return next;
}

/** Applies one action; never mutates `state`. */
export function reduceInbox(state: InboxState, action: InboxAction): InboxState {
  switch (action.type) {
    case "reset":
      return initialInboxState;
    case "page": {
      if (!action.append) {
        return {
          messages: action.page.messages,
          total: action.page.total,
          nextCursor: action.page.nextCursor,
          fresh: new Set(),
          loaded: true,
        };
      }
      const known = new Set(state.messages.map((m) => m.id));
      return {
        ...state,
        messages: [...state.messages, ...action.page.messages.filter((m) => !known.has(m.id))],
        total: action.page.total,
        nextCursor: action.page.nextCursor,
        loaded: true,
      };
    }
    case "head": {
      const newest = state.messages[0]?.id;
      const known = new Set(state.messages.map((m) => m.id));
      const added = action.page.messages.filter(
        (m) => !known.has(m.id) && (newest === undefined || m.id > newest),
      );
      if (added.length === 0) return { ...state, total: action.page.total };
      return {
        ...state,
        messages: [...added, ...state.messages],
        total: action.page.total,
        fresh: withFresh(
          state.fresh,
          added.map((m) => m.id),
        ),
      };
    }
    case "created": {
      if (state.messages.some((m) => m.id === action.message.id)) return state;
      const index = state.messages.findIndex((m) => m.id < action.message.id);
      const messages = [...state.messages];
      messages.splice(index === -1 ? messages.length : index, 0, action.message);
      return {
        ...state,
        messages,
        total: state.total + 1,
        fresh: withFresh(state.fresh, [action.message.id]),
      };
    }
    case "updated": {
      const index = state.messages.findIndex((m) => m.id === action.message.id);
      if (index === -1) return state;
      const messages = [...state.messages];
      messages[index] = action.message;
      return { ...state, messages };
    }
    case "deleted": {
      const gone = new Set(action.ids);
      const messages = state.messages.filter((m) => !gone.has(m.id));
      const removed = state.messages.length - messages.length;
      if (removed === 0) return state;
      return { ...state, messages, total: Math.max(0, state.total - removed) };
    }
    case "cleared":
      return { ...initialInboxState, loaded: true };
    case "settled": {
      const fresh = new Set(state.fresh);
      for (const id of action.ids) fresh.delete(id);
      return { ...state, fresh };
    }
  }
}

/** The quick filters, which the web app can also evaluate itself for live arrivals. */
export interface QuickFilters {
  unread: boolean;
  attachments: boolean;
}

/** The query sent to the server: the search box plus the quick filters in the store's syntax. */
export function toInboxQuery(search: string, filters: QuickFilters): string {
  return [search.trim(), filters.unread ? "is:unread" : "", filters.attachments ? "has:attachment" : ""]
    .filter(Boolean)
    .join(" ");
}

/**
 * Whether a live arrival belongs in the list: true or false when the filters decide it locally,
 * undefined when a free-text search needs the server to say (the caller refetches the first page).
 */
export function matchesLocally(
  message: MessageSummary,
  search: string,
  filters: QuickFilters,
): boolean | undefined {
  if (filters.unread && message.read) return false;
  if (filters.attachments && message.attachmentCount === 0) return false;
  return search.trim() === "" ? true : undefined;
}
