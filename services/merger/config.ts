/**
 * Merger configuration: read once from the environment (and the optional groups file), validated
 * whole, frozen. MERGER_ENV_DOC is the table docs/merger.md and the README show.
 */
import { readFileSync } from 'node:fs';
import { Decimal } from '../../libs/core/index.js';
import { DEFAULT_ALERT_RETENTION_MS, DEFAULT_LIQ_RETENTION_MS, liqReplicasField } from '../../libs/bus/index.js';
import { badConfig, commonSchema, parse, readEnvInto, type CommonConfig, type Schema } from '../../libs/config/index.js';
import { consensusVenues } from '../../libs/venues/index.js';
import { DEFAULT_WINDOW_PRICE_TIMEOUT_MS, DEFAULT_WINDOW_TYPES, windowTypeNames } from '../../libs/consensus/index.js';
import { defaultGroups, DEFAULT_LARGE_LIQUIDATION_USD, groupsFromJson, parseGroupsSpec, parseShard, threshold, type ConsensusGroup, type ConsensusRules, type Ownership, type TradeDedupKey } from '../../libs/consensus/index.js';

/** design.md: a venue silent for more than 5 s is stale */
const DEFAULT_STALE_AFTER_MS = 5000;

export type LiquidationDuty = 'owned' | 'all' | 'none';

export interface MergerConfig extends CommonConfig {
  groups: ConsensusGroup[];
  ownership: Ownership;
  rules: ConsensusRules;
  tradeDedupKey: TradeDedupKey;
  tradeDedupWindowMs: number;
  tradeHoldMs: number;
  dedupMemory: number;
  liquidations: LiquidationDuty;
  liqRetentionMs: number;
  liqReplicas: number;
  /** #16.4: a liquidation at or above this USD notional raises LARGE_LIQUIDATION (exact decimal) */
  largeLiquidationUsd: string;
  /** #16.3: how long the JetStream alert log keeps alerts */
  alertRetentionMs: number;
  /** #16.5: window interval names (WINDOW_TYPES, checked) and how long a window waits for its price */
  windowTypes: string[];
  windowPriceTimeoutMs: number;
  coalesceMs: number;
  tickMs: number;
  snapshotTimeoutMs: number;
  snapshotRetryMs: number;
  host: string;
  port: number;
  /** lease: active/standby on a JetStream KV lease; off: always active, no lease */
  ha: 'lease' | 'off';
  leaseTtlMs: number;
  leaseRenewMs: number;
  leaseMarginMs: number;
  leaseReplicas: number;
  lineSilenceMs: number;
}

type Passed =
  | 'tradeDedupKey'
  | 'tradeDedupWindowMs'
  | 'tradeHoldMs'
  | 'dedupMemory'
  | 'liquidations'
  | 'liqRetentionMs'
  | 'liqReplicas'
  | 'largeLiquidationUsd'
  | 'alertRetentionMs'
  | 'windowTypes'
  | 'windowPriceTimeoutMs'
  | 'coalesceMs'
  | 'tickMs'
  | 'snapshotTimeoutMs'
  | 'snapshotRetryMs'
  | 'host'
  | 'port'
  | 'ha'
  | 'leaseTtlMs'
  | 'leaseRenewMs'
  | 'leaseMarginMs'
  | 'leaseReplicas'
  | 'lineSilenceMs';

/** what the environment holds; the fields in Passed go to MergerConfig as they are */
interface Raw extends CommonConfig, Pick<MergerConfig, Passed> {
  groupsSpec: string;
  groupsFile: string;
  shard: string;
  symbols: string[];
  staleAfterMs: number;
  staleOverrides: Record<string, number>;
  divergenceBps: string;
  convergenceBps: string;
  divergenceMinMs: number;
  divergenceExclude: boolean;
}

const bps = (raw: string): string => {
  threshold(raw); // validates: a plain non-negative decimal
  return raw;
};

const overrides = (raw: string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const item of parse.list(raw)) {
    const m = /^([a-z0-9-]+):(\d+)$/.exec(item);
    if (!m) throw new Error(`"${item}" must look like venue:ms`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
};

const schema: Schema<Raw> = {
  ...commonSchema,
  groupsSpec: {
    env: 'CONSENSUS_GROUPS',
    parse: parse.string,
    default: '',
    doc: 'consensus groups, `CSYM[@tick[/depth]]=venue[:SYM],…;…` (bare venue = BASE-USDT, hyperliquid BASE-USDC); default BTC-USD@0.1 and ETH-USD@0.01 over binance-spot, binance-usdm, bybit-linear, okx-swap, hyperliquid, depth 50',
  },
  groupsFile: { env: 'CONSENSUS_CONFIG_FILE', parse: parse.string, default: '', doc: 'JSON file `{"groups":[{"symbol","tick","depth","members":[{"venue","symbol"}]}]}` instead of CONSENSUS_GROUPS' },
  shard: { env: 'MERGER_SHARD', parse: parse.string, default: '', doc: 'own the consensus symbols with FNV-1a(symbol) mod n = i, as `i/n`; empty = all' },
  symbols: { env: 'MERGER_SYMBOLS', parse: parse.list, default: [], doc: 'own exactly these consensus symbols (exclusive with MERGER_SHARD)' },
  staleAfterMs: { env: 'STALE_AFTER_MS', parse: parse.int(100, 3_600_000), default: DEFAULT_STALE_AFTER_MS, doc: 'a venue book with no activity for longer is STALE and leaves the totals' },
  staleOverrides: { env: 'STALE_AFTER_MS_OVERRIDES', parse: overrides, default: {}, doc: 'per-venue staleness, `venue:ms,…`; unset venues use their own cadence-based threshold where it is longer than STALE_AFTER_MS (hyperliquid 15000)' },
  divergenceBps: { env: 'DIVERGENCE_BPS', parse: bps, default: '30', doc: 'a venue mid further than this from the consensus mid (bps, exact decimal) raises DIVERGENCE' },
  convergenceBps: { env: 'CONVERGENCE_BPS', parse: bps, default: '25', doc: 'a divergent venue clears with CONVERGED below this distance (bps, <= DIVERGENCE_BPS)' },
  divergenceMinMs: { env: 'DIVERGENCE_MIN_MS', parse: parse.int(0, 600_000), default: 1000, doc: 'a divergence (or convergence) must hold this long before its alert fires' },
  divergenceExclude: { env: 'DIVERGENCE_EXCLUDE', parse: parse.bool, default: false, doc: 'true: a divergent venue leaves the totals (it stays listed, flagged)' },
  tradeDedupKey: { env: 'TRADE_DEDUP_KEY', parse: parse.oneOf<TradeDedupKey>('id', 'ts+price', 'ts+price+qty'), default: 'ts+price', doc: 'what merges trades across venues into one print: `id` (none), `ts+price`, `ts+price+qty`' },
  tradeDedupWindowMs: { env: 'TRADE_DEDUP_WINDOW_MS', parse: parse.int(0, 10_000), default: 0, doc: 'trades whose ts differ by at most this much can merge (0 = same ts)' },
  tradeHoldMs: { env: 'TRADE_HOLD_MS', parse: parse.int(0, 10_000), default: 50, doc: 'how long a print waits for other venues before publication (not with key `id`)' },
  dedupMemory: { env: 'DEDUP_MEMORY', parse: parse.int(1000, 10_000_000), default: 100_000, doc: 'trade and liquidation ids remembered per kind for exact-duplicate drops (oldest forgotten first)' },
  liquidations: {
    env: 'MERGER_LIQUIDATIONS',
    parse: parse.oneOf<LiquidationDuty>('owned', 'all', 'none'),
    default: 'owned',
    doc: '`owned`: liquidations of owned groups, plus ungrouped ones by FNV-1a(venue.symbol) shard (all of them when not sharded); `all`; `none`',
  },
  liqRetentionMs: { env: 'LIQ_RETENTION_MS', parse: parse.int(60_000), default: DEFAULT_LIQ_RETENTION_MS, doc: 'how long the JetStream liquidation log keeps events' },
  liqReplicas: liqReplicasField,
  largeLiquidationUsd: {
    env: 'LARGE_LIQUIDATION_USD',
    parse: (raw) => {
      if (!/^\d{1,15}(\.\d{1,18})?$/.test(raw) || new Decimal(raw).isZero()) throw new Error('must be a positive decimal USD amount');
      return raw;
    },
    default: DEFAULT_LARGE_LIQUIDATION_USD,
    doc: 'a liquidation whose notional_usd is at least this raises an ALERT of kind LARGE_LIQUIDATION (P2)',
  },
  alertRetentionMs: { env: 'ALERT_RETENTION_MS', parse: parse.int(60_000), default: DEFAULT_ALERT_RETENTION_MS, doc: 'how long the JetStream alert log (BOOKFUSE_ALERTS) keeps alerts for GET /v1/alerts' },
  windowTypes: { env: 'WINDOW_TYPES', parse: windowTypeNames, default: windowTypeNames(DEFAULT_WINDOW_TYPES), doc: 'window intervals whose open prices are published, `<n>s|m|h|d` comma list (epoch-aligned UTC windows)' },
  windowPriceTimeoutMs: { env: 'WINDOW_PRICE_TIMEOUT_MS', parse: parse.int(100, 3_600_000), default: DEFAULT_WINDOW_PRICE_TIMEOUT_MS, doc: 'a window with no consensus update this long after its boundary gets window_open_error' },
  coalesceMs: { env: 'COALESCE_MS', parse: parse.int(0, 10_000), default: 0, doc: 'publish consensus deltas at most once per window (0 = every change)' },
  tickMs: { env: 'MERGER_TICK_MS', parse: parse.int(10, 1000), default: 100, doc: 'period of staleness/divergence checks and snapshot retries' },
  snapshotTimeoutMs: { env: 'SNAPSHOT_TIMEOUT_MS', parse: parse.int(50, 60_000), default: 1000, doc: 'timeout of a snapshot request to a collector' },
  snapshotRetryMs: { env: 'SNAPSHOT_RETRY_MS', parse: parse.int(50, 60_000), default: 500, doc: 'wait before asking again after a failed snapshot request' },
  host: { env: 'MERGER_HOST', parse: parse.string, default: '127.0.0.1', doc: 'bind address of /metrics, /healthz, /readyz' },
  port: { env: 'MERGER_PORT', parse: parse.port, default: 9102, doc: 'port of /metrics, /healthz, /readyz (0 = any free port)' },
  ha: {
    env: 'MERGER_HA',
    parse: parse.oneOf<'lease' | 'off'>('lease', 'off'),
    default: 'lease',
    doc: '`lease`: mergers of one shard elect one active on a JetStream KV lease, the others stand by; `off`: this merger is the only one of its shard, always active, no lease (no KV needed)',
  },
  leaseTtlMs: { env: 'MERGER_LEASE_TTL_MS', parse: parse.int(300, 60_000), default: 1500, doc: 'lease time of the active merger of a shard (the KV bucket max_age): a standby takes over this long after the last renew' },
  leaseRenewMs: { env: 'MERGER_LEASE_RENEW_MS', parse: parse.int(50, 30_000), default: 300, doc: 'how often the active renews its lease (and a standby tries to take it); must be < MERGER_LEASE_TTL_MS/2' },
  leaseMarginMs: { env: 'MERGER_LEASE_MARGIN_MS', parse: parse.int(10, 15_000), default: 200, doc: 'the active stops publishing this long before its lease could expire (covers NATS server clock steps and skew); must be < MERGER_LEASE_TTL_MS/4' },
  leaseReplicas: { env: 'MERGER_LEASE_REPLICAS', parse: parse.int(0, 5), default: 0, doc: 'replicas of the lease KV bucket (3 on a cluster, so the lease survives a node); 0 = as LIQ_REPLICAS' },
  lineSilenceMs: { env: 'MERGER_LINE_SILENCE_MS', parse: parse.int(50, 60_000), default: 500, doc: 'a venue book switches to another collector line when its line stays silent this long while the other delivers' },
};

/** name, default, meaning: the configuration table of docs/merger.md. */
export const MERGER_ENV_DOC: readonly { name: string; default: string; meaning: string }[] = Object.values(schema).map((f) => {
  const spec = f as Schema<Raw>[keyof Raw];
  const d = spec.default;
  return { name: spec.env, default: d === undefined ? '(required)' : Array.isArray(d) ? d.join(',') : typeof d === 'object' ? '' : String(d), meaning: spec.doc };
});

/** Every field that parses on its own (defaults for the absent ones); bad ones stay at their default. */
function lenient(env: Record<string, string | undefined>): Raw {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema) as [string, Schema<Raw>[keyof Raw]][]) {
    const v = env[spec.env];
    out[key] = spec.default;
    if (v !== undefined && v !== '') {
      try {
        out[key] = spec.parse(v);
      } catch {
        // reported by readEnv
      }
    }
  }
  return out as unknown as Raw;
}

export function loadMergerConfig(env: Record<string, string | undefined>, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): Readonly<MergerConfig> {
  const problems: string[] = [];
  const raw = readEnvInto(schema, env, problems);
  let groups: ConsensusGroup[] = defaultGroups(consensusVenues());
  let ownership: Ownership = { kind: 'all' };
  // cross-field checks run on whatever parsed, so they are reported together with field errors
  const p = lenient(env);
  if (p.groupsSpec && p.groupsFile) problems.push('CONSENSUS_GROUPS and CONSENSUS_CONFIG_FILE: set one, not both');
  try {
    if (p.groupsSpec) groups = parseGroupsSpec(p.groupsSpec, consensusVenues());
  } catch (e) {
    problems.push(`CONSENSUS_GROUPS: ${(e as Error).message}`);
  }
  try {
    if (p.groupsFile) groups = groupsFromJson(JSON.parse(readFile(p.groupsFile)));
  } catch (e) {
    problems.push(`CONSENSUS_CONFIG_FILE=${p.groupsFile}: ${(e as Error).message}`);
  }
  if (p.shard && p.symbols.length) problems.push('MERGER_SHARD and MERGER_SYMBOLS: set one, not both');
  try {
    if (p.shard) ownership = parseShard(p.shard);
  } catch (e) {
    problems.push(`MERGER_SHARD=${p.shard}: ${(e as Error).message}`);
  }
  if (p.symbols.length) {
    for (const s of p.symbols) if (!groups.some((g) => g.symbol === s)) problems.push(`MERGER_SYMBOLS: no consensus group ${s}`);
    ownership = { kind: 'symbols', symbols: new Set(p.symbols) };
  }
  if (p.leaseRenewMs * 2 >= p.leaseTtlMs) problems.push(`MERGER_LEASE_RENEW_MS=${p.leaseRenewMs} must be < MERGER_LEASE_TTL_MS/2 (${p.leaseTtlMs / 2})`);
  if (p.leaseMarginMs * 4 >= p.leaseTtlMs) problems.push(`MERGER_LEASE_MARGIN_MS=${p.leaseMarginMs} must be < MERGER_LEASE_TTL_MS/4 (${p.leaseTtlMs / 4})`);
  if (new Decimal(p.convergenceBps).gt(p.divergenceBps)) problems.push(`CONVERGENCE_BPS=${p.convergenceBps} must not exceed DIVERGENCE_BPS=${p.divergenceBps}`);
  if (problems.length || !raw) throw badConfig(problems);
  const rules: ConsensusRules = Object.freeze({
    staleAfterMs: raw.staleAfterMs,
    staleAfterOverrides: Object.freeze({ ...venueCadenceStaleness(raw.staleAfterMs), ...raw.staleOverrides }),
    divergenceBps: raw.divergenceBps,
    convergenceBps: raw.convergenceBps,
    divergenceMinMs: raw.divergenceMinMs,
    divergenceExclude: raw.divergenceExclude,
  });
  const { groupsSpec: _g, groupsFile: _f, shard: _s, symbols: _y, staleAfterMs: _a, staleOverrides: _o, divergenceBps: _d, convergenceBps: _c, divergenceMinMs: _m, divergenceExclude: _x, ...passed } = raw;
  // a cluster that replicates the liquidation streams replicates the lease the same way unless told otherwise
  const leaseReplicas = passed.leaseReplicas || passed.liqReplicas;
  return Object.freeze({ ...passed, leaseReplicas, groups, ownership, rules });
}

/**
 * Venues that push slower than the global threshold (Hyperliquid's l2Book: every 2–5 s) declare a
 * longer staleness in their venue module; without it they would flap STALE/RECOVERED on every push.
 * STALE_AFTER_MS_OVERRIDES still wins, and a longer global threshold is never shortened.
 */
function venueCadenceStaleness(globalMs: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { id, staleAfterMs: ms } of consensusVenues()) {
    if (ms > DEFAULT_STALE_AFTER_MS && ms > globalMs) out[id] = ms;
  }
  return out;
}
