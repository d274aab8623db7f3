// One verdict: resolve the call (destination, price, class of service), ask the rules in order,
// answer with the first deny, else the first limit, else allow. In dry-run every answer is allow
// and a would-be deny says so.
import type { VerdictSettings } from '../core/verdict-config';
import { normaliseDestination } from './destination';
import type { RateDeck } from './rate-deck';
import { VERDICT_RULES } from './rules';
import type { VerdictRule } from './rules/rule';
import type { StateView } from './state';
import type { CallContext, CallQuery, Objection, Verdict } from './verdict';

export function callContext(q: CallQuery, s: VerdictSettings, deck: RateDeck, now: number): CallContext {
  const configured = q.account ? s.accounts[q.account] : undefined;
  const clsName = configured?.class ?? s.default_class;
  const cls = s.classes[clsName] ?? { international: false, premium: false };
  const destination = normaliseDestination(q.to, s.home_country);
  const tenant = q.tenant ?? configured?.tenant;
  return {
    query: q,
    tenant,
    accountKey: q.account ? `account:${q.account}` : undefined,
    tenantKey: tenant ? `tenant:${tenant}` : undefined,
    destination,
    ratePerMinute: deck.price(destination.e164),
    cls: { name: clsName, international: cls.international, premium: cls.premium },
    now,
  };
}

export function judge(call: CallContext, state: StateView, s: VerdictSettings, rules: readonly VerdictRule[] = VERDICT_RULES): Verdict {
  let limit: { rule: VerdictRule; o: Objection } | undefined;
  for (const rule of rules) {
    const o = rule.judge(call, state, s);
    if (!o) continue;
    if (o.verdict === 'deny') return answer(rule, o, s);
    limit ??= { rule, o };
  }
  if (limit) return answer(limit.rule, limit.o, s);
  return { verdict: 'allow', reason: 'no rule objected', rule: 'allow', finding_ids: [], ttl_seconds: s.allow_ttl_seconds };
}

function answer(rule: VerdictRule, o: Objection, s: VerdictSettings): Verdict {
  const v: Verdict = { verdict: o.verdict, reason: o.reason, rule: rule.id, finding_ids: o.finding_ids ?? [], ttl_seconds: o.ttl_seconds ?? s.allow_ttl_seconds };
  if (s.mode === 'dry-run' && v.verdict !== 'allow') return { ...v, verdict: 'allow', reason: `dry-run, would ${o.verdict}: ${o.reason}`, ttl_seconds: s.allow_ttl_seconds };
  return v;
}
