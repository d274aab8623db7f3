// Digest nonces the server side handed out in 401/407 challenges, and to which endpoint. A request
// whose credentials carry one of them proves that its sender receives our packets only when the
// challenge went to exactly one endpoint (address and port) and the request comes from that very
// endpoint: a forged source address never sees the nonce. A nonce handed to two endpoints proves
// nothing: servers reuse nonces (Kamailio gives every client the same one within a second), so an
// attacker can fetch one from its own address and write it into packets forged from a phone's.
// One case is no sharing: a proxy relaying a challenge from the next hop (RFC 3665 3.3). The
// challenge comes from the very address the nonce was sent to, so the nonce moves on to the new
// recipient; a forger would have to send that challenge from the first recipient's address.
import { BoundedMap } from './bounded-map';
import { detach } from './text-scan';

interface NonceEntry {
  /** the one endpoint it was sent to, as `ip port`; undefined once it went to a second one */
  endpoint: string | undefined;
  /** that endpoint's address: a challenge sent from it relays the nonce */
  address: string;
  lastMs: number;
}

const endpointOf = (address: string, port: number): string => `${address} ${port}`;

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

  /** A challenge carrying `nonce` was sent from `sender` to `address`:`port` at `timeMs`. */
  challenged(nonce: string, sender: string, address: string, port: number, timeMs: number): void {
    const endpoint = endpointOf(address, port);
    const entry = this.nonces.get(nonce);
    if (!entry) {
      this.nonces.set(detach(nonce), { endpoint, address: detach(address), lastMs: timeMs });
      return;
    }
    if (entry.endpoint !== undefined && entry.endpoint !== endpoint) {
      if (sender === entry.address) {
        entry.endpoint = endpoint; // relayed by its recipient
        entry.address = detach(address);
      } else entry.endpoint = undefined; // shared for good, while it stays in use
    }
    entry.lastMs = timeMs;
    this.nonces.touch(nonce);
  }

  /** True when `nonce` went to `address`:`port` and to no other endpoint, and has not expired. */
  sentTo(nonce: string, address: string, port: number, timeMs: number): boolean {
    const entry = this.nonces.get(nonce);
    return entry !== undefined && timeMs - entry.lastMs <= this.ttlMs && entry.endpoint === endpointOf(address, port);
  }

  expire(nowMs: number): void {
    this.nonces.shiftWhile((e) => nowMs - e.lastMs > this.ttlMs);
  }
}
