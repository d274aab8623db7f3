// Decisions pass guardrails before they touch the network. This is the first one: allowlisted
// ranges (own data centers, carriers, SBCs, customer trunks, monitoring) are never blocked.
import { CidrSet } from '../core/cidr';
import type { Decision } from '../core/records';

export type GuardrailVerdict = { allow: true } | { allow: false; guardrail: string; reason: string };

const BLOCKING: ReadonlySet<Decision['action']> = new Set(['block', 'rate-limit', 'deny-peer']);

export class Guardrails {
  private readonly allowlist: CidrSet;
  constructor(opts: { allowlist: string[] }) {
    this.allowlist = new CidrSet(opts.allowlist);
  }

  check(d: Decision): GuardrailVerdict {
    if (BLOCKING.has(d.action) && (d.target.type === 'ip' || d.target.type === 'cidr')) {
      const ip = d.target.value.split('/')[0];
      const hit = this.allowlist.match(ip);
      if (hit) return { allow: false, guardrail: 'allowlist', reason: `${d.target.value} is in allowlisted range ${hit.text}` };
    }
    return { allow: true };
  }
}
