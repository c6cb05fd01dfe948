/**
 * What every WebSocket endpoint of the gateway (/ws and /ws/windows) builds the same way from its
 * config: the upgrade-only socket server and the per-key connection caps. One place, so a new
 * limit or frame cap reaches both endpoints.
 */
import { WebSocketServer } from 'ws';
import { ConnectionLimiter } from '../../libs/ws/index.js';
import type { GatewayConfig } from './config.js';

/** A server that only takes upgrades handed to it (the HTTP server owns the port). */
export function endpointSocketServer(cfg: GatewayConfig): WebSocketServer {
  return new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: cfg.hardMaxFrameBytes, clientTracking: false });
}

/** The per-key and per-key-per-address caps, with each key's own limits; each endpoint counts its own. */
export function keyConnectionLimiter(cfg: GatewayConfig): ConnectionLimiter {
  return new ConnectionLimiter({ maxConnections: cfg.maxConnectionsPerKey, maxConnectionsPerAddress: cfg.maxConnectionsPerKeyPerAddress }, cfg.keyLimits);
}
