// Digest nonces the server side handed out in 401/407 challenges, and to which addresses. A request
// whose credentials carry one of them, arriving from an address the challenge was sent to, proves
// that its sender receives our packets: a forged source address never sees the nonce.
import { BoundedMap } from './bounded-map';
import { detach } from './text-scan';

/** A nonce sent to more addresses than this (a static nonce) is remembered for the first ones only. */
const MAX_ADDRESSES_PER_NONCE = 8;

interface NonceEntry {
  addresses: string[];
  lastMs: number;
}

export class NonceRegistry {
  private readonly nonces: BoundedMap<string, NonceEntry>;

  constructor(
    maxNonces: number,
    private readonly ttlMs: number,
    onEvict: () => void,
  ) {
    this.nonces = new BoundedMap(maxNonces, onEvict);
  }

  get size(): number {
    return this.nonces.size;
  }

  /** A challenge carrying `nonce` was sent to `address` at `timeMs`. */
  challenged(nonce: string, address: string, timeMs: number): void {
    const entry = this.nonces.get(nonce);
    if (!entry) {
      this.nonces.set(detach(nonce), { addresses: [address], lastMs: timeMs });
      return;
    }
    if (!entry.addresses.includes(address) && entry.addresses.length < MAX_ADDRESSES_PER_NONCE) entry.addresses.push(address);
    entry.lastMs = timeMs;
    this.nonces.touch(nonce);
  }

  /** True when `nonce` was sent to `address` and has not expired. */
  sentTo(nonce: string, address: string, timeMs: number): boolean {
    const entry = this.nonces.get(nonce);
    return entry !== undefined && timeMs - entry.lastMs <= this.ttlMs && entry.addresses.includes(address);
  }

  expire(nowMs: number): void {
    this.nonces.shiftWhile((e) => nowMs - e.lastMs > this.ttlMs);
  }
}
