// The recent SIP flows the console can search: a fixed-size ring (console.flow_buffer records,
// 100,000 by default), oldest overwritten first. Search is a scan: at this size it takes
// milliseconds, and it needs no index to keep in step.
import type { SipFlow } from '../core/records';

export interface FlowRow {
  time: string;
  id: string;
  call_id: string;
  method: string;
  status: number | null;
  source: string;
  destination: string;
  transport: string;
  from: string;
  display_name: string;
  to: string;
  request_uri: string;
  user_agent: string;
  account: string;
}

export class FlowRing {
  private readonly rows: Array<FlowRow | undefined>;
  private next = 0;
  private seen = 0;

  constructor(readonly capacity: number) {
    this.rows = new Array(capacity);
  }

  add(f: SipFlow): void {
    this.rows[this.next] = row(f);
    this.next = (this.next + 1) % this.capacity;
    this.seen++;
  }

  get size(): number {
    return Math.min(this.seen, this.capacity);
  }

  get total(): number {
    return this.seen;
  }

  /** Newest first: exact source address, account, authenticated or from user, or call id; `limit` rows at most. */
  search(query: string, limit = 200): FlowRow[] {
    const q = query.trim();
    const out: FlowRow[] = [];
    if (!q) return out;
    for (let i = 1; i <= this.size && out.length < limit; i++) {
      const r = this.rows[(this.next - i + this.capacity) % this.capacity]!;
      if (r.source.split(':')[0] === q || r.source === q || r.call_id === q || r.account === q || r.from.split('@')[0] === q) out.push(r);
    }
    return out;
  }
}

function row(f: SipFlow): FlowRow {
  const s = f.sip;
  return {
    time: f['@timestamp'],
    id: f.event.id,
    call_id: s.call_id,
    method: s.method,
    status: s.status ?? null,
    source: `${f.source.ip}${f.source.port ? `:${f.source.port}` : ''}`,
    destination: `${f.destination.ip}${f.destination.port ? `:${f.destination.port}` : ''}`,
    transport: f.network.transport,
    from: s.from?.user ? `${s.from.user}${s.from.domain ? `@${s.from.domain}` : ''}` : '',
    display_name: s.from?.display_name ?? '',
    to: s.to?.user ?? '',
    request_uri: s.request_uri ?? '',
    user_agent: f.user_agent?.original ?? '',
    account: s.account ?? s.auth_user ?? '',
  };
}
