// Parses one message of coturn's statistics channels. Payloads seen from coturn 4.6.1:
//   status:  "new lifetime=600, type=UDP, local=127.0.0.1:3478, remote=127.0.0.1:39170, ssl=NONE, cipher=NONE"
//            "refreshed lifetime=0, ..."   "deleted"
//   traffic: "rcvp=41, rcvb=4948, sentp=41, sentb=4648"
// Strict: anything else is a BadInput with a reason, never an exception.
import type { Transport } from '../../core/records';
import { parseEndpoint } from './endpoint';
import type { BadInput, BadInputReason, Parsed, StatsEvent, StatusEvent, TrafficCounters } from './relay-events';
import { parseStatsChannel } from './stats-channel';

export const MAX_MESSAGE_LENGTH = 1024;
const RAW_KEPT = 300;
const FIELD = /^([a-z_]+)=(\S*)$/;
const COUNTER = /^\d{1,15}$/;

export function parseStatsMessage(channel: string, payload: string): Parsed<StatsEvent> {
  const raw = `${channel} ${payload}`;
  if (channel.length + payload.length > MAX_MESSAGE_LENGTH) return bad('oversized', `${channel.length + payload.length} characters`, raw);
  const ref = parseStatsChannel(channel);
  if (!ref) return bad('unknown-channel', 'not a coturn allocation channel', raw);
  const { kind, ...allocation } = ref;
  if (kind === 'status') return parseStatus(allocation, payload, raw);
  const counters = parseCounters(payload);
  if (typeof counters === 'string') return bad('bad-traffic', counters, raw);
  return {
    ok: true,
    value: {
      ...allocation,
      kind: kind.startsWith('total_traffic') ? 'total_traffic' : 'traffic',
      side: kind.endsWith('/peer') ? 'peer' : 'client',
      counters,
    },
  };
}

function parseStatus(allocation: Omit<StatusEvent, 'kind' | 'status'>, payload: string, raw: string): Parsed<StatsEvent> {
  if (payload === 'deleted') return { ok: true, value: { ...allocation, kind: 'status', status: 'deleted' } };
  const space = payload.indexOf(' ');
  const status = payload.slice(0, space);
  if (space < 0 || (status !== 'new' && status !== 'refreshed')) return bad('bad-status', 'status is not new, refreshed or deleted', raw);
  const fields = parseFields(payload.slice(space + 1));
  if (typeof fields === 'string') return bad('bad-status', fields, raw);
  const lifetime = fields.get('lifetime');
  if (lifetime === undefined || !COUNTER.test(lifetime)) return bad('bad-status', 'lifetime missing or not a number', raw);
  const event: StatusEvent = { ...allocation, kind: 'status', status, lifetimeSeconds: Number(lifetime) };
  for (const side of ['local', 'remote'] as const) {
    const text = fields.get(side);
    if (text === undefined) continue;
    const endpoint = parseEndpoint(text);
    if (!endpoint) return bad('bad-endpoint', `${side} is not ip:port`, raw);
    event[side] = endpoint;
  }
  const transport = toTransport(fields.get('type'), fields.get('ssl'));
  if (transport) event.transport = transport;
  return { ok: true, value: event };
}

function parseCounters(payload: string): TrafficCounters | string {
  const fields = parseFields(payload);
  if (typeof fields === 'string') return fields;
  const out: Partial<TrafficCounters> = {};
  for (const name of ['rcvp', 'rcvb', 'sentp', 'sentb'] as const) {
    const text = fields.get(name);
    if (text === undefined || !COUNTER.test(text)) return `${name} missing or not a counter`;
    out[name] = Number(text);
  }
  if (fields.size !== 4) return 'unexpected field';
  return out as TrafficCounters;
}

/** "a=1, b=2" into a map; a repeated or malformed field makes the whole message bad. */
function parseFields(text: string): Map<string, string> | string {
  const fields = new Map<string, string>();
  for (const part of text.split(', ')) {
    const m = FIELD.exec(part);
    if (!m) return `malformed field "${part.slice(0, 40)}"`;
    const [, name, value] = m as unknown as [string, string, string];
    if (fields.has(name)) return `repeated field ${name}`;
    fields.set(name, value);
  }
  return fields;
}

/** coturn's `type` is the client transport; `ssl` tells a TLS (or DTLS) session from a plain one. */
function toTransport(type: string | undefined, ssl: string | undefined): Transport | undefined {
  const secured = ssl !== undefined && ssl !== 'NONE';
  switch (type) {
    case 'UDP':
      return 'udp'; // DTLS has no transport of its own in the schema
    case 'TCP':
      return secured ? 'tls' : 'tcp';
    case 'SCTP':
      return 'sctp';
    default:
      return undefined;
  }
}

function bad(reason: BadInputReason, detail: string, raw: string): { ok: false; bad: BadInput } {
  return { ok: false, bad: { reason, detail, raw: raw.slice(0, RAW_KEPT) } };
}
