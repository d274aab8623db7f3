// What an operator may ask for (unblock, extend, allowlist), checked and turned into the records
// that carry it: decisions on decisions.v1, entries on allowlist.v1, and the audit event saying who
// asked, why, and under which ticket. Pure: no I/O.
import { canonicalCidr, parseCidr, parseIp } from '../core/cidr';

import { stableId } from '../core/ids';
import { canonicalIp } from '../core/ip-address';
import type { AllowlistEntry, AuditEvent, Decision, Key, OperatorNote } from '../core/records';

export class OperatorRequestError extends Error {}

export interface TargetRequest {
  /** an address, a CIDR, or `account:NAME` */
  target: string;
  scope?: Decision['scope'];
}

const SCOPES: ReadonlySet<string> = new Set(['firewall', 'relay', 'proxy']);
const ACCOUNT = /^[A-Za-z0-9._@+-]{1,128}$/;

export function parseTarget(text: unknown): Key {
  if (typeof text !== 'string' || text.length === 0 || text.length > 160) throw new OperatorRequestError('target must be an address, a CIDR or account:NAME');
  if (text.startsWith('account:')) {
    const name = text.slice('account:'.length);
    if (!ACCOUNT.test(name)) throw new OperatorRequestError(`bad account name: ${JSON.stringify(name)}`);
    return { type: 'account', value: name };
  }
  if (text.includes('/')) return { type: 'cidr', value: checkedCidr(text) };
  const ip = parseIp(text) ? canonicalIp(text) : undefined;
  if (ip === undefined) throw new OperatorRequestError(`not an address, CIDR or account:NAME: ${JSON.stringify(text)}`);
  return { type: 'ip', value: ip };
}

/** Why and ticket from the request; who from the credential (the caller), never from the body. */
export function parseNote(body: Record<string, unknown>, who: string): OperatorNote {
  const field = (name: 'why' | 'ticket', max: number): string => {
    const v = body[name];
    if (typeof v !== 'string' || v.trim() === '') throw new OperatorRequestError(`${name} is required: every operator action says who, why and under which ticket`);
    if (v.length > max) throw new OperatorRequestError(`${name} is longer than ${max} characters`);
    return v.trim();
  };
  return { who, why: field('why', 1024), ticket: field('ticket', 128) };
}

export function parseScope(v: unknown, target: Key): Decision['scope'] {
  if (v === undefined || v === null || v === '') return target.type === 'account' ? 'proxy' : 'firewall';
  if (typeof v !== 'string' || !SCOPES.has(v)) throw new OperatorRequestError('scope must be firewall, relay or proxy');
  return v as Decision['scope'];
}

export function parseTtl(v: unknown, maxSeconds: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > maxSeconds) throw new OperatorRequestError(`ttl_seconds must be a whole number from 1 to ${maxSeconds}`);
  return v;
}

/**
 * An allowlist range wider than the configured prefix (api.allowlist_min_prefix) exempts a large
 * part of the Internet from every block: 0.0.0.0/0 turns enforcement off. It needs `force`.
 */
export function checkAllowlistWidth(cidr: string, minPrefix: { ipv4: number; ipv6: number }, force: unknown): { forced: boolean } {
  if (force !== undefined && typeof force !== 'boolean') throw new OperatorRequestError('force must be true or false');
  const c = parseCidr(cidr);
  const min = c.version === 4 ? minPrefix.ipv4 : minPrefix.ipv6;
  if (c.bits >= min) return { forced: false };
  if (force === true) return { forced: true };
  throw new OperatorRequestError(
    `${cidr} is wider than /${min} (api.allowlist_min_prefix.ipv${c.version}): it would exempt 2^${(c.version === 4 ? 32 : 128) - c.bits} addresses from every block; ask again with force (--force) if you mean it`,
  );
}

function checkedCidr(text: string): string {
  try {
    return canonicalCidr(text);
  } catch (err) {
    throw new OperatorRequestError((err as Error).message);
  }
}

/** What an operator may decide: block an address or range, suspend an account. */
export function parseAction(v: unknown, target: Key): Decision['action'] {
  if (v === 'block') {
    if (target.type === 'account') throw new OperatorRequestError('block takes an address or a CIDR; an account is suspended (action suspend)');
    return 'block';
  }
  if (v === 'suspend') {
    if (target.type !== 'account') throw new OperatorRequestError('suspend takes an account (account:NAME); an address is blocked (action block)');
    return 'suspend-account';
  }
  throw new OperatorRequestError('action must be block or suspend');
}

/**
 * An operator decision: unblock, the live action an extension renews, or the operator's own block
 * or suspension. It has the deployment's mode: in a dry-run deployment it is dry-run like every other.
 */
export function operatorDecision(o: { action: Decision['action']; target: Key; scope: Decision['scope']; ttlSeconds: number; note: OperatorNote; now: number; verb: string; mode: Decision['mode'] }): Decision {
  const at = new Date(o.now).toISOString();
  const id = stableId('operator', o.verb, o.note.who, o.note.ticket, o.scope, o.target.type, o.target.value, at);
  return {
    '@timestamp': at,
    event: { id, kind: 'event', dataset: 'callsentry.decision' },
    id,
    action: o.action,
    target: o.target,
    scope: o.scope,
    ttl_seconds: o.ttlSeconds,
    reason: `operator ${o.verb} by ${o.note.who} (${o.note.ticket}): ${o.note.why}`,
    finding_ids: [],
    origin: { type: 'operator', id: o.note.who },
    mode: o.mode,
    operator: o.note,
  };
}

export function allowlistRecord(o: { cidr: string; note: OperatorNote; now: number; ttlSeconds?: number; removed?: boolean }): AllowlistEntry {
  const entry: AllowlistEntry = { '@timestamp': new Date(o.now).toISOString(), cidr: checkedCidr(o.cidr), operator: o.note };
  if (o.ttlSeconds !== undefined) entry.expires_at = new Date(o.now + o.ttlSeconds * 1000).toISOString();
  if (o.removed) entry.removed = true;
  return entry;
}

/** The operator's request itself, as the audit trail records it (the enforcer records the outcome). */
export function requestEvent(what: string, note: OperatorNote, now: number, ref: { kind: string; id: string }): AuditEvent {
  const at = new Date(now).toISOString();
  return {
    '@timestamp': at,
    id: stableId('audit', 'operator', what, note.who, note.ticket, at),
    actor: { type: 'operator', id: note.who },
    what,
    why: note.why,
    result: 'requested',
    outcome: 'requested',
    ref,
    ticket: note.ticket,
  };
}

const FINDING_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function parseFindingId(v: unknown): string {
  if (typeof v !== 'string' || !FINDING_ID.test(v)) throw new OperatorRequestError('finding_id must be the id of a finding (letters, digits, . _ : -)');
  return v;
}

/** An operator acknowledged a finding: seen, handled under a ticket. Nothing changes on the network. */
export function ackEvent(findingId: string, note: OperatorNote, now: number): AuditEvent {
  const at = new Date(now).toISOString();
  return {
    '@timestamp': at,
    id: stableId('audit', 'operator', 'ack', findingId, note.who, note.ticket, at),
    actor: { type: 'operator', id: note.who },
    what: `acknowledge finding ${findingId}`,
    why: note.why,
    result: 'acknowledged',
    outcome: 'acknowledged',
    ref: { kind: 'finding', id: findingId },
    ticket: note.ticket,
  };
}
