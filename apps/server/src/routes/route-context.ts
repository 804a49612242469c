import type { MailStore } from "@mailpen/store";

/** What the route plugins receive as options from `buildApp`. */
export interface RouteContext {
  store: MailStore;
  /** Milliseconds since the epoch; injected so tests control "now". */
  clock: () => number;
}
