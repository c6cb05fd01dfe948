/**
 * Fair connection limits for a shared API key (issue 13 item 7): a key has a cap on its
 * connections and a smaller cap per client address, so one host holding a key cannot lock every
 * other holder of it out. A key may carry its own caps. Counting only; no IO, no clock.
 *
 * The address is the socket's peer address: behind a proxy every client shares the proxy's, so
 * there the per-address cap should be raised to the per-key one.
 */

export interface KeyLimits {
  maxConnections: number;
  maxConnectionsPerAddress: number;
}

export class ConnectionLimiter {
  private readonly perKey = new Map<string, number>();
  private readonly perKeyAddress = new Map<string, number>();

  constructor(
    private readonly defaults: KeyLimits,
    /** per key id, overriding the defaults */
    private readonly overrides: ReadonlyMap<string, KeyLimits> = new Map(),
  ) {}

  limitsOf(keyId: string): KeyLimits {
    return this.overrides.get(keyId) ?? this.defaults;
  }

  /** Why this connection may not open, or undefined after counting it in. */
  admit(keyId: string, address: string | undefined): string | undefined {
    const lim = this.limitsOf(keyId);
    const ka = slot(keyId, address);
    if ((this.perKey.get(keyId) ?? 0) >= lim.maxConnections) return `at most ${lim.maxConnections} connections per API key`;
    if ((this.perKeyAddress.get(ka) ?? 0) >= lim.maxConnectionsPerAddress) return `at most ${lim.maxConnectionsPerAddress} connections per API key from one address`;
    bump(this.perKey, keyId, 1);
    bump(this.perKeyAddress, ka, 1);
    return undefined;
  }

  release(keyId: string, address: string | undefined): void {
    bump(this.perKey, keyId, -1);
    bump(this.perKeyAddress, slot(keyId, address), -1);
  }

  connections(keyId: string): number {
    return this.perKey.get(keyId) ?? 0;
  }
}

/** `::ffff:127.0.0.2` and `127.0.0.2` are one client. */
export function clientAddress(remote: string | undefined): string {
  if (!remote) return 'unknown';
  return remote.startsWith('::ffff:') ? remote.slice(7) : remote;
}

function slot(keyId: string, address: string | undefined): string {
  return `${keyId}|${clientAddress(address)}`;
}

function bump(m: Map<string, number>, k: string, by: number): void {
  const n = (m.get(k) ?? 0) + by;
  if (n > 0) m.set(k, n);
  else m.delete(k);
}

/**
 * `{"<key as configured>": {"max_connections": N, "max_connections_per_address": M}}` (either field
 * may be left out): the per-key caps of a keys variable. Throws with every problem named.
 */
export function parseKeyLimits(raw: string): Record<string, Partial<KeyLimits>> {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new Error('must be a JSON object {"<key>": {"max_connections": N, "max_connections_per_address": M}}');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('must be a JSON object keyed by API key');
  const out: Record<string, Partial<KeyLimits>> = {};
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(v as Record<string, unknown>)) {
    const name = key.startsWith('sha256:') ? key : `key #${Object.keys(out).length + problems.length + 1}`; // never echo a plain key
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
      problems.push(`${name}: must be an object`);
      continue;
    }
    const lim: Partial<KeyLimits> = {};
    for (const [field, n] of Object.entries(spec as Record<string, unknown>)) {
      const prop = field === 'max_connections' ? 'maxConnections' : field === 'max_connections_per_address' ? 'maxConnectionsPerAddress' : undefined;
      if (!prop) problems.push(`${name}: unknown field ${JSON.stringify(field)} (max_connections, max_connections_per_address)`);
      else if (!Number.isSafeInteger(n) || (n as number) < 1 || (n as number) > 1_000_000) problems.push(`${name}: ${field} must be a whole number 1..1000000`);
      else lim[prop] = n as number;
    }
    out[key] = lim;
  }
  if (problems.length) throw new Error(problems.join('; '));
  return out;
}
