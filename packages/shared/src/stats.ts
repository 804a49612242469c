/** Counters of the whole store. */
export interface Stats {
  total: number;
  unread: number;
  /** Sum of raw message sizes in octets. */
  bytes: number;
  sessions: number;
}
