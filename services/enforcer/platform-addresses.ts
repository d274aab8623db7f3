// The platform's own addresses are never blocked, whatever a detector says: blocking the PBX, the
// SBC, a proxy, the relay or a carrier takes the whole service down, and a flood forged from their
// addresses is the cheapest way to get that done. Like fail2ban's `ignoreself`, on by default:
//   - loopback and the unspecified address;
//   - this host's own interface addresses;
//   - configured ranges (enforcer.platform.addresses, and the addresses of configured trunks);
//   - registrars seen in the traffic: the destination of a REGISTER that answered it (a challenge
//     or an acceptance). Only a registrar answers REGISTERs, and our clients register with our
//     servers only: a forger can write any source address, but cannot make the sensor see an
//     answer from an address that is not on the path of our traffic. Challenges to other requests
//     do not count: a phone may challenge the INVITE the PBX sends it, and would make itself
//     unblockable.
import { networkInterfaces } from 'node:os';
import { cidrOverlaps as overlaps, parseCidr, parseIp, type Cidr } from '../core/cidr';
import { canonicalIp } from '../core/ip-address';
import type { CallsentryConfig } from '../core/config';
import { CallsentryError } from '../core/errors';
import type { Key, SipFlow } from '../core/records';

export interface PlatformHit {
  /** the platform address or range the target is or holds */
  address: string;
  /** why it is ours, for the audit trail */
  why: string;
}

export interface PlatformOptions {
  /** ranges from configuration, each with the key it came from */
  configured: Array<{ range: string; origin: string }>;
  /** loopback, unspecified and this host's interface addresses (enforcer.platform.ignore_self) */
  ignoreSelf: boolean;
  /** learn servers from the traffic (enforcer.platform.learn_servers) */
  learnServers: boolean;
  /** this host's addresses; default: its interfaces now */
  hostAddresses?: string[];
  /** learned servers kept at most (oldest forgotten first) */
  maxLearned?: number;
}

const SELF_RANGES = ['127.0.0.0/8', '::1/128', '0.0.0.0/32', '::/128'];

interface Range {
  cidr: Cidr;
  why: string;
}

export class PlatformAddresses {
  private readonly ranges: Range[] = [];
  /** canonical address -> why, Map order = least recently seen first */
  private readonly learned = new Map<string, string>();
  private readonly maxLearned: number;
  private readonly learn: boolean;

  constructor(o: PlatformOptions) {
    this.maxLearned = o.maxLearned ?? 10_000;
    this.learn = o.learnServers;
    if (o.ignoreSelf) {
      for (const r of SELF_RANGES) this.ranges.push({ cidr: parseCidr(r), why: 'loopback or unspecified (enforcer.platform.ignore_self)' });
      for (const a of o.hostAddresses ?? hostAddresses()) {
        const ip = canonicalIp(a);
        if (ip) this.ranges.push({ cidr: parseCidr(ip), why: "this host's own address (enforcer.platform.ignore_self)" });
      }
    }
    for (const { range, origin } of o.configured) {
      let cidr: Cidr;
      try {
        cidr = parseCidr(range);
      } catch (err) {
        throw new CallsentryError('BAD_CONFIG', `${origin}: ${(err as Error).message} (allowed: an IPv4 or IPv6 address or CIDR)`);
      }
      this.ranges.push({ cidr, why: `configured in ${origin}` });
    }
  }

  /** A SIP flow seen: its destination is a registrar of ours when it challenged or accepted a REGISTER. */
  observe(r: SipFlow): void {
    if (!this.learn || r.sip.method.toUpperCase() !== 'REGISTER') return;
    const status = r.sip.status;
    if (status === undefined) return;
    const challenged = status === 401 || status === 407;
    if (!challenged && !(status >= 200 && status < 300)) return;
    const ip = canonicalIp(r.destination.ip);
    if (!ip) return;
    const why = `seen answering as a SIP server (it ${challenged ? 'challenged' : 'accepted'} a registration; enforcer.platform.learn_servers)`;
    this.learned.delete(ip);
    this.learned.set(ip, why);
    if (this.learned.size > this.maxLearned) this.learned.delete(this.learned.keys().next().value as string);
  }

  /** The platform address an ip or cidr target is, or holds; undefined for accounts and strangers. */
  match(target: Key): PlatformHit | undefined {
    if (target.type !== 'ip' && target.type !== 'cidr') return undefined;
    let cidr: Cidr;
    try {
      cidr = parseCidr(target.value);
    } catch {
      return undefined; // not an address: the enforcement point refuses it on its own
    }
    for (const r of this.ranges) if (overlaps(cidr, r.cidr)) return { address: r.cidr.text, why: r.why };
    if (target.type === 'ip') {
      const ip = canonicalIp(target.value);
      const why = ip === undefined ? undefined : this.learned.get(ip);
      return why === undefined ? undefined : { address: ip!, why };
    }
    for (const [ip, why] of this.learned) if (overlaps(cidr, parseCidr(ip))) return { address: ip, why };
    return undefined;
  }
}


/** Every address of this host's interfaces, canonical. */
export function hostAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      const ip = canonicalIp(a.address);
      if (ip && parseIp(ip)) out.push(ip);
    }
  }
  return out;
}

/**
 * The configured platform: enforcer.platform, plus the addresses of the trunks the detectors know
 * (policy/untrusted-trunk `trunks[].addresses`, policy/trunk-to-trunk-transfer `trunk_addresses`):
 * a carrier listed there is ours to protect, not to block.
 */
export function platformFromConfig(cfg: CallsentryConfig, hostAddresses?: string[]): PlatformAddresses {
  const p = cfg.enforcer.platform;
  const configured = p.addresses.map((range) => ({ range, origin: 'enforcer.platform.addresses' }));
  const untrusted = cfg.detectors['policy/untrusted-trunk']?.trunks;
  if (Array.isArray(untrusted)) {
    for (const t of untrusted as Array<{ name?: unknown; addresses?: unknown }>) {
      if (!Array.isArray(t?.addresses)) continue;
      for (const range of t.addresses) if (typeof range === 'string') configured.push({ range, origin: `detectors.policy/untrusted-trunk.trunks.${String(t.name)}.addresses` });
    }
  }
  const transfer = cfg.detectors['policy/trunk-to-trunk-transfer']?.trunk_addresses;
  if (Array.isArray(transfer)) for (const range of transfer) if (typeof range === 'string') configured.push({ range, origin: 'detectors.policy/trunk-to-trunk-transfer.trunk_addresses' });
  return new PlatformAddresses({ configured, ignoreSelf: p.ignore_self, learnServers: p.learn_servers, ...(hostAddresses && { hostAddresses }) });
}
