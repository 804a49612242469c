import type { Stats } from "@mailpen/shared";
import { requestJson, toApiUrl } from "../../../lib/api-client.ts";

/** GET /api/stats: counters of the whole store. */
export function getStats(signal?: AbortSignal): Promise<Stats> {
  return requestJson<Stats>(toApiUrl("/stats"), { signal });
}
