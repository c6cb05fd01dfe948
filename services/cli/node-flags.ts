/**
 * The Node/V8 flags each service runs with, wherever it is started: the demo's supervisor and the
 * benchmarks pass them on the command line; the compose files and Kubernetes manifests carry the
 * same flags in NODE_OPTIONS (test/unit/deploy checks that they agree with this table).
 *
 * A bounded young generation (4 MB semi-spaces instead of V8's 16 MB on 64-bit) keeps the
 * pipeline services' RSS and minor-GC pauses small: at ×10 load the collector's scavenges took
 * ~5 ms each with 16 MB and ~2.6 ms with 4 MB, its peak RSS fell from 129-155 MB to 118-133 MB,
 * and CPU did not grow (bench:e2e, alternated runs; docs/latency.md). The firehose keeps V8's
 * default: its bursts allocate far more per second and its benchmarks were tuned with it.
 */
export const SERVICE_NODE_FLAGS: Readonly<Record<string, readonly string[]>> = {
  collector: ['--max-semi-space-size=4'],
  merger: ['--max-semi-space-size=4'],
  colocated: ['--max-semi-space-size=4'],
  gateway: ['--max-semi-space-size=4'],
};

/** The flags to put before the script when starting `service` (none for the others). */
export function nodeArgsFor(service: string): string[] {
  return [...(SERVICE_NODE_FLAGS[service] ?? [])];
}
