/**
 * A reader of a no-ack consumer learns of deliveries lost in transit only from the delivery
 * sequence: DeliveryCount (libs/bus/stream-follower.ts) names the skip, so the reader re-reads.
 */
import { describe, expect, it } from 'vitest';
import type { JsMsg } from 'nats';
import { DeliveryCount } from '../../../libs/bus/index.js';

const delivery = (d: number) => ({ info: { deliverySequence: d, stream: 'S' } }) as unknown as JsMsg;

describe('DeliveryCount', () => {
  it('passes deliveries 1, 2, 3 … and names the ones skipped before a later one', () => {
    const count = new DeliveryCount();
    expect([1, 2, 3].map((d) => count.skipBefore(delivery(d)))).toEqual([undefined, undefined, undefined]);
    expect(count.skipBefore(delivery(6))?.message).toBe('S consumer skipped deliveries 4..5');
  });

  it('counts from 1, so a consumer whose first delivery went missing is caught too', () => {
    expect(new DeliveryCount().skipBefore(delivery(2))?.message).toBe('S consumer skipped deliveries 1..1');
  });
});
