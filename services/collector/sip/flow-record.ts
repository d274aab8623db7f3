// A finished transaction as a SipFlow record (records.ts). Strings are clipped to the limits of
// sip-flow.v1.json so a record from hostile input still validates; the id is a hash of the fields
// that identify the transaction, so a replay yields the same ids.
import { toIso } from '../../core/clock';
import { stableId } from '../../core/ids';
import type { Endpoint, SdpSummary, SipFlow, Transport } from '../../core/records';
import type { NameAddr } from './sip-message';

/** String limits of sip-flow.v1.json */
export const LIMIT = { short: 256, text: 2048, callId: 512, method: 32 } as const;
const { short: SHORT, text: TEXT, callId: CALL_ID, method: METHOD } = LIMIT;

/** What the correlator keeps of a request: strings only, never the packet buffer. */
export interface TransactionRecord {
  method: string;
  callId: string;
  cseq: number;
  branch: string;
  requestUri?: string;
  requestUser?: string;
  from: NameAddr;
  to: NameAddr;
  userAgent?: string;
  authUser?: string;
  referTo?: string;
  sdp?: SdpSummary;
  /** for requests acting on an existing call: what the sensor knew of it (records.ts sip.dialog) */
  dialog?: { known: boolean; from_party: boolean };
  /** an INVITE relaying a call its sender received with credentials (records.ts sip.upstream_auth) */
  upstreamAuth?: boolean;
  src: Endpoint;
  dst: Endpoint;
  transport: Transport;
  startMs: number;
  /** last message of the transaction (provisional responses refresh it) */
  lastMs: number;
  status?: number;
  finalMs?: number;
  proven: boolean;
}

export interface RecordContext {
  observerId?: string;
  organizationId?: string;
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max);
}

export function flowId(t: Pick<TransactionRecord, 'callId' | 'branch' | 'cseq' | 'method' | 'src'>): string {
  return stableId(t.callId, t.branch, t.cseq, t.method, `${t.src.ip}:${t.src.port ?? ''}`);
}

export function toSipFlow(t: TransactionRecord, ctx: RecordContext): SipFlow {
  const flow: SipFlow = {
    '@timestamp': toIso(t.startMs),
    event: { id: flowId(t), kind: 'event', dataset: 'sip.flow' },
    source: { ...t.src },
    destination: { ...t.dst },
    network: { transport: t.transport },
    sip: {
      call_id: clip(t.callId, CALL_ID),
      method: clip(t.method, METHOD),
      cseq: t.cseq,
      source_proven: t.proven,
    },
  };
  if (t.finalMs !== undefined) flow.event.duration = Math.max(0, Math.round((t.finalMs - t.startMs) * 1e6));
  if (t.userAgent) flow.user_agent = { original: clip(t.userAgent, TEXT) };
  if (ctx.observerId) flow.observer = { id: ctx.observerId };
  if (ctx.organizationId) flow.organization = { id: ctx.organizationId };
  const sip = flow.sip;
  if (t.requestUri !== undefined) sip.request_uri = clip(t.requestUri, TEXT);
  const from: NonNullable<SipFlow['sip']['from']> = {};
  if (t.from.user) from.user = clip(t.from.user, SHORT);
  if (t.from.host) from.domain = clip(t.from.host, SHORT);
  if (t.from.display) from.display_name = clip(t.from.display, SHORT);
  if (Object.keys(from).length > 0) sip.from = from;
  // to.user is the dialed number: the To user, or the request-URI user when To has none
  const to: NonNullable<SipFlow['sip']['to']> = {};
  const toUser = t.to.user ?? t.requestUser;
  if (toUser) to.user = clip(toUser, SHORT);
  if (t.to.host) to.domain = clip(t.to.host, SHORT);
  if (Object.keys(to).length > 0) sip.to = to;
  if (t.status !== undefined) sip.status = t.status;
  if (t.authUser) sip.auth_user = clip(t.authUser, SHORT);
  if (t.referTo) sip.refer_to = clip(t.referTo, TEXT);
  if (t.sdp) sip.sdp = t.sdp;
  if (t.dialog) sip.dialog = { ...t.dialog };
  if (t.upstreamAuth) sip.upstream_auth = true;
  return flow;
}
