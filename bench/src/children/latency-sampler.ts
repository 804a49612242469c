/**
 * Child: times API requests against a running Mailpen, one after another on one keep-alive
 * connection, and prints the latencies as one JSON line. Argument: one JSON object, see
 * `SamplerConfig`.
 *
 * It runs apart from the bench process because that process's own garbage collection landed in the
 * figures: after the stored-volume walk through the inbox (50 pages of 1,000 messages parsed as JSON)
 * its major collections paused it 6-8 ms while a request was in flight, which showed as 8-12 ms
 * samples in a deep page whose median is 1.3 ms. This process holds nothing but the samples, and
 * reads each body without parsing it.
 */
import { timeGet } from "../http-client.ts";

export interface SamplerConfig {
  port: number;
  /** Each path is requested `times` times in a row; the result keeps that order. */
  series: { path: string; times: number }[];
}

/** Latencies in ms, one array per series. */
export interface SamplerResult {
  latencies: number[][];
}

const config = JSON.parse(process.argv[2] ?? "{}") as SamplerConfig;
const latencies: number[][] = [];
for (const { path, times } of config.series) {
  const series: number[] = [];
  for (let i = 0; i < times; i++) {
    const response = await timeGet(config.port, path);
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}`);
    series.push(response.ms);
  }
  latencies.push(series);
}
process.stdout.write(`${JSON.stringify({ latencies } satisfies SamplerResult)}\n`);
process.exit(0);
