// A TURN allocation that relays toward an internal or denied address: the relay, which sits inside
// our network, becomes the attacker's way in (SSRF through TURN): loopback, private ranges, link
// local with the cloud metadata service at 169.254.169.254. coturn's denied-peer-ip should refuse
// these; a record showing one means the list is missing or incomplete. One allocation is enough.
// The key is the peer, so the remedy (deny-peer at the relay) closes the hole for every user.
import type { MediaFlow } from '../core/records';
import { checkCidrs, inCidrs } from './cidr-list';
import { defineDetector, type CommonSettings } from './definition';

export interface DeniedPeerSettings extends CommonSettings {
  /** peer addresses a relay must never reach */
  denied_peers: string[];
  /** exceptions inside them: own media servers the relay is meant to reach */
  allowed_peers: string[];
}

/** The first peer of a relayed flow that is denied and not excepted. */
function deniedPeer(r: MediaFlow, s: DeniedPeerSettings): string | undefined {
  return r.media.relay?.peers?.find((p) => inCidrs(p, s.denied_peers) && !inCidrs(p, s.allowed_peers));
}

export default defineDetector<DeniedPeerSettings, MediaFlow>({
  id: 'relay/denied-peer',
  name: 'Relay allocation toward an internal or denied peer',
  description: 'A TURN allocation relays toward an internal or denied address (loopback, private ranges, link local, the metadata service).',
  category: 'relay',
  dataset: 'media.flow',
  keyType: 'ip',
  labels: { behavior: 'relay:internal-peer', mitre_technique: 'T1090' },
  remediation: 'deny-peer',
  observed: ['users'],
  defaults: {
    enabled: true,
    window_seconds: 60,
    suppress_seconds: 3600,
    severity: 'critical',
    denied_peers: ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '::1/128', 'fc00::/7', 'fe80::/10'],
    allowed_peers: [],
  },
  settingsSchema: {
    denied_peers: { type: 'array', items: { type: 'string' } },
    allowed_peers: { type: 'array', items: { type: 'string' } },
  },
  resolve(s) {
    checkCidrs('denied_peers', s.denied_peers);
    checkCidrs('allowed_peers', s.allowed_peers);
    return s;
  },
  keyOf: deniedPeer,
  observe(r) {
    const user = r.media.relay?.user;
    return { count: { allocations: 1 }, ...(user ? { distinct: { users: user }, sample: { user } } : {}) };
  },
  evaluate(w) {
    const allocations = w.counts.allocations ?? 0;
    if (allocations < 1) return undefined;
    const users = w.distinct.users ?? 0;
    return {
      counts: { allocations, users },
      reason: `relay allocation toward denied peer ${w.key}${w.sample.user ? ` by TURN user ${w.sample.user}` : ''}`,
    };
  },
});
