import type {
  Envelope,
  MessageDetail,
  MessageSummary,
  SessionDetail,
  SessionSummary,
  StoreEvent,
} from "@mailpen/shared";
import type { MailStore, NewMessage, NewSession, PartContent } from "@mailpen/store";

/**
 * A small in-memory MailStore for route tests: enough behaviour to exercise every route and error
 * without SQLite. Search: words must all appear in subject, from or to; a lone `"` is a syntax error.
 * Parts are declared per message with `setParts`. The end-to-end tests use the real store.
 */
export interface MemoryStore extends MailStore {
  addDetail(detail: Partial<MessageDetail> & { id: string }, raw?: Buffer): MessageSummary;
  setParts(id: string, parts: Record<string, PartContent>): void;
  emit(event: StoreEvent): void;
}

export const testEnvelope: Envelope = {
  mailFrom: "sender@example.com",
  mailParams: { BODY: "8BITMIME" },
  rcptTo: [{ address: "rcpt@example.com", params: {} }],
  heloName: "client.example",
  authUser: null,
  tls: false,
  transport: "DATA",
};

export function createMemoryStore(): MemoryStore {
  const messages = new Map<
    string,
    { detail: MessageDetail; raw: Buffer; parts: Record<string, PartContent> }
  >();
  const sessions = new Map<string, SessionDetail>();
  const listeners = new Set<(event: StoreEvent) => void>();
  const emit = (event: StoreEvent) => listeners.forEach((l) => l(event));
  const toSummary = (d: MessageDetail): MessageSummary => {
    const { headers: _h, text: _t, html: _x, attachments: _a, parseError: _p, ...summary } = d;
    return summary;
  };
  const toSessionSummary = (s: SessionDetail): SessionSummary => {
    const { transcript: _t, messageIds: _m, ...summary } = s;
    return summary;
  };
  const matches = (d: MessageDetail, query: string | undefined) =>
    !query ||
    query
      .toLowerCase()
      .split(/\s+/)
      .filter(Boolean)
      .every((w) =>
        `${d.subject} ${d.from?.address ?? ""} ${d.to.map((a) => a.address).join(" ")}`
          .toLowerCase()
          .includes(w),
      );
  const newestFirst = () =>
    [...messages.values()].map((m) => m.detail).sort((a, b) => (a.id < b.id ? 1 : -1));
  const page = <T extends { id: string }>(items: T[], limit = 50, cursor?: string) => {
    const start = cursor ? items.findIndex((i) => i.id < cursor) : 0;
    const slice = start < 0 ? [] : items.slice(start, start + limit);
    const next = start >= 0 && start + limit < items.length ? (slice.at(-1)?.id ?? null) : null;
    return { slice, next };
  };
  let counter = 0;

  const store: MemoryStore = {
    addDetail(partial, raw = Buffer.from(`Subject: ${partial.subject ?? ""}\r\n\r\nbody\r\n`)) {
      const detail: MessageDetail = {
        sessionId: null,
        receivedAt: new Date(1_700_000_000_000 + counter++ * 1000).toISOString(),
        from: { name: "Sender", address: "sender@example.com" },
        to: [{ name: "", address: "rcpt@example.com" }],
        cc: [],
        envelope: testEnvelope,
        subject: "",
        snippet: "body",
        size: raw.length,
        attachmentCount: 0,
        hasHtml: false,
        hasText: true,
        read: false,
        tags: [],
        flags: [],
        date: null,
        messageIdHeader: null,
        parseState: "parsed",
        headers: [
          { name: "Subject", value: partial.subject ?? "", raw: `Subject: ${partial.subject ?? ""}` },
        ],
        text: "body\n",
        html: null,
        attachments: [],
        parseError: null,
        ...partial,
      };
      messages.set(detail.id, { detail, raw, parts: {} });
      const summary = toSummary(detail);
      emit({ type: "message.created", message: summary });
      return summary;
    },
    setParts(id, parts) {
      const entry = messages.get(id);
      if (entry) entry.parts = parts;
    },
    emit,
    startSession(s: NewSession) {
      const detail: SessionDetail = {
        id: s.id,
        startedAt: s.startedAt.toISOString(),
        endedAt: null,
        remoteAddress: s.remoteAddress,
        remotePort: s.remotePort,
        localAddress: s.localAddress,
        localPort: s.localPort,
        heloName: null,
        tls: s.tls,
        authMechanism: null,
        authUser: null,
        messageCount: 0,
        outcome: null,
        errorCount: 0,
        warnings: [],
        entryCount: 0,
        transcript: [],
        messageIds: [],
      };
      sessions.set(s.id, detail);
      emit({ type: "session.started", session: toSessionSummary(detail) });
    },
    appendTranscript(id, entries, state) {
      const s = sessions.get(id);
      if (!s) throw new Error(`no session ${id}`);
      s.transcript.push(...entries);
      Object.assign(s, state ?? {}, { entryCount: s.transcript.length });
      emit({ type: "session.updated", session: toSessionSummary(s), entries });
    },
    endSession(id, end) {
      const s = sessions.get(id);
      if (!s) throw new Error(`no session ${id}`);
      Object.assign(s, end, { endedAt: end.endedAt.toISOString() });
      emit({ type: "session.closed", session: toSessionSummary(s) });
    },
    async addMessage(m: NewMessage) {
      const id = m.id ?? `m${String(counter).padStart(6, "0")}`;
      const subject = /^Subject: (.*)$/m.exec(m.raw.toString("latin1"))?.[1]?.trim() ?? "";
      if (m.sessionId) sessions.get(m.sessionId)?.messageIds.push(id);
      return store.addDetail(
        { id, sessionId: m.sessionId, envelope: m.envelope, receivedAt: m.receivedAt.toISOString(), subject },
        m.raw,
      );
    },
    listMessages(options = {}) {
      const all = newestFirst().filter(
        (d) => matches(d, options.query) && (!options.afterId || d.id > options.afterId),
      );
      const { slice, next } = page(all, options.limit, options.cursor);
      return {
        messages: slice.map(toSummary),
        total: all.length,
        unread: newestFirst().filter((d) => !d.read).length,
        nextCursor: next,
      };
    },
    getMessageSummary: (id) => {
      const d = messages.get(id)?.detail;
      return d && toSummary(d);
    },
    getMessage: async (id) => messages.get(id)?.detail,
    getRaw: (id) => messages.get(id)?.raw,
    // Like the real store: a part id, or a content id with or without `cid:` and angle brackets.
    getPart: async (id, partId) => {
      const parts = messages.get(id)?.parts;
      return parts?.[partId] ?? parts?.[`cid:${partId.replace(/^cid:/i, "").replace(/^<|>$/g, "")}`];
    },
    updateMessage(id, patch) {
      const d = messages.get(id)?.detail;
      if (!d) return undefined;
      Object.assign(d, patch);
      emit({ type: "message.updated", message: toSummary(d) });
      return toSummary(d);
    },
    deleteMessage(id) {
      const ok = messages.delete(id);
      if (ok) emit({ type: "message.deleted", ids: [id] });
      return ok;
    },
    deleteMessages(query) {
      const ids = newestFirst()
        .filter((d) => matches(d, query))
        .map((d) => d.id);
      ids.forEach((id) => messages.delete(id));
      emit(query ? { type: "message.deleted", ids } : { type: "messages.cleared" });
      return ids.length;
    },
    validateQuery: (query) =>
      (query.match(/"/g)?.length ?? 0) % 2 === 1 ? { ok: false, message: "unbalanced quote" } : { ok: true },
    listSessions(options = {}) {
      const all = [...sessions.values()].sort((a, b) => (a.id < b.id ? 1 : -1));
      const { slice, next } = page(all, options.limit, options.cursor);
      return { sessions: slice.map(toSessionSummary), total: all.length, nextCursor: next };
    },
    getSession: (id) => sessions.get(id),
    deleteSession: (id) => sessions.delete(id),
    stats: () => ({
      total: messages.size,
      unread: [...messages.values()].filter((m) => !m.detail.read).length,
      bytes: [...messages.values()].reduce((n, m) => n + m.raw.length, 0),
      sessions: sessions.size,
    }),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {},
  };
  return store;
}
